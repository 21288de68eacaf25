//! The frame decoder must not allocate from a length prefix it cannot trust: a prefix above
//! the configured maximum allocates nothing, and a large prefix followed by a few bytes
//! allocates about those bytes. Measured with a global allocator that records, for the
//! current thread only, the largest single allocation made while a decode runs.
// A `GlobalAlloc` implementation is unsafe by definition; this one only forwards to the
// system allocator and records sizes. Test code only.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use conclave_abci::codec::{read_message_limited, CodecError};
use tendermint_proto::v0_38::abci::Request;

struct Recording;

thread_local! {
    /// `Some(largest)` while recording on this thread.
    static LARGEST: Cell<Option<usize>> = const { Cell::new(None) };
}

fn record(size: usize) {
    let _ = LARGEST.try_with(|largest| {
        if let Some(current) = largest.get() {
            largest.set(Some(current.max(size)));
        }
    });
}

unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// Decodes one frame from `bytes` with `max` on a current-thread runtime (so every allocation
/// of the decode happens on this thread); returns the outcome and the largest allocation.
fn decode(bytes: &[u8], max: u64) -> (Result<Option<Request>, CodecError>, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut reader = tokio::io::BufReader::with_capacity(4096, bytes);
    LARGEST.with(|l| l.set(Some(0)));
    let result = runtime.block_on(read_message_limited::<Request, _>(&mut reader, max));
    let largest = LARGEST.with(|l| l.replace(None)).unwrap_or(0);
    (result, largest)
}

fn prefix(length: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    prost::encoding::encode_varint(length, &mut bytes);
    bytes
}

#[test]
fn a_prefix_above_the_maximum_allocates_nothing_for_the_body() {
    let max = 1_000;
    let mut bytes = prefix(max + 1);
    bytes.extend(std::iter::repeat_n(0u8, 2_000));
    let (result, largest) = decode(&bytes, max);
    assert!(matches!(result, Err(CodecError::Length(_))), "{result:?}");
    assert!(largest <= max as usize, "allocated {largest} bytes for a refused frame");
}

#[test]
fn a_huge_prefix_followed_by_a_few_bytes_allocates_about_those_bytes() {
    // 100 MB announced (under the 128 MiB default), 10 bytes sent.
    let mut bytes = prefix(100_000_000);
    bytes.extend_from_slice(&[0u8; 10]);
    let (result, largest) = decode(&bytes, conclave_abci::codec::MAX_MESSAGE_BYTES);
    assert!(matches!(result, Err(CodecError::Io(_))), "{result:?}");
    // The first body buffer is 64 KiB; nothing near the announced 100 MB.
    assert!(largest <= 64 * 1024, "allocated {largest} bytes for 10 received");
}

#[test]
fn the_body_buffer_never_exceeds_the_announced_length() {
    // 300,001 bytes announced and sent: the doubling buffer is capped at the length.
    let length = 300_001u64;
    let mut bytes = prefix(length);
    bytes.extend(std::iter::repeat_n(0u8, length as usize));
    let (_, largest) = decode(&bytes, conclave_abci::codec::MAX_MESSAGE_BYTES);
    assert!(largest <= length as usize, "allocated {largest} bytes for a {length}-byte body");
    assert!(largest >= 64 * 1024, "the decoder did read the body ({largest})");
}
