//! What the chain records of CometBFT's consensus parameters: the evidence age limits, from
//! InitChain's `consensus_params.evidence`. The runtime writes the item (under its `auth/`
//! prefix); modules read it here. The app never changes consensus parameters, so the genesis
//! values hold for the chain's life.

use crate::block::EvidenceParams;
use crate::state::{StateError, StateRead};
use crate::typed::Item;

/// CometBFT's evidence parameters, as InitChain gave them.
pub const EVIDENCE_PARAMS: Item<EvidenceParams> = Item::new("auth/evidence_params");

/// The evidence parameters (CometBFT's defaults if InitChain gave none).
pub fn evidence_params(state: &impl StateRead) -> Result<EvidenceParams, StateError> {
    Ok(EVIDENCE_PARAMS.get(state)?.unwrap_or_default())
}
