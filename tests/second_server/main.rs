//! Issue 13 §2: oauthflow's generated clients against a second, independently written
//! authorization server — Django OAuth Toolkit (`tests/django`, pinned in its
//! `requirements.txt`), started once for this test binary on 127.0.0.1 in a virtualenv the
//! tests create when it is missing. The user's part (Django's login, DOT's consent and device
//! pages) is played by plain HTTP.
//!
//! Where DOT and oauthflow disagree, the tests assert what oauthflow does (strict, typed
//! errors); the README's "Compatibility" table says the same.

mod browser;
mod html;
mod launcher;
mod support;
mod venv;

mod auth_time;
mod client_credentials;
mod code_spa;
mod code_web;
mod device;
mod implicit;
mod metadata;
mod native;
mod password;
