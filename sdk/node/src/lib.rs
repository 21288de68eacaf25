//! `conclave-node`: a Conclave chain's binary, generic over the chain.
//!
//! A chain implements [`Chain`] (its app, names, module commands and genesis) and its
//! `main` is `conclave_node::run::<MyChain>()`. That binary has:
//! - `init`, `start`, `localnet`: create node homes and run the chain under CometBFT 0.38;
//! - `keys`: account keys; `tx`, `query`: talk to a node through CometBFT's RPC
//!   (`conclave-client`, with the chain's module commands).
//!
//! Errors are printed as one line that says what to do next; the exit status is then 1
//! (2 for a command-line usage error).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

use conclave_client::say;

pub mod chain;
pub mod cli;
mod cometbft;
mod genesis;
mod home;
mod init;
mod localnet;
mod metrics;
mod node;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use conclave_client::{QueryCommand as _, TxCommand as _};
use conclave_runtime::App;

pub use chain::{Chain, NewNetwork, NewValidator, NoGenesisArgs, NodeOptions};
pub use cli::{Cli, Command, QueryCommand};
pub use genesis::{GENESIS_BALANCE, GENESIS_SELF_BOND};

/// The chain's whole command line: parses the arguments, runs the command, returns the exit
/// status. A chain's `main` is this one call.
pub fn run<C: Chain>() -> ExitCode {
    if let Err(e) = C::DESCRIPTION.validate().and_then(|()| conclave_client::chain::set_description(C::DESCRIPTION)) {
        say!("error: the chain description is invalid: {e}");
        return ExitCode::FAILURE;
    }
    let cli = match parse::<C>(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // `start` sets up logging itself, from its app.toml; everything else logs warnings only
    // unless RUST_LOG says otherwise.
    if !matches!(cli.command, Command::Start(_)) {
        init_logging("warn");
    }
    let result = match cli.command {
        Command::Init(args) => init::run::<C>(args),
        Command::Start(args) => node::run::<C>(args),
        Command::Localnet(args) => localnet::run::<C>(args),
        Command::Keys(command) => command.run(),
        Command::Tx(command) => command.prepare().and_then(|prepared| prepared.submit()),
        Command::Query(QueryCommand::Module(command)) => command.run().map(|()| ExitCode::SUCCESS),
        Command::Query(QueryCommand::Builtin(command)) => {
            command.run::<<C::App as App>::Msg>().map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            say!("error: {}", error_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The chain's CLI type.
pub type ChainCli<C> = Cli<<C as Chain>::Tx, <C as Chain>::Query, <C as Chain>::GenesisArgs>;

/// The chain's clap command: the generic tree with the chain's name, about line and home
/// variable.
pub fn command<C: Chain>() -> clap::Command {
    let d = C::DESCRIPTION;
    let home_help = format!("[default: ${}, then ~/{}]", d.home_env, d.default_home);
    set_home_env(ChainCli::<C>::command(), d.home_env, &home_help).name(d.binary).bin_name(d.binary).about(d.about)
}

/// Parses `args` as the chain's command line.
pub fn parse<C: Chain>(
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> Result<ChainCli<C>, clap::Error> {
    let matches = command::<C>().try_get_matches_from(args)?;
    ChainCli::<C>::from_arg_matches(&matches)
}

/// Gives every `--home` flag of the tree the chain's environment variable.
fn set_home_env(command: clap::Command, env: &'static str, help: &str) -> clap::Command {
    let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_string()).collect();
    let mut command = command;
    if command.get_arguments().any(|a| a.get_id() == "home") {
        let help = help.to_string();
        command = command.mut_arg("home", |arg| {
            let text = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let text = match text.find("[default:") {
                Some(at) => format!("{}{help}", &text[..at]),
                None => format!("{text} {help}"),
            };
            arg.env(env).help(text)
        });
    }
    for name in names {
        command = command.mut_subcommand(name, |sub| set_home_env(sub, env, help));
    }
    command
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
pub fn init_logging(default: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}
