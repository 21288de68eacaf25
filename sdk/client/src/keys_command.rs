//! `keys`: add, list and show account keys (the same for every chain).

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use crate::args::{parse_key_name, KeyringArgs, OutputArgs, OutputFormat};
use crate::keys::Keyring;
use crate::output::{print, print_json};

/// `keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new key NAME (a file keys/NAME.json readable by the owner only).
    Add {
        /// Key name: 1 to 64 of a-z, A-Z, 0-9, '-', '_'.
        #[arg(value_parser = parse_key_name)]
        name: String,
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
}

impl KeysCommand {
    /// Runs the command.
    pub fn run(self) -> Result<ExitCode> {
        match self {
            KeysCommand::Add { name, keyring, output } => {
                let keyring = Keyring::from_args(&keyring)?;
                let info = keyring.add(&name)?;
                let path = keyring.dir().join(format!("{name}.json"));
                print(
                    output.output,
                    &vec![
                        ("name", json!(info.name)),
                        ("address", json!(info.address)),
                        ("public_key", json!(info.public_key)),
                        ("file", json!(path)),
                    ],
                );
            }
            KeysCommand::List { keyring, output } => {
                let keys = Keyring::from_args(&keyring)?.list()?;
                match output.output {
                    OutputFormat::Json => print_json(&serde_json::to_value(&keys)?),
                    OutputFormat::Text => {
                        let width = keys.iter().map(|k| k.name.len()).max().unwrap_or(0);
                        for key in &keys {
                            crate::out!("{:<width$}  {}", key.name, key.address);
                        }
                    }
                }
            }
            KeysCommand::Show { name, address, keyring, output } => {
                let (info, _) = Keyring::from_args(&keyring)?.get(&name)?;
                if address && output.output == OutputFormat::Text {
                    crate::out!("{}", info.address);
                } else if address {
                    print(output.output, &vec![("address", json!(info.address))]);
                } else {
                    print(
                        output.output,
                        &vec![
                            ("name", json!(info.name)),
                            ("address", json!(info.address)),
                            ("public_key", json!(info.public_key)),
                        ],
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
