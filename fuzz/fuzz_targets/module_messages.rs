//! libFuzzer entry for `conclave_fuzz_targets::module_messages` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::module_messages;

libfuzzer_sys::fuzz_target!(|data: &[u8]| module_messages::run(data));
