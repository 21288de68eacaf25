//! One node of a live network: its home, its RPC endpoint and (while running) its two
//! processes, `<chain> start --home H` (the ABCI server on `H/data/abci.sock`) and
//! `cometbft start --home H`. They are started separately, not with `--with-cometbft`, so a
//! test can `kill -9` the chain process alone and every process stays a direct child that the
//! test reaps.

use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use conclave_cometbft::process::Signal;
use conclave_cometbft::{tail, Process, Rpc, STOP_GRACE};

use super::binary::{cometbft, ChainBinary};
use super::cli::Cli;
use super::files::ConsensusKey;
use crate::TestAccount;

/// A node: home, ports and (while running) its chain and CometBFT processes.
pub struct Node {
    /// `node<i>`.
    pub name: String,
    /// The home (the chain and CometBFT share it).
    pub home: PathBuf,
    /// Its RPC client.
    pub rpc: Rpc,
    /// RPC port on 127.0.0.1.
    pub rpc_port: u16,
    /// Whether its consensus key is in the genesis validator set (a full node made by
    /// [`super::Network::localnet_with_full_nodes`] has its own key, but not in genesis).
    pub genesis_validator: bool,
    /// The operator key of this node's validator: `validator` for `init`, `validator<i>` for
    /// `localnet` (funded in genesis).
    pub operator: Option<TestAccount>,
    binary: ChainBinary,
    app: Option<Process>,
    comet: Option<Process>,
}

impl Node {
    pub(crate) fn new(binary: &ChainBinary, name: &str, home: PathBuf, rpc_port: u16) -> Node {
        Node {
            name: name.to_string(),
            home,
            rpc: Rpc::local(rpc_port),
            rpc_port,
            genesis_validator: true,
            operator: None,
            binary: binary.clone(),
            app: None,
            comet: None,
        }
    }

    /// CometBFT's `priv_validator_key.json` in this home (what `tx staking register
    /// --consensus-key-file` reads).
    pub fn consensus_key_file(&self) -> PathBuf {
        self.home.join("config/priv_validator_key.json")
    }

    /// This node's consensus key.
    pub fn consensus_key(&self) -> ConsensusKey {
        ConsensusKey::read(&self.consensus_key_file())
    }

    /// The ABCI socket the chain process serves.
    pub fn socket(&self) -> PathBuf {
        self.home.join("data/abci.sock")
    }

    /// The chain process's log, `<home>/<binary>.log`.
    pub fn app_log(&self) -> PathBuf {
        self.home.join(format!("{}.log", self.binary.name))
    }

    /// CometBFT's log, `<home>/cometbft.log`.
    pub fn cometbft_log(&self) -> PathBuf {
        self.home.join("cometbft.log")
    }

    /// The chain's CLI against this node, keys from this home (`--home`).
    pub fn cli(&self) -> Cli {
        Cli::with_home(&self.binary, self.rpc.url(), &self.home)
    }

    /// Starts the chain process, then CometBFT once the ABCI socket listens.
    pub fn start(&mut self) {
        self.start_app();
        self.start_cometbft();
    }

    /// Starts `<chain> start --home H` and waits for its socket.
    pub fn start_app(&mut self) {
        self.start_app_with(&[]);
    }

    /// Starts `<chain> start --home H ARGS...` (e.g. `--allow-upgrade v2`) and waits for its
    /// socket.
    pub fn start_app_with(&mut self, args: &[&str]) {
        let name = format!("{}/{}", self.name, self.binary.name);
        assert!(self.app.as_mut().is_none_or(|p| !p.is_running()), "{name} is already running");
        // A socket file left by a killed run would look like a listening server; the node
        // removes it too, but the wait below must not see it.
        let _ = std::fs::remove_file(self.socket());
        let mut command = Command::new(&self.binary.path);
        command.arg("start").arg("--home").arg(&self.home).args(args);
        let mut process =
            Process::spawn(&name, command, &self.app_log()).unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.socket().exists() {
            if let Some(status) = process.exit_status() {
                panic!(
                    "{name} exited ({status}) before listening on {}:\n{}",
                    self.socket().display(),
                    process.log_tail(30)
                );
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not create {} within 30 s:\n{}",
                self.socket().display(),
                process.log_tail(30)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.app = Some(process);
    }

    /// Starts `cometbft start --home H` (the chain process must be listening).
    pub fn start_cometbft(&mut self) {
        let name = format!("{}/cometbft", self.name);
        assert!(self.comet.as_mut().is_none_or(|p| !p.is_running()), "{name} is already running");
        let mut command = Command::new(cometbft());
        command.arg("start").arg("--home").arg(&self.home);
        let process =
            Process::spawn(&name, command, &self.cometbft_log()).unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.comet = Some(process);
    }

    /// Stops both processes (CometBFT first, as an operator would); returns their statuses
    /// `(cometbft, chain)`.
    pub fn stop(&mut self) -> (Option<ExitStatus>, Option<ExitStatus>) {
        let comet = self.stop_cometbft(STOP_GRACE);
        let app = self.app.as_mut().map(|p| p.stop(STOP_GRACE).unwrap_or_else(|e| panic!("{e}")));
        (comet, app)
    }

    /// Stops CometBFT only: SIGTERM, then SIGKILL after `grace`.
    pub fn stop_cometbft(&mut self, grace: Duration) -> Option<ExitStatus> {
        self.comet.as_mut().map(|p| p.stop(grace).unwrap_or_else(|e| panic!("{e}")))
    }

    /// `kill -9` the chain process only; fails if it had already exited.
    pub fn kill_app(&mut self) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt;
        let name = format!("{}/{}", self.name, self.binary.name);
        let app = self.app.as_mut().unwrap_or_else(|| panic!("{name} was never started"));
        let status = app.kill9().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status.signal(), Some(9), "{name} had exited ({status}) before the kill:\n{}", app.log_tail(30));
        status
    }

    /// `kill -9` CometBFT only; fails if it had already exited. The chain process sees its
    /// consensus connection close and stops by itself ([`Node::wait_app_exit`]).
    pub fn kill_cometbft(&mut self) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt;
        let name = format!("{}/cometbft", self.name);
        let comet = self.comet.as_mut().unwrap_or_else(|| panic!("{name} was never started"));
        let status = comet.kill9().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status.signal(), Some(9), "{name} had exited ({status}) before the kill:\n{}", comet.log_tail(30));
        status
    }

    /// Stops the chain process only: SIGTERM, then SIGKILL after `grace`.
    pub fn stop_app(&mut self, grace: Duration) -> Option<ExitStatus> {
        self.app.as_mut().map(|p| p.stop(grace).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Waits up to `timeout` for the chain process to exit by itself.
    pub fn wait_app_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.app.as_mut().and_then(|p| p.wait_exit(timeout))
    }

    /// Freezes the chain process (SIGSTOP) until [`Node::resume_app`]. Its CometBFT keeps
    /// running and blocks on the next ABCI call.
    pub fn pause_app(&mut self) {
        signal(self.app.as_mut(), Signal::STOP);
    }

    /// Lets a paused chain process go on (SIGCONT).
    pub fn resume_app(&mut self) {
        signal(self.app.as_mut(), Signal::CONT);
    }

    /// Freezes CometBFT (SIGSTOP) until [`Node::resume_cometbft`]: its RPC does not answer
    /// meanwhile, and its peers see a silent validator.
    pub fn pause_cometbft(&mut self) {
        signal(self.comet.as_mut(), Signal::STOP);
    }

    /// Lets a paused CometBFT go on (SIGCONT).
    pub fn resume_cometbft(&mut self) {
        signal(self.comet.as_mut(), Signal::CONT);
    }

    /// `kill -9` the chain process the moment CometBFT's log gets a new line containing
    /// `pattern` (e.g. `finalizing commit of block`, logged just before CometBFT saves a block
    /// and sends it to the app), so the kill lands inside block execution. Returns the line.
    pub fn kill_app_on_cometbft_log(&mut self, pattern: &str, timeout: Duration) -> String {
        use std::io::{Read, Seek, SeekFrom};
        let path = self.cometbft_log();
        let mut file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let mut offset = file.seek(SeekFrom::End(0)).expect("seek the log");
        let mut pending = String::new();
        let deadline = Instant::now() + timeout;
        loop {
            let mut chunk = Vec::new();
            file.seek(SeekFrom::Start(offset)).expect("seek the log");
            offset += file.read_to_end(&mut chunk).expect("read the log") as u64;
            pending.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(line) = pending.lines().find(|l| l.contains(pattern)) {
                let line = line.to_string();
                self.kill_app();
                return line;
            }
            if let Some(cut) = pending.rfind('\n') {
                pending.drain(..=cut);
            }
            assert!(Instant::now() < deadline, "{}: cometbft logged no {pattern:?} within {timeout:?}", self.name);
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Waits up to `timeout` for the CometBFT process to exit by itself.
    pub fn wait_cometbft_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.comet.as_mut().and_then(|p| p.wait_exit(timeout))
    }

    /// `(chain pid, cometbft pid)` of the processes last started.
    pub fn pids(&self) -> (Option<u32>, Option<u32>) {
        (self.app.as_ref().map(Process::pid), self.comet.as_ref().map(Process::pid))
    }

    /// `(chain running, cometbft running)`.
    pub fn running(&mut self) -> (bool, bool) {
        (self.app.as_mut().is_some_and(Process::is_running), self.comet.as_mut().is_some_and(Process::is_running))
    }

    /// Fails if either process has exited (a node should never stop by itself).
    pub fn assert_running(&mut self) {
        for process in [self.app.as_mut(), self.comet.as_mut()].into_iter().flatten() {
            if let Some(status) = process.exit_status() {
                panic!("{} exited unexpectedly ({status}):\n{}", process.name(), process.log_tail(40));
            }
        }
    }

    /// The latest height, or a panic naming the node if its RPC does not answer.
    pub fn height(&self) -> u64 {
        self.rpc.height().unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// The last lines of both logs.
    pub fn log_tails(&self, lines: usize) -> String {
        format!(
            "--- {0}/{1}.log ---\n{2}\n--- {0}/cometbft.log ---\n{3}",
            self.name,
            self.binary.name,
            tail(&self.app_log(), lines),
            tail(&self.cometbft_log(), lines)
        )
    }

    /// Sends SIGTERM to CometBFT without waiting (to stop several nodes at once).
    pub(crate) fn terminate_cometbft(&mut self) {
        if let Some(comet) = self.comet.as_mut() {
            comet.terminate();
        }
    }
}

/// Sends `signal` to a process that was started (a no-op once it has exited).
fn signal(process: Option<&mut Process>, signal: Signal) {
    if let Some(process) = process {
        process.signal(signal);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // A paused process (a test that failed mid-pause) would sit out SIGTERM's grace.
        self.resume_cometbft();
        self.resume_app();
        // CometBFT first: stopping the app first would make CometBFT stop on a lost connection.
        drop(self.comet.take());
        drop(self.app.take());
    }
}
