//! Which event attributes this node asks CometBFT to index: the operator's `[events]`
//! setting applied over each attribute's own flag, which its module sets on its query keys
//! (`conclave_core::TypedEvent::is_indexed`).
//!
//! CometBFT's `kv` indexer writes one key per indexed attribute per event, and its `psql`
//! sink stores only indexed attributes. An attribute's flag is not part of any hash
//! (CometBFT's `LastResultsHash` covers code, data and gas only), so nodes of one chain may
//! index differently without disagreeing on anything. docs/indexing.md has the figures and
//! the choices.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use conclave_core::Event;

/// The base rule for every attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IndexMode {
    /// The modules' query keys (accounts, validators, proposal ids), not amounts.
    #[default]
    Declared,
    /// Every attribute (a PostgreSQL indexing node, an explorer's node).
    All,
    /// No attribute: only CometBFT's own `tx.hash` and `tx.height` (a validator that serves
    /// no searches; transactions can still be looked up by hash).
    None,
}

impl IndexMode {
    /// The names `[events] index` accepts.
    pub const NAMES: [&'static str; 3] = ["declared", "all", "none"];
}

impl fmt::Display for IndexMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IndexMode::Declared => "declared",
            IndexMode::All => "all",
            IndexMode::None => "none",
        })
    }
}

impl FromStr for IndexMode {
    type Err = IndexingError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "declared" => Ok(IndexMode::Declared),
            "all" => Ok(IndexMode::All),
            "none" => Ok(IndexMode::None),
            _ => Err(IndexingError::UnknownMode(name.to_owned())),
        }
    }
}

/// A setting that cannot be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IndexingError {
    /// `index` is none of [`IndexMode::NAMES`].
    #[error("unknown event index mode {0:?}; use one of \"declared\", \"all\", \"none\"")]
    UnknownMode(String),
    /// An extra attribute is not `type.key` (e.g. `bank.transfer.amount`).
    #[error("{0:?} is not an event attribute; write it as TYPE.KEY, e.g. \"bank.transfer.amount\"")]
    NotAnAttribute(String),
}

/// What to index: a mode, plus attributes indexed whatever the mode says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventIndexing {
    mode: IndexMode,
    /// Event type → attribute keys indexed on top of `mode`.
    also: BTreeMap<String, BTreeSet<String>>,
}

impl EventIndexing {
    /// `mode`, plus each of `also` (`type.key`, as CometBFT's queries name an attribute; the
    /// key is what follows the last dot, since event types contain dots themselves).
    pub fn new<S: AsRef<str>>(mode: IndexMode, also: impl IntoIterator<Item = S>) -> Result<Self, IndexingError> {
        let mut extra: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for name in also {
            let name = name.as_ref();
            match name.rsplit_once('.') {
                Some((kind, key)) if !kind.is_empty() && !key.is_empty() && !name.contains(char::is_whitespace) => {
                    extra.entry(kind.to_owned()).or_default().insert(key.to_owned());
                }
                _ => return Err(IndexingError::NotAnAttribute(name.to_owned())),
            }
        }
        Ok(Self { mode, also: extra })
    }

    /// The base rule.
    pub fn mode(&self) -> IndexMode {
        self.mode
    }

    /// Sets each attribute's `index` flag of `events` as this setting says.
    pub fn apply(&self, events: &mut [Event]) {
        if self.mode == IndexMode::Declared && self.also.is_empty() {
            return;
        }
        for event in events {
            let also = self.also.get(&event.kind);
            for attribute in &mut event.attributes {
                let base = match self.mode {
                    IndexMode::Declared => attribute.index,
                    IndexMode::All => true,
                    IndexMode::None => false,
                };
                attribute.index = base || also.is_some_and(|keys| keys.contains(&attribute.key));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use conclave_core::EventAttribute;

    fn events() -> Vec<Event> {
        let attribute = |key: &str, index: bool| EventAttribute { key: key.into(), value: "v".into(), index };
        vec![
            Event {
                kind: "bank.transfer".into(),
                attributes: vec![attribute("sender", true), attribute("amount", false)],
            },
            Event { kind: "bank.fee".into(), attributes: vec![attribute("sender", true), attribute("amount", false)] },
        ]
    }

    fn flags(events: &[Event]) -> Vec<Vec<bool>> {
        events.iter().map(|e| e.attributes.iter().map(|a| a.index).collect()).collect()
    }

    fn applied(mode: IndexMode, also: &[&str]) -> Vec<Vec<bool>> {
        let mut events = events();
        EventIndexing::new(mode, also).map(|setting| setting.apply(&mut events)).unwrap_or_else(|e| panic!("{e}"));
        flags(&events)
    }

    #[test]
    fn each_mode_sets_the_flags() {
        assert_eq!(applied(IndexMode::Declared, &[]), [[true, false], [true, false]]);
        assert_eq!(applied(IndexMode::All, &[]), [[true, true], [true, true]]);
        assert_eq!(applied(IndexMode::None, &[]), [[false, false], [false, false]]);
    }

    #[test]
    fn extra_attributes_are_indexed_in_any_mode_and_only_for_their_type() {
        assert_eq!(applied(IndexMode::Declared, &["bank.transfer.amount"]), [[true, true], [true, false]]);
        assert_eq!(applied(IndexMode::None, &["bank.fee.amount"]), [[false, false], [false, true]]);
        assert_eq!(applied(IndexMode::None, &["bank.transfer.nothing"]), [[false, false], [false, false]]);
    }

    #[test]
    fn bad_settings_are_refused_with_what_to_write() {
        for bad in ["amount", ".amount", "bank.transfer.", "bank.transfer amount", ""] {
            let error = EventIndexing::new(IndexMode::Declared, [bad]).err();
            assert_eq!(error, Some(IndexingError::NotAnAttribute(bad.to_owned())), "{bad:?}");
        }
        assert_eq!("everything".parse::<IndexMode>(), Err(IndexingError::UnknownMode("everything".into())));
        for name in IndexMode::NAMES {
            assert_eq!(name.parse::<IndexMode>().map(|m| m.to_string()).as_deref(), Ok(name));
        }
    }
}
