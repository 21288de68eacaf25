//! The background checkpoint: folds log entries into flat.redb.
//!
//! It runs on its own thread and is the only writer of flat.redb, while
//! commits are the only writer of log.redb; redb readers never block its
//! writer, so a checkpoint never delays a commit. The commit path learns that
//! a checkpoint finished on its next commit and only then deletes the log rows
//! the checkpoint made redundant, so a crash at any point leaves either the old
//! or the new flat state, with the log covering everything after it.

use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use conclave_proof::Hash;
use redb::Database;

use crate::error::StoreError;
use crate::persist;

struct Request {
    /// flat.redb is at this version now.
    from: u64,
    /// Move it to this version; the log covers `(from, to]`.
    to: u64,
    root: Hash,
}

type Outcome = Result<u64, StoreError>;

/// Handle to the checkpoint thread. At most one checkpoint is in flight.
pub(crate) struct Checkpointer {
    requests: Option<Sender<Request>>,
    // Behind a mutex only so that `Store` is `Sync`; only `&mut self` touches it.
    outcomes: Mutex<Receiver<Outcome>>,
    thread: Option<JoinHandle<()>>,
    in_flight: Option<u64>,
}

impl Checkpointer {
    pub(crate) fn spawn(log: Arc<Database>, flat: Database) -> Result<Checkpointer, StoreError> {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (outbox, outcomes) = mpsc::channel::<Outcome>();
        let thread = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                crate::background::lower_current_thread_priority();
                for request in inbox {
                    let outcome = run(&log, &flat, &request);
                    if outbox.send(outcome).is_err() {
                        break;
                    }
                }
            })
            .map_err(|error| StoreError::Thread(format!("cannot start checkpoint thread: {error}")))?;
        Ok(Checkpointer {
            requests: Some(requests),
            outcomes: Mutex::new(outcomes),
            thread: Some(thread),
            in_flight: None,
        })
    }

    pub(crate) fn is_busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Starts moving flat.redb from version `from` to `to` (whose root is `root`).
    pub(crate) fn start(&mut self, from: u64, to: u64, root: Hash) -> Result<(), StoreError> {
        let sent = self.requests.as_ref().map(|requests| requests.send(Request { from, to, root }));
        match sent {
            Some(Ok(())) => {
                self.in_flight = Some(to);
                Ok(())
            }
            _ => Err(gone()),
        }
    }

    /// The version flat.redb durably reached, if a checkpoint finished since the last call.
    pub(crate) fn poll(&mut self) -> Result<Option<u64>, StoreError> {
        if self.in_flight.is_none() {
            return Ok(None);
        }
        let received = match self.outcomes.get_mut() {
            Ok(outcomes) => outcomes.try_recv(),
            Err(_) => return Err(gone()),
        };
        match received {
            Ok(outcome) => self.finish(outcome).map(Some),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(gone()),
        }
    }

    /// Waits for the checkpoint in flight, if any; returns the version flat.redb reached.
    pub(crate) fn wait(&mut self) -> Result<Option<u64>, StoreError> {
        if self.in_flight.is_none() {
            return Ok(None);
        }
        let received = match self.outcomes.get_mut() {
            Ok(outcomes) => outcomes.recv(),
            Err(_) => return Err(gone()),
        };
        match received {
            Ok(outcome) => self.finish(outcome).map(Some),
            Err(_) => Err(gone()),
        }
    }

    fn finish(&mut self, outcome: Outcome) -> Result<u64, StoreError> {
        self.in_flight = None;
        outcome.map_err(|error| StoreError::Checkpoint(Box::new(error)))
    }
}

impl Drop for Checkpointer {
    /// Lets a running checkpoint finish (it is one redb transaction) so that
    /// flat.redb is closed before the store can be reopened.
    fn drop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("store checkpoint thread panicked");
            }
        }
    }
}

fn run(log: &Database, flat: &Database, request: &Request) -> Outcome {
    let started = Instant::now();
    let changes = persist::merged_changes(log, request.from, request.to)?;
    persist::write_checkpoint(flat, &changes, request.to, &request.root)?;
    tracing::info!(
        from = request.from,
        to = request.to,
        keys = changes.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "state checkpoint written"
    );
    Ok(request.to)
}

fn gone() -> StoreError {
    StoreError::Thread("checkpoint thread stopped".into())
}
