//! Background threads run below the priority of block execution.
//!
//! Checkpoints and the release of pruned versions are deferred work: a commit never waits
//! for them, and they may lag. Running them at a lower scheduling priority keeps them from
//! taking a core from the staging threads of the next block; they use the idle time between
//! blocks instead. On Linux the nice value is per thread.

/// Nice value of background threads (0 is normal, 19 is the lowest priority).
pub(crate) const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority; failure only costs latency, so it is logged.
pub(crate) fn lower_current_thread_priority() {
    let thread = rustix::thread::gettid();
    if let Err(error) = rustix::process::setpriority_process(Some(thread), BACKGROUND_NICE) {
        tracing::debug!(target: "conclave::store", "cannot lower background thread priority: {error}");
    }
}
