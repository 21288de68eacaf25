//! Ctrl-C and SIGTERM, through `conclave_cometbft::StopSignal`: once installed they set a
//! flag that every loop of the benchmark checks, so it unwinds through its Drop guards
//! (processes stopped, temp dirs removed) instead of dying on the spot.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use conclave_cometbft::StopSignal;

static SIGNAL: OnceLock<StopSignal> = OnceLock::new();
static ANNOUNCED: AtomicBool = AtomicBool::new(false);

/// Installs the handlers (once).
pub(crate) fn install() -> Result<()> {
    if SIGNAL.get().is_none() {
        let signal = StopSignal::install().context("cannot handle SIGINT and SIGTERM")?;
        let _ = SIGNAL.set(signal);
    }
    Ok(())
}

/// Whether SIGINT or SIGTERM arrived (said once on stderr).
pub(crate) fn stopped() -> bool {
    let stopped = SIGNAL.get().is_some_and(|s| s.received().is_some());
    if stopped && !ANNOUNCED.swap(true, Ordering::SeqCst) {
        eprintln!("interrupted: stopping the networks and removing their directories...");
    }
    stopped
}

/// `Err` once SIGINT or SIGTERM arrived.
pub(crate) fn check() -> Result<()> {
    if stopped() {
        bail!("interrupted");
    }
    Ok(())
}

/// Sleeps `duration` in small steps, returning `Err` early if interrupted.
pub(crate) fn sleep(duration: Duration) -> Result<()> {
    let deadline = Instant::now() + duration;
    loop {
        check()?;
        let now = Instant::now();
        if now >= deadline {
            return Ok(());
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}
