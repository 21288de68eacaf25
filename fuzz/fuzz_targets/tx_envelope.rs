//! libFuzzer entry for `conclave_fuzz_targets::tx_envelope` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::tx_envelope;

libfuzzer_sys::fuzz_target!(|data: &[u8]| tx_envelope::run(data));
