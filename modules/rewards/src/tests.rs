//! Unit tests: error codes, prefixes, params.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use conclave_core::error::{assert_codes_unique, ModuleError};
use conclave_core::{Address, StateError};

use crate::error::RewardsError;
use crate::params::Params;

fn one_of_each() -> Vec<RewardsError> {
    let a = Address([1; 20]);
    vec![
        RewardsError::InvalidGenesis("x".into()),
        RewardsError::UnknownQuery { path: "x".into() },
        RewardsError::InvalidQuery("x".into()),
        RewardsError::State(StateError::Storage("x".into())),
        RewardsError::NotAuthority("x".into()),
        RewardsError::InvalidParams("x".into()),
        RewardsError::Overflow("x"),
        RewardsError::Insolvent("x".into()),
        RewardsError::NothingToClaim { delegator: a, candidate: None },
        RewardsError::NoCommission { operator: a },
        RewardsError::InsufficientCommunityPool { requested: 2, available: 1, denom: "stake".into() },
        RewardsError::InvalidSpend("x".into()),
    ]
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    assert_eq!(codes, (1..=12).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/rewards.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "rewards");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/rewards.md lacks the row {row:?}");
        assert_eq!(e.state_error().is_some(), matches!(e, RewardsError::State(_)));
    }
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&crate::state::PREFIXES).unwrap();
}

#[test]
fn params_are_checked() {
    Params::default().validate().unwrap();
    assert!(Params { inflation_min_ppb: 200_000_000, ..Params::default() }.validate().is_err());
    assert!(Params { goal_bonded_ppb: 0, ..Params::default() }.validate().is_err());
    assert!(Params { community_tax_ppb: 990_000_000, ..Params::default() }.validate().is_err());
}

mod community_pool_spend {
    use conclave_bank::{Bank, GenesisBalance};
    use conclave_core::authority::AUTHORITY;
    use conclave_core::{
        Address, BlockInfo, BlockTime, Coin, ConsensusAddress, MemoryState, Module, StateRead, TxContext,
    };

    use crate::expected::{CandidateTerms, Signers, Stake};
    use crate::state::TOTALS;
    use crate::types::Totals;
    use crate::{bank_module_accounts, Msg, Rewards, RewardsError, COMMUNITY_POOL};

    const BOSS: Address = Address([1; 20]);
    const STRANGER: Address = Address([2; 20]);
    const GRANTEE: Address = Address([3; 20]);

    /// No stake at all: the spend only needs the bond denomination.
    #[derive(Clone, Debug)]
    struct NoStake;

    impl Stake for NoStake {
        type Error = std::convert::Infallible;
        fn bond_denom(&self, _: &impl StateRead) -> Result<String, Self::Error> {
            Ok("stake".into())
        }
        fn bonded_tokens(&self, _: &impl StateRead) -> Result<u128, Self::Error> {
            Ok(0)
        }
        fn terms(&self, _: &impl StateRead, _: &Address) -> Result<Option<CandidateTerms>, Self::Error> {
            Ok(None)
        }
        fn shares(&self, _: &impl StateRead, _: &Address, _: &Address) -> Result<u128, Self::Error> {
            Ok(0)
        }
        fn voted_candidates(&self, _: &impl StateRead, _: &Address) -> Result<Vec<Address>, Self::Error> {
            Ok(Vec::new())
        }
        fn holders(&self, _: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, Self::Error> {
            Ok(Vec::new())
        }
    }

    #[derive(Clone, Debug)]
    struct NoSigners;

    impl Signers for NoSigners {
        type Error = std::convert::Infallible;
        fn signers_at(&self, _: &impl StateRead, _: u64) -> Result<Vec<(ConsensusAddress, Address)>, Self::Error> {
            Ok(Vec::new())
        }
    }

    /// A chain whose community pool holds 1,000 stake (minted, as far as the totals know).
    fn setup() -> (Rewards<NoStake, Bank, NoSigners>, Bank, MemoryState) {
        let bank = Bank::new(bank_module_accounts()).unwrap();
        let rewards = Rewards::new(NoStake, bank.clone(), NoSigners).unwrap();
        let mut state = MemoryState::new();
        let pool = GenesisBalance { address: Address::module(COMMUNITY_POOL), coins: vec![Coin::new("stake", 1_000)] };
        bank.init_genesis(&mut state, &conclave_bank::Genesis { balances: vec![pool], ..Default::default() }).unwrap();
        rewards.init_genesis(&mut state, &Default::default()).unwrap();
        TOTALS.put(&mut state, &Totals { minted: 1_000, ..Totals::default() }).unwrap();
        AUTHORITY.put(&mut state, &BOSS).unwrap();
        rewards.check_invariants(&state).unwrap();
        (rewards, bank, state)
    }

    fn spend(
        rewards: &Rewards<NoStake, Bank, NoSigners>,
        state: &mut MemoryState,
        signer: Address,
        amount: u128,
    ) -> Result<(), RewardsError> {
        let block = BlockInfo::new("t", 5, BlockTime(5));
        let ctx = TxContext { block: &block, signer, signer_key: [0; 32], tx_index: 0, msg_index: 0 };
        let msg = Msg::CommunityPoolSpend { recipient: GRANTEE, amount };
        rewards.validate(&msg)?;
        let mut overlay = state.clone();
        rewards.deliver(&ctx, &mut overlay, &msg)?;
        *state = overlay;
        Ok(())
    }

    fn balance(state: &MemoryState, address: &Address) -> u128 {
        conclave_bank::balance(state, address, "stake").unwrap()
    }

    #[test]
    fn the_authority_pays_from_the_pool_and_conservation_holds() {
        let (rewards, _, mut state) = setup();
        spend(&rewards, &mut state, BOSS, 400).unwrap();
        assert_eq!(balance(&state, &GRANTEE), 400);
        assert_eq!(balance(&state, &Address::module(COMMUNITY_POOL)), 600);
        assert_eq!(TOTALS.load(&state).unwrap().paid, 400);
        let event = state.events.iter().find(|e| e.kind == "rewards.community_pool_spent").unwrap();
        assert_eq!(event.attribute("recipient"), Some(GRANTEE.to_string().as_str()));
        assert_eq!(event.attribute("amount"), Some("400"));
        assert_eq!(event.attribute("authority"), Some(BOSS.to_string().as_str()));
        rewards.check_invariants(&state).unwrap();
        // The whole rest, to the token.
        spend(&rewards, &mut state, BOSS, 600).unwrap();
        assert_eq!(balance(&state, &Address::module(COMMUNITY_POOL)), 0);
        rewards.check_invariants(&state).unwrap();
    }

    #[test]
    fn refusals_have_their_codes_and_write_nothing() {
        let (rewards, _, mut state) = setup();
        let before = state.clone();
        let err = spend(&rewards, &mut state, STRANGER, 1).unwrap_err();
        assert_eq!(conclave_core::ModuleError::code(&err), 5);
        assert!(err.to_string().contains("may not spend from the community pool"), "{err}");
        let err = spend(&rewards, &mut state, BOSS, 1_001).unwrap_err();
        assert_eq!(conclave_core::ModuleError::code(&err), 11);
        assert_eq!(err.to_string(), "the community pool holds 1000stake; it cannot pay 1001stake");
        let err = spend(&rewards, &mut state, BOSS, 0).unwrap_err();
        assert_eq!(conclave_core::ModuleError::code(&err), 12);
        assert_eq!(state, before);

        AUTHORITY.delete(&mut state).unwrap();
        let err = spend(&rewards, &mut state, BOSS, 1).unwrap_err();
        assert!(err.to_string().contains("no parameter authority"), "{err}");
    }

    #[test]
    fn the_message_keeps_its_tag_and_json() {
        let msg = Msg::CommunityPoolSpend { recipient: GRANTEE, amount: 7 };
        assert_eq!(borsh::to_vec(&msg).unwrap()[0], 3);
        let json = serde_json::to_value(&msg).unwrap();
        assert_eq!(json["community_pool_spend"]["amount"], "7");
        assert_eq!(serde_json::from_value::<Msg>(json).unwrap(), msg);
    }
}
