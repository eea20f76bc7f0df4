//! The manager's immutable key → slot map (replaced whole on insertion). A client has few
//! keys — usually one or two audiences — and comparing a key to one or two others is cheaper
//! than hashing it, so small maps are a vector searched in order; large ones a `HashMap`.

use std::collections::HashMap;
use std::hash::Hash;

/// Up to this many keys, lookups compare keys instead of hashing.
const LINEAR_MAX: usize = 8;

#[derive(Clone)]
pub(crate) enum KeyMap<K, T> {
    Few(Vec<(K, T)>),
    Many(HashMap<K, T>),
}

impl<K, T> KeyMap<K, T> {
    pub(crate) fn len(&self) -> usize {
        match self {
            KeyMap::Few(entries) => entries.len(),
            KeyMap::Many(map) => map.len(),
        }
    }
}

impl<K: Hash + Eq + Clone, T: Clone> KeyMap<K, T> {
    pub(crate) fn new() -> Self {
        KeyMap::Few(Vec::new())
    }

    #[inline]
    pub(crate) fn get(&self, key: &K) -> Option<&T> {
        match self {
            KeyMap::Few(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, t)| t),
            KeyMap::Many(map) => map.get(key),
        }
    }

    /// A copy of this map with `key` → `value` added (or replaced).
    pub(crate) fn with(&self, key: K, value: T) -> Self {
        let mut entries: Vec<(K, T)> = self
            .iter()
            .filter(|(k, _)| **k != key)
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect();
        entries.push((key, value));
        Self::from_entries(entries)
    }

    /// A copy of this map with only the entries `keep` accepts.
    pub(crate) fn retained(&self, mut keep: impl FnMut(&T) -> bool) -> Self {
        Self::from_entries(
            self.iter()
                .filter(|(_, t)| keep(t))
                .map(|(k, t)| (k.clone(), t.clone()))
                .collect(),
        )
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (&K, &T)> + '_> {
        match self {
            KeyMap::Few(entries) => Box::new(entries.iter().map(|(k, t)| (k, t))),
            KeyMap::Many(map) => Box::new(map.iter()),
        }
    }

    fn from_entries(entries: Vec<(K, T)>) -> Self {
        if entries.len() <= LINEAR_MAX {
            KeyMap::Few(entries)
        } else {
            KeyMap::Many(entries.into_iter().collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_from_a_vector_to_a_hash_map_and_back() {
        let mut map = KeyMap::new();
        for i in 0..20u32 {
            map = map.with(i, i * 10);
            assert_eq!(map.len(), i as usize + 1);
            assert!(matches!(map, KeyMap::Few(_)) == (i < 8));
            for j in 0..=i {
                assert_eq!(map.get(&j), Some(&(j * 10)));
            }
            assert_eq!(map.get(&(i + 1)), None);
        }
        let map = map.with(3, 333);
        assert_eq!((map.len(), map.get(&3)), (20, Some(&333)));
        let small = map.retained(|t| *t < 50);
        assert!(matches!(small, KeyMap::Few(_)));
        assert_eq!(small.len(), 4); // 0, 10, 20, 40 (3 now maps to 333)
        assert_eq!(small.get(&3), None);
        assert_eq!(small.get(&4), Some(&40));
        assert_eq!(small.get(&5), None);
    }
}
