//! Slashing's invariants, checked by tests after every block (never on chain: they read
//! every record):
//! 1. each record's `missed` equals the population of its bitmap, and is at most the window;
//! 2. every bitmap chunk is inside the window and belongs to a record; none is zero;
//! 3. a tombstoned record's candidate is tombstoned.

use std::collections::BTreeMap;

use conclave_core::{Address, StateRead};

use crate::expected::{Candidates, Standing};
use crate::liveness::CHUNK_BITS;
use crate::state::{MISSED, PARAMS, SIGNING};

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

/// Checks the invariants; the error describes the first violation found.
pub fn check(candidates: &impl Candidates, state: &impl StateRead) -> Result<(), String> {
    let Some(params) = PARAMS.get(state).map_err(e)? else {
        return Ok(());
    };
    let chunks = params.signed_blocks_window.div_ceil(CHUNK_BITS);
    let mut population: BTreeMap<Address, u64> = BTreeMap::new();
    for entry in MISSED.iter(state) {
        let ((operator, chunk), bits) = entry.map_err(e)?;
        if bits == 0 || chunk >= chunks {
            return Err(format!("missed chunk {chunk} of {operator} is {bits} (window has {chunks} chunks)"));
        }
        let count = population.entry(operator).or_insert(0);
        *count = count.saturating_add(u64::from(bits.count_ones()));
    }
    for entry in SIGNING.iter(state) {
        let (operator, info) = entry.map_err(e)?;
        let bits = population.remove(&operator).unwrap_or(0);
        if info.missed != bits || info.missed > params.signed_blocks_window {
            return Err(format!("{operator} counts {} missed blocks but its bitmap holds {bits}", info.missed));
        }
        if info.tombstoned && candidates.standing(state, &operator).map_err(e)? != Standing::Tombstoned {
            return Err(format!("{operator} is tombstoned here but not in the candidates' module"));
        }
    }
    if let Some((operator, _)) = population.into_iter().next() {
        return Err(format!("missed-block bits of {operator}, which has no signing record"));
    }
    Ok(())
}
