//! libFuzzer entry for `conclave_fuzz_targets::store_model` (what it checks is documented there).
#![no_main]

use conclave_fuzz_targets::store_model;

libfuzzer_sys::fuzz_target!(|data: &[u8]| store_model::run(data));
