//! The module contract carries CometBFT's `decided_last_commit` and `misbehavior` to every
//! hook: a test injects both through the test chain, and an app wrapping the app template
//! records what its begin- and end-block hooks were given. (The ABCI adapter's conversion
//! from protobuf is tested in `sdk/abci/src/convert.rs`.)

mod common;

use std::sync::{Arc, Mutex};

use appchain::{AppChain, Genesis, Msg};
use conclave_core::{
    Address, BlockIdFlag, BlockInfo, Coin, CommitInfo, Misbehavior, MisbehaviorKind, StateRead, StateWrite, TxContext,
    VoteInfo,
};
use conclave_runtime::{App, AppError, EndBlockOutput, FeeError, ValidatorUpdate};
use conclave_testkit::{TestChain, TxOptions};

/// The app template, plus a record of the block each hook saw.
#[derive(Clone, Default)]
struct Recording {
    chain: AppChain,
    seen: Arc<Mutex<Vec<(&'static str, BlockInfo)>>>,
}

impl Recording {
    fn record(&self, hook: &'static str, block: &BlockInfo) {
        self.seen.lock().unwrap().push((hook, block.clone()));
    }
}

impl App for Recording {
    type Msg = Msg;
    type Genesis = Genesis;

    fn state_prefixes(&self) -> Vec<&'static str> {
        self.chain.state_prefixes()
    }
    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), AppError> {
        self.chain.init_genesis(state, genesis)
    }
    fn genesis_validators(&self, state: &impl StateRead) -> Result<Vec<ValidatorUpdate>, AppError> {
        self.chain.genesis_validators(state)
    }
    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        self.chain.export_genesis(state)
    }
    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        self.chain.validate(msg)
    }
    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        self.record("deliver", ctx.block);
        self.chain.deliver(ctx, state, msg)
    }
    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        self.record("begin_block", block);
        self.chain.begin_block(&without_validators(block), state)
    }
    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError> {
        self.record("end_block", block);
        self.chain.end_block(&without_validators(block), state)
    }
    fn collect_fee(&self, state: &mut impl StateWrite, payer: &Address, fee: &Coin) -> Result<(), FeeError> {
        self.chain.collect_fee(state, payer, fee)
    }
    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, AppError> {
        self.chain.query(state, path, data)
    }
    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.chain.check_invariants(state)
    }
}

/// The block the wrapped chain runs: the injected validators are made up, and the chain's
/// slashing module would rightly stop the node on votes from validators its sets never held
/// (`docs/modules/slashing.md`, `UnknownSigner`).
fn without_validators(block: &BlockInfo) -> BlockInfo {
    BlockInfo { last_commit: CommitInfo::default(), misbehavior: Vec::new(), ..block.clone() }
}

#[test]
fn every_hook_sees_the_injected_last_commit_and_misbehavior() {
    let accounts = common::accounts();
    let app = Recording::default();
    let mut chain = TestChain::builder(app.clone(), common::genesis(&accounts)).build();

    // Block 1 as CometBFT sends it: nothing signed a previous block, no evidence.
    chain.produce_block(Vec::new());
    let first = app.seen.lock().unwrap().clone();
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(first.iter().all(|(_, b)| b.last_commit == CommitInfo::default() && b.misbehavior.is_empty()));

    // Block 2: one validator signed block 1, one was absent, one voted nil; one double-signed
    // at height 1.
    let last_commit = CommitInfo {
        round: 1,
        votes: vec![
            VoteInfo { validator: [1; 20], power: 100, flag: BlockIdFlag::Commit },
            VoteInfo { validator: [2; 20], power: 50, flag: BlockIdFlag::Absent },
            VoteInfo { validator: [3; 20], power: 25, flag: BlockIdFlag::Nil },
        ],
    };
    let evidence = Misbehavior {
        kind: MisbehaviorKind::DuplicateVote,
        validator: [3; 20],
        validator_power: 25,
        height: 1,
        time: chain.time(),
        total_voting_power: 175,
    };
    let mut request = chain.next_block();
    request.proposer = [9; 20];
    request.last_commit = last_commit.clone();
    request.misbehavior = vec![evidence];
    request.txs = vec![accounts[0].sign("test-chain", 0, vec![common::send(&accounts[1], 5)], &TxOptions::default())];
    let height = request.height;
    let time = request.time;
    let response = chain.produce_block_with(request);
    assert!(response.tx_results[0].is_ok(), "{:?}", response.tx_results[0]);

    let seen: Vec<_> = app.seen.lock().unwrap()[first.len()..].to_vec();
    let hooks: Vec<&str> = seen.iter().map(|(hook, _)| *hook).collect();
    assert_eq!(hooks, ["begin_block", "deliver", "end_block"]);
    for (hook, block) in &seen {
        assert_eq!((block.height, block.time, block.proposer), (height, time, [9; 20]), "{hook}");
        assert_eq!(block.last_commit, last_commit, "{hook}");
        assert_eq!(block.misbehavior, [evidence], "{hook}");
        assert!(!block.last_commit.votes[1].flag.signed() && block.last_commit.votes[0].flag.signed());
    }
    assert_eq!(chain.time(), time, "the chain's clock follows the injected block");
}
