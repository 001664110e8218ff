#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| adminwire_sidecar::fuzzing::admin_parsers(data));
