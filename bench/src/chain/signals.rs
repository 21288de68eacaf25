//! Ctrl-C and SIGTERM: once installed, they set a flag that every loop of the benchmark
//! checks, so it unwinds through its Drop guards (processes stopped, temp dirs removed)
//! instead of dying on the spot.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{anyhow, bail, Result};

static STOP: AtomicBool = AtomicBool::new(false);

/// Installs the handlers (on a background thread).
pub(crate) fn install() -> Result<()> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
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
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                if !STOP.swap(true, Ordering::SeqCst) {
                    eprintln!("interrupted: stopping the networks and removing their directories...");
                }
            }
        });
    })?;
    ready_rx.recv().map_err(|_| anyhow!("the signal thread died"))??;
    Ok(())
}

/// Whether SIGINT or SIGTERM arrived.
pub(crate) fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// `Err` once SIGINT or SIGTERM arrived.
pub(crate) fn check() -> Result<()> {
    if stopped() {
        bail!("interrupted");
    }
    Ok(())
}

/// Sleeps `duration` in small steps, returning `Err` early if interrupted.
pub(crate) fn sleep(duration: std::time::Duration) -> Result<()> {
    let deadline = std::time::Instant::now() + duration;
    loop {
        check()?;
        let now = std::time::Instant::now();
        if now >= deadline {
            return Ok(());
        }
        std::thread::sleep((deadline - now).min(std::time::Duration::from_millis(50)));
    }
}
