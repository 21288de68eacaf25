//! `conclave-scaffold`: writes a new Conclave chain crate, outside this repository, from the
//! app template: its own crate name, binary `NAMEd`, home variable `NAME_HOME`, default home
//! `~/.NAME` and denomination, depending on the Conclave crates by path (this checkout, by
//! default) or git. The new crate builds with no edit. `scripts/new-chain.sh NAME DIR` runs
//! it; `docs/new-chain.md` is the guide.
//!
//! - [`names`]: the names and the substitutions that turn the template into them;
//! - [`manifest`]: the standalone `Cargo.toml`;
//! - [`files`]: every file written, with the README and scripts.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Parser;

mod files;
mod manifest;
mod names;

use manifest::ConclaveSource;
use names::ChainNames;

/// Write a new Conclave chain: the app template under your chain's names, as a crate of its
/// own that depends on the Conclave crates.
#[derive(Debug, Parser)]
#[command(name = "conclave-scaffold", version)]
struct Cli {
    /// The chain's name: 2 to 31 characters, a-z then a-z or 0-9. It names the crate, the
    /// binary (NAMEd), the home variable (NAME_HOME) and the default home (~/.NAME).
    name: String,
    /// The folder to create (it must not exist, or be empty).
    dir: PathBuf,
    /// The denomination of fees, balances and stake [default: u<NAME>].
    #[arg(long)]
    denom: Option<String>,
    /// Depend on the Conclave crates of this checkout [default: the one this tool was built
    /// from].
    #[arg(long, value_name = "DIR", conflicts_with = "conclave_git")]
    conclave_path: Option<PathBuf>,
    /// Depend on the Conclave crates of this git repository instead (with --conclave-rev).
    #[arg(long, value_name = "URL", requires = "conclave_rev")]
    conclave_git: Option<String>,
    /// The git revision (tag, commit or branch) of --conclave-git.
    #[arg(long, value_name = "REV", requires = "conclave_git")]
    conclave_rev: Option<String>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let denom = cli.denom.clone().unwrap_or_else(|| format!("u{}", cli.name));
    let names = ChainNames::new(&cli.name, &denom)?;
    let source = match (&cli.conclave_git, &cli.conclave_rev) {
        (Some(url), Some(rev)) => ConclaveSource::Git { url: url.clone(), rev: rev.clone() },
        _ => ConclaveSource::Path(conclave_root(cli.conclave_path.as_deref())?),
    };
    let dir = std::path::absolute(&cli.dir).with_context(|| format!("cannot resolve {}", cli.dir.display()))?;
    if dir.exists()
        && std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?.next().is_some()
    {
        bail!("{} exists and is not empty: pick a new folder", dir.display());
    }
    let files = files::chain_files(&names, &source)?;
    for f in &files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &f.text).with_context(|| format!("cannot write {}", path.display()))?;
        if f.executable {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "wrote chain {:?} ({} files) in {}", names.name, files.len(), dir.display());
    let _ = writeln!(
        out,
        "  binary {}, home ${} or ~/.{}, denomination {}",
        names.binary(),
        names.home_env(),
        names.name,
        names.denom
    );
    let _ = writeln!(out, "next:");
    let _ = writeln!(out, "  cd {}", dir.display());
    let _ = writeln!(out, "  scripts/localnet.sh   # a local 4-validator network");
    let _ = writeln!(out, "  scripts/test.sh       # the chain's tests");
    Ok(())
}

/// The Conclave checkout to depend on: `explicit`, else the one this binary was built from.
/// It must hold the workspace (its `Cargo.toml` and `sdk/core`).
fn conclave_root(explicit: Option<&Path>) -> Result<PathBuf> {
    let root = match explicit {
        Some(path) => path.to_path_buf(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."),
    };
    let root = root
        .canonicalize()
        .with_context(|| format!("Conclave checkout {} not found: pass --conclave-path DIR", root.display()))?;
    if !root.join("sdk/core/Cargo.toml").is_file() || !root.join("Cargo.toml").is_file() {
        bail!("{} is not a Conclave checkout (no sdk/core): pass --conclave-path DIR", root.display());
    }
    Ok(root)
}
