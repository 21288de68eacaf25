//! Process and machine measurements read from `/proc` (Linux only).
//!
//! Figures are per process, which is why each engine runs in its own child process.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

/// Peak resident set size of this process in bytes (`VmHWM` in `/proc/self/status`).
pub(crate) fn peak_rss_bytes() -> Result<u64> {
    status_kib("VmHWM:").map(|kib| kib.saturating_mul(1024))
}

/// Current resident set size of this process in bytes (`VmRSS` in `/proc/self/status`).
pub(crate) fn current_rss_bytes() -> Result<u64> {
    status_kib("VmRSS:").map(|kib| kib.saturating_mul(1024))
}

/// Bytes this process caused to be sent to the storage layer so far
/// (`write_bytes` in `/proc/self/io`, all threads included).
pub(crate) fn write_bytes() -> Result<u64> {
    let io = fs::read_to_string("/proc/self/io").context("reading /proc/self/io")?;
    field(&io, "write_bytes:").context("no write_bytes in /proc/self/io")
}

/// CPU time (user + system) this process has used so far, all threads, in seconds.
pub(crate) fn cpu_secs() -> Result<f64> {
    let stat = fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // Fields after the parenthesised command name start at field 3; utime and stime are 14, 15.
    let after_comm = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let (Some(utime), Some(stime)) = (ticks(11), ticks(12)) else {
        anyhow::bail!("unexpected /proc/self/stat format");
    };
    // USER_HZ, the unit of /proc times, is 100 on Linux.
    Ok(utime.saturating_add(stime) as f64 / 100.0)
}

/// Total size in bytes of the regular files under `path` (recursively).
pub(crate) fn dir_size(path: &Path) -> Result<u64> {
    let mut total = 0u64;
    for entry in fs::read_dir(path).with_context(|| format!("listing {}", path.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total = total.saturating_add(if meta.is_dir() { dir_size(&entry.path())? } else { meta.len() });
    }
    Ok(total)
}

/// One line describing the machine: CPU model and number of online CPUs.
pub(crate) fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{cpus} x {cpu}")
}

fn status_kib(name: &str) -> Result<u64> {
    let status = fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    field(&status, name).with_context(|| format!("no {name} in /proc/self/status"))
}

/// The first number after `name` at the start of a line.
fn field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_fields() {
        assert_eq!(field("VmHWM:\t  1234 kB\nVmRSS: 5 kB", "VmRSS:"), Some(5));
        assert!(peak_rss_bytes().is_ok_and(|b| b > 0));
        assert!(write_bytes().is_ok());
        assert!(cpu_secs().is_ok_and(|s| s >= 0.0));
    }
}
