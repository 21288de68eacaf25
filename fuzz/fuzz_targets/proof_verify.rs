//! libFuzzer entry for `conclave_fuzz_targets::proof_verify` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::proof_verify;

libfuzzer_sys::fuzz_target!(|data: &[u8]| proof_verify::run(data));
