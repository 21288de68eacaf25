//! ABCI frame decoding: any byte stream gives decoded requests or an error, never a panic,
//! and never a body buffer above the limit (checked by `sdk/abci`'s allocation test; here
//! the limit is small so oversized prefixes are common).

use conclave_abci::codec::read_message_limited;
use tendermint_proto::v0_38::abci::Request;

/// The frame limit used here: small, so the fuzzer hits it.
const MAX_BYTES: u64 = 64 * 1024;

thread_local! {
    static RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime");
}

/// Fuzz body.
pub fn run(data: &[u8]) {
    RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let mut reader = tokio::io::BufReader::with_capacity(256, data);
            // Each successful read consumes at least one byte, so this ends.
            while let Ok(Some(request)) = read_message_limited::<Request, _>(&mut reader, MAX_BYTES).await {
                // What decodes re-encodes within the limit's order of size.
                let encoded = prost::Message::encode_to_vec(&request);
                assert!(encoded.len() as u64 <= MAX_BYTES.saturating_mul(2), "re-encoding grew past the limit");
            }
        })
    });
}
