//! Conversions between CometBFT's protobuf types (v0_38) and the runtime's own types.

use bytes::Bytes;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::crypto::{public_key, PublicKey};

use tendermint_proto::v0_38::types::BlockIdFlag as BlockIdFlagPb;

use conclave_core::{
    BlockIdFlag, BlockTime, CommitInfo, ConsensusAddress, Event, Misbehavior, MisbehaviorKind, VoteInfo,
};
use conclave_runtime::{TxResult, ValidatorUpdate};

/// A protobuf timestamp as block time; times before the epoch or malformed become an error.
pub fn block_time(time: Option<&Timestamp>) -> Result<BlockTime, String> {
    let time = time.ok_or("missing block time")?;
    let seconds = u64::try_from(time.seconds).map_err(|_| format!("block time {} is before 1970", time.seconds))?;
    let nanos = u64::try_from(time.nanos).map_err(|_| "negative nanoseconds in block time".to_string())?;
    if nanos >= BlockTime::NANOS_PER_SECOND {
        return Err("nanoseconds out of range in block time".into());
    }
    seconds
        .checked_mul(BlockTime::NANOS_PER_SECOND)
        .and_then(|n| n.checked_add(nanos))
        .map(BlockTime)
        .ok_or_else(|| "block time overflows".into())
}

/// InitChain's evidence parameters; absent ones (no `consensus_params`, or no `evidence`
/// in them) are CometBFT's defaults. Negative values are an error.
pub fn evidence_params(
    params: Option<&tendermint_proto::v0_38::types::ConsensusParams>,
) -> Result<conclave_core::EvidenceParams, String> {
    let Some(evidence) = params.and_then(|p| p.evidence.as_ref()) else {
        return Ok(conclave_core::EvidenceParams::default());
    };
    let max_age_num_blocks = u64::try_from(evidence.max_age_num_blocks)
        .map_err(|_| format!("negative evidence max_age_num_blocks {}", evidence.max_age_num_blocks))?;
    let max_age_duration_nanos = match &evidence.max_age_duration {
        None => conclave_core::EvidenceParams::default().max_age_duration_nanos,
        Some(d) => {
            let seconds = u64::try_from(d.seconds).map_err(|_| "negative evidence max_age_duration".to_string())?;
            let nanos = u64::try_from(d.nanos).map_err(|_| "negative evidence max_age_duration".to_string())?;
            seconds.saturating_mul(BlockTime::NANOS_PER_SECOND).saturating_add(nanos)
        }
    };
    Ok(conclave_core::EvidenceParams { max_age_num_blocks, max_age_duration_nanos })
}

/// A CometBFT height (i64) as ours; negative heights are an error.
pub fn height(height: i64) -> Result<u64, String> {
    u64::try_from(height).map_err(|_| format!("negative height {height}"))
}

/// Saturating u64 → i64 for gas and heights reported back to CometBFT.
pub fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A 20-byte proposer address; anything else becomes zeros (it is informational only).
pub fn proposer(bytes: &[u8]) -> [u8; 20] {
    <[u8; 20]>::try_from(bytes).unwrap_or([0; 20])
}

/// Our event as an ABCI event.
pub fn event(event: Event) -> pb::Event {
    pb::Event {
        r#type: event.kind,
        attributes: event
            .attributes
            .into_iter()
            .map(|a| pb::EventAttribute { key: a.key, value: a.value, index: a.index })
            .collect(),
    }
}

/// A transaction result as ABCI's `ExecTxResult`.
pub fn exec_tx_result(result: TxResult) -> pb::ExecTxResult {
    pb::ExecTxResult {
        code: result.code,
        data: Bytes::new(),
        log: result.log,
        info: String::new(),
        gas_wanted: to_i64(result.gas_wanted),
        gas_used: to_i64(result.gas_used),
        events: result.events.into_iter().map(event).collect(),
        codespace: result.codespace,
    }
}

/// A CheckTx outcome as ABCI's `ResponseCheckTx`.
pub fn check_tx_response(result: TxResult) -> pb::ResponseCheckTx {
    pb::ResponseCheckTx {
        code: result.code,
        data: Bytes::new(),
        log: result.log,
        info: String::new(),
        gas_wanted: to_i64(result.gas_wanted),
        gas_used: to_i64(result.gas_used),
        events: Vec::new(),
        codespace: result.codespace,
    }
}

/// A validator update (ed25519 only).
pub fn validator_update(update: ValidatorUpdate) -> pb::ValidatorUpdate {
    pb::ValidatorUpdate {
        pub_key: Some(PublicKey { sum: Some(public_key::Sum::Ed25519(update.pub_key.to_vec())) }),
        power: update.power,
    }
}

/// The proof type name in `ProofOp.type`: a borsh-encoded `conclave_proof::Proof`.
pub const PROOF_OP_TYPE: &str = "conclave/smt/v1";

/// A validator's address and power from CometBFT (`address` must be 20 bytes, power ≥ 0).
fn validator(validator: Option<&pb::Validator>) -> Result<(ConsensusAddress, u64), String> {
    let validator = validator.ok_or("missing validator")?;
    let address = <[u8; 20]>::try_from(validator.address.as_ref())
        .map_err(|_| format!("validator address has {} bytes, not 20", validator.address.len()))?;
    let power = u64::try_from(validator.power).map_err(|_| format!("negative validator power {}", validator.power))?;
    Ok((address, power))
}

/// `decided_last_commit` (absent at the first block: an empty commit).
pub fn last_commit(commit: Option<&pb::CommitInfo>) -> Result<CommitInfo, String> {
    let Some(commit) = commit else { return Ok(CommitInfo::default()) };
    let round = u32::try_from(commit.round).map_err(|_| format!("negative commit round {}", commit.round))?;
    let votes = commit
        .votes
        .iter()
        .map(|vote| {
            let (validator, power) = validator(vote.validator.as_ref())?;
            let flag = match BlockIdFlagPb::try_from(vote.block_id_flag) {
                Ok(BlockIdFlagPb::Absent) => BlockIdFlag::Absent,
                Ok(BlockIdFlagPb::Commit) => BlockIdFlag::Commit,
                Ok(BlockIdFlagPb::Nil) => BlockIdFlag::Nil,
                Ok(BlockIdFlagPb::Unknown) | Err(_) => {
                    return Err(format!("unknown block id flag {} in the last commit", vote.block_id_flag))
                }
            };
            Ok(VoteInfo { validator, power, flag })
        })
        .collect::<Result<_, String>>()?;
    Ok(CommitInfo { round, votes })
}

/// The block's evidence of misbehaviour.
pub fn misbehavior(evidence: &[pb::Misbehavior]) -> Result<Vec<Misbehavior>, String> {
    evidence
        .iter()
        .map(|m| {
            let kind = match pb::MisbehaviorType::try_from(m.r#type) {
                Ok(pb::MisbehaviorType::DuplicateVote) => MisbehaviorKind::DuplicateVote,
                Ok(pb::MisbehaviorType::LightClientAttack) => MisbehaviorKind::LightClientAttack,
                Ok(pb::MisbehaviorType::Unknown) | Err(_) => {
                    return Err(format!("unknown misbehavior type {}", m.r#type))
                }
            };
            let (validator, validator_power) = validator(m.validator.as_ref())?;
            let total_voting_power = u64::try_from(m.total_voting_power)
                .map_err(|_| format!("negative total voting power {}", m.total_voting_power))?;
            Ok(Misbehavior {
                kind,
                validator,
                validator_power,
                height: height(m.height)?,
                time: block_time(m.time.as_ref())?,
                total_voting_power,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pb_validator(byte: u8, power: i64) -> Option<pb::Validator> {
        Some(pb::Validator { address: Bytes::from(vec![byte; 20]), power })
    }

    #[test]
    fn the_last_commit_keeps_every_vote_with_its_flag() {
        let commit = pb::CommitInfo {
            round: 2,
            votes: vec![
                pb::VoteInfo { validator: pb_validator(1, 10), block_id_flag: BlockIdFlagPb::Commit as i32 },
                pb::VoteInfo { validator: pb_validator(2, 20), block_id_flag: BlockIdFlagPb::Absent as i32 },
                pb::VoteInfo { validator: pb_validator(3, 30), block_id_flag: BlockIdFlagPb::Nil as i32 },
            ],
        };
        let converted = last_commit(Some(&commit)).unwrap();
        assert_eq!(converted.round, 2);
        let flags: Vec<_> = converted.votes.iter().map(|v| (v.validator[0], v.power, v.flag)).collect();
        assert_eq!(flags, [(1, 10, BlockIdFlag::Commit), (2, 20, BlockIdFlag::Absent), (3, 30, BlockIdFlag::Nil)]);
        assert_eq!(last_commit(None).unwrap(), CommitInfo::default());
    }

    #[test]
    fn unknown_flags_negative_powers_and_short_addresses_are_refused() {
        let vote = |validator, flag: i32| pb::CommitInfo {
            round: 0,
            votes: vec![pb::VoteInfo { validator, block_id_flag: flag }],
        };
        let commit = BlockIdFlagPb::Commit as i32;
        assert!(last_commit(Some(&vote(pb_validator(1, 1), 0))).unwrap_err().contains("unknown block id flag"));
        assert!(last_commit(Some(&vote(pb_validator(1, 1), 9))).is_err());
        assert!(last_commit(Some(&vote(pb_validator(1, -1), commit))).unwrap_err().contains("negative"));
        let short = Some(pb::Validator { address: Bytes::from(vec![1; 19]), power: 1 });
        assert!(last_commit(Some(&vote(short, commit))).unwrap_err().contains("19 bytes"));
        assert!(last_commit(Some(&vote(None, commit))).is_err());
    }

    #[test]
    fn misbehavior_keeps_the_infraction_height_time_and_powers() {
        let evidence = pb::Misbehavior {
            r#type: pb::MisbehaviorType::DuplicateVote as i32,
            validator: pb_validator(7, 40),
            height: 12,
            time: Some(Timestamp { seconds: 100, nanos: 5 }),
            total_voting_power: 400,
        };
        let converted = misbehavior(std::slice::from_ref(&evidence)).unwrap();
        assert_eq!(
            converted,
            [Misbehavior {
                kind: MisbehaviorKind::DuplicateVote,
                validator: [7; 20],
                validator_power: 40,
                height: 12,
                time: BlockTime(100_000_000_005),
                total_voting_power: 400,
            }]
        );
        let attack = pb::Misbehavior { r#type: pb::MisbehaviorType::LightClientAttack as i32, ..evidence.clone() };
        assert_eq!(misbehavior(&[attack]).unwrap()[0].kind, MisbehaviorKind::LightClientAttack);
        let unknown = pb::Misbehavior { r#type: 0, ..evidence.clone() };
        assert!(misbehavior(&[unknown]).unwrap_err().contains("unknown misbehavior type"));
        let negative = pb::Misbehavior { total_voting_power: -1, ..evidence };
        assert!(misbehavior(&[negative]).is_err());
    }
}
