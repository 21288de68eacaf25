//! libFuzzer entry for `conclave_fuzz_targets::check_tx` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::check_tx;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_tx::run(data));
