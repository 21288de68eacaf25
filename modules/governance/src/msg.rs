//! Governance messages. Wire format: borsh; the first byte is the variant's position (its
//! tag). **Append only.** Handlers are in [`crate::proposal`] and [`crate::delegation`].

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::Address;

use crate::error::GovernanceError;
use crate::params::{caps, Params};
use crate::types::VoteOption;

/// A governance message.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Submits a proposal with a first deposit from the signer. `messages` are
    /// borsh-encoded app messages (the chain's `Msg`), each checked by the app's router: it
    /// must decode, validate and be one only the parameter authority may sign. Empty: a text
    /// proposal.
    Submit {
        /// Title, 1 to `max_title_len` bytes.
        title: String,
        /// Summary, up to `max_summary_len` bytes.
        summary: String,
        /// Up to `max_messages` messages of up to `max_message_bytes` each (hex in JSON).
        #[serde(with = "crate::types::hex_list")]
        messages: Vec<Vec<u8>>,
        /// First deposit, tokens of the bond denomination; positive.
        #[serde(with = "conclave_core::coin::amount_string")]
        deposit: u128,
    },
    /// Tag 1. Adds to a proposal's deposits (deposit period only).
    Deposit {
        /// The proposal.
        proposal: u64,
        /// Tokens of the bond denomination; positive.
        #[serde(with = "conclave_core::coin::amount_string")]
        amount: u128,
    },
    /// Tag 2. Votes (or changes the vote) on a proposal in its voting period. The signer's
    /// vote counts for all its stake at the snapshot, replacing what it would inherit.
    Vote {
        /// The proposal.
        proposal: u64,
        /// The option.
        option: VoteOption,
    },
    /// Tag 3. Gives the signer's governance power to `to` (its vote then counts for the
    /// signer unless the signer votes itself), or takes it back (`None`). Stake does not move.
    Delegate {
        /// The delegate, or `None` to clear.
        to: Option<Address>,
    },
    /// Tag 4. Replaces the parameters; only the chain's parameter authority may sign it.
    UpdateParams {
        /// The new parameters, whole.
        params: Params,
    },
}

/// Stateless checks (the parameters' tighter bounds are checked at delivery).
pub fn validate(msg: &Msg) -> Result<(), GovernanceError> {
    match msg {
        Msg::Submit { title, summary, messages, deposit } => {
            check_lengths(title, summary, messages, caps::TITLE, caps::SUMMARY, caps::MESSAGES, caps::MESSAGE_BYTES)?;
            if *deposit == 0 {
                return Err(GovernanceError::ZeroDeposit);
            }
            Ok(())
        }
        Msg::Deposit { amount, .. } => {
            if *amount == 0 {
                return Err(GovernanceError::ZeroDeposit);
            }
            Ok(())
        }
        Msg::Vote { .. } | Msg::Delegate { .. } => Ok(()),
        Msg::UpdateParams { params } => params.validate().map_err(GovernanceError::InvalidParams),
    }
}

/// The size checks of a submission against the given bounds.
pub(crate) fn check_lengths(
    title: &str,
    summary: &str,
    messages: &[Vec<u8>],
    max_title: u32,
    max_summary: u32,
    max_messages: u32,
    max_message_bytes: u32,
) -> Result<(), GovernanceError> {
    let too_long = |len: usize, max: u32| u64::try_from(len).map_or(true, |len| len > u64::from(max));
    if title.trim().is_empty() || too_long(title.len(), max_title) {
        return Err(GovernanceError::InvalidProposal(format!(
            "a title is 1 to {max_title} bytes (not only spaces); this one is {}",
            title.len()
        )));
    }
    if too_long(summary.len(), max_summary) {
        return Err(GovernanceError::InvalidProposal(format!(
            "a summary is at most {max_summary} bytes; this one is {}",
            summary.len()
        )));
    }
    if too_long(messages.len(), max_messages) {
        return Err(GovernanceError::InvalidProposal(format!(
            "a proposal has at most {max_messages} messages; this one has {}",
            messages.len()
        )));
    }
    for (index, message) in messages.iter().enumerate() {
        if message.is_empty() || too_long(message.len(), max_message_bytes) {
            return Err(GovernanceError::InvalidProposal(format!(
                "message {index} is {} bytes: each message is 1 to {max_message_bytes} bytes",
                message.len()
            )));
        }
    }
    Ok(())
}
