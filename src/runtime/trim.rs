//! Freed heap handed back to the system once a reply is over.
//!
//! Each reply leaves freed blocks behind in the allocator's heaps: the request body (the whole
//! history as JSON, larger with every turn), the pieces, the frames, the store's rows, spread
//! over the heaps of whichever threads did the work. glibc returns only the free space at the
//! top of a heap, so without this a long session's memory grew with its longest request.

/// Returns free heap pages to the system (a few hundred microseconds; once per reply).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}
