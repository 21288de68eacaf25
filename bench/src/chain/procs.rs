//! CPU time of the benchmark's descendant processes (from `/proc`), grouped by program name,
//! so the report can say where the machine's time went during the measured window.

use std::collections::BTreeMap;

/// CPU seconds (user + system) per program name (`cometbft`, `appchaind`, …), over every
/// living descendant of this process.
pub(crate) fn descendants_cpu() -> BTreeMap<String, f64> {
    let own = std::process::id();
    let mut table: Vec<(u32, u32, String, u64)> = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return BTreeMap::new() };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let comm = stat[open + 1..close].to_string();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // After the command: state(0) ppid(1) … utime(11) stime(12).
        let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        let ppid = u32::try_from(field(1)).unwrap_or(0);
        table.push((pid, ppid, comm, field(11).saturating_add(field(12))));
    }
    let mut family = vec![own];
    let mut grew = true;
    while grew {
        grew = false;
        for (pid, ppid, _, _) in &table {
            if family.contains(ppid) && !family.contains(pid) {
                family.push(*pid);
                grew = true;
            }
        }
    }
    let mut out = BTreeMap::new();
    for (pid, _, comm, ticks) in &table {
        if *pid != own && family.contains(pid) {
            // USER_HZ is 100 on Linux.
            *out.entry(comm.clone()).or_insert(0.0) += *ticks as f64 / 100.0;
        }
    }
    out
}

/// `after - before`, per program.
pub(crate) fn delta(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after.iter().map(|(name, secs)| (name.clone(), secs - before.get(name).copied().unwrap_or(0.0))).collect()
}

/// Busy and total CPU time of the whole machine so far, in seconds summed over CPUs
/// (`/proc/stat`, first line; busy = everything but idle and iowait).
pub(crate) fn machine_cpu() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else { return (0.0, 0.0) };
    let Some(line) = stat.lines().next().and_then(|l| l.strip_prefix("cpu ")) else { return (0.0, 0.0) };
    let ticks: Vec<u64> = line.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle) as f64 / 100.0, total as f64 / 100.0)
}
