//! Child processes that cannot outlive their owner, and log tails.
//!
//! Dropping a [`Process`] stops it (SIGTERM, then SIGKILL after its grace period) and reaps
//! it, even while unwinding from a panic; it then also prints the log's last lines, so a
//! failure says what the process said. Output (stdout and stderr) is appended to one log file
//! per process. No process groups: a process that starts children of its own (e.g.
//! `appchaind start --with-cometbft`) stops them on SIGTERM itself.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub use rustix::process::Signal;
use rustix::process::{kill_process, Pid};
use thiserror::Error;

/// How long a process gets to exit after SIGTERM before it is killed, unless set otherwise.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// How long [`Process::kill9`] waits for a killed process to be reaped.
const KILL_WAIT: Duration = Duration::from_secs(10);

/// Why a process could not be started or stopped.
#[derive(Debug, Error)]
pub enum ProcessError {
    /// The log file could not be opened.
    #[error("cannot open log file {path} for {name}: {source}")]
    Log {
        /// The process name.
        name: String,
        /// The log file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The program could not be started.
    #[error("cannot start {name} ({command}): {source}; is the program built and on the path given?")]
    Spawn {
        /// The process name.
        name: String,
        /// The command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// It did not die after SIGKILL.
    #[error("{name} did not die within {KILL_WAIT:?} of SIGKILL")]
    Unkillable {
        /// The process name.
        name: String,
    },
}

/// A running child process, stopped and reaped on drop.
#[derive(Debug)]
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    status: Option<ExitStatus>,
    grace: Duration,
}

impl Process {
    /// Starts `command` with stdin closed and stdout and stderr appended to `log` (created if
    /// missing). `name` (e.g. `node2/cometbft`) is used in messages.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Result<Process, ProcessError> {
        let log_error = |source| ProcessError::Log { name: name.to_string(), path: log.to_path_buf(), source };
        let out = OpenOptions::new().create(true).append(true).open(log).map_err(log_error)?;
        let err = out.try_clone().map_err(log_error)?;
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = command.spawn().map_err(|source| ProcessError::Spawn {
            name: name.to_string(),
            command: format!("{command:?}"),
            source,
        })?;
        Ok(Process { name: name.to_string(), child, log: log.to_path_buf(), status: None, grace: STOP_GRACE })
    }

    /// Sets the grace period Drop gives SIGTERM before SIGKILL (default [`STOP_GRACE`]).
    pub fn with_stop_grace(mut self, grace: Duration) -> Process {
        self.grace = grace;
        self
    }

    /// The name given at spawn.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Its exit status if it has exited (reaping it), `None` while it runs.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            // An error here (ECHILD) cannot happen for our own child; treat it as running.
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        self.exit_status().is_none()
    }

    /// Waits up to `timeout` for it to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exit_status() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Sends `signal` if it is still running (a reaped pid could belong to someone else).
    pub fn signal(&mut self, signal: Signal) {
        if self.exit_status().is_some() {
            return;
        }
        send_signal(self.child.id(), signal);
    }

    /// Sends SIGTERM without waiting (to stop several processes in parallel).
    pub fn terminate(&mut self) {
        self.signal(Signal::TERM);
    }

    /// `kill -9`: no chance to clean up. Returns once it is reaped.
    pub fn kill9(&mut self) -> Result<ExitStatus, ProcessError> {
        self.signal(Signal::KILL);
        self.wait_exit(KILL_WAIT).ok_or_else(|| ProcessError::Unkillable { name: self.name.clone() })
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`. Returns its exit status.
    pub fn stop(&mut self, grace: Duration) -> Result<ExitStatus, ProcessError> {
        self.signal(Signal::TERM);
        if let Some(status) = self.wait_exit(grace) {
            return Ok(status);
        }
        eprintln!("{} ignored SIGTERM for {grace:?}; killing it", self.name);
        self.kill9()
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- last lines of {} ({}) ----\n{}", self.name, self.log.display(), self.log_tail(40));
        }
        // Never panic here: a panic while unwinding aborts and would leave other children running.
        if self.exit_status().is_some() {
            return;
        }
        let grace = self.grace;
        if self.stop(grace).is_err() {
            eprintln!("{} survived SIGKILL", self.name);
        }
    }
}

/// Sends `signal` to process `pid`, ignoring one that is already gone. For children a caller
/// supervises itself (e.g. a tokio child it awaits); the pid must be its own unreaped child,
/// since a reaped pid may already belong to another process.
pub fn send_signal(pid: u32, signal: Signal) {
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        // ESRCH only means it exited meanwhile.
        let _ = kill_process(pid, signal);
    }
}

/// The last `lines` lines of the file at `path` (reads at most its last 64 KiB); a note in
/// place of the text when there is no such file.
pub fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut file) = std::fs::File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(64 * 1024);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).and_then(|_| file.read_to_end(&mut bytes)).is_err() {
        return format!("(cannot read {})", path.display());
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_returns_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        std::fs::write(&path, "a\nb\nc\nd\n").unwrap();
        assert_eq!(tail(&path, 2), "c\nd");
        assert_eq!(tail(&path, 10), "a\nb\nc\nd");
        assert_eq!(tail(&path, 0), "");
        assert!(tail(&dir.path().join("none"), 3).starts_with("(no log at"));
        // Only the last 64 KiB are read: a long file still gives its last lines.
        let long: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, long).unwrap();
        assert_eq!(tail(&path, 2), "line 19998\nline 19999");
    }

    #[test]
    fn processes_log_stop_and_die() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("p.log");
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; exec sleep 30"]);
        let mut p = Process::spawn("sleeper", command, &log).unwrap();
        assert!(p.is_running());
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(p.log_tail(1), "started");
        let status = p.stop(Duration::from_secs(5)).unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(15));
        let mut command = Command::new("sleep");
        command.arg("30");
        let mut p = Process::spawn("sleeper2", command, &log).unwrap();
        assert_eq!(p.kill9().unwrap().signal(), Some(9));
        let mut command = Command::new("sleep");
        command.arg("30");
        let p = Process::spawn("sleeper3", command, &log).unwrap().with_stop_grace(Duration::from_secs(1));
        let pid = p.pid();
        drop(p);
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists()
                || std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z"))
        );
    }
}
