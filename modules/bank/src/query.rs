//! Queries: JSON in, JSON out, at paths relative to the module (`bank/<path>` from clients).
//!
//! | path | request | response |
//! |---|---|---|
//! | `balance` | [`BalanceRequest`] | [`Coin`] (amount `"0"` when absent) |
//! | `balances` | [`BalancesRequest`] | `[Coin]`, by denomination |
//! | `supply` | [`SupplyRequest`] | [`Coin`] (amount `"0"` when absent) |
//! | `supplies` | `{}` (or empty) | `[Coin]`, by denomination |
//! | `issuance` | [`SupplyRequest`] | [`crate::Issuance`]: genesis supply, minted, burned (zeros when absent) |
//! | `module_account` | [`ModuleAccountRequest`] | [`ModuleAccountInfo`] |
//! | `module_accounts` | `{}` (or empty) | `[ModuleAccountInfo]`, by name |

use conclave_core::coin::validate_denom;
use conclave_core::module::{parse_query, query_response};
use conclave_core::{Address, Coin, StateRead};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::accounts::{Permissions, Registered};
use crate::error::BankError;
use crate::{ops, Bank};

/// Request of `balance`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceRequest {
    /// The account.
    pub address: Address,
    /// The denomination.
    pub denom: String,
}

/// Request of `balances`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalancesRequest {
    /// The account.
    pub address: Address,
}

/// Request of `supply`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyRequest {
    /// The denomination.
    pub denom: String,
}

/// Request of `module_account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleAccountRequest {
    /// The module account's name.
    pub name: String,
}

/// Request of the queries that take no parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Response of `module_account`: a configured module account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleAccountInfo {
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: Address,
    /// What it may do.
    pub permissions: Permissions,
}

impl From<&Registered> for ModuleAccountInfo {
    fn from(registered: &Registered) -> Self {
        Self {
            name: registered.account.name.to_owned(),
            address: registered.address,
            permissions: registered.account.permissions,
        }
    }
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, BankError> {
    parse_query(data).map_err(BankError::InvalidQuery)
}

/// Parameterless requests accept empty bytes as well as `{}`.
fn no_params(data: &[u8]) -> Result<(), BankError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    request::<NoParams>(data).map(|_| ())
}

impl Bank {
    pub(crate) fn answer(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, BankError> {
        let response = match path {
            "balance" => {
                let req: BalanceRequest = request(data)?;
                validate_denom(&req.denom)?;
                let amount = ops::balance(state, &req.address, &req.denom)?;
                query_response(&Coin::new(req.denom, amount))
            }
            "balances" => {
                let req: BalancesRequest = request(data)?;
                query_response(&ops::balances(state, &req.address)?)
            }
            "supply" => {
                let req: SupplyRequest = request(data)?;
                validate_denom(&req.denom)?;
                let amount = ops::supply(state, &req.denom)?;
                query_response(&Coin::new(req.denom, amount))
            }
            "issuance" => {
                let req: SupplyRequest = request(data)?;
                validate_denom(&req.denom)?;
                query_response(&crate::state::ISSUANCE.get(state, &req.denom)?.unwrap_or_default())
            }
            "supplies" => {
                no_params(data)?;
                query_response(&ops::supplies(state)?)
            }
            "module_account" => {
                let req: ModuleAccountRequest = request(data)?;
                let registered = self.registered(&req.name)?;
                query_response(&ModuleAccountInfo::from(registered))
            }
            "module_accounts" => {
                no_params(data)?;
                let all: Vec<ModuleAccountInfo> = self.accounts.iter().map(ModuleAccountInfo::from).collect();
                query_response(&all)
            }
            _ => return Err(BankError::UnknownQuery { path: path.chars().take(64).collect() }),
        };
        Ok(response)
    }
}
