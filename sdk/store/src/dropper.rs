//! Background release of pruned versions.
//!
//! Dropping a version frees the trie and map nodes no newer version shares:
//! about as many allocations as the commit that replaced them made, which is
//! milliseconds a commit should not wait for.

use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use crate::error::StoreError;
use crate::snapshot::Snapshot;

pub(crate) struct Dropper {
    queue: Option<Sender<Snapshot>>,
    thread: Option<JoinHandle<()>>,
}

impl Dropper {
    pub(crate) fn spawn() -> Result<Dropper, StoreError> {
        let (queue, inbox) = mpsc::channel::<Snapshot>();
        let thread = std::thread::Builder::new()
            .name("store-dropper".into())
            .spawn(move || {
                crate::background::lower_current_thread_priority();
                inbox.into_iter().for_each(drop)
            })
            .map_err(|error| StoreError::Thread(format!("cannot start dropper thread: {error}")))?;
        Ok(Dropper { queue: Some(queue), thread: Some(thread) })
    }

    /// Hands `snapshot` to the dropper thread; drops it here if that thread is gone.
    pub(crate) fn release(&self, snapshot: Snapshot) {
        if let Some(queue) = &self.queue {
            // If the thread is gone the snapshot comes back and drops here.
            let _ = queue.send(snapshot);
        }
    }
}

impl Drop for Dropper {
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("store dropper thread panicked");
            }
        }
    }
}
