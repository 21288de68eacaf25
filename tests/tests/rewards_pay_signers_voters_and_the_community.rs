//! The rewards module on the app-template chain, in process: the test chain keeps CometBFT's
//! view of the validator set, so every block carries a real last commit (and the largest
//! validator proposes). One test per rule of `docs/modules/rewards.md`.
//!
//! The network: four validators `v0`..`v3` (commission 10 %; self-bond 30,000,000 for `v0`
//! and 10,000,000 for the others, though rotation's power-share cap gives all four the same
//! CometBFT power), two voters `alice` and `bob`; blocks one hour apart, so each block mints a visible amount
//! (7 % a year of a 6,000,000,000 supply is about 48,000 an hour); inflation epochs of 10
//! blocks.

mod common;

use appchain::{AppChain, Genesis, GenesisValidator, Msg};
use conclave_core::{Address, BlockIdFlag, Event};
use conclave_runtime::{FinalizeBlockResponse, GenesisState, RuntimeGenesis, TxResult};
use conclave_testkit::{TestAccount, TestChain, TxOptions};
use serde_json::{json, Value};

const SELF_BOND: u128 = 10_000_000;
const FUNDS: u128 = 1_000_000_000;
const HOUR_NANOS: u64 = 3_600 * 1_000_000_000;
const YEAR_NANOS: u128 = 365 * 24 * 3_600 * 1_000_000_000;
const PPB: u128 = 1_000_000_000;
const FEE: u128 = 400;

struct Net {
    chain: TestChain<AppChain>,
    ops: Vec<TestAccount>,
    keys: Vec<[u8; 32]>,
    alice: TestAccount,
    bob: TestAccount,
}

fn consensus_key(i: usize) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([40 + i as u8; 32]).verification_key().to_bytes()
}

fn genesis() -> (GenesisState<Genesis>, Vec<TestAccount>) {
    let ops: Vec<TestAccount> = (0..4).map(|i| TestAccount::named(&format!("v{i}"))).collect();
    let mut balances: Vec<_> = ops.iter().map(|o| (o.address, FUNDS)).collect();
    balances.push((TestAccount::named("alice").address, FUNDS));
    balances.push((TestAccount::named("bob").address, FUNDS));
    let validators: Vec<GenesisValidator> = ops
        .iter()
        .enumerate()
        .map(|(i, o)| GenesisValidator {
            operator: o.address,
            consensus_key: consensus_key(i),
            moniker: format!("v{i}"),
            self_bond: if i == 0 { 3 * SELF_BOND } else { SELF_BOND },
        })
        .collect();
    let mut app = Genesis::for_network("stake", &balances).with_validators(&validators, 10);
    app.rewards.params.epoch_length = 10;
    (GenesisState { runtime: RuntimeGenesis::default(), app }, ops)
}

fn net() -> Net {
    let (genesis, ops) = genesis();
    let chain = TestChain::builder(AppChain::default(), genesis).block_interval_nanos(HOUR_NANOS).build();
    Net {
        chain,
        ops,
        keys: (0..4).map(consensus_key).collect(),
        alice: TestAccount::named("alice"),
        bob: TestAccount::named("bob"),
    }
}

fn amount(value: &Value) -> u128 {
    value.as_str().unwrap_or_else(|| panic!("{value} is not an amount string")).parse().unwrap()
}

fn attribute(event: &Event, name: &str) -> u128 {
    event.attribute(name).unwrap_or_else(|| panic!("{} has no {name}", event.kind)).parse().unwrap()
}

fn events<'a>(events: &'a [Event], kind: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
    events.iter().filter(move |e| e.kind == kind)
}

fn rewarded<'a>(response: &'a FinalizeBlockResponse, candidate: &Address) -> Option<&'a Event> {
    let candidate = candidate.to_string();
    events(&response.events, "rewards.validator_rewarded")
        .find(|e| e.attribute("candidate") == Some(candidate.as_str()))
}

impl Net {
    fn send(&mut self, from: &TestAccount, msg: Msg) -> TxResult {
        let options =
            TxOptions { gas_limit: 400_000, fee: conclave_core::Coin::new("stake", FEE), ..TxOptions::default() };
        let tx = from.sign(self.chain.chain_id(), self.chain.nonce(from), vec![msg], &options);
        self.chain.deliver(tx)
    }

    /// Delivers `msg` in a block that validator `proposer` proposes.
    fn deliver_proposed_by(
        &mut self,
        proposer: usize,
        from: &TestAccount,
        msg: Msg,
    ) -> (FinalizeBlockResponse, TxResult) {
        let options =
            TxOptions { gas_limit: 400_000, fee: conclave_core::Coin::new("stake", FEE), ..TxOptions::default() };
        let mut request = self.chain.next_block();
        request.txs = vec![from.sign(self.chain.chain_id(), self.chain.nonce(from), vec![msg], &options)];
        request.proposer = conclave_core::consensus_address(&self.keys[proposer]);
        let mut response = self.chain.produce_block_with(request);
        let result = response.tx_results.remove(0);
        (response, result)
    }

    fn query(&self, path: &str, request: Value) -> Value {
        self.chain.query_json(path, &request).unwrap()
    }

    fn balance(&self, who: &TestAccount) -> u128 {
        common::balance(&self.chain, &who.address, "stake")
    }

    fn pending(&self, delegator: &TestAccount, candidate: Option<usize>) -> Value {
        match candidate {
            Some(i) => self
                .query("rewards/pending", json!({ "delegator": delegator.address, "candidate": self.ops[i].address })),
            None => self.query("rewards/pending", json!({ "delegator": delegator.address })),
        }
    }

    fn commission(&self, i: usize) -> u128 {
        amount(&self.query("rewards/validator", json!({ "candidate": self.ops[i].address }))["commission"])
    }

    fn vote(&mut self, from: &TestAccount, candidate: usize, amount: u128) {
        let candidate = self.ops[candidate].address;
        let result = self.send(from, Msg::Voting(conclave_voting::Msg::Vote { candidate, amount }));
        assert!(result.is_ok(), "{result:?}");
    }

    fn claim(&mut self, from: &TestAccount, candidate: Option<usize>) -> TxResult {
        let candidate = candidate.map(|i| self.ops[i].address);
        self.send(from, Msg::Rewards(conclave_rewards::Msg::Claim { candidate }))
    }

    fn claimed(result: &TxResult) -> u128 {
        events(&result.events, "rewards.claimed").map(|e| attribute(e, "amount")).sum()
    }

    /// The CometBFT power of each validator in the set that signs `height`.
    fn powers_at(&self, height: u64) -> [u128; 4] {
        let set = self.chain.consensus().set_at(height);
        std::array::from_fn(|i| u128::from(set.get(&self.keys[i]).copied().unwrap_or(0)))
    }

    fn absent(&mut self, i: usize) {
        self.chain.set_vote(&self.keys[i], BlockIdFlag::Absent);
    }
}

#[test]
fn a_blocks_fees_and_issuance_go_to_the_community_the_proposer_and_the_signers_as_documented() {
    let mut n = net();
    let first = n.chain.produce_block(Vec::new());
    // The first block has no last commit: nothing is minted yet (the clock starts), and
    // whatever it collected goes to the community pool.
    let distributed = events(&first.events, "rewards.distributed").next().unwrap();
    assert_eq!(attribute(distributed, "minted"), 0);
    assert_eq!(attribute(distributed, "validators"), 0);
    assert_eq!(rewarded(&first, &n.ops[0].address), None);

    let annual = amount(&n.query("rewards/minter", json!({}))["annual_provisions"]);
    assert_eq!(annual, 6 * FUNDS * 7 / 100, "7 % of the genesis supply");
    let alice = n.alice.clone();
    let result = n.send(&alice, common::send(&n.bob, 1_000));
    assert!(result.is_ok());
    let block = n.chain.produce_block(Vec::new());

    // The block after alice's transfer: its fee, plus an hour's issuance (with the carry of
    // the hour before).
    let distributed = events(&block.events, "rewards.distributed").next().unwrap();
    let (fees, minted) = (attribute(distributed, "fees"), attribute(distributed, "minted"));
    assert_eq!(fees, FEE);
    let hour = u128::from(HOUR_NANOS);
    assert_eq!(minted, annual * 2 * hour / YEAR_NANOS - annual * hour / YEAR_NANOS);
    let collected = fees + minted;
    // 2 % tax; the proposer gets 1 % + 3 % × (signed power / power) = 4 %
    // of the rest; the signers split what remains by their CometBFT power (rotation caps
    // v0's share), rounded down; each gives 10 % commission; every remainder goes to the
    // community.
    let powers = n.powers_at(n.chain.height() - 1);
    let total: u128 = powers.iter().sum();
    let after_tax = collected * (PPB - 20_000_000) / PPB;
    let bonus = after_tax * 40_000_000 / PPB;
    let parts = powers.map(|p| (after_tax - bonus) * p / total);
    let given: u128 = parts.iter().sum();
    assert_eq!(attribute(distributed, "proposer_bonus"), bonus);
    assert_eq!(attribute(distributed, "validators"), given);
    assert_eq!(attribute(distributed, "community"), collected - after_tax + (after_tax - bonus - given));
    // The proposer is the first of the last commit: the highest power (v0, or one tied with it).
    let proposer = (0..4)
        .find(|i| rewarded(&block, &n.ops[*i].address).is_some_and(|e| attribute(e, "proposer_bonus") == bonus))
        .expect("one validator got the proposer bonus");
    assert_eq!(powers[proposer], *powers.iter().max().unwrap());
    for (i, op) in n.ops.iter().enumerate() {
        let event = rewarded(&block, &op.address).unwrap_or_else(|| panic!("v{i} signed and is rewarded"));
        let expected = if i == proposer { parts[i] + bonus } else { parts[i] };
        assert_eq!(attribute(event, "amount"), expected, "v{i}");
        assert_eq!(attribute(event, "commission"), expected / 10, "v{i}: 10 %, rounded down");
        assert_eq!(attribute(event, "delegators"), expected - expected / 10, "v{i}");
    }
}

#[test]
fn a_validator_absent_from_the_last_commit_earns_nothing_for_that_block() {
    let mut n = net();
    n.chain.produce_empty_blocks(3);
    let before = n.commission(1);
    n.absent(1);
    let block = n.chain.produce_block(Vec::new());
    assert_eq!(rewarded(&block, &n.ops[1].address), None, "v1 missed the block: nothing");
    assert!(rewarded(&block, &n.ops[0].address).is_some());
    assert_eq!(n.commission(1), before);
    // The proposer bonus shrinks with the signed power: 1 % + 3 % × signed / total.
    let powers = n.powers_at(n.chain.height() - 1);
    let total: u128 = powers.iter().sum();
    let bonus_ppb = 10_000_000 + 30_000_000 * (total - powers[1]) / total;
    let distributed = events(&block.events, "rewards.distributed").next().unwrap();
    let collected = attribute(distributed, "fees") + attribute(distributed, "minted");
    let after_tax = collected * (PPB - 20_000_000) / PPB;
    assert_eq!(attribute(distributed, "proposer_bonus"), after_tax * bonus_ppb / PPB);
    // Back online, it earns again.
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Commit);
    let block = n.chain.produce_block(Vec::new());
    assert!(rewarded(&block, &n.ops[1].address).is_some());
    assert!(n.commission(1) > before);
}

#[test]
fn a_claim_pays_exactly_what_the_pending_query_reported() {
    let mut n = net();
    let alice = n.alice.clone();
    n.vote(&alice, 3, 2_000_000); // a sixth of v3's stake
    n.chain.produce_empty_blocks(5);
    // v3 sits the next blocks out, so the claim's block adds nothing to what was queried.
    n.absent(3);
    n.chain.produce_empty_blocks(1);
    let pending = n.pending(&alice, Some(3));
    let owed = amount(&pending["total"]);
    assert!(owed > 1_000, "five blocks of a sixth of a validator's delegators' part: {owed}");
    let balance = n.balance(&alice);
    // The claim's block, proposed by v0: a proposer absent from the last commit (as v3 could
    // be: rotation gives all four the same power, and the first vote of the commit proposes)
    // still gets the proposer bonus.
    let claim = Msg::Rewards(conclave_rewards::Msg::Claim { candidate: Some(n.ops[3].address) });
    let (response, result) = n.deliver_proposed_by(0, &alice, claim.clone());
    assert_eq!(rewarded(&response, &n.ops[3].address), None, "v3 earned nothing in the claim's block");
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(Net::claimed(&result), owed);
    assert_eq!(n.balance(&alice), balance + owed - FEE);
    assert_eq!(amount(&n.pending(&alice, Some(3))["total"]), 0);
    // Nothing left: a second claim is refused with NothingToClaim, and changes nothing but its fee.
    let (_, result) = n.deliver_proposed_by(0, &alice, claim);
    assert_eq!((result.codespace.as_str(), result.code), ("rewards", 9));
    assert_eq!(n.balance(&alice), balance + owed - 2 * FEE);
}

#[test]
fn claiming_all_pays_every_candidate_in_one_transaction() {
    let mut n = net();
    let bob = n.bob.clone();
    n.vote(&bob, 1, 2_000_000);
    n.vote(&bob, 2, 3_000_000);
    n.chain.produce_empty_blocks(3);
    n.absent(1);
    n.absent(2);
    n.chain.produce_empty_blocks(1);
    let pending = n.pending(&bob, None);
    let per_candidate = pending["rewards"].as_array().unwrap();
    assert_eq!(per_candidate.len(), 2);
    assert!(per_candidate.iter().all(|p| amount(&p["amount"]) > 0), "{pending}");
    let result = n.claim(&bob, None);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(events(&result.events, "rewards.claimed").count(), 2);
    assert_eq!(Net::claimed(&result), amount(&pending["total"]));
}

#[test]
fn commission_accrues_to_the_operator_who_withdraws_it_once() {
    let mut n = net();
    n.chain.produce_empty_blocks(4);
    n.absent(2);
    n.chain.produce_empty_blocks(1);
    let commission = n.commission(2);
    assert!(commission > 0);
    let operator = n.ops[2].clone();
    let balance = n.balance(&operator);
    let result = n.send(&operator, Msg::Rewards(conclave_rewards::Msg::WithdrawCommission));
    assert!(result.is_ok(), "{result:?}");
    let withdrawn = events(&result.events, "rewards.commission_withdrawn").next().unwrap();
    assert_eq!(attribute(withdrawn, "amount"), commission);
    assert_eq!(n.balance(&operator), balance + commission - FEE);
    assert_eq!(n.commission(2), 0);
    let result = n.send(&operator, Msg::Rewards(conclave_rewards::Msg::WithdrawCommission));
    assert_eq!((result.codespace.as_str(), result.code), ("rewards", 10), "NoCommission");
}

#[test]
fn rewards_stay_claimable_after_the_voter_undelegates_or_redelegates() {
    let mut n = net();
    let (alice, bob) = (n.alice.clone(), n.bob.clone());
    n.vote(&alice, 3, 5_000_000);
    n.vote(&bob, 2, 5_000_000);
    n.chain.produce_empty_blocks(4);
    let (v2, v3) = (n.ops[2].address, n.ops[3].address);
    // Alice undelegates everything; bob moves everything to v1.
    let result = n.send(&alice, Msg::Voting(conclave_voting::Msg::Undelegate { candidate: v3, amount: 5_000_000 }));
    assert!(result.is_ok(), "{result:?}");
    let result = n.send(
        &bob,
        Msg::Voting(conclave_voting::Msg::Redelegate { source: v2, destination: n.ops[1].address, amount: 5_000_000 }),
    );
    assert!(result.is_ok(), "{result:?}");
    n.chain.produce_empty_blocks(2);
    // Their shares are gone, so what they earned before no longer grows, and stays theirs.
    let alice_owed = amount(&n.pending(&alice, Some(3))["total"]);
    let bob_owed = amount(&n.pending(&bob, Some(2))["total"]);
    assert!(alice_owed > 0 && bob_owed > 0, "{alice_owed} {bob_owed}");
    n.chain.produce_empty_blocks(2);
    assert_eq!(amount(&n.pending(&alice, Some(3))["total"]), alice_owed, "no shares, no growth");
    let result = n.claim(&alice, None);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(Net::claimed(&result), alice_owed);
    let result = n.claim(&bob, Some(2));
    assert_eq!(Net::claimed(&result), bob_owed);
    // The closed records are gone: nothing is listed for alice any more.
    assert_eq!(n.pending(&alice, None)["rewards"], json!([]));
}

#[test]
fn a_tombstoned_candidates_voters_still_claim_what_they_earned() {
    let mut n = net();
    let alice = n.alice.clone();
    n.vote(&alice, 3, 10_000_000);
    n.chain.produce_empty_blocks(4);
    // v3 double-signs at the previous height: slashed 5 % and tombstoned.
    let mut request = n.chain.next_block();
    request.misbehavior = vec![n.chain.duplicate_vote(&n.keys[3], n.chain.height() - 1)];
    n.chain.produce_block_with(request);
    let candidate = n.query("staking/candidate", json!({ "candidate": n.ops[3].address }));
    assert_eq!(candidate["candidate"]["status"], "tombstoned");
    // It leaves the set within two blocks; from then on its shares earn nothing.
    n.chain.produce_empty_blocks(3);
    let owed = amount(&n.pending(&alice, Some(3))["total"]);
    assert!(owed > 0);
    n.chain.produce_empty_blocks(2);
    assert_eq!(amount(&n.pending(&alice, Some(3))["total"]), owed);
    let result = n.claim(&alice, Some(3));
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(Net::claimed(&result), owed);
}

#[test]
fn inflation_rises_toward_the_goal_and_the_supply_grows_only_by_what_is_minted() {
    let mut n = net();
    let supply = |n: &Net| amount(&n.query("bank/supply", json!({ "denom": "stake" }))["amount"]);
    n.chain.produce_empty_blocks(1);
    assert_eq!(supply(&n), 6 * FUNDS, "the first block starts the clock: nothing minted yet");
    n.chain.produce_empty_blocks(24); // two epochs
    let minter = n.query("rewards/minter", json!({}));
    let inflation = minter["inflation_ppb"].as_u64().unwrap();
    // Under 1 % is bonded, far below the 2/3 goal: the rate rises by up to 13 % a year,
    // prorated: 20 hours give 13 % × 20 / 8760 ≈ 0.0297 %.
    assert!(inflation > 70_000_000 && inflation < 70_400_000, "{inflation}");
    let totals = n.query("rewards/totals", json!({}));
    let minted = amount(&totals["minted"]);
    assert!(minted > 24 * 47_000, "{minted}");
    assert_eq!(supply(&n), 6 * FUNDS + minted, "nothing burned: the supply is genesis + minted");
    // The community pool holds the tax and the dust.
    let pool = amount(&n.query("rewards/community_pool", json!({}))["amount"]);
    assert!(pool >= minted / 50, "at least 2 %: {pool} of {minted}");
}

#[test]
fn rewards_records_survive_an_export_and_import() {
    let mut n = net();
    let (alice, bob) = (n.alice.clone(), n.bob.clone());
    n.vote(&alice, 3, 5_000_000);
    n.vote(&bob, 0, 7_000_000);
    n.chain.produce_empty_blocks(4);
    let exported = n.chain.export_genesis();
    assert!(!exported["app"]["rewards"]["votes"].as_array().unwrap().is_empty());
    let imported = TestChain::builder(AppChain::default(), Default::default())
        .build_with_app_state(serde_json::to_vec(&exported).unwrap())
        .unwrap();
    assert_eq!(imported.genesis_app_hash(), n.chain.app_hash());
    // The records came back byte for byte (the roots agree); the rewards are still claimable.
    let owed = amount(&n.pending(&alice, Some(3))["total"]);
    assert!(owed > 0);
    let mut imported = imported;
    let options = TxOptions { gas_limit: 400_000, fee: conclave_core::Coin::new("stake", FEE), ..TxOptions::default() };
    let claim = Msg::Rewards(conclave_rewards::Msg::Claim { candidate: Some(n.ops[3].address) });
    let tx = alice.sign(imported.chain_id(), n.chain.nonce(&alice), vec![claim], &options); // the nonce is in the state
    let result = imported.deliver(tx);
    assert!(result.is_ok(), "{result:?}");
    assert!(Net::claimed(&result) >= owed, "{} < {owed}", Net::claimed(&result));
}
