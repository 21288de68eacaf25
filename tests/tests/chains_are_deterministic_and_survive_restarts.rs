//! The same block sequence gives the same app hash at every height, on two fresh chains, and on
//! a chain that is stopped and reopened from disk part-way through.

mod common;

use appchain::{AppChain, Msg};
use common::*;
use conclave_bank::Output;
use conclave_core::Coin;
use conclave_store::StoreConfig;
use conclave_testkit::{TestAccount, TestChain, TxOptions};

/// A deterministic block sequence: transfers, multi-sends and some failing transactions,
/// with explicit nonces so the same bytes are produced on every chain.
fn blocks(count: u64) -> Vec<Vec<Vec<u8>>> {
    let accounts = accounts();
    let mut nonces = vec![0u64; accounts.len()];
    let mut out = Vec::new();
    for height in 0..count {
        let mut txs = Vec::new();
        for i in 0..3usize {
            let from_index = (height as usize + i) % accounts.len();
            let from: &TestAccount = &accounts[from_index];
            let to = &accounts[(from_index + 1 + i) % accounts.len()];
            let amount = u128::from(height) * 7 + i as u128 + 1;
            let msg = match (height + i as u64) % 4 {
                0 => Msg::Bank(conclave_bank::Msg::MultiSend {
                    outputs: vec![
                        Output { to: to.address, amount: Coin::new("stake", amount) },
                        Output { to: accounts[(from_index + 2) % 4].address, amount: Coin::new("atom", 1) },
                    ],
                }),
                // A failing transfer (to self): fee and nonce still change state.
                3 => send(from, amount),
                _ => send(to, amount),
            };
            txs.push(from.sign("test-chain", nonces[from_index], vec![msg], &TxOptions::default()));
            nonces[from_index] += 1;
        }
        out.push(txs);
    }
    out
}

fn run(chain: &mut TestChain<AppChain>, blocks: &[Vec<Vec<u8>>]) {
    for txs in blocks {
        chain.produce_block(txs.clone());
    }
}

#[test]
fn two_fresh_chains_agree_at_every_height() {
    let sequence = blocks(30);
    let mut a = chain();
    let mut b = chain();
    assert_eq!(a.genesis_app_hash(), b.genesis_app_hash());
    run(&mut a, &sequence);
    run(&mut b, &sequence);
    assert_eq!(a.app_hashes(), b.app_hashes());
    // The sequence really changes state: hashes differ from block to block.
    let distinct: std::collections::BTreeSet<_> = a.app_hashes().iter().map(|(_, h)| *h).collect();
    assert_eq!(distinct.len(), 30);
}

#[test]
fn stopping_and_reopening_mid_sequence_changes_nothing() {
    let sequence = blocks(24);
    let mut reference = chain();
    run(&mut reference, &sequence);

    let dir = tempfile::tempdir().unwrap();
    // Small retention and checkpoint interval, so reopening crosses checkpoints and pruning.
    let config = StoreConfig { keep_versions: 3, checkpoint_interval: 2 };
    let mut restarted = builder().on_disk(dir.path()).store_config(config).build();
    for (i, chunk) in sequence.chunks(5).enumerate() {
        run(&mut restarted, chunk);
        restarted = restarted.reopen();
        assert_eq!(restarted.height(), ((i * 5) + chunk.len()) as u64);
    }
    // `app_hashes` spans the restarts: every height was produced by a reopened node.
    assert!(restarted.app_hashes() == reference.app_hashes(), "app hashes diverged after a restart");
    assert_eq!(restarted.app_hash(), reference.app_hash());
}

#[test]
fn a_block_finalized_but_not_committed_is_redone_after_restart() {
    let sequence = blocks(6);
    let dir = tempfile::tempdir().unwrap();
    let mut node = builder().on_disk(dir.path()).build();
    run(&mut node, &sequence[..5]);
    let committed = node.app_hash();
    // A crash between FinalizeBlock and Commit: block 6 is executed, never committed.
    let uncommitted = node.finalize_without_commit(sequence[5].clone());
    assert_ne!(uncommitted.app_hash, committed);
    let node = node.reopen();
    assert_eq!(node.height(), 5);
    assert_eq!(node.app_hash(), committed);
    let mut node = node;
    let redone = node.produce_block(sequence[5].clone());
    assert_eq!(redone.app_hash, uncommitted.app_hash);

    let mut reference = chain();
    run(&mut reference, &sequence);
    assert_eq!(node.app_hash(), reference.app_hash());
}
