//! Reference-counted trie nodes allocated from per-type pools.
//!
//! **Why not `Arc`:** a block of 10k updates creates about 100k nodes, and
//! pruning a version frees as many, on the dropper thread, while the next
//! block allocates on the staging threads. Through the system allocator that
//! traffic cost as much as building the tree: glibc consolidates and splits
//! the freed chunks (`malloc_consolidate`, `unlink_chunk`), and cross-thread
//! frees contend for its arena. Measured on the store benchmark with one
//! version pruned per block (`--keep-versions 10`): 130k committed updates/s
//! with `Arc`, see `docs/benchmarks.md` for the figures with the pool.
//!
//! **How:** every node type has one process-wide [`Pool`] of fixed-size slots.
//! Each thread keeps a private free list ([`Cache`]) and trades slots with the
//! pool in batches of [`BATCH`], so an allocation or a free is a `Vec` push or
//! pop, and the pool's lock is taken once per [`BATCH`] nodes. Slots are never
//! returned to the operating system: a pool stays at the peak number of live
//! nodes, which for a store that keeps a fixed window of versions is its
//! steady state anyway. Slots are also smaller than an `Arc` allocation (no
//! weak count, no allocator header).
//!
//! **Safety argument**, the only `unsafe` in the workspace:
//! - A slot's value is initialised exactly once per allocation, in
//!   [`Shared::new`], before the [`Shared`] that owns it exists, and dropped
//!   exactly once, by the [`Shared`] whose decrement takes the count from 1
//!   to 0. Between the two, the count is at least 1 and only [`Shared`]
//!   handles (which keep it so) can reach the slot, so no slot is reused
//!   while readable. This is `Arc`'s protocol: increments are `Relaxed`, the
//!   final decrement is `Release` followed by an `Acquire` fence.
//! - A freed slot moves between threads only through a thread's own cache or
//!   the pool's mutex, which orders its old contents' drop before any reuse.
//! - Chunks of slots are leaked `Box`es, so a slot's address stays valid for
//!   the life of the process; nothing ever deallocates them.

#![allow(unsafe_code, reason = "a node pool is an allocator; this module owns all of the crate's unsafe code")]

use std::cell::{RefCell, UnsafeCell};
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::num::NonZeroUsize;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU32, Ordering};
use std::sync::Mutex;

/// Slots moved between a thread's cache and the pool at a time, and carved
/// from the allocator at a time when the pool is empty.
pub(crate) const BATCH: usize = 1024;

/// A node type that lives in a pool: names its pool and its per-thread cache.
pub(crate) trait Pooled: Sized + Send + Sync + 'static {
    /// The process-wide pool of this type's slots.
    fn pool() -> &'static Pool<Self>;

    /// Runs `f` on this thread's cache; `None` while the thread is being torn
    /// down and its cache is gone.
    fn with_cache<R>(f: impl FnOnce(&mut Cache<Self>) -> R) -> Option<R>;
}

/// Declares the pool and the thread-local cache of a node type.
macro_rules! pooled {
    ($type:ty) => {
        impl $crate::trie::pool::Pooled for $type {
            fn pool() -> &'static $crate::trie::pool::Pool<Self> {
                static POOL: $crate::trie::pool::Pool<$type> = $crate::trie::pool::Pool::new();
                &POOL
            }

            fn with_cache<R>(f: impl FnOnce(&mut $crate::trie::pool::Cache<Self>) -> R) -> Option<R> {
                thread_local! {
                    static CACHE: std::cell::RefCell<$crate::trie::pool::Cache<$type>> =
                        const { std::cell::RefCell::new($crate::trie::pool::Cache::new()) };
                }
                $crate::trie::pool::with(&CACHE, f)
            }
        }
    };
}
pub(crate) use pooled;

/// One node and its reference count. A cache line apart: an internal node
/// (count, hash, two child handles) fits one line, so reading it costs one miss.
#[repr(C, align(64))]
struct Slot<T> {
    /// Handles to this slot; 0 while the slot is free.
    refs: AtomicU32,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A free slot's address, passed between threads.
struct FreeSlot<T>(NonNull<Slot<T>>);

// SAFETY: a free slot holds no value; whoever holds its address owns it alone.
unsafe impl<T: Send> Send for FreeSlot<T> {}

/// The process-wide free slots of one node type, in batches.
pub(crate) struct Pool<T> {
    batches: Mutex<Vec<Vec<FreeSlot<T>>>>,
}

impl<T: Pooled> Pool<T> {
    pub(crate) const fn new() -> Self {
        Self { batches: Mutex::new(Vec::new()) }
    }

    /// A batch of free slots: one a thread gave back, or a fresh chunk.
    fn take_batch(&self) -> Vec<FreeSlot<T>> {
        let batch = self.batches.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        batch.unwrap_or_else(fresh_chunk)
    }

    fn put_batch(&self, batch: Vec<FreeSlot<T>>) {
        if !batch.is_empty() {
            self.batches.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(batch);
        }
    }
}

/// [`BATCH`] new slots from the system allocator, leaked so they live as long as the process.
fn fresh_chunk<T>() -> Vec<FreeSlot<T>> {
    let chunk: Box<[Slot<T>]> =
        (0..BATCH).map(|_| Slot { refs: AtomicU32::new(0), value: UnsafeCell::new(MaybeUninit::uninit()) }).collect();
    Box::leak(chunk).iter_mut().map(|slot| FreeSlot(NonNull::from(slot))).collect()
}

/// One thread's free slots of one node type.
pub(crate) struct Cache<T: Pooled> {
    free: Vec<FreeSlot<T>>,
}

impl<T: Pooled> Cache<T> {
    pub(crate) const fn new() -> Self {
        Self { free: Vec::new() }
    }

    fn take(&mut self) -> FreeSlot<T> {
        loop {
            if let Some(slot) = self.free.pop() {
                return slot;
            }
            self.free = T::pool().take_batch();
        }
    }

    fn give(&mut self, slot: FreeSlot<T>) {
        self.free.push(slot);
        if self.free.len() >= 2 * BATCH {
            let surplus = self.free.split_off(BATCH);
            T::pool().put_batch(surplus);
        }
    }
}

impl<T: Pooled> Drop for Cache<T> {
    fn drop(&mut self) {
        T::pool().put_batch(std::mem::take(&mut self.free));
    }
}

/// The body of [`Pooled::with_cache`]: borrows the thread's cache if it still exists.
pub(crate) fn with<T: Pooled, R>(
    cache: &'static std::thread::LocalKey<RefCell<Cache<T>>>,
    f: impl FnOnce(&mut Cache<T>) -> R,
) -> Option<R> {
    cache.try_with(|cache| f(&mut cache.borrow_mut())).ok()
}

fn allocate<T: Pooled>() -> FreeSlot<T> {
    T::with_cache(Cache::take).unwrap_or_else(|| {
        // The thread is exiting: go to the pool directly.
        let mut batch = T::pool().take_batch();
        let slot = batch.pop();
        T::pool().put_batch(batch);
        slot.unwrap_or_else(|| fresh_chunk().swap_remove(0))
    })
}

fn release<T: Pooled>(slot: FreeSlot<T>) {
    let mut slot = Some(slot);
    T::with_cache(|cache| {
        if let Some(slot) = slot.take() {
            cache.give(slot);
        }
    });
    if let Some(slot) = slot {
        T::pool().put_batch(vec![slot]);
    }
}

/// A shared, immutable `T` in a pool slot: `Arc<T>` without weak references.
pub(crate) struct Shared<T: Pooled> {
    slot: NonNull<Slot<T>>,
}

// SAFETY: a `Shared<T>` gives out `&T` only, from any thread, like `Arc<T>`.
unsafe impl<T: Pooled> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T: Pooled> Sync for Shared<T> {}

impl<T: Pooled> Shared<T> {
    pub(crate) fn new(value: T) -> Self {
        let FreeSlot(slot) = allocate::<T>();
        // SAFETY: a free slot is owned by this call alone and holds no value.
        unsafe {
            (*slot.as_ref().value.get()).write(value);
            slot.as_ref().refs.store(1, Ordering::Relaxed);
        }
        Self { slot }
    }

    fn slot(&self) -> &Slot<T> {
        // SAFETY: slots live for the process, and this handle keeps it allocated.
        unsafe { self.slot.as_ref() }
    }

    /// Handles to this node right now (a hint, as `Arc::strong_count`).
    pub(crate) fn ref_count(this: &Self) -> u32 {
        this.slot().refs.load(Ordering::Relaxed)
    }
}

impl<T: Pooled> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the value was initialised in `new` and is dropped only when
        // the last handle (at least this one is alive) goes.
        unsafe { (*self.slot().value.get()).assume_init_ref() }
    }
}

impl<T: Pooled> Clone for Shared<T> {
    fn clone(&self) -> Self {
        let previous = self.slot().refs.fetch_add(1, Ordering::Relaxed);
        // A count this high means leaked handles; wrapping would free a live node.
        if previous > u32::MAX / 2 {
            std::process::abort();
        }
        Self { slot: self.slot }
    }
}

impl<T: Pooled> Drop for Shared<T> {
    fn drop(&mut self) {
        if self.slot().refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        // SAFETY: this was the last handle: nobody else can reach the value,
        // which was initialised in `new` and has not been dropped.
        unsafe { (*self.slot().value.get()).assume_init_drop() };
        release(FreeSlot(self.slot));
    }
}

/// Nothing, a [`Shared<A>`] or a [`Shared<B>`], in one word: slots are
/// 64-byte aligned, so the low bit of the address says which type it is.
/// Halves the size of a child handle against an enum of two `Shared`s, which
/// is what lets an internal node fit a cache line.
pub(crate) struct Either<A: Pooled, B: Pooled> {
    /// `None` for nothing; otherwise a slot address, `| 1` for a `B`.
    tagged: Option<NonNull<u8>>,
    owns: PhantomData<(Shared<A>, Shared<B>)>,
}

/// What an [`Either`] holds, borrowed.
pub(crate) enum EitherRef<'a, A, B> {
    Nothing,
    A(&'a A),
    B(&'a B),
}

// SAFETY: an `Either` owns one `Shared<A>` or `Shared<B>`, both `Send + Sync`.
unsafe impl<A: Pooled, B: Pooled> Send for Either<A, B> {}
// SAFETY: as above.
unsafe impl<A: Pooled, B: Pooled> Sync for Either<A, B> {}

const B_TAG: usize = 1;

/// An [`Either`]'s handle, not owned: dropping it does nothing unless taken
/// out of its `ManuallyDrop` (which only [`Either`]'s own `Drop` does).
enum Handle<A: Pooled, B: Pooled> {
    Nothing,
    A(ManuallyDrop<Shared<A>>),
    B(ManuallyDrop<Shared<B>>),
}

impl<A: Pooled, B: Pooled> Either<A, B> {
    pub(crate) const NOTHING: Self = Self { tagged: None, owns: PhantomData };

    pub(crate) fn a(shared: Shared<A>) -> Self {
        let slot = ManuallyDrop::new(shared).slot;
        Self { tagged: Some(slot.cast::<u8>()), owns: PhantomData }
    }

    pub(crate) fn b(shared: Shared<B>) -> Self {
        let slot = ManuallyDrop::new(shared).slot;
        Self { tagged: Some(slot.cast::<u8>().map_addr(|address| address | B_TAG)), owns: PhantomData }
    }

    /// The handle this holds, as a `Shared` that must not be dropped from here.
    fn handle(&self) -> Handle<A, B> {
        let Some(tagged) = self.tagged else {
            return Handle::Nothing;
        };
        if tagged.addr().get() & B_TAG == 0 {
            Handle::A(ManuallyDrop::new(Shared { slot: tagged.cast::<Slot<A>>() }))
        } else {
            // A tagged address is a 64-aligned slot address plus 1: clearing
            // the bit gives that slot address, never 0.
            let untag = |address: NonZeroUsize| NonZeroUsize::new(address.get() & !B_TAG).unwrap_or(address);
            let slot = tagged.map_addr(untag).cast::<Slot<B>>();
            Handle::B(ManuallyDrop::new(Shared { slot }))
        }
    }

    pub(crate) fn get(&self) -> EitherRef<'_, A, B> {
        match self.handle() {
            Handle::Nothing => EitherRef::Nothing,
            // SAFETY: the slot stays alive while `self` does; the returned
            // reference borrows `self`, not the temporary handle.
            Handle::A(a) => EitherRef::A(unsafe { (*a.slot().value.get()).assume_init_ref() }),
            // SAFETY: as above.
            Handle::B(b) => EitherRef::B(unsafe { (*b.slot().value.get()).assume_init_ref() }),
        }
    }

    /// Handles to the held node right now (0 for nothing); a hint.
    pub(crate) fn ref_count(&self) -> u32 {
        match self.handle() {
            Handle::Nothing => 0,
            Handle::A(a) => Shared::ref_count(&a),
            Handle::B(b) => Shared::ref_count(&b),
        }
    }

    /// Same node (or both nothing), not merely equal content.
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.tagged == other.tagged
    }
}

impl<A: Pooled, B: Pooled> Default for Either<A, B> {
    fn default() -> Self {
        Self::NOTHING
    }
}

impl<A: Pooled, B: Pooled> Clone for Either<A, B> {
    fn clone(&self) -> Self {
        match self.handle() {
            Handle::Nothing => Self::NOTHING,
            Handle::A(a) => Self::a((*a).clone()),
            Handle::B(b) => Self::b((*b).clone()),
        }
    }
}

impl<A: Pooled, B: Pooled> Drop for Either<A, B> {
    fn drop(&mut self) {
        match self.handle() {
            Handle::Nothing => {}
            Handle::A(a) => drop(ManuallyDrop::into_inner(a)),
            Handle::B(b) => drop(ManuallyDrop::into_inner(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    use super::*;

    /// Counts drops so the tests can see each value dropped exactly once.
    struct Counted {
        id: usize,
        drops: Arc<AtomicUsize>,
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::SeqCst);
        }
    }

    pooled!(Counted);

    #[test]
    fn values_are_dropped_once_when_the_last_handle_goes() {
        let drops = Arc::new(AtomicUsize::new(0));
        let first = Shared::new(Counted { id: 7, drops: Arc::clone(&drops) });
        let second = first.clone();
        assert_eq!(Shared::ref_count(&first), 2);
        assert_eq!(first.slot, second.slot);
        drop(first);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        assert_eq!(second.id, 7);
        drop(second);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    /// A second pooled type, for [`Either`].
    struct Other(Counted);

    pooled!(Other);

    #[test]
    fn either_owns_one_handle_of_either_type() {
        let drops = Arc::new(AtomicUsize::new(0));
        let a: Either<Counted, Other> = Either::a(Shared::new(Counted { id: 1, drops: Arc::clone(&drops) }));
        let b: Either<Counted, Other> = Either::b(Shared::new(Other(Counted { id: 2, drops: Arc::clone(&drops) })));
        let nothing: Either<Counted, Other> = Either::NOTHING;
        assert!(matches!(a.get(), EitherRef::A(Counted { id: 1, .. })));
        assert!(matches!(b.get(), EitherRef::B(Other(Counted { id: 2, .. }))));
        assert!(matches!(nothing.get(), EitherRef::Nothing));
        let (a2, b2) = (a.clone(), b.clone());
        assert!(a2.ptr_eq(&a) && b2.ptr_eq(&b) && !a.ptr_eq(&b) && nothing.ptr_eq(&Either::NOTHING));
        assert_eq!((a.ref_count(), b.ref_count(), nothing.ref_count()), (2, 2, 0));
        drop((a, b, nothing));
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(a2);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(b2);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        assert_eq!(std::mem::size_of::<Either<Counted, Other>>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn an_internal_node_fills_one_cache_line() {
        assert_eq!(std::mem::size_of::<Slot<crate::trie::node::Internal>>(), 64);
    }

    #[test]
    fn slots_freed_on_one_thread_are_reused_by_others_without_mixing_values() {
        let drops = Arc::new(AtomicUsize::new(0));
        let rounds = 4;
        let per_round = 3 * BATCH + 17;
        for round in 0..rounds {
            // Allocate on two threads, free everything on a third, check on the way.
            let made: Vec<Shared<Counted>> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..2)
                    .map(|worker| {
                        let drops = Arc::clone(&drops);
                        scope.spawn(move || {
                            (0..per_round)
                                .map(|i| Shared::new(Counted { id: worker * per_round + i, drops: Arc::clone(&drops) }))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers.into_iter().flat_map(|worker| worker.join().unwrap()).collect()
            });
            for (expected, node) in made.iter().enumerate() {
                assert_eq!(node.id, expected, "round {round}");
            }
            let distinct: std::collections::BTreeSet<usize> =
                made.iter().map(|node| node.slot.as_ptr() as usize).collect();
            assert_eq!(distinct.len(), made.len(), "two live nodes share a slot");
            std::thread::spawn(move || drop(made)).join().unwrap();
            assert_eq!(drops.load(Ordering::SeqCst), (round + 1) * 2 * per_round);
        }
    }
}
