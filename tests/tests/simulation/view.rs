//! What the operation generator reads from the chain: a per-block snapshot of the candidates
//! and parameters, and per-account queries (balance, vote set, unbondings, pending rewards),
//! all through the chain's JSON query paths, as a client would. Reads are of committed state,
//! so operations in one block do not see each other.

use appchain::{AppChain, DENOM};
use conclave_core::{Address, BlockTime, Coin};
use conclave_rewards::query::{Pending, ValidatorRewardsAnswer};
use conclave_staking::query::{CandidateInfo, DelegationInfo, Page, VoteInfo};
use conclave_staking::{RedelegationEntry, Status, UnbondingEntry};
use conclave_testkit::TestChain;
use serde_json::json;

/// The chain as the generator sees it at the start of a block.
pub struct Snapshot {
    /// Every candidate, by status then operator.
    pub candidates: Vec<CandidateInfo>,
    /// Time of the last block.
    pub now: BlockTime,
    /// Staking's parameters.
    pub staking: conclave_staking::Params,
    /// Voting's parameters.
    pub voting: conclave_voting::Params,
}

impl Snapshot {
    /// Reads the candidates and parameters of the last committed block.
    pub fn take(chain: &TestChain<AppChain>) -> Self {
        let mut candidates = Vec::new();
        for status in Status::ALL {
            let mut start_after: Option<Address> = None;
            loop {
                let page: Page<CandidateInfo, Address> = query(
                    chain,
                    "staking/candidates_by_status",
                    json!({ "status": status, "start_after": start_after, "limit": 200 }),
                );
                candidates.extend(page.items);
                match page.next {
                    Some(next) => start_after = Some(next),
                    None => break,
                }
            }
        }
        Self {
            candidates,
            now: chain.time(),
            staking: query(chain, "staking/params", json!({})),
            voting: query(chain, "voting/params", json!({})),
        }
    }

    /// Candidates that accept stake from anyone (not tombstoned, not exited).
    pub fn open(&self) -> impl Iterator<Item = &CandidateInfo> {
        self.candidates.iter().filter(|c| !matches!(c.candidate.status, Status::Tombstoned | Status::Exited))
    }

    /// Candidates with `status`.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &CandidateInfo> {
        self.candidates.iter().filter(move |c| c.candidate.status == status)
    }

    /// What `shares` of `candidate` are worth, rounded up (0 for an unknown candidate or one
    /// without shares).
    pub fn value_up(&self, candidate: &Address, shares: u128) -> u128 {
        self.candidate(candidate).map_or(0, |c| {
            let (tokens, total) = (c.candidate.tokens, c.candidate.shares);
            if total == 0 {
                return 0;
            }
            shares.saturating_mul(tokens).div_ceil(total)
        })
    }

    /// The candidate of `operator`, if registered.
    pub fn candidate(&self, operator: &Address) -> Option<&CandidateInfo> {
        self.candidates.iter().find(|c| c.candidate.operator == *operator)
    }
}

/// A query that must succeed: a failure here is a broken query path, not a refused operation.
fn query<T: serde::de::DeserializeOwned>(chain: &TestChain<AppChain>, path: &str, request: serde_json::Value) -> T {
    chain
        .query_json(path, &request)
        .unwrap_or_else(|response| panic!("query {path} {request} failed: {}: {}", response.code, response.log))
}

/// The account's liquid balance in the bond denomination.
pub fn balance(chain: &TestChain<AppChain>, address: &Address) -> u128 {
    query::<Coin>(chain, "bank/balance", json!({ "address": address, "denom": DENOM })).amount
}

/// The account's vote set, with what each vote is worth.
pub fn vote_set(chain: &TestChain<AppChain>, delegator: &Address) -> Vec<VoteInfo> {
    query(chain, "staking/vote_set", json!({ "delegator": delegator }))
}

/// The first delegators of `candidate` (one page of up to 200, by address).
pub fn delegators(chain: &TestChain<AppChain>, candidate: &Address) -> Vec<Address> {
    let page: Page<DelegationInfo, Address> =
        query(chain, "staking/delegations", json!({ "candidate": candidate, "limit": 200 }));
    page.items.into_iter().map(|d| d.delegator).collect()
}

/// The account's unbonding entries.
pub fn unbondings(chain: &TestChain<AppChain>, delegator: &Address) -> Vec<UnbondingEntry> {
    query(chain, "staking/unbondings", json!({ "delegator": delegator }))
}

/// The account's redelegation entries.
pub fn redelegations(chain: &TestChain<AppChain>, delegator: &Address) -> Vec<RedelegationEntry> {
    query(chain, "staking/redelegations", json!({ "delegator": delegator }))
}

/// What a claim would pay the account now, per candidate.
pub fn pending(chain: &TestChain<AppChain>, delegator: &Address) -> Pending {
    query(chain, "rewards/pending", json!({ "delegator": delegator }))
}

/// A candidate's rewards records (its commission not yet withdrawn).
pub fn validator_rewards(chain: &TestChain<AppChain>, candidate: &Address) -> ValidatorRewardsAnswer {
    query(chain, "rewards/validator", json!({ "candidate": candidate }))
}
