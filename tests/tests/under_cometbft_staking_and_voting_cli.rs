//! The staking and voting CLI against one validator under a real CometBFT: the node's own
//! validator is a candidate from genesis (`appchaind init` registers it), `appchaind tx
//! staking register` registers another, `appchaind tx voting vote` from another funded
//! account votes for it, `query staking candidate` / `query voting votes --output json` show
//! the amounts, `tx voting undelegate` creates an unbonding that `query voting unbondings`
//! lists; a pre-flight refusal (with its "from when") sends nothing and spends no fee.

mod cometbft;

use std::time::Duration;

use cometbft::AppchainQueries;

#[test]
fn register_vote_query_undelegate_and_refused_preflights_spend_nothing() {
    let mut net = cometbft::single("e2e-staking-cli");
    net.start_all();
    net.wait_for_height(&[0], 2, Duration::from_secs(30));
    let rpc = net.nodes[0].rpc.clone();
    // Every command runs with `--node <node0> --home <node0's home>`.
    let cli = net.nodes[0].cli();
    let validator = net.accounts[0].address.to_string();

    // `init` registered the node's validator in genesis: active, with the node's consensus key
    // and the genesis self-bond, operated by the funded key `validator`.
    let node_key = net.nodes[0].consensus_key().hex();
    let genesis = cli.json(&["query", "staking", "candidate", "validator"]);
    assert_eq!(genesis["candidate"]["status"], "active", "{genesis}");
    assert_eq!(genesis["candidate"]["consensus_key"], node_key.as_str(), "{genesis}");
    assert_eq!(genesis["self_bond"], "100000000", "{genesis}");
    assert_eq!(cli.json(&["query", "staking", "key-owner", &node_key]), validator.as_str());
    let set = cli.json(&["query", "rotation", "validators"]);
    assert_eq!(set["validators"][0]["operator"], validator.as_str(), "{set}");
    assert_eq!(set["validators"][0]["power"], 100, "{set}");

    // Three more accounts, funded by the validator.
    let mut addresses = Vec::new();
    for name in ["delegator", "second", "first"] {
        let address = cli.add_key(name);
        cli.tx(&["tx", "bank", "send", name, "100000000stake", "--from", "validator"]);
        addresses.push(address);
    }
    let (delegator, second, first) = (addresses[0].clone(), addresses[1].clone(), addresses[2].clone());

    // Register account `first` as a candidate (commission as a decimal percentage).
    let key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    cli.tx(&[
        "tx",
        "staking",
        "register",
        "2000000stake",
        "--consensus-key",
        key,
        "--moniker",
        "val-one",
        "--commission-rate",
        "7.5",
        "--from",
        "first",
    ]);
    // Vote for it from the delegator, naming the candidate by key name.
    cli.tx(&["tx", "voting", "vote", "first", "7000000stake", "--from", "delegator"]);

    let info = cli.json(&["query", "staking", "candidate", "first"]);
    assert_eq!(info["candidate"]["operator"], first.as_str(), "{info}");
    assert_eq!(info["candidate"]["tokens"], "9000000", "{info}");
    assert_eq!(info["self_bond"], "2000000", "{info}");
    assert_eq!(info["candidate"]["commission"]["rate_ppb"], 75_000_000, "{info}");
    assert_eq!(info["candidate"]["description"]["moniker"], "val-one", "{info}");
    assert_eq!(info["candidate"]["consensus_key"], key, "{info}");
    let owner = cli.json(&["query", "staking", "key-owner", key]);
    assert_eq!(owner, first.as_str(), "{owner}");
    let votes = cli.json(&["query", "voting", "votes", "delegator"]);
    assert_eq!(votes.as_array().map(Vec::len), Some(1), "{votes}");
    assert_eq!(votes[0]["candidate"], first.as_str(), "{votes}");
    assert_eq!(votes[0]["tokens"], "7000000", "{votes}");
    let listed = cli.json(&["query", "staking", "candidates"]);
    // By power, descending: the genesis validator (100), then `first` (9).
    let listed: Vec<&str> =
        listed["items"].as_array().unwrap().iter().map(|c| c["candidate"]["operator"].as_str().unwrap()).collect();
    assert_eq!(listed, [validator.as_str(), first.as_str()]);

    // Undelegate part of it: an unbonding entry appears.
    cli.tx(&["tx", "voting", "undelegate", "first", "3000000stake", "--from", "delegator"]);
    let unbondings = cli.json(&["query", "voting", "unbondings", "delegator"]);
    assert_eq!(unbondings.as_array().map(Vec::len), Some(1), "{unbondings}");
    assert_eq!(unbondings[0]["balance"], "3000000", "{unbondings}");
    assert_eq!(unbondings[0]["candidate"], first.as_str(), "{unbondings}");
    let votes = cli.json(&["query", "voting", "votes", "delegator"]);
    assert_eq!(votes[0]["tokens"], "4000000", "{votes}");

    // Refused pre-flights: nothing sent, no fee spent, nonce unchanged.
    let balance = rpc.balance(&delegator, "stake", 0).unwrap();
    let nonce = rpc.nonce(&delegator).unwrap();
    let stderr = cli.fails(&["tx", "voting", "undelegate", "first", "999000000stake", "--from", "delegator"]);
    assert!(stderr.contains("pre-flight") && stderr.contains("no fee was spent"), "{stderr}");

    // A transitive redelegation is refused with the time from when it would be allowed.
    cli.tx(&[
        "tx",
        "staking",
        "register",
        "2000000stake",
        "--consensus-key",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "--moniker",
        "val-two",
        "--from",
        "second",
    ]);
    cli.tx(&["tx", "voting", "redelegate", "first", "second", "1000000stake", "--from", "delegator"]);
    let balance_after_redelegate = rpc.balance(&delegator, "stake", 0).unwrap();
    let nonce_after_redelegate = rpc.nonce(&delegator).unwrap();
    assert_eq!(nonce_after_redelegate, nonce + 1);
    assert!(balance_after_redelegate < balance, "the redelegation paid a fee");
    let stderr = cli.fails(&["tx", "voting", "redelegate", &second, "first", "1000000stake", "--from", "delegator"]);
    assert!(stderr.contains("pre-flight") && stderr.contains("allowed from block time"), "{stderr}");
    let can = cli.json(&["query", "voting", "can-redelegate", "delegator", "second", "first", "1000000stake"]);
    assert_eq!(can["allowed"], false, "{can}");
    assert!(can["earliest_time"].as_u64().is_some(), "{can}");
    // Cancelling a non-existent unbonding is refused too.
    let stderr = cli.fails(&["tx", "voting", "cancel-unbonding", "999", "1stake", "--from", "delegator"]);
    assert!(stderr.contains("pre-flight"), "{stderr}");
    // None of the refusals spent anything.
    assert_eq!(rpc.balance(&delegator, "stake", 0).unwrap(), balance_after_redelegate);
    assert_eq!(rpc.nonce(&delegator).unwrap(), nonce_after_redelegate);

    // --skip-preflight sends it anyway: the chain refuses it (CheckTx or its block).
    let stderr = cli.fails(&[
        "tx",
        "voting",
        "undelegate",
        "first",
        "999000000stake",
        "--from",
        "delegator",
        "--skip-preflight",
    ]);
    assert!(stderr.contains("refused the transaction") || stderr.contains("but failed"), "{stderr}");

    net.nodes[0].assert_running();
}
