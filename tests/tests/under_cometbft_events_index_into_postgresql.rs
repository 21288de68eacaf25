//! CometBFT's `psql` event sink with our events: a validator under a real CometBFT indexes
//! into a throwaway PostgreSQL (`[tx_index] indexer = "psql"`). The test makes transfers (one
//! a multi-send, one failing in its block), registers a second candidate, and casts votes:
//! votes, a `SetVotes`, a redelegation, an undelegation. It also claims rewards and withdraws
//! commission. Then, through SQL alone, the indexed events plus genesis rebuild every
//! account's balance and every vote. The results must equal the chain's own queries at the
//! same height. The SQL is read from `docs/indexing.md` (its ```sql blocks named
//! `-- name: …`), so the documented queries are the tested ones.
//!
//! PostgreSQL: the server binaries (`initdb`, `postgres`) are looked for in
//! `$CONCLAVE_POSTGRES_BIN`, then Debian's `/usr/lib/postgresql/<version>/bin` (newest first),
//! then `PATH`. The client is `psql`, from the same directory or `PATH`. Without them the test
//! prints why it is skipped and passes, unless `CONCLAVE_REQUIRE_POSTGRES=1` (CI sets it,
//! having installed Debian's `postgresql`), which makes it fail instead. The cluster lives in
//! a temporary directory (`initdb --auth=trust`, `fsync=off`), listens on a free 127.0.0.1
//! port with its Unix socket in that directory, and is stopped (SIGQUIT, an immediate
//! shutdown, then SIGKILL) when the test ends, panics included. PostgreSQL refuses to run as
//! root: when the effective uid is 0, `initdb` and `postgres` run as the `postgres` system
//! user (which Debian's package creates), through `setpriv` (or `runuser`), with the
//! directory chowned to it. Otherwise they run as the current user. CometBFT's schema is
//! its own `schema.sql` from the Go module cache, where `scripts/install-cometbft.sh` (`go
//! install …@v0.38.25`) leaves the source.

mod cometbft;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use conclave_cometbft::rpc::{BroadcastTxCommit, Rpc};
use conclave_core::{Address, Coin};
use conclave_testkit::{TestAccount, TxOptions};

use cometbft::{wait_for, AppchainQueries};

const COMETBFT_VERSION: &str = "v0.38.25";
const DATABASE: &str = "conclave_index";
const ROLE: &str = "conclave";
const STALL: Duration = Duration::from_secs(30);

#[test]
fn indexed_events_rebuild_every_balance_and_vote_in_postgresql() {
    let started = Instant::now();
    let Some(pg) = Postgres::start_or_skip() else { return };
    let schema = cometbft_schema();
    pg.admin(&format!("CREATE DATABASE {DATABASE}"));
    pg.run_file(&schema);
    let queries = documented_queries();
    pg.sql(&queries["views"], &[]);

    let mut net = cometbft::single("psql-index");
    let conn = format!("postgresql://{ROLE}@127.0.0.1:{}/{DATABASE}?sslmode=disable", pg.port);
    net.edit_config_toml(|doc| {
        doc["tx_index"]["indexer"] = toml_edit::value("psql");
        doc["tx_index"]["psql-conn"] = toml_edit::value(conn.as_str());
    });
    // The sink stores only indexed attributes, and the queries need amounts and denominations.
    net.edit_app_toml(|doc| doc["events"]["index"] = toml_edit::value("all"));
    net.start_all();
    net.wait_for_height(&[0], 2, STALL);
    let rpc = net.nodes[0].rpc.clone();
    let mut chain = Sender::new(&rpc, &net.chain_id);
    let validator = net.accounts[0].clone();
    let [alice, bob, carol, dave] = ["alice", "bob", "carol", "dave"].map(TestAccount::named);
    let users = [&validator, &alice, &bob, &carol, &dave];

    // Funding: one multi-send to four accounts (one `bank.transfer` per output).
    let outputs = [&alice, &bob, &carol, &dave]
        .map(|to| conclave_bank::Output { to: to.address, amount: Coin::new("stake", 50_000_000) });
    let funded = chain.ok(&validator, bank(conclave_bank::Msg::MultiSend { outputs: outputs.to_vec() }));
    let mut expected_transfers: Vec<(Address, Address, u128, String)> =
        outputs.iter().map(|o| (validator.address, o.to, o.amount.amount, funded.hash.clone())).collect();

    // Transfers in a ring, sent together (several transactions in one block).
    let ring =
        [(&alice, &bob, 1_000_001), (&bob, &carol, 2_000_002), (&carol, &dave, 3_000_003), (&dave, &alice, 4_000_004)];
    let sent = chain.ok_together(ring.iter().map(|(from, to, amount)| (*from, send(to.address, *amount))).collect());
    for ((from, to, amount), result) in ring.iter().zip(&sent) {
        expected_transfers.push((from.address, to.address, *amount, result.hash.clone()));
    }
    let transfers_to = sent.iter().map(|r| r.height).max().unwrap();

    // A second candidate, then votes from three accounts.
    let carol_key = TestAccount::named("carol/consensus").public_key;
    chain.ok(&carol, staking(register(carol_key, "carol", 2_000_000)));
    let set_votes = conclave_voting::Msg::SetVotes {
        votes: vec![
            conclave_voting::VoteTarget { candidate: validator.address, amount: 3_000_000 },
            conclave_voting::VoteTarget { candidate: carol.address, amount: 2_000_000 },
        ],
    };
    chain.ok_together(vec![
        (&alice, voting(conclave_voting::Msg::Vote { candidate: validator.address, amount: 10_000_000 })),
        (&bob, voting(conclave_voting::Msg::Vote { candidate: carol.address, amount: 5_000_000 })),
        (&dave, voting(set_votes)),
    ]);
    // Moving stake: a redelegation, an undelegation, and a SetVotes that drops a candidate
    // (a redelegation, an undelegation and a bond in one message).
    let move_votes = conclave_voting::Msg::SetVotes {
        votes: vec![conclave_voting::VoteTarget { candidate: carol.address, amount: 4_000_000 }],
    };
    chain.ok_together(vec![
        (
            &alice,
            voting(conclave_voting::Msg::Redelegate {
                source: validator.address,
                destination: carol.address,
                amount: 4_000_000,
            }),
        ),
        (&bob, voting(conclave_voting::Msg::Undelegate { candidate: carol.address, amount: 1_000_000 })),
        (&dave, voting(move_votes)),
    ]);

    // A transfer that fails in its block: its fee is paid and indexed, its transfer is not.
    let failed = chain.commit(&bob, send(alice.address, 1_000_000_000_000_000));
    assert_eq!((failed.tx_result.codespace.as_str(), failed.tx_result.code), ("bank", 7), "{}", failed.tx_result.log);
    // Payouts from rewards' module account: a voter's claim, the operator's commission.
    chain.ok_together(vec![
        (&alice, rewards(conclave_rewards::Msg::Claim { candidate: None })),
        (&validator, rewards(conclave_rewards::Msg::WithdrawCommission)),
    ]);

    // The CLI on a node that serves no `/tx` (psql): it finds its tx in the blocks instead,
    // and reports it included. Last, as it moves the validator's nonce behind `chain`'s back.
    let alice_text = alice.address.to_string();
    let by_cli = net.cli(0).tx(&["tx", "bank", "send", &alice_text, "7000007stake", "--from", &validator.name]);
    let cli_height = by_cli["height"].as_u64().unwrap_or_else(|| panic!("no height: {by_cli}"));
    let cli_hash = by_cli["hash"].as_str().unwrap_or_else(|| panic!("no hash: {by_cli}")).to_string();

    // The sink writes after each commit: wait until it holds two blocks past the last tx.
    let last_tx = chain.last_height.max(cli_height);
    let vars = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut all = vec![("chain_id", net.chain_id.clone())];
        all.extend(extra.iter().cloned());
        all
    };
    let height = wait_for("the psql sink to index two blocks past the last transaction", STALL, || {
        let rows = pg.sql(&queries["indexed_blocks"], &vars(&[]));
        let last: u64 = rows[0][2].parse().unwrap();
        if last >= last_tx + 2 {
            Ok(last)
        } else {
            Err(format!("indexed up to {last}, node at {:?}", rpc.height().ok()))
        }
    });
    let at_height = [("height", height.to_string())];
    let blocks = pg.sql(&queries["indexed_blocks"], &vars(&[])).remove(0);
    let (count, first, last): (u64, u64, u64) =
        (blocks[0].parse().unwrap(), blocks[1].parse().unwrap(), blocks[2].parse().unwrap());
    assert_eq!((first, count), (1, last - first + 1), "the index has gaps: {blocks:?}");

    // Genesis, loaded by the documented query; the bonded pool's address as the chain writes it.
    let (pool, _) =
        rpc.query_json("bank/module_account", &json!({ "name": conclave_staking::BONDED_POOL }), 0).unwrap();
    let genesis = std::fs::read_to_string(net.nodes[0].home.join("config/genesis.json")).unwrap();
    assert_eq!(
        net.genesis()["app_state"]["app"]["voting"]["votes"],
        json!([]),
        "the genesis loader models no genesis votes"
    );
    pg.sql(
        &queries["genesis"],
        &vars(&[("genesis", genesis), ("bonded_pool", pool["address"].as_str().unwrap().to_string())]),
    );

    // Every balance: SQL's equals the chain's, for every account any event touched; together
    // they are the whole supply, so no account holding stake is missing.
    let mut spellings: BTreeMap<Address, BTreeSet<String>> = BTreeMap::new();
    let mut balances: BTreeMap<Address, u128> = BTreeMap::new();
    for row in pg.sql(&queries["balances"], &vars(&at_height)) {
        let (account, denom, balance) = (address(&row[0]), &row[1], amount(&row[2]));
        assert_eq!(denom, "stake", "{row:?}");
        spellings.entry(account).or_default().insert(row[0].clone());
        *balances.entry(account).or_default() += balance;
    }
    for (account, rebuilt) in &balances {
        let actual = rpc.balance(&hex(account), "stake", height).unwrap();
        assert_eq!(*rebuilt, actual, "balance of {account:?} at {height}: SQL {rebuilt}, chain {actual}");
    }
    let (supply, _) = rpc.query_json("bank/supply", &json!({ "denom": "stake" }), height).unwrap();
    assert_eq!(balances.values().sum::<u128>(), amount(supply["amount"].as_str().unwrap()), "Σ balances vs supply");
    for user in users {
        assert!(balances.contains_key(&user.address), "{} is missing from the balances", user.name);
    }
    let fee_collector = Address::module(conclave_bank::FEE_COLLECTOR);
    let bonded_pool = Address::module(conclave_staking::BONDED_POOL);
    assert!(
        balances.contains_key(&fee_collector) && balances.contains_key(&bonded_pool),
        "module accounts are rebuilt too: {balances:?}"
    );

    // Balance history: after every block in which a user's balance changed, it is what the
    // chain answered at that height.
    let mut checked = 0;
    for user in users {
        let names = &spellings[&user.address];
        assert_eq!(names.len(), 1, "{}'s address appears in several forms: {names:?}", user.name);
        let spelled = names.iter().next().unwrap().clone();
        let history =
            pg.sql(&queries["balance_history"], &vars(&[("address", spelled), ("denom", "stake".to_string())]));
        assert!(history.len() >= 2, "{}: history {history:?}", user.name);
        for row in history.iter().filter(|r| r[0] != "0" && r[0].parse::<u64>().unwrap() <= height) {
            let at: u64 = row[0].parse().unwrap();
            let actual = rpc.balance(&hex(&user.address), "stake", at).unwrap();
            assert_eq!(amount(&row[2]), actual, "{} after block {at}: SQL {row:?}, chain {actual}", user.name);
            checked += 1;
        }
    }

    // Every vote: each delegator's shares at each candidate, and what they are worth, as
    // `staking/vote_set` (what `query voting votes` reads) answers; each candidate's tokens
    // and shares, as `staking/candidate` answers.
    let mut votes: BTreeMap<Address, BTreeMap<Address, u128>> = BTreeMap::new();
    let mut delegator_spelling = BTreeMap::new();
    for row in pg.sql(&queries["votes"], &vars(&at_height)) {
        let delegator = address(&row[0]);
        delegator_spelling.insert(delegator, row[0].clone());
        *votes.entry(delegator).or_default().entry(address(&row[1])).or_default() += amount(&row[2]);
    }
    assert_eq!(
        votes.keys().copied().collect::<BTreeSet<_>>(),
        users.iter().map(|u| u.address).collect::<BTreeSet<_>>(),
        "delegators: the genesis operator (its self-bond), carol (hers) and the three voters"
    );
    for user in users {
        let set = vote_set(&rpc, &user.address, height);
        let chain_shares: BTreeMap<Address, u128> = set.iter().map(|(c, (shares, _))| (*c, *shares)).collect();
        assert_eq!(votes[&user.address], chain_shares, "{}'s votes (shares) at {height}", user.name);
        let valued = pg.sql(
            &queries["votes_of"],
            &vars(&[at_height[0].clone(), ("delegator", delegator_spelling[&user.address].clone())]),
        );
        let sql_valued: BTreeMap<Address, (u128, u128)> =
            valued.iter().map(|r| (address(&r[0]), (amount(&r[1]), amount(&r[2])))).collect();
        assert_eq!(sql_valued, set, "{}'s votes (shares, tokens) at {height}", user.name);
    }
    let candidates = pg.sql(&queries["candidates"], &vars(&at_height));
    assert_eq!(candidates.len(), 2, "{candidates:?}");
    for row in &candidates {
        let operator = address(&row[0]);
        let (info, _) = rpc.query_json("staking/candidate", &json!({ "candidate": hex(&operator) }), height).unwrap();
        let chain = (
            amount(info["candidate"]["tokens"].as_str().unwrap()),
            amount(info["candidate"]["shares"].as_str().unwrap()),
        );
        assert_eq!((amount(&row[1]), amount(&row[2])), chain, "candidate {operator:?} (tokens, shares) at {height}");
    }

    // Transfers between the users in the funding and ring blocks: exactly those sent.
    let range = [("from", funded.height.to_string()), ("to", transfers_to.to_string())];
    let user_set: BTreeSet<Address> = users.iter().map(|u| u.address).collect();
    let mut listed: Vec<(Address, Address, u128, String)> = pg
        .sql(&queries["transfers"], &vars(&range))
        .into_iter()
        .map(|r| (address(&r[2]), address(&r[3]), amount(&r[5]), r[1].clone()))
        .filter(|(from, to, _, _)| user_set.contains(from) && user_set.contains(to))
        .collect();
    listed.sort();
    expected_transfers.sort();
    assert_eq!(listed, expected_transfers, "transfers between {} and {transfers_to}", funded.height);
    // The CLI's transfer, found without `/tx`, is indexed at the height the CLI reported.
    let at_cli = [("from", cli_height.to_string()), ("to", cli_height.to_string())];
    let by_cli_listed: Vec<(Address, Address, u128, String)> = pg
        .sql(&queries["transfers"], &vars(&at_cli))
        .into_iter()
        .map(|r| (address(&r[2]), address(&r[3]), amount(&r[5]), r[1].clone()))
        .filter(|(from, to, _, _)| user_set.contains(from) && user_set.contains(to))
        .collect();
    assert_eq!(by_cli_listed, vec![(validator.address, alice.address, 7_000_007, cli_hash)], "the CLI's transfer");

    // A failed transaction's events: its fee and CometBFT's `tx` meta-event, nothing else.
    let kinds = |hash: &str| -> BTreeSet<String> {
        pg.sql(&queries["tx_events_by_hash"], &vars(&[("hash", hash.to_string())]))
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(kinds(&failed.hash), BTreeSet::from(["tx".to_string(), "bank.fee".to_string()]));
    assert_eq!(
        kinds(&sent[0].hash),
        BTreeSet::from(["tx".to_string(), "bank.fee".to_string(), "bank.transfer".to_string()])
    );

    // Nothing was jailed; the query runs.
    assert_eq!(pg.sql(&queries["jailings"], &vars(&[])), Vec::<Vec<String>>::new());

    // With psql, CometBFT's RPC search is off (docs/indexing.md).
    for (method, params) in [
        ("tx", vec![("hash", format!("0x{}", failed.hash))]),
        ("tx_search", vec![("query", "\"tx.height>0\"".to_string())]),
    ] {
        let refused = rpc.call::<Value>(method, &params).expect_err("psql serves no RPC search");
        assert!(refused.to_string().contains("not supported"), "/{method}: {refused}");
    }

    net.nodes[0].assert_running();
    eprintln!(
        "rebuilt {} balances, {checked} historical balances and {} vote sets from {count} indexed blocks in {:.1?}",
        balances.len(),
        votes.len(),
        started.elapsed()
    );
}

// --- The chain ---------------------------------------------------------------------------

fn bank(msg: conclave_bank::Msg) -> appchain::Msg {
    appchain::Msg::Bank(msg)
}

fn send(to: Address, amount: u128) -> appchain::Msg {
    bank(conclave_bank::Msg::Send { to, amount: Coin::new("stake", amount) })
}

fn staking(msg: conclave_staking::Msg) -> appchain::Msg {
    appchain::Msg::Staking(msg)
}

fn voting(msg: conclave_voting::Msg) -> appchain::Msg {
    appchain::Msg::Voting(msg)
}

fn rewards(msg: conclave_rewards::Msg) -> appchain::Msg {
    appchain::Msg::Rewards(msg)
}

fn register(consensus_key: [u8; 32], moniker: &str, self_bond: u128) -> conclave_staking::Msg {
    conclave_staking::Msg::RegisterCandidate {
        consensus_key,
        commission: conclave_staking::CommissionRates {
            rate_ppb: 100_000_000,
            max_rate_ppb: 200_000_000,
            max_change_rate_ppb: 10_000_000,
        },
        description: conclave_staking::Description { moniker: moniker.into(), ..Default::default() },
        self_bond,
    }
}

/// Signs with local nonces and waits for inclusion with `broadcast_tx_commit` (the psql sink
/// serves no `/tx` to poll).
struct Sender {
    rpc: Rpc,
    chain_id: String,
    nonces: BTreeMap<Address, u64>,
    last_height: u64,
}

impl Sender {
    fn new(rpc: &Rpc, chain_id: &str) -> Sender {
        Sender { rpc: rpc.clone(), chain_id: chain_id.to_string(), nonces: BTreeMap::new(), last_height: 0 }
    }

    fn sign(&mut self, from: &TestAccount, msg: appchain::Msg) -> Vec<u8> {
        let nonce = self.nonces.entry(from.address).or_insert(0);
        // Enough gas for any message here; fees differ by message and the events say each.
        let options = TxOptions { gas_limit: 1_000_000, fee: Coin::new("stake", 1_000), ..TxOptions::default() };
        let options = if matches!(msg, appchain::Msg::Bank(_)) { TxOptions::default() } else { options };
        let tx = from.sign(&self.chain_id, *nonce, vec![msg], &options);
        *nonce += 1;
        tx
    }

    /// Sends one transaction and waits for its block; CheckTx must accept it.
    fn commit(&mut self, from: &TestAccount, msg: appchain::Msg) -> BroadcastTxCommit {
        let tx = self.sign(from, msg);
        let result =
            self.rpc.broadcast_tx_commit(&tx).unwrap_or_else(|e| panic!("{}: broadcast_tx_commit: {e}", from.name));
        assert_eq!(result.check_tx.code, 0, "{}: CheckTx refused: {}", from.name, result.check_tx.log);
        self.last_height = self.last_height.max(result.height);
        result
    }

    /// [`Sender::commit`], and the transaction succeeded.
    fn ok(&mut self, from: &TestAccount, msg: appchain::Msg) -> BroadcastTxCommit {
        let result = self.commit(from, msg);
        let r = &result.tx_result;
        assert_eq!(r.code, 0, "{}: failed in block {}: {}/{} {}", from.name, result.height, r.codespace, r.code, r.log);
        result
    }

    /// Transactions of different senders sent at once (so several share a block), each
    /// succeeding.
    fn ok_together(&mut self, txs: Vec<(&TestAccount, appchain::Msg)>) -> Vec<BroadcastTxCommit> {
        let signed: Vec<(String, Vec<u8>)> =
            txs.into_iter().map(|(from, msg)| (from.name.clone(), self.sign(from, msg))).collect();
        let results: Vec<(String, BroadcastTxCommit)> = std::thread::scope(|scope| {
            let handles: Vec<_> = signed
                .iter()
                .map(|(name, tx)| {
                    let rpc = self.rpc.clone();
                    scope.spawn(move || {
                        let result =
                            rpc.broadcast_tx_commit(tx).unwrap_or_else(|e| panic!("{name}: broadcast_tx_commit: {e}"));
                        (name.clone(), result)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a sender thread panicked")).collect()
        });
        for (name, result) in &results {
            assert_eq!(result.check_tx.code, 0, "{name}: CheckTx refused: {}", result.check_tx.log);
            let r = &result.tx_result;
            assert_eq!(r.code, 0, "{name}: failed in block {}: {}/{} {}", result.height, r.codespace, r.code, r.log);
            self.last_height = self.last_height.max(result.height);
        }
        results.into_iter().map(|(_, r)| r).collect()
    }
}

/// `staking/vote_set` of `delegator` at `height`: candidate → (shares, tokens).
fn vote_set(rpc: &Rpc, delegator: &Address, height: u64) -> BTreeMap<Address, (u128, u128)> {
    let (set, _) = rpc.query_json("staking/vote_set", &json!({ "delegator": hex(delegator) }), height).unwrap();
    set.as_array()
        .unwrap_or_else(|| panic!("vote_set answered {set}"))
        .iter()
        .map(|v| {
            let number = |key: &str| amount(v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}")));
            (address(v["candidate"].as_str().unwrap()), (number("shares"), number("tokens")))
        })
        .collect()
}

/// An address as text the chain reads whatever its prefix (40 hex characters are always
/// accepted), so the test never depends on the form events and queries write.
fn hex(address: &Address) -> String {
    ::hex::encode(address.as_bytes())
}

fn address(text: &str) -> Address {
    text.parse().unwrap_or_else(|e| panic!("{text:?} from the index is not an address: {e}"))
}

fn amount(text: &str) -> u128 {
    text.parse().unwrap_or_else(|e| panic!("{text:?} is not a non-negative amount: {e}"))
}

// --- The documented SQL --------------------------------------------------------------------

/// The ```sql blocks of docs/indexing.md, by the `-- name: NAME` of their first line.
fn documented_queries() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/indexing.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut queries = BTreeMap::new();
    let mut blocks = doc.split("```sql\n").skip(1);
    for block in blocks.by_ref() {
        let body = block.split("```").next().unwrap_or_default();
        if let Some(name) = body.lines().next().and_then(|l| l.strip_prefix("-- name: ")) {
            queries.insert(name.trim().to_string(), body.to_string());
        }
    }
    for name in [
        "views",
        "genesis",
        "balances",
        "balance_history",
        "votes",
        "votes_of",
        "candidates",
        "transfers",
        "tx_events_by_hash",
        "jailings",
        "indexed_blocks",
    ] {
        assert!(queries.contains_key(name), "docs/indexing.md has no ```sql block named `-- name: {name}`");
    }
    queries
}

/// CometBFT's `schema.sql` for the psql sink, from the Go module cache.
fn cometbft_schema() -> PathBuf {
    let mut caches = Vec::new();
    if let Some(cache) = std::env::var_os("GOMODCACHE").filter(|c| !c.is_empty()) {
        caches.push(PathBuf::from(cache));
    }
    if let Ok(out) = Command::new("go").args(["env", "GOMODCACHE"]).output() {
        let cache = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !cache.is_empty() {
            caches.push(PathBuf::from(cache));
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        caches.push(Path::new(&home).join("go/pkg/mod"));
    }
    let relative = format!("github.com/cometbft/cometbft@{COMETBFT_VERSION}/state/indexer/sink/psql/schema.sql");
    caches.iter().map(|c| c.join(&relative)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "CometBFT's psql schema ({relative}) is in no Go module cache ({caches:?}): run \
             scripts/install-cometbft.sh (`go install github.com/cometbft/cometbft/cmd/cometbft@{COMETBFT_VERSION}` \
             leaves the module's source there) or `go mod download github.com/cometbft/cometbft@{COMETBFT_VERSION}`"
        )
    })
}

// --- A throwaway PostgreSQL ----------------------------------------------------------------

/// A PostgreSQL cluster in a temporary directory, stopped on drop.
struct Postgres {
    server: Child,
    data: PathBuf,
    psql: PathBuf,
    port: u16,
    log: PathBuf,
    // Dropped after `Drop::drop` stopped the server.
    _dir: tempfile::TempDir,
}

impl Postgres {
    /// Starts a cluster, or returns `None` after saying why the test is skipped (a failure
    /// instead when `CONCLAVE_REQUIRE_POSTGRES=1`).
    fn start_or_skip() -> Option<Postgres> {
        let required = std::env::var("CONCLAVE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let missing = |why: String| {
            assert!(!required, "CONCLAVE_REQUIRE_POSTGRES=1 but {why}");
            eprintln!("SKIPPED under_cometbft_events_index_into_postgresql: {why} (CONCLAVE_REQUIRE_POSTGRES=1 makes this a failure)");
            None
        };
        let bin = match server_binaries() {
            Ok(bin) => bin,
            Err(why) => return missing(why),
        };
        let Some(psql) = Some(bin.join("psql")).filter(|p| p.is_file()).or_else(|| in_path("psql")) else {
            return missing(format!("PostgreSQL's client psql is neither in {} nor in PATH", bin.display()));
        };
        let as_postgres = if effective_uid() == 0 {
            match run_as_postgres() {
                Some(prefix) => Some(prefix),
                None => return missing(
                    "running as root, and PostgreSQL refuses root: there is no `postgres` user to run it as (or no \
                         setpriv/runuser)"
                        .to_string(),
                ),
            }
        } else {
            None
        };
        Some(Postgres::start(&bin, psql, as_postgres))
    }

    fn start(bin: &Path, psql: PathBuf, as_postgres: Option<(Vec<String>, (u32, u32))>) -> Postgres {
        let dir = tempfile::Builder::new().prefix("conclave-pg-").tempdir_in("/tmp").expect("a temporary directory");
        let command = |program: &str| -> Command {
            let program = bin.join(program);
            match &as_postgres {
                Some((prefix, _)) => {
                    let mut c = Command::new(&prefix[0]);
                    c.args(&prefix[1..]).arg(program);
                    c
                }
                None => Command::new(program),
            }
        };
        if let Some((_, (uid, gid))) = &as_postgres {
            std::os::unix::fs::chown(dir.path(), Some(*uid), Some(*gid))
                .expect("chown the cluster's directory to postgres");
        }
        let data = dir.path().join("data");
        let output = command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", ROLE, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .current_dir(dir.path())
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let log = dir.path().join("postgres.log");
        let log_file = std::fs::File::create(&log).expect("create the server log");
        let server = command("postgres")
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file)
            .spawn()
            .expect("start postgres");
        let mut pg = Postgres { server, data, psql, port, log, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = pg.server.try_wait() {
                panic!("postgres exited ({status}):\n{}", pg.log_tail());
            }
            let probe = pg.client("postgres").args(["-c", "SELECT 1"]).output().expect("run psql");
            if probe.status.success() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL accepts no connection after 30 s: {}\n{}",
                String::from_utf8_lossy(&probe.stderr),
                pg.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        pg
    }

    /// `psql` against `database` over TCP: unaligned, tuples only, fields separated by
    /// U+001F, stopping at the first error.
    fn client(&self, database: &str) -> Command {
        let mut c = Command::new(&self.psql);
        c.args(["-X", "-q", "-A", "-t", "-F", "\u{1f}", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args(["-p", &self.port.to_string(), "-U", ROLE, "-d", database])
            .env("PGCONNECT_TIMEOUT", "10");
        c
    }

    /// One statement against the maintenance database.
    fn admin(&self, statement: &str) {
        let output = self.client("postgres").args(["-c", statement]).output().expect("run psql");
        assert!(output.status.success(), "{statement}: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// Runs a SQL file against the index database.
    fn run_file(&self, file: &Path) {
        let output = self.client(DATABASE).arg("-f").arg(file).output().expect("run psql");
        assert!(output.status.success(), "psql -f {}: {}", file.display(), String::from_utf8_lossy(&output.stderr));
    }

    /// Runs `script` with psql variables `vars` (`:'name'` in the SQL); returns the rows.
    fn sql(&self, script: &str, vars: &[(&str, String)]) -> Vec<Vec<String>> {
        use std::io::Write;
        let mut command = self.client(DATABASE);
        for (name, value) in vars {
            command.arg("-v").arg(format!("{name}={value}"));
        }
        let mut child = command
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run psql");
        child.stdin.take().expect("psql's stdin").write_all(script.as_bytes()).expect("write the script to psql");
        let output = child.wait_with_output().expect("psql's output");
        assert!(output.status.success(), "psql failed: {}\n{script}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout)
            .expect("UTF-8 rows")
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| l.split('\u{1f}').map(str::to_string).collect())
            .collect()
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGQUIT to the postmaster (its pid is the first line of postmaster.pid; with
        // `runuser` the child is not the postmaster): an immediate shutdown.
        let pid = std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().map(str::to_string))
            .unwrap_or_else(|| self.server.id().to_string());
        let _ = Command::new("kill").args(["-QUIT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.server.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// The directory holding `initdb` and `postgres`, or why there is none.
fn server_binaries() -> Result<PathBuf, String> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("CONCLAVE_POSTGRES_BIN").map(PathBuf::from) {
        return if has_both(&dir) {
            Ok(dir)
        } else {
            Err(format!("$CONCLAVE_POSTGRES_BIN ({}) holds no initdb and postgres", dir.display()))
        };
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.into_iter().rev().find(|(_, dir)| has_both(dir)) {
        return Ok(dir);
    }
    // `initdb` in PATH, possibly a symbolic link into the real directory.
    in_path("initdb")
        .and_then(|initdb| Some(std::fs::canonicalize(initdb).ok()?.parent()?.to_path_buf()))
        .filter(|dir| has_both(dir))
        .ok_or_else(|| {
            "PostgreSQL's server binaries (initdb, postgres) are not installed: not in /usr/lib/postgresql/*/bin \
             nor in PATH (Debian: apt-get install postgresql; elsewhere set CONCLAVE_POSTGRES_BIN)"
                .to_string()
        })
}

fn in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

fn effective_uid() -> u32 {
    let output = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("id -u prints a number")
}

/// The command prefix that runs a program as the `postgres` user, and its uid and gid.
fn run_as_postgres() -> Option<(Vec<String>, (u32, u32))> {
    let id = |flag: &str| -> Option<u32> {
        let output = Command::new("id").args([flag, "postgres"]).output().ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().parse().ok())?
    };
    let ids = (id("-u")?, id("-g")?);
    // setpriv execs the program (the child is the postmaster); runuser forks.
    let prefix = if let Some(setpriv) = in_path("setpriv") {
        vec![
            setpriv.display().to_string(),
            "--reuid=postgres".into(),
            "--regid=postgres".into(),
            "--init-groups".into(),
            "--".into(),
        ]
    } else {
        let runuser =
            in_path("runuser").or_else(|| Some(PathBuf::from("/usr/sbin/runuser")).filter(|p| p.is_file()))?;
        vec![runuser.display().to_string(), "-u".into(), "postgres".into(), "--".into()]
    };
    Some((prefix, ids))
}
