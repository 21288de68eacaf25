//! [`Preflight`]: the answer of a pre-flight query, "may this account do this now, and if
//! not, why and from when?", given before a fee is spent. A module runs the real operation on
//! a [`crate::dry_run::DryRun`] of the next block and reports its outcome here, so the answer
//! carries exactly the codespace and code a transaction would get.

use serde::{Deserialize, Serialize};

use crate::error::ModuleError;

/// The answer of a pre-flight query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    /// Whether the operation would succeed in the next block (given no other change).
    pub allowed: bool,
    /// Codespace of the error it would fail with (empty when allowed).
    pub codespace: String,
    /// Code of that error (0 when allowed).
    pub code: u32,
    /// Its message.
    pub reason: String,
    /// The earliest block time (ns) at which a time rule stops refusing it, when a time rule
    /// is what refuses it.
    pub earliest_time: Option<u64>,
}

impl Preflight {
    /// From the outcome of a dry run; `earliest` tells which errors are time rules.
    pub fn from_result<E: ModuleError>(result: Result<(), E>, earliest: impl Fn(&E) -> Option<u64>) -> Self {
        match result {
            Ok(()) => Preflight {
                allowed: true,
                codespace: String::new(),
                code: 0,
                reason: String::new(),
                earliest_time: None,
            },
            Err(e) => Preflight {
                allowed: false,
                codespace: e.codespace().to_string(),
                code: e.code(),
                reason: e.to_string(),
                earliest_time: earliest(&e),
            },
        }
    }
}
