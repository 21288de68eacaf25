//! The transaction envelope: `Tx<appchain::Msg>::decode` on any bytes never panics, and what
//! it accepts is canonical: re-encoding gives back exactly the input (borsh with every byte
//! consumed), so one transaction has one encoding and one hash.

use appchain::Msg;
use conclave_core::tx::Tx;

/// Fuzz body.
pub fn run(data: &[u8]) {
    let Ok(tx) = Tx::<Msg>::decode(data) else { return };
    let encoded = tx.encode().expect("a decoded transaction re-encodes");
    assert_eq!(encoded, data, "the accepted encoding is not canonical");
    // The signer's address is computed from any decoded transaction.
    let _ = tx.signer_address();
}
