//! Validator rotation under a real CometBFT (issue 5's acceptance): 4 genesis validators plus
//! 2 full nodes running with their own consensus keys, all peered.
//! - All 6 register as candidates with the CLI (`tx staking register --consensus-key-file
//!   HOME/config/priv_validator_key.json`); the 2 full nodes' operators are fresh funded keys.
//! - A "whale" delegator moves its votes (`tx voting set-votes`) so that, at the next epoch
//!   end, both full nodes enter and two validators leave; then twice more (3 rotations).
//! - For each rotation: the first block returning validator updates is the epoch end E the
//!   chain announced; the updates are exactly the expected changes; CometBFT's own
//!   `/validators` (every page, every node) shows the old set at E+1 and the new set, with
//!   the candidates' powers, at E+2 (updates returned at H are active at H+2); the entering
//!   nodes then sign blocks.
//! - Blocks keep coming under a transfer load, and every node reports the same app hash at
//!   every height from 1 to the end.
//!
//! TODO(rotation): ignored until the rotation module lands. Every place that depends on its
//! parameters, genesis layout or queries is marked `TODO(rotation)`.

mod cometbft;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use conclave_testkit::TestAccount;

use cometbft::binaries::appchaind;
use cometbft::load::Load;
use cometbft::network::{ConsensusKey, Network};
use cometbft::rpc::{ValidatorInfo, ValidatorUpdate};

const VALIDATORS: usize = 4;
const FULL_NODES: usize = 2;
/// TODO(rotation): the epoch length the test sets in genesis (short, so that 3 rotations fit
/// in about a minute at ~4 blocks/s), and the size of the active set.
const EPOCH_BLOCKS: u64 = 10;
const MAX_VALIDATORS: usize = 4;
/// The staking module's `power_reduction` (power = tokens / 10^6) and `min_self_bond`.
const POWER_REDUCTION: u128 = 1_000_000;
const SELF_BOND: u128 = 1_000_000;
const STALL: Duration = Duration::from_secs(30);

/// The active set after each rotation, as node indices (node0..3 are the genesis validators,
/// node4 and node5 the full nodes). Rotation 1 is the acceptance criterion: both full nodes
/// enter, node2 and node3 leave. node0 stays in every set (any node would do: all run).
const ROTATIONS: [[usize; MAX_VALIDATORS]; 3] = [[0, 1, 4, 5], [0, 2, 3, 4], [0, 1, 2, 5]];

/// The whale's vote for the member ranked `rank` (0 = lowest power): distinct, so the order
/// is unambiguous.
fn vote(rank: usize) -> u128 {
    (10 + 10 * rank as u128) * POWER_REDUCTION
}

/// `appchaind ARGS --node URL --keyring-dir DIR`.
fn cli(keys: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(appchaind()).args(args).args(["--node", url, "--keyring-dir"]).arg(keys).output().unwrap()
}

/// Runs a command that must succeed and print JSON.
fn ok_json(keys: &Path, url: &str, args: &[&str]) -> Value {
    let output = cli(keys, url, &[args, &["--output", "json"]].concat());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "appchaind {args:?} failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("appchaind {args:?} printed non-JSON ({e}): {stdout}"))
}

/// Runs a `tx` command that must be included with code 0; returns its result.
fn tx(keys: &Path, url: &str, args: &[&str]) -> Value {
    let result = ok_json(keys, url, args);
    assert_eq!(result["code"], 0, "appchaind {args:?}: {result}");
    result
}

/// `appchaind keys add NAME` in the network's keyring; returns the address.
fn add_key(keys: &Path, name: &str) -> String {
    let output = Command::new(appchaind())
        .args(["keys", "add", name, "-o", "json", "--keyring-dir"])
        .arg(keys)
        .output()
        .unwrap();
    assert!(output.status.success(), "keys add {name}: {}", String::from_utf8_lossy(&output.stderr));
    let key: Value = serde_json::from_slice(&output.stdout).unwrap();
    key["address"].as_str().unwrap().to_string()
}

/// The first block at or after `from` whose `FinalizeBlock` returned validator updates, and
/// the updates; fails if none comes within `timeout`.
fn next_update(net: &mut Network, from: u64, timeout: Duration) -> (u64, Vec<ValidatorUpdate>) {
    let deadline = Instant::now() + timeout;
    let mut height = from;
    loop {
        net.wait_for_height(&[0], height + 1, STALL);
        let updates =
            net.nodes[0].rpc.validator_updates(height).unwrap_or_else(|e| panic!("block_results {height}: {e}"));
        if !updates.is_empty() {
            return (height, updates);
        }
        assert!(Instant::now() < deadline, "no validator update in blocks {from}..={height} within {timeout:?}");
        height += 1;
    }
}

/// The validator set (sorted like `/validators`) made of `members` with `powers`.
fn expected_set(keys: &[ConsensusKey], members: &[usize], powers: &BTreeMap<usize, i64>) -> Vec<ValidatorInfo> {
    let mut set: Vec<ValidatorInfo> = members
        .iter()
        .map(|&i| ValidatorInfo {
            address: keys[i].address.clone(),
            pub_key: keys[i].pub_key.clone(),
            voting_power: powers[&i],
        })
        .collect();
    set.sort();
    set
}

#[test]
#[ignore = "needs localnet genesis to register its validators as staking candidates (issue 5), see TODO(rotation)"]
fn two_candidates_enter_two_validators_leave_through_three_rotations() {
    let started = Instant::now();
    let mut net = Network::localnet_with_full_nodes(VALIDATORS, FULL_NODES, "e2e-rotation");
    // TODO(rotation): the genesis layout and names of the rotation parameters (a short epoch,
    // the active-set size); these field names are guesses.
    net.edit_genesis(|genesis| {
        let rotation = &mut genesis["app_state"]["app"]["rotation"]["params"];
        rotation["epoch_blocks"] = serde_json::json!(EPOCH_BLOCKS);
        rotation["max_validators"] = serde_json::json!(MAX_VALIDATORS);
    });
    // TODO(rotation): does the rotation module treat the genesis validators (InitChain's set,
    // not staking candidates) as the first active set? This test registers them as
    // candidates below; if the module instead expects them in the staking genesis (status
    // `active`, bonded), put them there with `edit_genesis` and drop their registration.
    let keys_dir = net.keys_dir.clone();
    let keys: Vec<ConsensusKey> = net.nodes.iter().map(|n| n.consensus_key()).collect();
    let genesis_set = net.genesis_validators();
    net.start_all();
    net.wait_all(2, Duration::from_secs(60));
    let url = net.nodes[0].rpc.url().to_string();
    let k = keys_dir.as_path();

    // --- Operators: alice, bob, carol, dave run node0..3; two fresh keys run the full nodes.
    // A whale delegator holds the votes that decide the elections.
    let mut operators: Vec<String> = ["alice", "bob", "carol", "dave"].iter().map(|s| s.to_string()).collect();
    let mut operator_addresses: Vec<String> =
        operators.iter().map(|name| net.account(name).address.to_string()).collect();
    for i in net.full_node_indices() {
        let name = format!("operator{i}");
        operator_addresses.push(add_key(k, &name));
        tx(k, &url, &["tx", "bank", "send", &name, "100000000stake", "--from", "alice"]);
        operators.push(name);
    }
    add_key(k, "whale");
    tx(k, &url, &["tx", "bank", "send", "whale", "500000000000stake", "--from", "bob"]);
    let register = |i: usize| {
        let key_file = net.nodes[i].consensus_key_file();
        tx(
            k,
            &url,
            &[
                "tx",
                "staking",
                "register",
                &format!("{SELF_BOND}stake"),
                "--consensus-key-file",
                key_file.to_str().unwrap(),
                "--moniker",
                &net.nodes[i].name,
                "--from",
                &operators[i],
            ],
        );
        let owner = ok_json(k, &url, &["query", "staking", "key-owner", &keys[i].hex()]);
        assert_eq!(owner.as_str(), Some(operator_addresses[i].as_str()), "key owner of {}: {owner}", net.nodes[i].name);
    };
    // The genesis validators first, and the whale's votes on them, so that an epoch ending
    // while the full nodes register (at power 1) keeps node0..3 in the set.
    for i in net.validator_indices() {
        register(i);
    }
    let set_votes = |members: &[usize]| -> u64 {
        let targets: Vec<String> =
            members.iter().enumerate().map(|(rank, &i)| format!("{}={}stake", operators[i], vote(rank))).collect();
        let mut args = vec!["tx", "voting", "set-votes"];
        args.extend(targets.iter().map(String::as_str));
        args.extend(["--from", "whale"]);
        let result = tx(k, &url, &args);
        result["height"].as_u64().unwrap_or_else(|| panic!("tx result without height: {result}"))
    };
    set_votes(&[0, 1, 2, 3]);
    for i in net.full_node_indices() {
        register(i);
    }

    // --- Transfer load from the funded accounts (the CLI no longer signs with them), sent to
    // validators and full nodes alike, for the whole test.
    let recipients: Vec<_> = ["fresh1", "fresh2"].iter().map(|n| TestAccount::named(n).address).collect();
    let senders = net
        .accounts
        .iter()
        .enumerate()
        .map(|(j, account)| (account.clone(), net.nodes[j % net.nodes.len()].rpc.clone()))
        .collect();
    let mut load = Load::start(&net.chain_id, senders, recipients, Duration::from_millis(100));

    let mut previous: Option<Vec<ValidatorInfo>> = None;
    for (round, members) in ROTATIONS.iter().enumerate() {
        // --- Move the votes: distinct amounts so the order is unambiguous; everyone else
        // keeps only its self-bond (power 1).
        let voted_at = set_votes(members);

        // TODO(rotation): the epoch end that takes these votes into account, from `appchaind
        // query rotation epoch -o json` (field names are guesses). Votes cast in the epoch's
        // last block may only count for the following epoch: use whatever rule the module
        // documents.
        let epoch = ok_json(k, &url, &["query", "rotation", "epoch", "--height", &voted_at.to_string()]);
        let expected_end = epoch["end_height"].as_u64().unwrap_or_else(|| panic!("query rotation epoch: {epoch}"));

        // --- The epoch end returns exactly the changes.
        let (end, updates) = next_update(&mut net, voted_at, Duration::from_secs(EPOCH_BLOCKS * 2 + 60));
        assert_eq!(end, expected_end, "rotation {}: updates at {end}, epoch end announced {expected_end}", round + 1);
        // The set before: the previous rotation's, or (first round) node0..3, whatever powers
        // earlier epoch ends gave them.
        let current = net.validator_set_everywhere(end);
        match &previous {
            Some(set) => assert_eq!(&current, set, "rotation {}: set at {end}", round + 1),
            None => {
                let mut genesis_keys: Vec<_> = genesis_set.iter().map(|v| v.pub_key.clone()).collect();
                let mut current_keys: Vec<_> = current.iter().map(|v| v.pub_key.clone()).collect();
                genesis_keys.sort();
                current_keys.sort();
                assert_eq!(current_keys, genesis_keys, "before rotation 1 the set is not node0..3: {current:?}");
            }
        }
        let powers: BTreeMap<usize, i64> = members
            .iter()
            .map(|&i| {
                let info =
                    ok_json(k, &url, &["query", "staking", "candidate", &operators[i], "--height", &end.to_string()]);
                // TODO(rotation): the power the module sends CometBFT; assumed to be staking's
                // `power` (tokens / power_reduction) at the epoch end.
                (i, info["power"].as_i64().unwrap_or_else(|| panic!("candidate {}: {info}", operators[i])))
            })
            .collect();
        for (rank, &i) in members.iter().enumerate() {
            let expected = ((SELF_BOND + vote(rank)) / POWER_REDUCTION) as i64;
            assert_eq!(powers[&i], expected, "rotation {}: power of {}", round + 1, net.nodes[i].name);
        }
        let next = expected_set(&keys, members, &powers);
        let mut expected_updates: Vec<ValidatorUpdate> = next
            .iter()
            .filter(|v| !current.contains(v))
            .map(|v| ValidatorUpdate { pub_key: v.pub_key.clone(), power: v.voting_power })
            .chain(
                current
                    .iter()
                    .filter(|v| !next.iter().any(|n| n.pub_key == v.pub_key))
                    .map(|v| ValidatorUpdate { pub_key: v.pub_key.clone(), power: 0 }),
            )
            .collect();
        expected_updates.sort();
        assert_eq!(updates, expected_updates, "rotation {}: updates of block {end}", round + 1);

        // --- CometBFT's own view: old set at E+1, new set at E+2, on every node.
        net.wait_all(end + 3, STALL);
        assert_eq!(net.validator_set_everywhere(end + 1), current, "rotation {}: set at {}", round + 1, end + 1);
        assert_eq!(net.validator_set_everywhere(end + 2), next, "rotation {}: set at {}", round + 1, end + 2);
        // The new members sign: block E+2's commit (in block E+3) is by the new set.
        let signers = net.nodes[0].rpc.commit_signers(end + 2).unwrap();
        for v in &next {
            assert!(
                signers.contains(&v.address),
                "rotation {}: {} did not sign {}: {signers:?}",
                round + 1,
                v.address,
                end + 2
            );
        }
        eprintln!(
            "rotation {}: epoch end {end}, set at {} = {:?} after {:?}",
            round + 1,
            end + 2,
            members.iter().map(|&i| &net.nodes[i].name).collect::<Vec<_>>(),
            started.elapsed()
        );
        previous = Some(next);
    }

    // --- Blocks kept coming; every node agrees on every app hash.
    let top = net.heights().into_iter().max().unwrap_or(0);
    net.wait_all(top + 3, STALL);
    let surprises = load.stop();
    assert!(surprises.is_empty(), "unexpected CheckTx refusals: {surprises:#?}");
    let last = net.common_app_hash_height();
    assert!(last >= 3 * EPOCH_BLOCKS, "only {last} heights");
    net.assert_same_app_hashes(1, last);
    for node in &mut net.nodes {
        node.assert_running();
    }
    eprintln!("3 rotations, {last} heights identical on {} nodes in {:?}", net.nodes.len(), started.elapsed());
}
