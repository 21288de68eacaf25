//! Queries: each path with its documented JSON, and the error cases.

use conclave_core::Module;
use serde_json::{json, Value};

use super::*;
use crate::FEE_COLLECTOR;

fn query(state: &MemoryState, path: &str, request: &str) -> Result<Value, BankError> {
    let bytes = bank().query(state, path, request.as_bytes())?;
    Ok(serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn balance_and_balances() {
    let state = funded();
    let a = alice();
    let got = query(&state, "balance", &format!(r#"{{"address": "{a}", "denom": "stake"}}"#)).unwrap();
    assert_eq!(got, json!({"denom": "stake", "amount": "1000"}));
    let none = query(&state, "balance", &format!(r#"{{"address": "{}", "denom": "stake"}}"#, carol())).unwrap();
    assert_eq!(none, json!({"denom": "stake", "amount": "0"}));
    let all = query(&state, "balances", &format!(r#"{{"address": "{a}"}}"#)).unwrap();
    assert_eq!(all, json!([{"denom": "atom", "amount": "50"}, {"denom": "stake", "amount": "1000"}]));
    let empty = query(&state, "balances", &format!(r#"{{"address": "{}"}}"#, carol())).unwrap();
    assert_eq!(empty, json!([]));
}

#[test]
fn supply_and_supplies() {
    let state = funded();
    assert_eq!(query(&state, "supply", r#"{"denom": "stake"}"#).unwrap(), json!({"denom": "stake", "amount": "1010"}));
    assert_eq!(query(&state, "supply", r#"{"denom": "none"}"#).unwrap(), json!({"denom": "none", "amount": "0"}));
    let all = json!([{"denom": "atom", "amount": "50"}, {"denom": "stake", "amount": "1010"}]);
    assert_eq!(query(&state, "supplies", "{}").unwrap(), all);
    assert_eq!(query(&state, "supplies", "").unwrap(), all);
}

#[test]
fn module_accounts() {
    let state = MemoryState::new();
    let got = query(&state, "module_account", r#"{"name": "minter"}"#).unwrap();
    assert_eq!(
        got,
        json!({"name": "minter", "address": Address::module(MINTER).to_string(), "permissions": {"minter": true, "burner": false}})
    );
    let all = query(&state, "module_accounts", "").unwrap();
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec![BURNER, FEE_COLLECTOR, MINTER, TREASURY]);
    // The address shown in docs/modules/bank.md.
    let fee = query(&state, "module_account", r#"{"name": "fee_collector"}"#).unwrap();
    let fee: Address = fee["address"].as_str().unwrap().parse().unwrap();
    assert_eq!(fee.to_bech32("appchain").unwrap(), "appchain1mx5tfsqzlgm29nl52pqy2w0z38x56sxenkn9cw");
    let err = query(&state, "module_account", r#"{"name": "nobody"}"#).unwrap_err();
    assert_eq!(err.code(), 9);
}

#[test]
fn bad_queries_have_codes() {
    let state = funded();
    let code = |path: &str, request: &str| query(&state, path, request).unwrap_err().code();
    assert_eq!(code("nothing", "{}"), 13);
    assert_eq!(code("", "{}"), 13);
    assert_eq!(code("balance", "not json"), 14);
    assert_eq!(code("balance", r#"{"address": "xyz", "denom": "stake"}"#), 14);
    assert_eq!(code("balance", &format!(r#"{{"address": "{}"}}"#, alice())), 14);
    assert_eq!(code("balances", &format!(r#"{{"address": "{}", "extra": 1}}"#, alice())), 14);
    assert_eq!(code("supplies", r#"{"extra": 1}"#), 14);
    assert_eq!(code("supply", r#"{"denom": "Bad"}"#), 1);
}
