//! `appchaind`: the app-template chain's node and command-line client.
//!
//! - `init`, `start`, `localnet`: create node homes and run the chain under CometBFT 0.38;
//! - `keys`: account keys; `tx`, `query`: talk to a node through CometBFT's RPC.
//!
//! `docs/cli.md` documents every command; `docs/running.md` how to run a chain.
//! Errors are printed as one line that says what to do next; the exit status is then 1
//! (2 for a command-line usage error).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

/// `eprintln!` that ignores a closed stderr (e.g. `| tee` killed by the same Ctrl-C), so
/// progress messages can never abort a shutdown.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that ignores a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// The node's allocator: the store allocates and frees ~100k small objects per block
/// across threads, which glibc's malloc serves slowly (docs/dependencies.md, "mimalloc").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod client;
mod cometbft;
mod encoding;
mod genesis;
mod home;
mod init;
mod keys;
mod localnet;
mod node;
mod output;
mod process;
mod rpc;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // `start` sets up logging itself, from its app.toml; everything else logs warnings only
    // unless RUST_LOG says otherwise.
    if !matches!(cli.command, Command::Start(_)) {
        init_logging("warn");
    }
    let result = match cli.command {
        Command::Init(args) => init::run(args),
        Command::Start(args) => node::run(args),
        Command::Localnet(args) => localnet::run(args),
        Command::Keys(command) => client::keys(command),
        Command::Tx(command) => client::tx(*command),
        Command::Query(command) => client::query(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            say!("error: {}", error_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line; a cause whose text the previous message already
/// contains (errors that print their source themselves) is skipped.
fn error_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if parts.last().is_some_and(|previous| previous.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    home::one_line(&parts.join(": "))
}

/// Help and version go to stdout as usual; a usage error is one line on stderr, status 2.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            // The message is the text before the usage block, folded onto one line.
            let rendered = error.render().to_string();
            let message: Vec<&str> =
                rendered.lines().map(str::trim).take_while(|l| !l.is_empty() && !l.starts_with("Usage:")).collect();
            let message = message.join(" ");
            let message = message.trim_start_matches("error: ");
            let message = if message.is_empty() { "invalid arguments" } else { message };
            say!("error: {message} (see --help)");
            ExitCode::from(2)
        }
    }
}

/// Logs to stderr; RUST_LOG overrides `default`.
pub(crate) fn init_logging(default: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}
