//! Events the upgrade module emits (kinds `upgrade.<name>`). Addresses are bech32 (`<prefix>1…`).
//! The query key ([`conclave_core::TypedEvent::is_indexed`]) is the plan's `name`: its height
//! and info are values, and its authority is always the parameter authority (a node that wants
//! every attribute sets `[events] index = "all"`; docs/indexing.md).

use conclave_core::{typed_event, Address};

typed_event! {
    /// `upgrade.scheduled`: a plan was scheduled (replacing any earlier one).
    Scheduled = "upgrade.scheduled", indexed [name] {
        /// The upgrade's name.
        name: String,
        /// The height it takes effect at.
        height: u64,
        /// Its info for operators.
        info: String,
        /// Who scheduled it (the parameter authority).
        authority: Address,
    }
}

typed_event! {
    /// `upgrade.cancelled`: a pending plan was removed, by `CancelUpgrade` or by a new plan
    /// replacing it.
    Cancelled = "upgrade.cancelled", indexed [name] {
        /// The cancelled upgrade's name.
        name: String,
        /// The height it was planned at.
        height: u64,
        /// Who cancelled it (the parameter authority).
        authority: Address,
    }
}

typed_event! {
    /// `upgrade.applied`: the block at the plan's height ran under a binary that implements it.
    Applied = "upgrade.applied", indexed [name] {
        /// The upgrade's name.
        name: String,
        /// The height it was applied at.
        height: u64,
        /// Whether a registered migration ran (`false`: allowed by `--allow-upgrade`).
        migrated: bool,
    }
}
