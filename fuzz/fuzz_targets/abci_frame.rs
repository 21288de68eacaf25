//! libFuzzer entry for `conclave_fuzz_targets::abci_frame` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::abci_frame;

libfuzzer_sys::fuzz_target!(|data: &[u8]| abci_frame::run(data));
