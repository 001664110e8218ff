#![no_main]

mod counting_alloc;

#[global_allocator]
static GLOBAL: counting_alloc::CountingAllocator = counting_alloc::CountingAllocator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    adminwire_sidecar::fuzzing::rewrite_responses(data);
    counting_alloc::report_huge();
});
