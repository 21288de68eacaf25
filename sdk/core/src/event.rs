//! Typed events. A module declares one struct per event and implements [`TypedEvent`];
//! the runtime turns it into an ABCI event of type `module.event_name` whose attributes are
//! the struct's fields as strings, in declaration order.

use serde::{Deserialize, Serialize};

/// One attribute of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventAttribute {
    /// Attribute name.
    pub key: String,
    /// Attribute value as text (amounts in decimal, addresses in hex).
    pub value: String,
    /// Whether CometBFT's indexer should index it.
    pub index: bool,
}

/// An untyped event as it leaves the runtime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// `module.event_name`.
    pub kind: String,
    /// The attributes in a stable order.
    pub attributes: Vec<EventAttribute>,
}

impl Event {
    /// What an emitter emits in place of an event its state will not keep
    /// ([`crate::StateWrite::keeps_events`]): no text, so nothing is formatted or allocated.
    pub fn discarded() -> Self {
        Self { kind: String::new(), attributes: Vec::new() }
    }

    /// The value of attribute `key`, if present.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.key == key).map(|a| a.value.as_str())
    }
}

/// A module's event type.
pub trait TypedEvent {
    /// The event type, `module.event_name` (lowercase, snake case).
    const KIND: &'static str;

    /// The attributes as `(name, value)`, in a stable order.
    fn attributes(&self) -> Vec<(&'static str, String)>;

    /// Whether attribute `key` is a query key the module asks CometBFT to index: who or what
    /// an event is about (an account, a validator, a proposal), not its amounts. The node's
    /// `[events] index` setting decides what is finally indexed (docs/indexing.md). Default:
    /// every attribute.
    fn is_indexed(key: &str) -> bool {
        let _ = key;
        true
    }

    /// Converts into an untyped [`Event`].
    fn to_event(&self) -> Event {
        Event {
            kind: Self::KIND.to_string(),
            attributes: self
                .attributes()
                .into_iter()
                .map(|(key, value)| EventAttribute { key: key.to_string(), value, index: Self::is_indexed(key) })
                .collect(),
        }
    }
}

/// Emits a typed event into `state` (kept only if the enclosing transaction succeeds).
pub fn emit<E: TypedEvent>(state: &mut impl crate::StateWrite, event: &E) -> Result<(), crate::StateError> {
    let event = if state.keeps_events() { event.to_event() } else { Event::discarded() };
    state.emit(event)
}

/// Declares a module's event: a struct with public fields and its [`TypedEvent`] impl, whose
/// attributes are the fields, by name, in declaration order, each as its `Display` text. Every
/// field type must implement `Display`.
///
/// `indexed [field, …]` after the type names the query keys (see
/// [`TypedEvent::is_indexed`]): who or what the event is about, not its amounts. Without it,
/// every field is. Naming a field that does not exist fails to compile.
///
/// ```
/// use conclave_core::{typed_event, Address, TypedEvent};
///
/// typed_event! {
///     /// `notes.note_set`: an account's note changed.
///     NoteSet = "notes.note_set", indexed [owner] {
///         /// Whose note.
///         owner: Address,
///         /// Its length in bytes.
///         length: u64,
///     }
/// }
///
/// let event = NoteSet { owner: Address::from_public_key(&[1; 32]), length: 5 }.to_event();
/// assert_eq!(event.kind, "notes.note_set");
/// assert_eq!(event.attribute("length"), Some("5"));
/// assert_eq!(event.attributes.iter().map(|a| a.index).collect::<Vec<_>>(), [true, false]);
/// ```
///
/// ```compile_fail
/// conclave_core::typed_event! {
///     /// A key that is not a field.
///     Typo = "notes.typo", indexed [ownr] { owner: u64 }
/// }
/// ```
#[macro_export]
macro_rules! typed_event {
    ($(#[$doc:meta])* $name:ident = $kind:literal { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $crate::typed_event! {
            $(#[$doc])* $name = $kind, indexed [$($field),*] { $( $(#[$fdoc])* $field : $ty ),* }
        }
    };
    ($(#[$doc:meta])* $name:ident = $kind:literal, indexed [$($key:ident),* $(,)?]
        { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name { $( $(#[$fdoc])* pub $field: $ty ),* }

        // Every listed key is a field (a typo fails here, not silently unindexed).
        const _: fn(&$name) = |event: &$name| { $( let _ = &event.$key; )* };

        impl $crate::TypedEvent for $name {
            const KIND: &'static str = $kind;

            fn attributes(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                ::std::vec![ $( (stringify!($field), ::std::string::ToString::to_string(&self.$field)) ),* ]
            }

            fn is_indexed(key: &str) -> bool {
                let keys: &[&str] = &[$(stringify!($key)),*];
                keys.contains(&key)
            }

            /// Built directly (one allocation per name and per value, no intermediate list):
            /// end-blocks can emit one per completed entry.
            fn to_event(&self) -> $crate::Event {
                $crate::Event {
                    kind: ::std::borrow::ToOwned::to_owned(Self::KIND),
                    attributes: ::std::vec![ $( $crate::EventAttribute {
                        key: ::std::borrow::ToOwned::to_owned(stringify!($field)),
                        value: ::std::string::ToString::to_string(&self.$field),
                        index: <Self as $crate::TypedEvent>::is_indexed(stringify!($field)),
                    } ),* ],
                }
            }
        }
    };
}
