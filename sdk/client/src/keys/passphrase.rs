//! Where a key's passphrase comes from: given by the caller, a file
//! (`--keyring-passphrase-file`), the [`PASSPHRASE_ENV`] variable, or a prompt without echo
//! on the terminal, in that order. Without a terminal and without the first three, a command
//! that needs a passphrase fails with an error that names them (it never waits on a pipe).

use std::io::IsTerminal;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use zeroize::Zeroizing;

/// The environment variable scripts set to the passphrase (every chain's binary reads it).
pub const PASSPHRASE_ENV: &str = "CONCLAVE_KEYRING_PASSPHRASE";

/// The shortest passphrase a new key accepts.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Where [`super::Keyring`] gets passphrases.
#[derive(Clone)]
pub enum Passphrase {
    /// This one (library callers and tests).
    Given(Zeroizing<String>),
    /// The first line of this file.
    File(PathBuf),
    /// [`PASSPHRASE_ENV`], else a prompt if stdin is a terminal.
    Ask,
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Passphrase::Given(_) => f.write_str("Given(..)"),
            Passphrase::File(path) => f.debug_tuple("File").field(path).finish(),
            Passphrase::Ask => f.write_str("Ask"),
        }
    }
}

impl Passphrase {
    /// `--keyring-passphrase-file`, else [`Passphrase::Ask`].
    pub fn from_file_arg(file: Option<&PathBuf>) -> Self {
        match file {
            Some(path) => Passphrase::File(path.clone()),
            None => Passphrase::Ask,
        }
    }

    /// The passphrase of the existing key `name`.
    pub(crate) fn existing(&self, name: &str) -> Result<Zeroizing<String>> {
        match self.given()? {
            Some(passphrase) => Ok(passphrase),
            None => prompt(&format!("Passphrase of key \"{name}\": ")),
        }
    }

    /// A passphrase for the new key `name`: asked twice at a prompt; at least
    /// [`MIN_PASSPHRASE_CHARS`] characters whatever the source.
    pub(crate) fn new_key(&self, name: &str) -> Result<Zeroizing<String>> {
        let passphrase = match self.given()? {
            Some(passphrase) => passphrase,
            None => {
                let first = prompt(&format!("New passphrase for key \"{name}\": "))?;
                check_length(&first)?;
                let second = prompt("Repeat the passphrase: ")?;
                if first != second {
                    bail!("the two passphrases differ; nothing was written");
                }
                first
            }
        };
        check_length(&passphrase)?;
        Ok(passphrase)
    }

    /// The passphrase from the caller, the file or the environment; `None` means "prompt".
    fn given(&self) -> Result<Option<Zeroizing<String>>> {
        match self {
            Passphrase::Given(passphrase) => Ok(Some(passphrase.clone())),
            Passphrase::File(path) => {
                let text = Zeroizing::new(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read the passphrase file {}", path.display()))?,
                );
                if let Ok(meta) = std::fs::metadata(path) {
                    if meta.permissions().mode() & 0o077 != 0 {
                        crate::say!(
                            "warning: the passphrase file {} is readable by other users; run `chmod 600 {}`",
                            path.display(),
                            path.display()
                        );
                    }
                }
                let line = text.lines().next().unwrap_or("");
                Ok(Some(Zeroizing::new(line.to_string())))
            }
            Passphrase::Ask => match std::env::var(PASSPHRASE_ENV) {
                Ok(value) => Ok(Some(Zeroizing::new(value))),
                Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSPHRASE_ENV} is not valid UTF-8"),
                Err(std::env::VarError::NotPresent) => Ok(None),
            },
        }
    }
}

fn check_length(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        bail!("the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters");
    }
    Ok(())
}

/// Reads a line from the terminal without echo.
fn prompt(text: &str) -> Result<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "this key is encrypted and no passphrase was given: set {PASSPHRASE_ENV}, pass --keyring-passphrase-file FILE, or run in a terminal"
        );
    }
    rpassword::prompt_password(text).map(Zeroizing::new).map_err(|e| anyhow!("cannot read the passphrase: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pass");
        std::fs::write(&path, "correct horse battery\nignored\n").unwrap();
        let source = Passphrase::File(path.clone());
        assert_eq!(source.existing("alice").unwrap().as_str(), "correct horse battery");
        assert_eq!(source.new_key("alice").unwrap().as_str(), "correct horse battery");
        std::fs::write(&path, "short\r\n").unwrap();
        assert_eq!(source.existing("alice").unwrap().as_str(), "short");
        let err = source.new_key("alice").unwrap_err().to_string();
        assert!(err.contains("at least 8 characters"), "{err}");
        let missing = Passphrase::File(dir.path().join("nope"));
        assert!(missing.existing("alice").unwrap_err().to_string().contains("cannot read the passphrase file"));
    }

    #[test]
    fn debug_hides_a_given_passphrase() {
        let source = Passphrase::Given(Zeroizing::new("hunter2hunter2".into()));
        assert!(!format!("{source:?}").contains("hunter2"));
    }
}
