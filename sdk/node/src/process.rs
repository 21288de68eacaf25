//! Child processes and signals: stopping a child with SIGTERM then SIGKILL, and a flag set
//! by SIGINT/SIGTERM for the synchronous `localnet` supervisor.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use rustix::process::{kill_process, Pid, Signal};

/// Sends SIGTERM to `pid` (ignoring a process that is already gone).
pub(crate) fn terminate(pid: u32) {
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = kill_process(pid, Signal::TERM);
    }
}

/// Stops `child`: SIGTERM, then SIGKILL after `timeout`. Returns whether it had to be killed.
pub(crate) fn stop_child(child: &mut std::process::Child, timeout: Duration) -> bool {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return false;
    }
    terminate(child.id());
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_)) | Err(_)) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    true
}

/// Set once SIGINT or SIGTERM arrives (signals are handled on a background thread).
#[derive(Clone)]
pub(crate) struct StopFlag(Arc<AtomicU8>);

impl StopFlag {
    /// Installs the handlers; from then on SIGINT/SIGTERM no longer kill the process.
    pub(crate) fn install() -> Result<Self> {
        let flag = Arc::new(AtomicU8::new(0));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
        let thread_flag = Arc::clone(&flag);
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let handlers = signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)));
                let (mut interrupt, mut terminate) = match handlers {
                    Ok(h) => h,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                loop {
                    let which = tokio::select! {
                        _ = interrupt.recv() => 2,
                        _ = terminate.recv() => 15,
                    };
                    thread_flag.store(which, Ordering::SeqCst);
                }
            });
        })?;
        ready_rx.recv().map_err(|_| anyhow!("the signal thread died"))??;
        Ok(Self(flag))
    }

    /// The signal received, if any ("SIGINT" or "SIGTERM").
    pub(crate) fn received(&self) -> Option<&'static str> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            2 => Some("SIGINT"),
            _ => Some("SIGTERM"),
        }
    }
}
