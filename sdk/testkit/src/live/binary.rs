//! The two programs a live network runs: the chain's binary (any binary built with
//! `conclave-node`) and `cometbft`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A chain's node binary: `init`, `localnet`, `start`, `keys`, `tx`, `query` as
/// `conclave-node` makes them, and the home layout it writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBinary {
    /// The executable.
    pub path: PathBuf,
    /// Its file name (`appchaind`): the node writes its log to `<home>/<name>.log`.
    pub name: String,
}

impl ChainBinary {
    /// The binary at `path`, which must exist.
    pub fn new(path: impl Into<PathBuf>) -> ChainBinary {
        let path: PathBuf = path.into();
        assert!(path.is_file(), "no chain binary at {}", path.display());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("chain").to_string();
        ChainBinary { path, name }
    }

    /// `$<env>` if set, else [`ChainBinary::cargo_build`].
    pub fn from_env_or_cargo(env: &str, workspace: &Path, package: &str, bin: &str) -> ChainBinary {
        match std::env::var_os(env) {
            Some(path) => ChainBinary::new(PathBuf::from(path)),
            None => ChainBinary::cargo_build(workspace, package, bin),
        }
    }

    /// Builds `bin` of `package` with `cargo build` in `workspace` (pass your test crate's
    /// `env!("CARGO_MANIFEST_DIR")`), into the target directory and profile of the running
    /// test executable (`<target>/<profile>/deps/<test>`), and returns it.
    ///
    /// `env!("CARGO_BIN_EXE_<bin>")` exists only in the binary's own package, and `cargo test`
    /// does not build other packages' binaries. Cargo has released its build lock by the time
    /// tests run, so this nested build does not deadlock, and its freshness check means a stale
    /// binary is never used; when the binary is already built it takes a fraction of a second.
    pub fn cargo_build(workspace: &Path, package: &str, bin: &str) -> ChainBinary {
        let exe = std::env::current_exe().expect("the test executable's path is known");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .unwrap_or_else(|| panic!("unexpected test executable location {}", exe.display()));
        let target_dir = profile_dir.parent().expect("the profile directory is in a target directory");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev".to_string(),
            Some(other) => other.to_string(),
            None => panic!("unexpected test executable location {}", exe.display()),
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        eprintln!("building {bin} (cargo build -p {package} --bin {bin} --profile {profile}) ...");
        let status = Command::new(&cargo)
            .current_dir(workspace)
            .args(["build", "--quiet", "--locked", "-p", package, "--bin", bin, "--profile", &profile])
            .arg("--target-dir")
            .arg(target_dir)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {} to build {bin}: {e}", Path::new(&cargo).display()));
        assert!(status.success(), "building {bin} failed ({status}); see cargo's output above");
        ChainBinary::new(profile_dir.join(bin))
    }
}

/// The `cometbft` binary (`conclave_cometbft::binaries` order: `$CONCLAVE_COMETBFT`,
/// `$COMETBFT`, `PATH`, `$GOPATH/bin`, `~/go/bin`), checked to be a 0.38 release. Missing, it
/// fails the test with how to install it: a silently skipped test would hide a broken CI step.
pub fn cometbft() -> &'static Path {
    static COMETBFT: OnceLock<PathBuf> = OnceLock::new();
    COMETBFT.get_or_init(|| match conclave_cometbft::locate_cometbft(None) {
        Ok(binary) => binary.path,
        Err(e) => panic!("{e}"),
    })
}
