//! SIGINT and SIGTERM as a flag, for synchronous supervisors (a chain's `localnet`, the
//! benchmark): once [`StopSignal::install`] has run, those signals no longer kill the process;
//! they set a flag that every loop checks, so it unwinds through its Drop guards (children
//! stopped, temporary directories removed). The signals are received on a background thread
//! running a one-thread tokio runtime (tokio's handlers need no `unsafe`).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// Set once SIGINT or SIGTERM arrives; cloning shares the flag.
#[derive(Clone, Debug)]
pub struct StopSignal(Arc<AtomicU8>);

impl StopSignal {
    /// Installs the handlers and returns the flag.
    pub fn install() -> std::io::Result<StopSignal> {
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
                    Ok(handlers) => handlers,
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
        ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("the signal thread died before installing its handlers"))??;
        Ok(StopSignal(flag))
    }

    /// The signal received, if any: `"SIGINT"` or `"SIGTERM"` (the last one).
    pub fn received(&self) -> Option<&'static str> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            2 => Some("SIGINT"),
            _ => Some("SIGTERM"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigterm_sets_the_flag_instead_of_killing() {
        let stop = StopSignal::install().unwrap();
        assert_eq!(stop.received(), None);
        let me = rustix::process::getpid();
        rustix::process::kill_process(me, rustix::process::Signal::TERM).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while stop.received().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(stop.received(), Some("SIGTERM"));
    }
}
