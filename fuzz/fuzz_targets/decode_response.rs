#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| adminwire_protocol::fuzzing::decode_response(data));
