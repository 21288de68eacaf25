//! Each module's messages: decode with the module's own decoder, then deliver in a block on a
//! small state. Delivering never stops the node (a fatal runtime error is a bug), and every
//! module's invariants hold after the block (the test chain checks them).
//!
//! Input: the first byte chooses the module (bank, staking, voting, rotation, slashing,
//! rewards); the
//! rest is that module's message. A message the module decodes is wrapped with the app's
//! pinned tag for that module, signed by alice and delivered on a fresh chain (so each input
//! replays alone, the same way every time).

use borsh::BorshDeserialize;

use crate::fixture::{accounts, chain, signed};

/// Whether a module's decoder accepts the bytes.
type Decodes = fn(&[u8]) -> bool;

/// The modules, in the app's tag order (`appchain::Msg`'s discriminants).
const MODULES: [(&str, Decodes); 6] = [
    ("bank", |b| conclave_bank::Msg::try_from_slice(b).is_ok()),
    ("staking", |b| conclave_staking::Msg::try_from_slice(b).is_ok()),
    ("voting", |b| conclave_voting::Msg::try_from_slice(b).is_ok()),
    ("rotation", |b| conclave_rotation::Msg::try_from_slice(b).is_ok()),
    ("slashing", |b| conclave_slashing::Msg::try_from_slice(b).is_ok()),
    ("rewards", |b| conclave_rewards::Msg::try_from_slice(b).is_ok()),
];

/// Fuzz body.
pub fn run(data: &[u8]) {
    let Some((&selector, message)) = data.split_first() else { return };
    let tag = usize::from(selector) % MODULES.len();
    let (module, decodes) = MODULES[tag];
    // Decoding alone must not panic; only what decodes is worth a block.
    if !decodes(message) {
        return;
    }
    let mut app_message = vec![tag as u8];
    app_message.extend_from_slice(message);
    let [alice, _] = accounts();
    let mut chain = chain();
    let tx = signed(&alice, 0, app_message);
    match chain.try_produce_block(vec![tx]) {
        Ok(block) => assert_eq!(block.tx_results.len(), 1),
        Err(error) => panic!("a {module} message stopped the node: {error}"),
    }
}
