//! The new chain's names and the one set of substitutions that turns the app template into
//! them. The template spells its names in exactly these forms (a unit test keeps it so):
//!
//! | template | new chain | where |
//! |---|---|---|
//! | `appchaind` (also in `CARGO_BIN_EXE_appchaind`) | `NAMEd` | the binary |
//! | `appchain` | `NAME` | the crate and library, the default home `.appchain`, the address prefix |
//! | `APPCHAIN_HOME` | `NAME_HOME` (upper case) | the home variable |
//! | `pub const DENOM: &str = "stake";` | the `--denom` | `src/lib.rs`, the one place the denomination is named |

use anyhow::{bail, Result};

/// Names Rust or Cargo reserve, which a crate (and its library) may not take.
const RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "core",
    "std",
    "alloc",
    "test",
    "proc_macro",
    "build",
    "deps",
    "examples",
    "incremental",
];

/// A new chain's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainNames {
    /// The crate, library, default home folder (`.NAME`) and address prefix.
    pub(crate) name: String,
    /// The denomination of fees, balances and stake.
    pub(crate) denom: String,
}

impl ChainNames {
    /// Checks `name` (2 to 31 characters, `a-z` then `a-z0-9`, not reserved) and `denom` (a
    /// valid coin denomination).
    pub(crate) fn new(name: &str, denom: &str) -> Result<Self> {
        let valid = (2..=31).contains(&name.len())
            && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !valid {
            bail!("chain name {name:?}: use 2 to 31 characters, a-z first, then a-z or 0-9 (it names the crate, the binary {name}d and the home variable)");
        }
        if RESERVED.contains(&name) || name.starts_with("conclave") {
            bail!(
                "chain name {name:?} is reserved (a Rust keyword, a standard crate or a Conclave crate): pick another"
            );
        }
        if conclave_core::coin::validate_denom(denom).is_err() || denom.contains('/') {
            bail!("denomination {denom:?}: use 2 to 64 characters, a-z first, then a-z or 0-9 (e.g. u{name})");
        }
        Ok(Self { name: name.to_string(), denom: denom.to_string() })
    }

    /// The binary: `NAMEd`.
    pub(crate) fn binary(&self) -> String {
        format!("{}d", self.name)
    }

    /// The home variable: `NAME_HOME`, upper case.
    pub(crate) fn home_env(&self) -> String {
        format!("{}_HOME", self.name.to_ascii_uppercase())
    }

    /// `text` (a template file) under the new names. Fails if a spelling of the template's
    /// name is left over, which means the template grew a form this table does not know.
    pub(crate) fn apply(&self, file: &str, text: &str) -> Result<String> {
        let mut out = replace_word(text, "CARGO_BIN_EXE_appchaind", &format!("CARGO_BIN_EXE_{}", self.binary()));
        out = replace_word(&out, "appchaind", &self.binary());
        out = replace_word(&out, "appchain", &self.name);
        out = replace_word(&out, "APPCHAIN_HOME", &self.home_env());
        const DENOM_LINE: &str = "pub const DENOM: &str = \"stake\";";
        if out.contains(DENOM_LINE) {
            out = out.replace(DENOM_LINE, &format!("pub const DENOM: &str = \"{}\";", self.denom));
        }
        if let Some(at) = out.find("appchain").or_else(|| out.find("APPCHAIN")) {
            let line = out[..at].lines().count().max(1);
            bail!("template {file}, line {line}: a spelling of the template's name that the scaffold does not rewrite");
        }
        Ok(out)
    }
}

/// Replaces every whole-word `from` (not preceded or followed by `[A-Za-z0-9_]`) with `to`.
pub(crate) fn replace_word(text: &str, from: &str, to: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[at + from.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(ChainNames::new("mychain", "umy").is_ok());
        for bad in ["", "a", "My", "9chain", "my-chain", "my_chain", "fn", "core", "conclavex", &"a".repeat(32)] {
            assert!(ChainNames::new(bad, "umy").is_err(), "{bad:?} should be refused");
        }
        for bad in ["", "U", "u/x", "1u"] {
            assert!(ChainNames::new("mychain", bad).is_err(), "denom {bad:?} should be refused");
        }
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(
            replace_word("appchain appchaind xappchain appchain_x .appchain", "appchain", "n"),
            "n appchaind xappchain appchain_x .n"
        );
    }

    #[test]
    fn every_spelling_of_the_template_name_is_rewritten() {
        let names = ChainNames::new("zeta", "uzeta").unwrap();
        let text = "use appchain::X; env!(\"CARGO_BIN_EXE_appchaind\"); \"appchaind\"; APPCHAIN_HOME; \".appchain\";\npub const DENOM: &str = \"stake\";";
        let out = names.apply("t", text).unwrap();
        assert_eq!(
            out,
            "use zeta::X; env!(\"CARGO_BIN_EXE_zetad\"); \"zetad\"; ZETA_HOME; \".zeta\";\npub const DENOM: &str = \"uzeta\";"
        );
        let err = names.apply("t.rs", "a\nlet appchainX = 1;").unwrap_err().to_string();
        assert!(err.contains("t.rs, line 2"), "{err}");
    }
}
