//! Unit tests on a `MemoryState`: messages, refusals (each with its code, writing nothing),
//! the halt, applying with a handler or an allowance, genesis and queries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use conclave_core::authority::AUTHORITY;
use conclave_core::error::{assert_codes_unique, ModuleError};
use conclave_core::{Address, BlockInfo, BlockTime, Item, MemoryState, Module, StateError, StateWrite, TxContext};

use crate::error::UpgradeError;
use crate::genesis::{AppliedUpgrade, Genesis};
use crate::plan::Plan;
use crate::query::{AppliedAnswer, PlanAnswer};
use crate::state::{APPLIED, PLAN};
use crate::{Msg, Upgrade};

const BOSS: Address = Address([1; 20]);
const STRANGER: Address = Address([2; 20]);
/// What the test migration writes.
const MIGRATED: Item<u32> = Item::new("other/migrated");

fn one_of_each() -> Vec<UpgradeError> {
    vec![
        UpgradeError::InvalidGenesis("x".into()),
        UpgradeError::UnknownQuery { path: "x".into() },
        UpgradeError::InvalidQuery("x".into()),
        UpgradeError::State(StateError::Storage("x".into())),
        UpgradeError::NotAuthority { signer: STRANGER, authority: Some(BOSS) },
        UpgradeError::InvalidPlan("x".into()),
        UpgradeError::HeightNotInFuture { height: 1, current: 2 },
        UpgradeError::AlreadyApplied { name: "v2".into(), height: 3 },
        UpgradeError::NoPlan,
        UpgradeError::UpgradeNeeded(plan("v2", 5)),
        UpgradeError::MigrationFailed { name: "v2".into(), height: 5, reason: "x".into() },
    ]
}

fn plan(name: &str, height: u64) -> Plan {
    Plan { name: name.into(), height, info: String::new() }
}

fn block(height: u64) -> BlockInfo {
    BlockInfo::new("test", height, BlockTime(height * 1_000_000_000))
}

fn chain() -> MemoryState {
    let mut state = MemoryState::new();
    AUTHORITY.put(&mut state, &BOSS).unwrap();
    Upgrade::new().init_genesis(&mut state, &Genesis::default()).unwrap();
    state
}

fn send(state: &mut MemoryState, signer: Address, height: u64, msg: Msg) -> Result<(), UpgradeError> {
    let block = block(height);
    let ctx = TxContext { block: &block, signer, signer_key: [0; 32], tx_index: 0, msg_index: 0 };
    let module = Upgrade::new();
    module.validate(&msg)?;
    // As the runtime does: a failed message leaves nothing behind.
    let mut overlay = state.clone();
    module.deliver(&ctx, &mut overlay, &msg)?;
    *state = overlay;
    Ok(())
}

fn schedule(name: &str, height: u64) -> Msg {
    Msg::ScheduleUpgrade { plan: plan(name, height) }
}

fn kinds(state: &MemoryState) -> Vec<&str> {
    state.events.iter().map(|e| e.kind.as_str()).collect()
}

fn migrate(state: &mut dyn StateWrite, block: &BlockInfo) -> Result<(), crate::MigrationError> {
    MIGRATED.put(&mut &mut *state, &u32::try_from(block.height)?)?;
    Ok(())
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    assert_eq!(codes, (1..=11).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/upgrade.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "upgrade");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/upgrade.md lacks the row {row:?}");
        assert_eq!(e.state_error().is_some(), matches!(e, UpgradeError::State(_)));
    }
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&crate::state::PREFIXES).unwrap();
}

#[test]
fn the_halt_message_says_what_to_do() {
    let mut with_info = plan("v2", 120);
    with_info.info = "https://example.org/v2 sha256:ab".into();
    assert_eq!(
        UpgradeError::UpgradeNeeded(with_info).to_string(),
        "UPGRADE \"v2\" NEEDED at height 120 (info: https://example.org/v2 sha256:ab): stop this binary and start \
         the version that implements \"v2\" (or, for an upgrade without a state migration, restart with \
         --allow-upgrade v2)"
    );
    assert_eq!(
        UpgradeError::UpgradeNeeded(plan("v2", 120)).to_string(),
        "UPGRADE \"v2\" NEEDED at height 120: stop this binary and start the version that implements \"v2\" (or, \
         for an upgrade without a state migration, restart with --allow-upgrade v2)"
    );
}

#[test]
fn only_the_authority_schedules_and_cancels_and_refusals_write_nothing() {
    let mut state = chain();
    let before = state.clone();
    let err = send(&mut state, STRANGER, 10, schedule("v2", 20)).unwrap_err();
    assert_eq!(err.code(), 5);
    assert!(err.to_string().contains("only the parameter authority"), "{err}");
    assert_eq!(state, before);

    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    assert_eq!(PLAN.get(&state).unwrap(), Some(plan("v2", 20)));
    assert_eq!(kinds(&state), ["upgrade.scheduled"]);
    let scheduled = &state.events[0];
    assert_eq!(scheduled.attribute("name"), Some("v2"));
    assert_eq!(scheduled.attribute("height"), Some("20"));
    assert_eq!(scheduled.attribute("authority"), Some(BOSS.to_string().as_str()));

    let before = state.clone();
    assert_eq!(send(&mut state, STRANGER, 11, Msg::CancelUpgrade).unwrap_err().code(), 5);
    assert_eq!(state, before);
    send(&mut state, BOSS, 11, Msg::CancelUpgrade).unwrap();
    assert_eq!(PLAN.get(&state).unwrap(), None);
    assert_eq!(kinds(&state), ["upgrade.scheduled", "upgrade.cancelled"]);
    assert_eq!(send(&mut state, BOSS, 12, Msg::CancelUpgrade), Err(UpgradeError::NoPlan));
}

#[test]
fn a_chain_without_an_authority_cannot_schedule() {
    let mut state = MemoryState::new();
    let err = send(&mut state, BOSS, 1, schedule("v2", 5)).unwrap_err();
    assert_eq!(err, UpgradeError::NotAuthority { signer: BOSS, authority: None });
    assert!(err.to_string().contains("no parameter authority"), "{err}");
}

#[test]
fn a_plan_must_be_valid_in_the_future_and_not_applied() {
    let mut state = chain();
    APPLIED.put(&mut state, &"v1".to_string(), &7).unwrap();
    let before = state.clone();
    for (msg, code) in [
        (schedule("", 20), 6),
        (schedule("has space", 20), 6),
        (schedule(&"x".repeat(65), 20), 6),
        (Msg::ScheduleUpgrade { plan: Plan { info: "i".repeat(2049), ..plan("v2", 20) } }, 6),
        (schedule("v2", 10), 7),
        (schedule("v2", 9), 7),
        (schedule("v1", 20), 8),
    ] {
        let err = send(&mut state, BOSS, 10, msg.clone()).unwrap_err();
        assert_eq!(err.code(), code, "{msg:?}: {err}");
    }
    assert_eq!(state, before, "refusals write nothing");
    assert_eq!(
        send(&mut state, BOSS, 10, schedule("v1", 20)).unwrap_err().to_string(),
        "upgrade \"v1\" was already applied at height 7: give the new upgrade another name"
    );
    send(&mut state, BOSS, 10, schedule(&"x".repeat(64), 11)).unwrap();
    send(&mut state, BOSS, 10, schedule("v2.0.1-rc_1", 11)).unwrap();
}

#[test]
fn a_new_plan_replaces_the_pending_one() {
    let mut state = chain();
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    send(&mut state, BOSS, 11, schedule("v3", 30)).unwrap();
    assert_eq!(PLAN.get(&state).unwrap(), Some(plan("v3", 30)));
    assert_eq!(kinds(&state), ["upgrade.scheduled", "upgrade.cancelled", "upgrade.scheduled"]);
    assert_eq!(state.events[1].attribute("name"), Some("v2"));
}

#[test]
fn at_the_plan_height_a_binary_without_permission_stops_and_writes_nothing() {
    let mut state = chain();
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    let module = Upgrade::new().allow("v3").with_handler("v4", migrate);
    for height in 11..20 {
        module.begin_block(&block(height), &mut state).unwrap();
    }
    let before = state.clone();
    let err = module.begin_block(&block(20), &mut state).unwrap_err();
    assert_eq!(err, UpgradeError::UpgradeNeeded(plan("v2", 20)));
    assert!(err.to_string().starts_with("UPGRADE \"v2\" NEEDED at height 20: "), "{err}");
    assert_eq!(err.code(), 10);
    assert_eq!(state, before);
    // Replayed (a restart of the same binary): the same halt.
    assert_eq!(module.begin_block(&block(20), &mut state).unwrap_err(), err);
}

#[test]
fn an_allowed_upgrade_is_applied_without_a_migration() {
    let mut state = chain();
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    let module = Upgrade::new().allowing(["v2"]);
    assert!(module.permits("v2") && !module.permits("v3"));
    module.begin_block(&block(20), &mut state).unwrap();
    assert_eq!(PLAN.get(&state).unwrap(), None);
    assert_eq!(module.applied_height(&state, "v2").unwrap(), Some(20));
    assert_eq!(MIGRATED.get(&state).unwrap(), None);
    let applied = state.events.last().unwrap();
    assert_eq!(applied.kind, "upgrade.applied");
    assert_eq!(
        (applied.attribute("name"), applied.attribute("height"), applied.attribute("migrated")),
        (Some("v2"), Some("20"), Some("false"))
    );
    // Later blocks: nothing to do; the name cannot be scheduled again.
    module.begin_block(&block(21), &mut state).unwrap();
    assert_eq!(send(&mut state, BOSS, 21, schedule("v2", 30)).unwrap_err().code(), 8);
    module.check_invariants(&state).unwrap();
}

#[test]
fn a_registered_handler_migrates_in_the_upgrade_block() {
    let mut state = chain();
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    let module = Upgrade::new().with_handler("v2", migrate);
    assert_eq!(module.handler_names().collect::<Vec<_>>(), ["v2"]);
    module.begin_block(&block(20), &mut state).unwrap();
    assert_eq!(MIGRATED.get(&state).unwrap(), Some(20));
    assert_eq!(module.applied_height(&state, "v2").unwrap(), Some(20));
    assert_eq!(state.events.last().unwrap().attribute("migrated"), Some("true"));

    // Two nodes with the same permission end in the same state.
    let mut other = chain();
    send(&mut other, BOSS, 10, schedule("v2", 20)).unwrap();
    Upgrade::new().with_handler("v2", migrate).begin_block(&block(20), &mut other).unwrap();
    assert_eq!(other, state);
}

#[test]
fn a_binary_that_implements_a_later_plan_runs_normally_until_its_height() {
    let mut state = chain();
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    let module = Upgrade::new().with_handler("v2", migrate);
    let before = state.clone();
    for height in 11..20 {
        module.begin_block(&block(height), &mut state).unwrap();
    }
    assert_eq!(state, before);
}

#[test]
fn a_failed_migration_stops_the_node() {
    let mut state = chain();
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    let module = Upgrade::new().with_handler("v2", |_, _| Err("the old records do not decode".into()));
    let err = module.begin_block(&block(20), &mut state).unwrap_err();
    assert_eq!(err.to_string(), "the migration of upgrade \"v2\" failed at height 20: the old records do not decode");
    assert_eq!(err.code(), 11);
}

#[test]
fn genesis_round_trips_and_refuses_what_it_cannot_hold() {
    let module = Upgrade::new();
    let genesis = Genesis {
        plan: Some(Plan { name: "v3".into(), height: 90, info: "see the docs".into() }),
        applied: vec![
            AppliedUpgrade { name: "v1".into(), height: 10 },
            AppliedUpgrade { name: "v2".into(), height: 50 },
        ],
    };
    let mut state = MemoryState::new();
    module.init_genesis(&mut state, &genesis).unwrap();
    assert_eq!(module.export_genesis(&state).unwrap(), genesis);
    let mut again = MemoryState::new();
    module.init_genesis(&mut again, &module.export_genesis(&state).unwrap()).unwrap();
    assert_eq!(again, state);
    module.check_invariants(&state).unwrap();

    let json = serde_json::to_value(&genesis).unwrap();
    assert_eq!(json["plan"]["height"], 90);
    assert_eq!(serde_json::from_value::<Genesis>(serde_json::json!({})).unwrap(), Genesis::default());

    let bad = |genesis: Genesis, expected: &str| {
        let err = module.init_genesis(&mut MemoryState::new(), &genesis).unwrap_err();
        assert_eq!(err.code(), 1);
        assert!(err.to_string().contains(expected), "{err} lacks {expected:?}");
    };
    let v1 = || AppliedUpgrade { name: "v1".into(), height: 10 };
    bad(Genesis { applied: vec![v1(), v1()], ..Genesis::default() }, "applied[1] (\"v1\"): listed twice");
    bad(Genesis { applied: vec![AppliedUpgrade { height: 0, ..v1() }], ..Genesis::default() }, "height must be 1");
    bad(Genesis { plan: Some(plan("v1", 20)), applied: vec![v1()] }, "also listed as applied");
    bad(Genesis { plan: Some(plan("", 20)), applied: vec![] }, "plan: an upgrade name is 1 to 64 bytes");
}

#[test]
fn queries_answer_the_plan_and_applied_heights() {
    let mut state = chain();
    let module = Upgrade::new().allow("v2");
    let plan_answer = |state: &MemoryState| -> PlanAnswer {
        serde_json::from_slice(&module.query(state, "plan", b"").unwrap()).unwrap()
    };
    let applied = |state: &MemoryState| -> AppliedAnswer {
        serde_json::from_slice(&module.query(state, "applied", br#"{"name":"v2"}"#).unwrap()).unwrap()
    };
    assert_eq!(plan_answer(&state), PlanAnswer { plan: None });
    send(&mut state, BOSS, 10, schedule("v2", 20)).unwrap();
    assert_eq!(plan_answer(&state), PlanAnswer { plan: Some(plan("v2", 20)) });
    assert_eq!(applied(&state), AppliedAnswer { name: "v2".into(), height: None });
    module.begin_block(&block(20), &mut state).unwrap();
    assert_eq!(plan_answer(&state).plan, None);
    assert_eq!(applied(&state).height, Some(20));
    assert_eq!(module.query(&state, "nope", b"{}").unwrap_err().code(), 2);
    assert_eq!(module.query(&state, "applied", b"{}").unwrap_err().code(), 3);
    assert_eq!(module.query(&state, "plan", br#"{"x":1}"#).unwrap_err().code(), 3);
}

#[test]
fn invariants_catch_a_pending_plan_that_was_applied() {
    let mut state = chain();
    PLAN.put(&mut state, &plan("v2", 20)).unwrap();
    APPLIED.put(&mut state, &"v2".to_string(), &5).unwrap();
    assert!(Upgrade::new().check_invariants(&state).unwrap_err().contains("already applied"));
}
