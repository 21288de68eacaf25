//! Fault injection under the store: a redb storage backend that passes every operation to
//! redb's own [`FileBackend`] until a chosen write, which fails; from then on the "process" is
//! dead and every operation on either file fails, so nothing more reaches the disk. What had
//! been written before the failure stays in the file, as it stays in the page cache when a
//! process is killed (this models a process crash, not a power loss: redb's fsync discipline
//! covers that, and we do not re-test it). The same scheme as redb's own fuzzer.
//!
//! Writes (`write`, `set_len`, `sync_data`) are counted per file: the commit path writes only
//! `log.redb` and the background checkpoint only `flat.redb`, so a log write index names the
//! same point of a commit on every run, whatever the checkpoint thread is doing. Reads are not
//! counted (the checkpoint thread reads the log concurrently) but fail after the crash too.
#![allow(dead_code, unreachable_pub)]

use std::fs::OpenOptions;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use conclave_store::{BackendError, FileBackend, StorageBackend, Store, StoreConfig, StoreError};

/// Never fail.
pub const NEVER: u64 = u64::MAX;

/// Which of the store's two files a backend serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    /// `log.redb`, written by every commit.
    Log,
    /// `flat.redb`, written by the background checkpoint.
    Flat,
}

/// The switches shared by both files' backends.
#[derive(Debug)]
pub struct Faults {
    crashed: AtomicBool,
    log_writes: AtomicU64,
    flat_writes: AtomicU64,
    fail_log_write: AtomicU64,
    fail_flat_write: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            crashed: AtomicBool::new(false),
            log_writes: AtomicU64::new(0),
            flat_writes: AtomicU64::new(0),
            fail_log_write: AtomicU64::new(NEVER),
            fail_flat_write: AtomicU64::new(NEVER),
        }
    }
}

impl Faults {
    /// Fails the `n`-th write to `file` from now (0 = the next one), and everything after it.
    pub fn fail_write_from_now(&self, file: File, n: u64) {
        let (count, at) = self.counters(file);
        at.store(count.load(Ordering::SeqCst).saturating_add(n), Ordering::SeqCst);
    }

    /// Disarms both files' pending failures (a crash that already happened stays).
    pub fn disarm(&self) {
        self.fail_log_write.store(NEVER, Ordering::SeqCst);
        self.fail_flat_write.store(NEVER, Ordering::SeqCst);
    }

    /// Whether an injected failure has happened.
    pub fn crashed(&self) -> bool {
        self.crashed.load(Ordering::SeqCst)
    }

    /// Writes to `file` so far.
    pub fn writes(&self, file: File) -> u64 {
        self.counters(file).0.load(Ordering::SeqCst)
    }

    fn counters(&self, file: File) -> (&AtomicU64, &AtomicU64) {
        match file {
            File::Log => (&self.log_writes, &self.fail_log_write),
            File::Flat => (&self.flat_writes, &self.fail_flat_write),
        }
    }

    fn before_write(&self, file: File) -> std::io::Result<()> {
        self.alive()?;
        let (count, at) = self.counters(file);
        if count.fetch_add(1, Ordering::SeqCst) == at.load(Ordering::SeqCst) {
            self.crashed.store(true, Ordering::SeqCst);
            return Err(std::io::Error::other(format!("injected I/O error on {file:?} (simulated crash)")));
        }
        Ok(())
    }

    fn alive(&self) -> std::io::Result<()> {
        if self.crashed() {
            return Err(std::io::Error::other("the process has crashed: no more I/O"));
        }
        Ok(())
    }
}

/// redb's file backend with [`Faults`] in front.
#[derive(Debug)]
pub struct FaultyBackend {
    inner: FileBackend,
    file: File,
    faults: Arc<Faults>,
}

impl FaultyBackend {
    fn open(path: &Path, file: File, faults: Arc<Faults>) -> std::io::Result<Self> {
        let handle = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let inner = FileBackend::new(handle).map_err(std::io::Error::other)?;
        Ok(Self { inner, file, faults })
    }
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> Result<u64, std::io::Error> {
        self.faults.alive()?;
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        self.faults.alive()?;
        self.inner.read(offset, out)
    }
    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        self.faults.before_write(self.file)?;
        self.inner.set_len(len)
    }
    fn sync_data(&self) -> Result<(), std::io::Error> {
        self.faults.before_write(self.file)?;
        self.inner.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        self.faults.before_write(self.file)?;
        self.inner.write(offset, data)
    }
    // Closing and locking write no data: they always reach the real file, so that a store
    // dropped after a crash releases the file for the restart.
    fn close(&self) -> Result<(), std::io::Error> {
        self.inner.close()
    }
    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }
    fn try_lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }
    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }
    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }
    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }
    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

/// Opens the store in `dir` on faulty backends driven by `faults`.
pub fn open_faulty(dir: &Path, config: StoreConfig, faults: &Arc<Faults>) -> Result<Store, StoreError> {
    let log = FaultyBackend::open(&dir.join("log.redb"), File::Log, Arc::clone(faults))?;
    let flat = FaultyBackend::open(&dir.join("flat.redb"), File::Flat, Arc::clone(faults))?;
    Store::open_with_backends(log, flat, config)
}
