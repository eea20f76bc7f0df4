//! A fault-injecting HTTP peer on 127.0.0.1 (to be written).
