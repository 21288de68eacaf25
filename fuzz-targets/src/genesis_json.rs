//! Genesis JSON: InitChain on any `app_state` bytes succeeds or returns an error, never
//! panics; a genesis it accepts runs its first block without stopping the node; and the state
//! after that block, exported as a genesis, imports to a genesis whose root is that block's
//! app hash.

use appchain::AppChain;
use conclave_core::BlockTime;
use conclave_runtime::{FinalizeBlockRequest, InitChainRequest, Runtime};
use conclave_store::{Store, StoreConfig};

use crate::fixture::CHAIN_ID;

const GENESIS_SECONDS: u64 = 1_700_000_000;

fn init(app_state: Vec<u8>) -> Option<(Runtime<AppChain>, [u8; 32])> {
    let store = Store::open_in_memory(StoreConfig::default()).expect("an in-memory store opens");
    let mut runtime = Runtime::new(AppChain::default(), store);
    let request = InitChainRequest::new(CHAIN_ID, BlockTime::from_seconds(GENESIS_SECONDS), 1, app_state);
    let response = runtime.init_chain(request).ok()?;
    Some((runtime, response.app_hash))
}

/// Fuzz body.
pub fn run(data: &[u8]) {
    let Some((mut runtime, _)) = init(data.to_vec()) else { return };
    let block = FinalizeBlockRequest::new(1, BlockTime::from_seconds(GENESIS_SECONDS + 1), Vec::new());
    let first = match runtime.finalize_block(block).and_then(|b| runtime.commit().map(|_| b)) {
        Ok(first) => first,
        Err(error) => panic!("an accepted genesis stops the node at its first block: {error}"),
    };
    let exported = runtime.export_genesis().expect("the state exports");
    let bytes = serde_json::to_vec(&exported).expect("JSON serializes");
    let (_, imported) = init(bytes).expect("an exported genesis imports");
    assert_eq!(imported, first.app_hash, "export then import changed the root");
}
