//! Crash safety: a child process (this test binary, re-executed in child
//! mode) commits versions with deterministic content in a loop, with a tiny
//! checkpoint interval so background checkpoints and log pruning run all the
//! time, and reports each version once `commit` returned. The parent
//! SIGKILLs it at a random moment, reopens the store and checks that it
//! recovered at least the last reported version, with exactly the expected
//! root and contents, and that committing continues.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::ops::Bound;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{apply, model_root, Model};
use conclave_store::{ChangeSet, Store, StoreConfig};

const TEST_NAME: &str = "killed_writer_recovers_to_its_last_durable_version";
/// Selects child mode and names the store directory.
const CHILD_DIR_ENV: &str = "CONCLAVE_STORE_CRASH_CHILD_DIR";
const ROUNDS: u64 = 8;
/// The child stops by itself after this long if nobody kills it.
const CHILD_LIFETIME: Duration = Duration::from_secs(20);

fn config() -> StoreConfig {
    StoreConfig { keep_versions: 3, checkpoint_interval: 2 }
}

/// The changes of `version`: a pure function of the version number, so the
/// parent can recompute every state the child committed.
fn changes_for(version: u64) -> ChangeSet {
    let mut changes = ChangeSet::new();
    let mut state = version.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for _ in 0..40 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let key = format!("key/{:04}", state % 600).into_bytes();
        let value = (!state.is_multiple_of(5)).then(|| {
            let len = 1 + (state >> 8) as usize % 90;
            vec![(state >> 16) as u8; len]
        });
        changes.insert(key, value);
    }
    changes
}

fn model_at(version: u64) -> Model {
    let mut model = Model::new();
    for v in 1..=version {
        apply(&mut model, &changes_for(v));
    }
    model
}

fn commit_next(store: &mut Store) -> u64 {
    let version = store.latest_version() + 1;
    let staged = store.latest().stage(version, changes_for(version));
    store.commit(staged).unwrap();
    version
}

fn child(dir: &Path) {
    let mut store = Store::open(dir, config()).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "opened {}", store.latest_version()).unwrap();
    out.flush().unwrap();
    let started = Instant::now();
    while started.elapsed() < CHILD_LIFETIME {
        let version = commit_next(&mut store);
        writeln!(out, "durable {version}").unwrap();
        out.flush().unwrap();
    }
}

/// Kills the child if the parent fails before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn killed_writer_recovers_to_its_last_durable_version() {
    if let Some(dir) = std::env::var_os(CHILD_DIR_ENV) {
        child(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    // Rounds in which the child was killed after reporting commits.
    let mut killed_while_committing = 0u64;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for round in 0..ROUNDS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Early rounds may hit the child while it opens; later ones let it run.
        let delay = Duration::from_millis(if round < 2 { 20 + rng % 80 } else { 150 + rng % 500 });

        let mut child = KillOnDrop(
            Command::new(&exe)
                .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
                .env(CHILD_DIR_ENV, dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let stdout = child.0.stdout.take().unwrap();
        let (reports, reported) = std::sync::mpsc::channel::<u64>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(version) = line.strip_prefix("durable ") {
                    let _ = reports.send(version.trim().parse::<u64>().unwrap());
                }
            }
        });
        // Early rounds may hit the child while it opens; later ones wait (bounded)
        // for its first commit, so a slow machine still kills it mid-run.
        let first = if round >= 2 { reported.recv_timeout(Duration::from_secs(30)).ok() } else { None };
        std::thread::sleep(delay);
        let exited_early = child.0.try_wait().unwrap();
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        if let Some(status) = exited_early {
            let mut stderr = String::new();
            if let Some(mut err) = child.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
            }
            panic!("child exited by itself ({status}) in round {round}: {stderr}");
        }
        reader.join().unwrap();
        let last_durable = reported.try_iter().last().or(first);

        let mut store = Store::open(dir.path(), config()).unwrap();
        let recovered = store.latest_version();
        eprintln!(
            "round {round}: killed after {delay:?}, child reported {last_durable:?}, recovered {recovered}, checkpoint at {}",
            store.checkpoint_version()
        );
        if let Some(last) = last_durable {
            assert!(recovered >= last, "round {round}: recovered {recovered}, but the child reported {last} durable");
            // At most the one commit in flight at the kill may also have landed.
            assert!(recovered <= last + 1, "round {round}: recovered {recovered} > {last} + 1");
            killed_while_committing += 1;
        }
        let model = model_at(recovered);
        let latest = store.latest();
        assert_eq!(latest.root_hash(), model_root(&model), "round {round}: root at {recovered}");
        let contents: Model = latest.range(Bound::Unbounded, Bound::Unbounded).collect();
        assert_eq!(contents, model, "round {round}: contents at {recovered}");
        for version in store.oldest_retained_version()..recovered {
            let snapshot = store.snapshot(version).unwrap();
            assert_eq!(snapshot.root_hash(), model_root(&model_at(version)));
        }
        assert_eq!(store.oldest_retained_version(), recovered.saturating_sub(config().keep_versions - 1));

        // Committing continues on the recovered store.
        for _ in 0..2 {
            commit_next(&mut store);
        }
        let version = store.latest_version();
        assert_eq!(store.latest().root_hash(), model_root(&model_at(version)));
        drop(store);
    }
    assert!(
        killed_while_committing >= ROUNDS / 2,
        "only {killed_while_committing} of {ROUNDS} children were killed while committing"
    );
    let store = Store::open(dir.path(), config()).unwrap();
    assert!(store.checkpoint_version() > 0, "no checkpoint ever happened");
}
