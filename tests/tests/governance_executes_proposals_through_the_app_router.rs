//! Governance in the app-template chain, in process, with its real router (`AppChain`'s
//! `ProposalRouter`) and the governance module account as the parameter authority:
//! - a passed parameter change is in force from the block whose end-block ended the vote,
//!   and not in the block before;
//! - a message any account may sign (a transfer) is refused at submission, changing nothing;
//! - a passed proposal whose message fails (a community-pool spend of more than the pool)
//!   changes nothing but its status (`failed`, with the failing code) and refunds the deposit.

mod common;

use common::*;
use conclave_core::BlockTime;
use conclave_runtime::QueryRequest;
use conclave_testkit::{TestAccount, TestChain, TxOptions};
use serde_json::{json, Value};

use appchain::{AppChain, Msg};

const VOTING_SECONDS: u64 = 60;
const DEPOSIT: u128 = 10_000_000;

fn governed_chain() -> TestChain<AppChain> {
    let mut genesis = genesis(&accounts());
    genesis.runtime.authority = Some(conclave_governance::authority_address());
    genesis.app.governance.params.voting_period_seconds = VOTING_SECONDS;
    let mut chain = TestChain::builder(AppChain::default(), genesis).build();
    chain.produce_empty_blocks(1);
    // The validator's whole balance is bonded: give it something to pay its vote's fee.
    let validator = TestAccount::named("validator");
    let fund = chain.deliver(sign(&chain, &accounts()[0], send(&validator, 1_000_000)));
    assert_eq!(fund.code, 0, "{}", fund.log);
    chain
}

fn query(chain: &TestChain<AppChain>, path: &str, data: Value, height: u64) -> Value {
    let response =
        chain.query(QueryRequest { path: path.into(), data: data.to_string().into_bytes(), height, prove: false });
    assert_eq!(response.code, 0, "{path}: {}", response.log);
    serde_json::from_slice(&response.value).unwrap()
}

fn governance(msg: conclave_governance::Msg) -> Msg {
    Msg::Governance(msg)
}

fn sign(chain: &TestChain<AppChain>, who: &TestAccount, msg: Msg) -> Vec<u8> {
    let nonce = chain.runtime().nonce(&who.address).unwrap();
    let options =
        TxOptions { gas_limit: 2_000_000, fee: conclave_core::Coin::new("stake", 2_000), ..TxOptions::default() };
    who.sign(chain.chain_id(), nonce, vec![msg], &options)
}

/// Alice submits `messages`; the validator votes yes; returns the proposal id.
fn submit_and_vote_yes(chain: &mut TestChain<AppChain>, messages: Vec<Msg>) -> u64 {
    let alice = &accounts()[0];
    let messages = messages.iter().map(|m| borsh::to_vec(m).unwrap()).collect();
    let submit =
        conclave_governance::Msg::Submit { title: "t".into(), summary: String::new(), messages, deposit: DEPOSIT };
    let result = chain.deliver(sign(chain, alice, governance(submit)));
    assert_eq!(result.code, 0, "{}", result.log);
    let page = query(chain, "governance/proposals", json!({}), 0);
    let id = page["proposals"].as_array().unwrap().last().unwrap()["id"].as_u64().unwrap();
    let validator = TestAccount::named("validator");
    let vote = conclave_governance::Msg::Vote { proposal: id, option: conclave_governance::VoteOption::Yes };
    let result = chain.deliver(sign(chain, &validator, governance(vote)));
    assert_eq!(result.code, 0, "{}", result.log);
    id
}

/// Produces blocks until proposal `id` ends; returns it.
fn run_until_ended(chain: &mut TestChain<AppChain>, id: u64) -> Value {
    chain.advance_time(VOTING_SECONDS * BlockTime::NANOS_PER_SECOND);
    for _ in 0..5 {
        chain.produce_empty_blocks(1);
        let proposal = query(chain, "governance/proposal", json!({ "proposal": id }), 0);
        if proposal["end_height"].is_u64() {
            return proposal;
        }
    }
    panic!("proposal {id} did not end")
}

#[test]
fn a_passed_parameter_change_is_in_force_from_the_block_that_ended_the_vote() {
    let mut chain = governed_chain();
    let mut params = query(&chain, "rotation/params", json!({}), 0);
    let old = params["max_validators"].as_u64().unwrap();
    params["max_validators"] = json!(old + 7);
    let change =
        Msg::Rotation(conclave_rotation::Msg::UpdateParams { params: serde_json::from_value(params).unwrap() });
    // Nobody but the authority may send it directly.
    let refused = chain.deliver(sign(&chain, &accounts()[0], change.clone()));
    assert_eq!(refused.codespace, "rotation", "{}", refused.log);

    let id = submit_and_vote_yes(&mut chain, vec![change]);
    let ended = run_until_ended(&mut chain, id);
    assert_eq!(ended["status"], "passed", "{ended}");
    assert_eq!(ended["descriptions"], json!(["rotation.update_params"]));
    let end = ended["end_height"].as_u64().unwrap();
    assert_eq!(query(&chain, "rotation/params", json!({}), end - 1)["max_validators"], json!(old));
    assert_eq!(query(&chain, "rotation/params", json!({}), end)["max_validators"], json!(old + 7));
    chain.runtime().check_invariants().unwrap();
}

#[test]
fn a_message_any_account_may_sign_is_refused_at_submission() {
    let mut chain = governed_chain();
    let alice = &accounts()[0];
    let transfer = borsh::to_vec(&send(&accounts()[1], 5)).unwrap();
    let submit = conclave_governance::Msg::Submit {
        title: "drain".into(),
        summary: String::new(),
        messages: vec![transfer],
        deposit: DEPOSIT,
    };
    let result = chain.deliver(sign(&chain, alice, governance(submit)));
    assert_eq!((result.codespace.as_str(), result.code), ("governance", 9), "{}", result.log);
    assert!(result.log.contains("may not be proposed"), "{}", result.log);
    let page = query(&chain, "governance/proposals", json!({}), 0);
    assert_eq!(page["proposals"], json!([]), "nothing was submitted");
}

#[test]
fn a_passed_proposal_whose_message_fails_changes_nothing_and_refunds() {
    let mut chain = governed_chain();
    let alice = &accounts()[0];
    let spend =
        Msg::Rewards(conclave_rewards::Msg::CommunityPoolSpend { recipient: alice.address, amount: u128::MAX / 4 });
    let id = submit_and_vote_yes(&mut chain, vec![spend]);
    let before_end = balance(&chain, &alice.address, "stake");
    let ended = run_until_ended(&mut chain, id);
    assert_eq!(ended["status"], "failed", "{ended}");
    assert!(ended["failure"].as_str().unwrap().contains("rewards"), "{ended}");
    assert_eq!(balance(&chain, &alice.address, "stake"), before_end + DEPOSIT, "the deposit is refunded");
    chain.runtime().check_invariants().unwrap();
}

#[test]
fn a_passed_community_pool_spend_pays_the_recipient() {
    let mut chain = governed_chain();
    // The community tax fills the pool block by block.
    chain.produce_empty_blocks(5);
    let pool = query(&chain, "rewards/community_pool", json!({}), 0)["amount"].to_string();
    let pool: u128 = pool.trim_matches('"').parse().unwrap_or_else(|e| panic!("{pool}: {e}"));
    assert!(pool > 10, "the pool has {pool}");
    let recipient = TestAccount::named("grantee");
    let spend = Msg::Rewards(conclave_rewards::Msg::CommunityPoolSpend { recipient: recipient.address, amount: 10 });
    let id = submit_and_vote_yes(&mut chain, vec![spend]);
    let ended = run_until_ended(&mut chain, id);
    assert_eq!(ended["status"], "passed", "{ended}");
    assert_eq!(ended["descriptions"], json!(["rewards.community_pool_spend"]));
    assert_eq!(balance(&chain, &recipient.address, "stake"), 10);
    chain.runtime().check_invariants().unwrap();
}
