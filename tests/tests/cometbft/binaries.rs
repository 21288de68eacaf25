//! Where the two programs under test come from.
//!
//! - `appchaind`: `env!("CARGO_BIN_EXE_appchaind")` exists only inside the `appchain` package,
//!   and `cargo test` does not build another package's binaries for this one. So the first
//!   test that needs it runs `cargo build -p appchain --bin appchaind` into the *same* target
//!   directory and profile as this test executable (found from `current_exe()`:
//!   `<target>/<profile>/deps/<test>`). Under `cargo test --workspace` the binary is already
//!   built (app-template's own CLI tests need it) and this is a no-op of a fraction of a
//!   second; with `cargo test -p conclave-tests` alone it builds the binary once. Cargo has
//!   released its build lock by the time tests run, so the nested build does not deadlock;
//!   cargo's own freshness check means a stale binary is never used. (Cargo's unstable
//!   artifact dependencies would do this declaratively; they need nightly.)
//!   Set `CONCLAVE_APPCHAIND=/path/to/appchaind` to skip the build.
//! - `cometbft`: `$CONCLAVE_COMETBFT`, else `cometbft` on `PATH`, else `$HOME/go/bin/cometbft`
//!   (where `go install` puts it). If none exists the tests fail, saying how to install it:
//!   CI installs it, and a silently skipped test would hide a broken install step.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The CometBFT release line the chain is built for.
pub const COMETBFT_VERSION_PREFIX: &str = "0.38.";

const INSTALL_HINT: &str = "install CometBFT v0.38.25 with \
    `go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25` (it lands in $HOME/go/bin), \
    or set CONCLAVE_COMETBFT=/path/to/cometbft";

/// The `appchaind` binary, built on first use (see the module docs).
pub fn appchaind() -> &'static Path {
    static APPCHAIND: OnceLock<PathBuf> = OnceLock::new();
    APPCHAIND.get_or_init(build_appchaind)
}

/// The `cometbft` binary, checked to be a 0.38 release.
pub fn cometbft() -> &'static Path {
    static COMETBFT: OnceLock<PathBuf> = OnceLock::new();
    COMETBFT.get_or_init(find_cometbft)
}

fn build_appchaind() -> PathBuf {
    if let Some(path) = std::env::var_os("CONCLAVE_APPCHAIND") {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "CONCLAVE_APPCHAIND={} is not a file", path.display());
        return path;
    }
    let exe = std::env::current_exe().expect("the test executable's path is known");
    let deps = exe.parent().expect("test executable has a parent directory");
    let profile_dir = deps.parent().expect("deps/ has a parent (the profile directory)");
    let target_dir = profile_dir.parent().expect("the profile directory has a parent (the target directory)");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev".to_string(),
        Some(other) => other.to_string(),
        None => panic!("unexpected test executable location {}", exe.display()),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace");
    eprintln!("building appchaind (cargo build -p appchain --bin appchaind --profile {profile}) ...");
    let status = Command::new(&cargo)
        .current_dir(workspace)
        .args(["build", "--quiet", "--locked", "-p", "appchain", "--bin", "appchaind"])
        .args(["--profile", &profile])
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {} to build appchaind: {e}", Path::new(&cargo).display()));
    assert!(status.success(), "building appchaind failed ({status}); see cargo's output above");
    let binary = profile_dir.join("appchaind");
    assert!(binary.is_file(), "cargo built appchaind but {} does not exist", binary.display());
    binary
}

fn find_cometbft() -> PathBuf {
    let candidates: Vec<PathBuf> = std::env::var_os("CONCLAVE_COMETBFT")
        .map(PathBuf::from)
        .into_iter()
        .chain(std::env::var_os("PATH").iter().flat_map(std::env::split_paths).map(|dir| dir.join("cometbft")))
        .chain(std::env::var_os("HOME").map(|home| PathBuf::from(home).join("go/bin/cometbft")))
        .collect();
    let Some(path) = candidates.into_iter().find(|p| p.is_file()) else {
        panic!("cometbft not found (looked at $CONCLAVE_COMETBFT, PATH and $HOME/go/bin): {INSTALL_HINT}");
    };
    let output = Command::new(&path)
        .arg("version")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} version: {e}; {INSTALL_HINT}", path.display()));
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    assert!(
        output.status.success() && version.starts_with(COMETBFT_VERSION_PREFIX),
        "{} reports version {version:?}; these tests need {COMETBFT_VERSION_PREFIX}x: {INSTALL_HINT}",
        path.display()
    );
    path
}
