//! `keys`: add (new or recovered from a mnemonic), list, show, export, import and delete
//! account keys (the same for every chain).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use clap::Subcommand;
use serde_json::json;
use zeroize::Zeroizing;

use crate::args::{parse_key_name, KeyringArgs, OutputArgs, OutputFormat};
use crate::keys::{hd, Keyring};
use crate::output::{object, text, Fields};

/// `keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create key NAME from a new 24-word mnemonic, shown once (keys/NAME.json, readable by
    /// the owner only, encrypted under a passphrase unless --keyring-backend test).
    Add {
        /// Key name: 1 to 64 of a-z, A-Z, 0-9, '-', '_'.
        #[arg(value_parser = parse_key_name)]
        name: String,
        /// Restore the key from its mnemonic instead (asked without echo on a terminal, else
        /// read from stdin).
        #[arg(long)]
        recover: bool,
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
        /// `output` flags.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List the keys, by name.
    List {
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
        /// `output` flags.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Show a key's address and public key.
    Show {
        /// Key name.
        name: String,
        /// Print only the address.
        #[arg(long)]
        address: bool,
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
        /// `output` flags.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print a key's file, still encrypted under its passphrase (no mnemonic), for `keys
    /// import` elsewhere.
    Export {
        /// Key name.
        name: String,
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// Store the key file FILE (as `keys export` printed it) as key NAME; its passphrase is
    /// checked. An unencrypted (test) file is encrypted under a new passphrase.
    Import {
        /// Key name: 1 to 64 of a-z, A-Z, 0-9, '-', '_'.
        #[arg(value_parser = parse_key_name)]
        name: String,
        /// The key file, or - for stdin.
        file: PathBuf,
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
        /// `output` flags.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Delete a key (after a confirmation on stdin: y or yes; unless --yes).
    Delete {
        /// Key name.
        name: String,
        /// Do not ask.
        #[arg(long, short = 'y')]
        yes: bool,
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
    },
}

/// Where a command reads what it asks for (a mnemonic, a confirmation) and writes its
/// output: the process's stdin and stdout, or buffers in tests.
pub struct Io<'a> {
    /// Answers and mnemonics.
    pub input: &'a mut dyn BufRead,
    /// Is `input` a terminal (then a mnemonic is asked without echo)?
    pub interactive: bool,
    /// Results.
    pub output: &'a mut dyn Write,
    /// Prompts and warnings.
    pub messages: &'a mut dyn Write,
}

impl KeysCommand {
    /// Runs the command on the process's stdin, stdout and stderr.
    pub fn run(self) -> Result<ExitCode> {
        let stdin = std::io::stdin();
        let interactive = stdin.is_terminal();
        let mut input = stdin.lock();
        let (mut output, mut messages) = (std::io::stdout(), std::io::stderr());
        let result = self.execute(Io { input: &mut input, interactive, output: &mut output, messages: &mut messages });
        // A reader that stops early (`keys export NAME | head`) is not an error.
        match result {
            Err(e)
                if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
            {
                Ok(ExitCode::SUCCESS)
            }
            result => result,
        }
    }

    /// Runs the command on `io`.
    pub fn execute(self, io: Io<'_>) -> Result<ExitCode> {
        match self {
            KeysCommand::Add { name, recover, keyring, output } => {
                let keyring = Keyring::from_args(&keyring)?;
                let (info, mnemonic) = if recover {
                    let words = read_mnemonic(io.input, io.interactive)?;
                    (keyring.recover(&name, &words)?, None)
                } else {
                    let new = keyring.add(&name)?;
                    (new.info, Some(new.mnemonic))
                };
                let mut fields: Fields = vec![
                    ("name", json!(info.name)),
                    ("address", json!(info.address)),
                    ("public_key", json!(info.public_key)),
                    ("file", json!(keyring.path(&name))),
                    ("backend", json!(keyring.backend().as_str())),
                ];
                if let Some(mnemonic) = &mnemonic {
                    fields.push(("mnemonic", json!(mnemonic.as_str())));
                }
                write_fields(io.output, output.output, &fields)?;
                if mnemonic.is_some() {
                    let _ = writeln!(
                        io.messages,
                        "Write these {} words down and keep them secret: they are the only way to recover key \"{name}\" ({}) and are not shown again.",
                        hd::WORDS,
                        hd::DERIVATION_PATH
                    );
                }
            }
            KeysCommand::List { keyring, output } => {
                let keys = Keyring::from_args(&keyring)?.list()?;
                match output.output {
                    OutputFormat::Json => write_json(io.output, &serde_json::to_value(&keys)?)?,
                    OutputFormat::Text => {
                        let width = keys.iter().map(|k| k.name.len()).max().unwrap_or(0);
                        for key in &keys {
                            writeln!(io.output, "{:<width$}  {}", key.name, key.address)?;
                        }
                    }
                }
            }
            KeysCommand::Show { name, address, keyring, output } => {
                let info = Keyring::from_args(&keyring)?.info(&name)?;
                if address && output.output == OutputFormat::Text {
                    writeln!(io.output, "{}", info.address)?;
                } else if address {
                    write_fields(io.output, output.output, &vec![("address", json!(info.address))])?;
                } else {
                    let fields = vec![
                        ("name", json!(info.name)),
                        ("address", json!(info.address)),
                        ("public_key", json!(info.public_key)),
                    ];
                    write_fields(io.output, output.output, &fields)?;
                }
            }
            KeysCommand::Export { name, keyring } => {
                let text = Keyring::from_args(&keyring)?.export(&name)?;
                io.output.write_all(text.as_bytes())?;
            }
            KeysCommand::Import { name, file, keyring, output } => {
                let keyring = Keyring::from_args(&keyring)?;
                let mut text = Zeroizing::new(String::new());
                if file.as_os_str() == "-" {
                    io.input.read_to_string(&mut text).context("cannot read the key file from stdin")?;
                } else {
                    *text =
                        std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
                }
                let info = keyring.import(&name, &text)?;
                let fields = vec![
                    ("name", json!(info.name)),
                    ("address", json!(info.address)),
                    ("public_key", json!(info.public_key)),
                    ("file", json!(keyring.path(&name))),
                    ("backend", json!(keyring.backend().as_str())),
                ];
                write_fields(io.output, output.output, &fields)?;
            }
            KeysCommand::Delete { name, yes, keyring } => {
                let keyring = Keyring::from_args(&keyring)?;
                let info = keyring.info(&name)?;
                if !yes {
                    // A script may pipe its answer: it gets no prompt, only the error if not "y".
                    if io.interactive {
                        let _ = write!(
                            io.messages,
                            "Delete key \"{name}\" ({})? Only its mnemonic or an export can bring it back. [y/N] ",
                            info.address
                        );
                        let _ = io.messages.flush();
                    }
                    let mut answer = String::new();
                    io.input.read_line(&mut answer).context("cannot read the answer")?;
                    if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
                        bail!("key {name:?} was not deleted (answer y to confirm, or pass --yes)");
                    }
                }
                keyring.delete(&name)?;
                writeln!(io.output, "deleted key \"{name}\" ({})", info.address)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The mnemonic: without echo on a terminal, else all of `input`.
fn read_mnemonic(input: &mut dyn BufRead, interactive: bool) -> Result<Zeroizing<String>> {
    let words = if interactive {
        Zeroizing::new(
            rpassword::prompt_password("Mnemonic (12 to 24 words): ")
                .map_err(|e| anyhow!("cannot read the mnemonic: {e}"))?,
        )
    } else {
        let mut text = Zeroizing::new(String::new());
        input.read_to_string(&mut text).context("cannot read the mnemonic from stdin")?;
        text
    };
    if words.trim().is_empty() {
        bail!("no mnemonic given: type it at the prompt, or pipe it on stdin");
    }
    Ok(words)
}

fn write_fields(out: &mut dyn Write, format: OutputFormat, fields: &Fields) -> Result<()> {
    match format {
        OutputFormat::Json => write_json(out, &object(fields)),
        OutputFormat::Text => Ok(out.write_all(text(fields).as_bytes())?),
    }
}

fn write_json(out: &mut dyn Write, value: &serde_json::Value) -> Result<()> {
    Ok(writeln!(out, "{}", serde_json::to_string_pretty(value)?)?)
}

#[cfg(test)]
mod tests;
