//! A child process that cannot outlive its test: dropping a [`Process`] stops it (SIGTERM,
//! then SIGKILL after a grace period) and reaps it. Output goes to a log file whose tail is
//! printed when a test fails, so a failure says what the node said.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

/// How long a process gets to exit after SIGTERM before it is killed.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// A running child process, stopped and reaped on drop.
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    status: Option<ExitStatus>,
}

impl Process {
    /// Starts `command` with stdin closed and stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut command: Command, log: &Path) -> Process {
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap_or_else(|e| panic!("cannot open log file {} for {name}: {e}", log.display()));
        let err = out.try_clone().unwrap_or_else(|e| panic!("cannot clone log file handle for {name}: {e}"));
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {name} ({command:?}): {e}"));
        Process { name: name.to_string(), child, log: log.to_path_buf(), status: None }
    }

    /// The process name given at spawn (e.g. `node2/appchaind`).
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
            match self.child.try_wait() {
                Ok(status) => self.status = status,
                Err(e) => panic!("cannot poll {}: {e}", self.name),
            }
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
    fn signal(&mut self, signal: Signal) {
        // Poll without panicking (Drop uses this too); std's Child keeps the status once
        // reaped, so a later poll sees it again.
        if self.status.is_some() || !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        if let Some(pid) = i32::try_from(self.child.id()).ok().and_then(Pid::from_raw) {
            // ESRCH here only means it exited between the poll and the signal.
            let _ = kill_process(pid, signal);
        }
    }

    /// Sends SIGTERM without waiting (to stop several processes in parallel).
    pub fn terminate(&mut self) {
        self.signal(Signal::TERM);
    }

    /// `kill -9`: no chance to clean up. Returns once it is reaped.
    pub fn kill9(&mut self) -> ExitStatus {
        self.signal(Signal::KILL);
        match self.wait_exit(Duration::from_secs(10)) {
            Some(status) => status,
            None => panic!("{} did not die within 10 s of SIGKILL", self.name),
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`. Returns its exit status.
    pub fn stop(&mut self, grace: Duration) -> ExitStatus {
        self.signal(Signal::TERM);
        if let Some(status) = self.wait_exit(grace) {
            return status;
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
        // Never panic here: a panic while unwinding aborts the test process and would leave
        // the other children running.
        if self.status.is_some() || matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        self.signal(Signal::TERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        eprintln!("{} ignored SIGTERM for {STOP_GRACE:?}; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last `lines` lines of the file at `path` (reads at most its last 64 KiB).
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
