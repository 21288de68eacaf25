//! Exact rational numbers for rates and fractions (gas prices, commission, slash fractions),
//! with checked `u128` arithmetic and explicit rounding. No floats anywhere.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// `numerator / denominator`, with `denominator > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratio {
    /// Numerator.
    #[serde(with = "crate::coin::amount_string")]
    pub numerator: u128,
    /// Denominator, never zero in a valid ratio.
    #[serde(with = "crate::coin::amount_string")]
    pub denominator: u128,
}

/// Arithmetic that would overflow `u128`, or a zero denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("arithmetic overflow or zero denominator")]
pub struct ArithmeticError;

impl Ratio {
    /// `0 / 1`.
    pub const ZERO: Ratio = Ratio { numerator: 0, denominator: 1 };
    /// `1 / 1`.
    pub const ONE: Ratio = Ratio { numerator: 1, denominator: 1 };

    /// A ratio; fails on a zero denominator.
    pub fn new(numerator: u128, denominator: u128) -> Result<Self, ArithmeticError> {
        if denominator == 0 {
            return Err(ArithmeticError);
        }
        Ok(Self { numerator, denominator })
    }

    /// `amount × self`, rounded down (payouts).
    pub fn mul_floor(&self, amount: u128) -> Result<u128, ArithmeticError> {
        let (q, _) = self.mul_div(amount)?;
        Ok(q)
    }

    /// `amount × self`, rounded up (slashes, required fees).
    pub fn mul_ceil(&self, amount: u128) -> Result<u128, ArithmeticError> {
        let (q, r) = self.mul_div(amount)?;
        if r == 0 {
            Ok(q)
        } else {
            q.checked_add(1).ok_or(ArithmeticError)
        }
    }

    /// `amount × self` as quotient and remainder (`q × denominator + r = amount ×
    /// numerator`), for callers that carry the remainder instead of losing it.
    pub fn mul_div_rem(&self, amount: u128) -> Result<(u128, u128), ArithmeticError> {
        self.mul_div(amount)
    }

    /// Whether the ratio is at most one.
    pub fn is_at_most_one(&self) -> bool {
        self.numerator <= self.denominator
    }

    /// Exact comparison `self <= other` by cross-multiplication in 256 bits.
    pub fn le(&self, other: &Ratio) -> bool {
        mul_wide(self.numerator, other.denominator) <= mul_wide(other.numerator, self.denominator)
    }

    /// Quotient and remainder of `amount × numerator / denominator`, computed in 256 bits
    /// so intermediate products never overflow; fails if the quotient exceeds `u128`.
    fn mul_div(&self, amount: u128) -> Result<(u128, u128), ArithmeticError> {
        if self.denominator == 0 {
            return Err(ArithmeticError);
        }
        let (hi, lo) = mul_wide(amount, self.numerator);
        div_wide(hi, lo, self.denominator)
    }
}

/// Full 256-bit product as (high, low).
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    // Each partial product fits in u128 because both factors are < 2^64.
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let mid = (lo_lo >> 64) + (hi_lo & MASK) + (lo_hi & MASK);
    let low = (lo_lo & MASK) | (mid << 64);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (mid >> 64);
    (high, low)
}

/// (high‖low) / d as (quotient, remainder); fails when the quotient exceeds u128.
fn div_wide(high: u128, low: u128, d: u128) -> Result<(u128, u128), ArithmeticError> {
    if high >= d {
        return Err(ArithmeticError);
    }
    if high == 0 {
        return Ok((low / d, low % d));
    }
    // Restoring long division, one bit at a time; `high < d` keeps the quotient in 128 bits.
    let mut rem = high;
    let mut quo: u128 = 0;
    for i in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((low >> i) & 1);
        quo <<= 1;
        if carry == 1 || rem >= d {
            rem = rem.wrapping_sub(d);
            quo |= 1;
        }
    }
    Ok((quo, rem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_directions() {
        let third = Ratio::new(1, 3).unwrap();
        assert_eq!(third.mul_floor(10).unwrap(), 3);
        assert_eq!(third.mul_ceil(10).unwrap(), 4);
        assert_eq!(third.mul_ceil(9).unwrap(), 3);
        assert!(Ratio::new(1, 0).is_err());
    }

    #[test]
    fn huge_intermediate_products() {
        let r = Ratio::new(u128::MAX - 1, u128::MAX).unwrap();
        assert_eq!(r.mul_floor(u128::MAX).unwrap(), u128::MAX - 1);
        assert_eq!(Ratio::new(2, 1).unwrap().mul_floor(u128::MAX), Err(ArithmeticError));
    }

    proptest! {
        #[test]
        fn matches_u128_when_small(a in 0u128..1u128 << 60, n in 0u128..1u128 << 60, d in 1u128..1u128 << 60) {
            let r = Ratio::new(n, d).unwrap();
            prop_assert_eq!(r.mul_floor(a).unwrap(), a * n / d);
            prop_assert_eq!(r.mul_ceil(a).unwrap(), (a * n).div_ceil(d));
        }

        #[test]
        fn wide_division_is_exact(a: u128, n: u128, d in 1u128..) {
            let r = Ratio::new(n, d).unwrap();
            if let Ok(q) = r.mul_floor(a) {
                // q*d <= a*n < (q+1)*d, checked in 256 bits.
                let lhs = mul_wide(q, d);
                let prod = mul_wide(a, n);
                prop_assert!(lhs <= prod);
                let (hi, lo) = lhs;
                let (lo2, c) = lo.overflowing_add(d);
                let upper = (hi + u128::from(c), lo2);
                prop_assert!(prod < upper);
            }
        }
    }
}
