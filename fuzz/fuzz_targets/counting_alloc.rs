//! The global allocator of the sidecar's fuzz targets: counts the bytes each thread asks for (so
//! `fetch_walk` can check that the walker allocates nothing), and serves a single allocation of
//! 1 GiB or more from untouched, unreserved memory instead of failing it.
//!
//! Why the second: `kafka-protocol` 0.18 sizes a decoded array's `Vec` by the count read off the
//! wire before reading any element (`Vec::with_capacity(n)` in `Array`/`CompactArray::decode`), so
//! a few bytes claiming 2^31 elements ask for tens of GiB, and the process aborts. That is a
//! known upstream bug (see fuzz/README.md), reached by the sidecar only through broker responses;
//! left to abort, it would end every run within seconds and hide everything else. Such requests
//! are counted and reported once on stderr; the decode then fails as it should, touching none of
//! the memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Allocations from here on are mapped lazily rather than asked of the system allocator.
const HUGE: usize = 1 << 30;

pub struct CountingAllocator;

thread_local! {
    static REQUESTED: Cell<usize> = const { Cell::new(0) };
}

static HUGE_REQUESTS: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Bytes the calling thread has asked for so far.
#[allow(dead_code)] // Only `fetch_walk` checks what its parser allocates.
pub fn requested() -> usize {
    REQUESTED.try_with(Cell::get).unwrap_or(0)
}

fn count(size: usize) {
    let _ = REQUESTED.try_with(|n| n.set(n.get().wrapping_add(size)));
}

/// Says once on stderr that a huge allocation was asked for (never from inside the allocator).
pub fn report_huge() {
    let n = HUGE_REQUESTS.load(Ordering::Relaxed);
    if n > 0 && !REPORTED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "NOTE: an allocation of {} bytes was asked for up front (kafka-protocol's array \
             decoding; see fuzz/README.md); served unreserved, the run goes on",
            LARGEST.load(Ordering::Relaxed)
        );
    }
}

fn map_huge(size: usize) -> *mut u8 {
    HUGE_REQUESTS.fetch_add(1, Ordering::Relaxed);
    LARGEST.fetch_max(size, Ordering::Relaxed);
    // SAFETY: an anonymous private mapping; no existing memory is touched.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED { std::ptr::null_mut() } else { p.cast() }
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        if layout.size() >= HUGE && layout.align() <= 4096 {
            return map_huge(layout.size());
        }
        // SAFETY: forwarded under the caller's guarantees for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        if layout.size() >= HUGE && layout.align() <= 4096 {
            // Fresh anonymous pages are zeros.
            return map_huge(layout.size());
        }
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= HUGE && layout.align() <= 4096 {
            // SAFETY: mapped by `map_huge` with this size.
            unsafe { libc::munmap(ptr.cast(), layout.size()) };
            return;
        }
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let huge = |size: usize| size >= HUGE && layout.align() <= 4096;
        if !huge(layout.size()) && !huge(new_size) {
            count(new_size);
            // SAFETY: `ptr` came from `System` with `layout`.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: the caller guarantees `new_size` is valid for `layout.align()`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks hold at least the smaller size; they are distinct.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: `ptr` was allocated by this allocator with `layout`.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}
