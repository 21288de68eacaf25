//! Issuance: the inflation moves each epoch toward the bonded-ratio goal, and every block
//! mints for the block time that passed.
//!
//! - **Each epoch** (`height % epoch_length == 0`, and at the first block): the inflation
//!   changes by `rate_change × (1 − bonded_ratio / goal)` per year, prorated by the block time
//!   since the last update, truncated toward zero, then held within `[min, max]` (Cosmos
//!   x/mint's rule, in integers); `annual_provisions = ⌊inflation × supply⌋` at that moment.
//! - **Each block** mints `⌊(annual_provisions × elapsed + carry) / YEAR⌋` for the block time
//!   `elapsed` since the last mint; the remainder is carried to the next block, so what is
//!   minted over any stretch of time is exact, whatever the block times.
//! - The supply changes only by what is minted here and burned by slashes; the bank's
//!   invariant (supply = Σ balances) keeps holding.

use conclave_core::BlockInfo;

use crate::accounting::{add, mul_div};
use crate::error::RewardsError;
use crate::params::{Params, PPB_ONE, YEAR_NANOS};
use crate::types::Minter;

/// The inflation after `elapsed_nanos` at `bonded_ratio_ppb` (see the module docs).
pub fn next_inflation(params: &Params, inflation_ppb: u64, bonded_ratio_ppb: u64, elapsed_nanos: u64) -> u64 {
    // Every operand is a u64 ppb or a u64 of nanoseconds, so no step below can overflow an
    // i128 (|(goal − bonded) × rate_change| < 2^128 / 2, and |per_year × elapsed| < 2^127);
    // the checked forms only make that visible. Division truncates toward zero.
    let goal = i128::from(params.goal_bonded_ppb.max(1));
    let gap = goal.saturating_sub(i128::from(bonded_ratio_ppb));
    // Per year, in ppb: rate_change × (goal − bonded) / goal (negative above the goal).
    let per_year = i128::from(params.inflation_rate_change_ppb).saturating_mul(gap).checked_div(goal).unwrap_or(0);
    let change = per_year.saturating_mul(i128::from(elapsed_nanos)).checked_div(i128::from(YEAR_NANOS)).unwrap_or(0);
    let next = i128::from(inflation_ppb)
        .saturating_add(change)
        .clamp(i128::from(params.inflation_min_ppb), i128::from(params.inflation_max_ppb));
    u64::try_from(next).unwrap_or(params.inflation_min_ppb)
}

/// Updates the inflation if this block starts an epoch (or the minter has not started),
/// returning the bonded ratio it used.
pub(crate) fn update_inflation(
    minter: &mut Minter,
    params: &Params,
    block: &BlockInfo,
    bonded: u128,
    supply: u128,
) -> Result<Option<u64>, RewardsError> {
    let started = minter.last_update.0 != 0;
    if started && !block.height.is_multiple_of(params.epoch_length) {
        return Ok(None);
    }
    let bonded_ratio = if supply == 0 { 0 } else { mul_div(bonded, u128::from(PPB_ONE), supply, "the bonded ratio")? };
    let bonded_ratio = u64::try_from(bonded_ratio).unwrap_or(PPB_ONE).min(PPB_ONE);
    if started {
        let elapsed = block.time.0.saturating_sub(minter.last_update.0);
        minter.inflation_ppb = next_inflation(params, minter.inflation_ppb, bonded_ratio, elapsed);
    } else {
        minter.inflation_ppb = minter.inflation_ppb.clamp(params.inflation_min_ppb, params.inflation_max_ppb);
    }
    minter.last_update = block.time;
    minter.annual_provisions = mul_div(supply, u128::from(minter.inflation_ppb), u128::from(PPB_ONE), "provisions")?;
    Ok(Some(bonded_ratio))
}

/// Tokens to mint in this block (see the module docs); updates the minter's clock and carry.
pub(crate) fn provision(minter: &mut Minter, block: &BlockInfo) -> Result<u128, RewardsError> {
    if minter.last_mint.0 == 0 {
        minter.last_mint = block.time;
        return Ok(0);
    }
    let elapsed = block.time.0.saturating_sub(minter.last_mint.0);
    minter.last_mint = block.time;
    let (quotient, remainder) = conclave_core::Ratio::new(u128::from(elapsed), u128::from(YEAR_NANOS))
        .and_then(|r| r.mul_div_rem(minter.annual_provisions))
        .map_err(|_| RewardsError::Overflow("the block's provision"))?;
    // Carry: (annual × elapsed) = quotient × YEAR + remainder; add the previous carry.
    let carried = add(remainder, minter.carry, "the mint carry")?;
    let year = u128::from(YEAR_NANOS);
    minter.carry = carried.checked_rem(year).unwrap_or(0);
    add(quotient, carried.checked_div(year).unwrap_or(0), "the block's provision")
}

#[cfg(test)]
mod tests {
    use super::*;
    use conclave_core::BlockTime;

    #[test]
    fn inflation_moves_toward_the_goal_and_stays_within_bounds() {
        let p = Params::default();
        // Below the goal it rises, above it falls, at it holds; a full year at 0 % bonded
        // adds the whole rate change, then the max holds.
        assert!(next_inflation(&p, 70_000_000, 300_000_000, YEAR_NANOS / 10) > 70_000_000);
        assert!(next_inflation(&p, 70_000_000, 900_000_000, YEAR_NANOS / 10) < 70_000_000);
        assert_eq!(next_inflation(&p, 70_000_000, p.goal_bonded_ppb, YEAR_NANOS), 70_000_000);
        assert_eq!(next_inflation(&p, 70_000_000, 0, YEAR_NANOS), p.inflation_max_ppb);
        assert_eq!(next_inflation(&p, 70_000_000, PPB_ONE, 10 * YEAR_NANOS), p.inflation_min_ppb);
    }

    #[test]
    fn minting_carries_its_remainder_so_issuance_over_time_is_exact() {
        let mut minter = Minter { annual_provisions: 1_000_003, ..Minter::default() };
        let block = |t: u64| BlockInfo::new("t", 2, BlockTime(t));
        assert_eq!(provision(&mut minter, &block(1_000)).unwrap(), 0, "the first block starts the clock");
        let mut minted = 0u128;
        let step = 7_777_777_777u64; // odd block times
        let mut t = 1_000;
        for _ in 0..10_000 {
            t += step;
            minted += provision(&mut minter, &block(t)).unwrap();
        }
        let exact = 1_000_003u128 * u128::from(t - 1_000) / u128::from(YEAR_NANOS);
        assert_eq!(minted, exact, "the sum of the blocks is the exact floor of the whole stretch");
    }
}
