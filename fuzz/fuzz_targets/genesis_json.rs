//! libFuzzer entry for `conclave_fuzz_targets::genesis_json` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::genesis_json;

libfuzzer_sys::fuzz_target!(|data: &[u8]| genesis_json::run(data));
