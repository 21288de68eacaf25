//! Finding `cometbft` (and `abci-cli`) and checking that it is a 0.38 release.
//!
//! One search order for every caller, first match wins:
//! 1. an explicit path (a `--cometbft PATH` flag), which must exist;
//! 2. `$CONCLAVE_COMETBFT`, then `$COMETBFT` (`$CONCLAVE_ABCI_CLI`, `$ABCI_CLI` for abci-cli);
//! 3. every directory of `PATH`;
//! 4. every `$GOPATH/bin`, then `$HOME/go/bin` (where `go install` puts it).
//!
//! The binary must then run and print a version of a supported line: 0.38 (the pinned one),
//! or 0.40, which keeps ABCI 2.0 with additive protobuf changes (`scripts/cometbft-compat.sh`
//! runs the live tests with it; docs/running.md, "CometBFT versions"). CometBFT 1.x speaks a
//! different ABCI (`/work/shared/reference/cometbft.md` §3).

use std::path::{Path, PathBuf};
use std::process::Command;

use thiserror::Error;

/// The CometBFT release line Conclave chains are built for and tested with in CI.
pub const VERSION_PREFIX: &str = "0.38.";
/// Every release line accepted, all speaking ABCI 2.0.0 with the `tendermint.abci` protobuf
/// types: [`VERSION_PREFIX`]; 0.40 (checked by the compatibility run, not by CI); and 0.39,
/// because a v0.40.0 built with `go install` prints `0.39.0` (its source's fallback version;
/// `version --verbose` says `"abci": "2.0.0"`). The 0.39.x releases themselves are accepted as
/// the same ABCI line but not tested.
pub const SUPPORTED_LINES: [&str; 3] = [VERSION_PREFIX, "0.39.", "0.40."];
/// What `abci-cli version` prints for a 0.38 release: the ABCI version, 2.0.x, not CometBFT's.
pub const ABCI_VERSION_PREFIX: &str = "2.0.";
/// The release the scripts install.
pub const PINNED_VERSION: &str = "v0.38.25";
/// How to install `cometbft`.
pub const INSTALL_COMETBFT: &str = "go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25";
/// How to install `abci-cli`.
pub const INSTALL_ABCI_CLI: &str = "go install github.com/cometbft/cometbft/abci/cmd/abci-cli@v0.38.25";

/// A CometBFT program the toolkit can look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// The node, `cometbft`.
    Cometbft,
    /// The ABCI test client, `abci-cli`.
    AbciCli,
}

impl Program {
    /// The file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Program::Cometbft => "cometbft",
            Program::AbciCli => "abci-cli",
        }
    }

    /// The environment variables that name it, in the order they are read.
    pub fn env_vars(self) -> [&'static str; 2] {
        match self {
            Program::Cometbft => ["CONCLAVE_COMETBFT", "COMETBFT"],
            Program::AbciCli => ["CONCLAVE_ABCI_CLI", "ABCI_CLI"],
        }
    }

    /// What to do when it is missing or the wrong version.
    pub fn install_hint(self) -> String {
        let [env, _] = self.env_vars();
        let go = match self {
            Program::Cometbft => INSTALL_COMETBFT,
            Program::AbciCli => INSTALL_ABCI_CLI,
        };
        let script = match self {
            Program::Cometbft => "run `scripts/install-cometbft.sh` or ",
            Program::AbciCli => "",
        };
        format!("{script}install it with `{go}` (it lands in $HOME/go/bin), or set {env}=/path/to/{}", self.file_name())
    }
}

/// Why no usable binary was found.
#[derive(Debug, Error)]
pub enum BinaryError {
    /// Nothing at any place of the search order.
    #[error("{program} not found (looked at {looked}): {hint}")]
    NotFound {
        /// The file name.
        program: &'static str,
        /// The places searched, in order.
        looked: String,
        /// What to do next.
        hint: String,
    },
    /// It exists but does not run.
    #[error("cannot run {path} version: {source}; {hint}")]
    CannotRun {
        /// The binary.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
        /// What to do next.
        hint: String,
    },
    /// It runs but is not a 0.38 release.
    #[error("{path} reports version {version:?}; Conclave needs CometBFT 0.38.x (or 0.40.x; ABCI 2.0): {hint}")]
    WrongVersion {
        /// The binary.
        path: PathBuf,
        /// What `version` printed.
        version: String,
        /// What to do next.
        hint: String,
    },
}

/// A located, version-checked binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    /// Its path.
    pub path: PathBuf,
    /// What `<binary> version` printed, e.g. `0.38.25`.
    pub version: String,
}

/// Finds `cometbft` (see the module docs for the order) and checks its version.
pub fn locate_cometbft(explicit: Option<&Path>) -> Result<Binary, BinaryError> {
    locate(Program::Cometbft, explicit)
}

/// Finds `abci-cli` with the same rules as [`locate_cometbft`].
pub fn locate_abci_cli(explicit: Option<&Path>) -> Result<Binary, BinaryError> {
    locate(Program::AbciCli, explicit)
}

/// Finds `program` (see the module docs for the order) and checks its version.
pub fn locate(program: Program, explicit: Option<&Path>) -> Result<Binary, BinaryError> {
    let path = match explicit {
        Some(path) if path.is_file() => path.to_path_buf(),
        Some(path) => {
            return Err(BinaryError::NotFound {
                program: program.file_name(),
                looked: format!("{} (given explicitly)", path.display()),
                hint: program.install_hint(),
            })
        }
        None => search(program).ok_or_else(|| BinaryError::NotFound {
            program: program.file_name(),
            looked: format!(
                "${}, ${}, PATH, $GOPATH/bin and $HOME/go/bin",
                program.env_vars()[0],
                program.env_vars()[1]
            ),
            hint: program.install_hint(),
        })?,
    };
    let version = version_of(&path).map_err(|source| BinaryError::CannotRun {
        path: path.clone(),
        source,
        hint: program.install_hint(),
    })?;
    match version {
        Some(version) if program.supports(&version) => Ok(Binary { path, version }),
        other => Err(BinaryError::WrongVersion {
            path,
            version: other.unwrap_or_else(|| "(exited with an error)".into()),
            hint: program.install_hint(),
        }),
    }
}

/// The candidates for `program`, in search order (whether or not they exist).
pub fn candidates(program: Program) -> Vec<PathBuf> {
    let name = program.file_name();
    let mut out: Vec<PathBuf> = program.env_vars().iter().filter_map(std::env::var_os).map(PathBuf::from).collect();
    if let Some(path) = std::env::var_os("PATH") {
        out.extend(std::env::split_paths(&path).map(|dir| dir.join(name)));
    }
    if let Some(gopath) = std::env::var_os("GOPATH") {
        out.extend(std::env::split_paths(&gopath).map(|dir| dir.join("bin").join(name)));
    }
    if let Some(home) = std::env::var_os("HOME") {
        out.push(PathBuf::from(home).join("go/bin").join(name));
    }
    out
}

/// The first candidate that is an executable file (a stray non-executable `cometbft` earlier
/// on the path is skipped, as a shell would).
fn search(program: Program) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    candidates(program)
        .into_iter()
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// Runs `<path> version`: `Ok(Some(version))`, `Ok(None)` if it exited with an error.
fn version_of(path: &Path) -> std::io::Result<Option<String>> {
    let output = Command::new(path).arg("version").output()?;
    Ok(output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string()))
}

impl Program {
    /// Whether `version`, as this program's `version` command prints it, is from a supported
    /// release: `cometbft` prints CometBFT's version, `abci-cli` the ABCI protocol's (2.0.x).
    pub fn supports(self, version: &str) -> bool {
        match self {
            Program::Cometbft => is_supported_version(version),
            Program::AbciCli => version.trim().starts_with(ABCI_VERSION_PREFIX),
        }
    }
}

/// Whether `version` (as `cometbft version` prints it, e.g. `0.38.25` or `v0.38.25`) is a
/// release of a [`SUPPORTED_LINES`] line.
pub fn is_supported_version(version: &str) -> bool {
    let version = version.trim();
    let version = version.strip_prefix('v').unwrap_or(version);
    SUPPORTED_LINES.iter().any(|line| version.starts_with(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_0_38_and_0_40_versions_are_supported() {
        assert!(is_supported_version("0.38.25"));
        assert!(is_supported_version("0.38.0\n"));
        assert!(is_supported_version("v0.38.17"));
        assert!(is_supported_version("0.40.0"));
        // What `go install …@v0.40.0` prints.
        assert!(is_supported_version("0.39.0"));
        assert!(!is_supported_version("0.37.15"));
        assert!(!is_supported_version("0.4.0"));
        assert!(!is_supported_version("1.0.1"));
        assert!(!is_supported_version("0.380.1"));
        assert!(!is_supported_version(""));
        // abci-cli v0.38.x prints the ABCI version it speaks.
        assert!(Program::AbciCli.supports("2.0.0\n"));
        assert!(!Program::AbciCli.supports("1.0.0"));
        assert!(!Program::AbciCli.supports("0.38.25"));
    }

    #[test]
    fn a_missing_explicit_path_says_how_to_install() {
        let err = locate_cometbft(Some(Path::new("/nonexistent/cometbft"))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("scripts/install-cometbft.sh"), "{text}");
        assert!(text.contains(INSTALL_COMETBFT), "{text}");
        let err = locate_abci_cli(Some(Path::new("/nonexistent/abci-cli"))).unwrap_err().to_string();
        assert!(err.contains(INSTALL_ABCI_CLI), "{err}");
    }

    #[test]
    fn a_binary_with_another_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("cometbft");
        std::fs::write(&fake, "#!/bin/sh\necho 0.37.15\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        match locate_cometbft(Some(&fake)) {
            Err(BinaryError::WrongVersion { version, .. }) => assert_eq!(version, "0.37.15"),
            other => panic!("{other:?}"),
        }
        std::fs::write(&fake, "#!/bin/sh\necho 0.38.25\n").unwrap();
        assert_eq!(locate_cometbft(Some(&fake)).unwrap().version, "0.38.25");
    }
}
