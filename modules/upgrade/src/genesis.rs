//! The genesis section: the pending plan and the upgrades already applied (a new chain has
//! neither; an export carries both).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use conclave_core::{StateRead, StateWrite};

use crate::error::UpgradeError;
use crate::plan::{validate_name, Plan};
use crate::state::{APPLIED, PLAN};

/// One applied upgrade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliedUpgrade {
    /// Its name.
    pub name: String,
    /// The height it was applied at.
    pub height: u64,
}

/// The `upgrade` genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// The pending plan, if any.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// Upgrades applied so far, in name order.
    #[serde(default)]
    pub applied: Vec<AppliedUpgrade>,
}

/// Checks and writes `genesis`.
pub(crate) fn init(state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), UpgradeError> {
    let mut names = BTreeSet::new();
    for (i, applied) in genesis.applied.iter().enumerate() {
        let what =
            |reason: String| UpgradeError::InvalidGenesis(format!("applied[{i}] ({:?}): {reason}", applied.name));
        validate_name(&applied.name).map_err(what)?;
        if applied.height == 0 {
            return Err(what("its height must be 1 or more".into()));
        }
        if !names.insert(applied.name.as_str()) {
            return Err(what("listed twice".into()));
        }
    }
    if let Some(plan) = &genesis.plan {
        plan.validate().map_err(|e| UpgradeError::InvalidGenesis(format!("plan: {e}")))?;
        if names.contains(plan.name.as_str()) {
            return Err(UpgradeError::InvalidGenesis(format!(
                "plan: upgrade {:?} is also listed as applied; remove the plan or rename it",
                plan.name
            )));
        }
    }
    for applied in &genesis.applied {
        APPLIED.put(state, &applied.name, &applied.height)?;
    }
    if let Some(plan) = &genesis.plan {
        PLAN.put(state, plan)?;
    }
    Ok(())
}

/// Reads the state back into a genesis section.
pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, UpgradeError> {
    let mut applied = Vec::new();
    for entry in APPLIED.iter(state) {
        let (name, height) = entry?;
        applied.push(AppliedUpgrade { name, height });
    }
    Ok(Genesis { plan: PLAN.get(state)?, applied })
}
