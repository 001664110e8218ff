//! The header peek on the sidecar's hot path allocates nothing: proved with a counting global
//! allocator, which is why this test is a binary of its own.

// The workspace denies unsafe code. The one exception is here: a `#[global_allocator]` must be an
// `unsafe impl GlobalAlloc`, and it only counts calls before handing them to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use adminwire_protocol::frame::peek_request_header;
use adminwire_protocol::{
    AdminRequest, DeleteTopicRequest, FrameReader, RequestHeaderPeek, encode_request,
};
use bytes::BytesMut;

/// Counts allocations (and reallocations) made by the current thread, so that tests running on
/// other threads of the harness do not disturb the count.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the slot may already be gone while a thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as is, under the caller's guarantees for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as above; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// How many allocations `f` made on this thread.
fn allocations_in<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (ALLOCATIONS.with(Cell::get) - before, value)
}

const ROUNDS: usize = 10_000;

fn request_frame(correlation_id: i32) -> BytesMut {
    let request = AdminRequest::from(DeleteTopicRequest {
        topic_names: vec!["orders".into(), "payments".into()],
        timeout_ms: 30_000,
        ..Default::default()
    });
    let mut buf = BytesMut::new();
    encode_request(&request, 1, correlation_id, Some("adminwire"), &mut buf).unwrap();
    buf
}

#[test]
fn the_counter_sees_allocations() {
    // Otherwise the zeros below would prove nothing.
    let (n, v) = allocations_in(|| Vec::<u8>::with_capacity(16));
    assert_eq!(n, 1);
    drop(v);
}

#[test]
fn peek_request_header_and_frame_size_allocate_nothing() {
    let frame = request_frame(7);
    let reader = FrameReader::default();
    let (n, sum) = allocations_in(|| {
        let mut sum = 0i64;
        for _ in 0..ROUNDS {
            let peek = peek_request_header(std::hint::black_box(&frame[4..])).unwrap();
            let size = reader.frame_size(std::hint::black_box(&frame[..])).unwrap().unwrap();
            sum += i64::from(peek.correlation_id) + size as i64;
        }
        sum
    });
    assert_eq!(n, 0, "{n} allocations in {ROUNDS} peeks");
    assert_eq!(sum, ROUNDS as i64 * (7 + frame.len() as i64 - 4));
    // Errors allocate nothing either.
    let (n, _) = allocations_in(|| {
        for _ in 0..ROUNDS {
            assert!(peek_request_header(std::hint::black_box(&frame[4..9])).is_err());
            assert!(FrameReader::new(8).frame_size(std::hint::black_box(&frame[..])).is_err());
        }
    });
    assert_eq!(n, 0);
}

/// `next_request` peeks, then `BytesMut::split_to`s the frame off. `split_to` on a buffer that
/// still owns its memory as a plain vector (as `with_capacity` makes it) promotes that memory to
/// a shared, reference-counted block: one allocation, the first time only. Every later split
/// (and every split of a buffer already shared) only bumps a reference count.
#[test]
fn next_request_allocates_only_the_one_shared_header_of_split_to() {
    let one = request_frame(0);
    let mut buf = BytesMut::with_capacity(one.len() * ROUNDS);
    for i in 0..ROUNDS {
        buf.extend_from_slice(&request_frame(i as i32));
    }
    let reader = FrameReader::default();
    let mut peeks = Vec::with_capacity(ROUNDS);
    let mut frames = Vec::with_capacity(ROUNDS);
    let (n, ()) = allocations_in(|| {
        while let Some(frame) = reader.next_request(&mut buf).unwrap() {
            peeks.push(frame.header);
            frames.push(frame);
        }
    });
    assert_eq!(frames.len(), ROUNDS);
    assert!(buf.is_empty());
    assert_eq!(n, 1, "{ROUNDS} next_request calls on a vector-backed buffer");
    for (i, peek) in peeks.iter().enumerate() {
        assert_eq!(
            *peek,
            RequestHeaderPeek { api_key: 30003, api_version: 1, correlation_id: i as i32 }
        );
    }

    // A buffer already shared (as a connection's read buffer is after its first frame): none.
    let mut buf = BytesMut::with_capacity(one.len() * (ROUNDS + 1));
    for i in 0..=ROUNDS {
        buf.extend_from_slice(&request_frame(i as i32));
    }
    let first = reader.next_request(&mut buf).unwrap().unwrap();
    let (n, taken) = allocations_in(|| {
        let mut taken = 0;
        while let Some(frame) = reader.next_request(&mut buf).unwrap() {
            taken += 1;
            drop(frame);
        }
        taken
    });
    assert_eq!(taken, ROUNDS);
    assert_eq!(n, 0, "{ROUNDS} next_request calls on a shared buffer");
    drop(first);

    // Incomplete frames: a peek at the prefix, no split, no allocation.
    let mut partial = BytesMut::from(&one[..one.len() - 1]);
    let (n, ()) = allocations_in(|| {
        for _ in 0..ROUNDS {
            assert!(reader.next_request(&mut partial).unwrap().is_none());
        }
    });
    assert_eq!(n, 0);
}
