//! Order-preserving key encoding for typed state.
//!
//! Invariant: for any two keys of the same type, `a < b` iff `encode(a) < encode(b)` as bytes,
//! and a tuple's encoding starts with the encoding of its leading components, so prefix
//! iteration over `(A, B)` by `A` is a byte-prefix scan.
//!
//! - unsigned integers: fixed-width big-endian;
//! - `bool`: one byte, 0 or 1;
//! - [`Address`] and `[u8; N]`: the raw bytes (fixed width);
//! - `String` and `Vec<u8>`: escaped and terminated, as in FoundationDB's tuple layer:
//!   each `0x00` byte becomes `0x00 0xFF`, and the value ends with `0x00 0x00`. This keeps
//!   lexicographic order across different lengths and makes the end of the part unambiguous;
//! - tuples: the concatenation of their parts.

use crate::address::{Address, ADDRESS_LEN};

/// A key's bytes did not decode as the expected type: a corrupt state entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key does not decode as {expected}")]
pub struct KeyDecodeError {
    /// The type that was expected.
    pub expected: &'static str,
}

/// A type usable as a state key, with an order-preserving encoding.
pub trait Key: Sized {
    /// Appends the encoding of `self` to `out`.
    fn encode_key(&self, out: &mut Vec<u8>);
    /// Decodes one value from the front of `bytes`, returning the rest.
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError>;

    /// The encoding as a fresh vector.
    fn to_key_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_key(&mut out);
        out
    }

    /// Decodes exactly one value: trailing bytes are an error.
    fn from_key_bytes(bytes: &[u8]) -> Result<Self, KeyDecodeError> {
        let (value, rest) = Self::decode_key(bytes)?;
        if rest.is_empty() {
            Ok(value)
        } else {
            Err(KeyDecodeError { expected: std::any::type_name::<Self>() })
        }
    }
}

/// Marks that the encoding of `P` is a prefix of the encoding of `Self` (its leading parts).
pub trait HasPrefix<P: Key>: Key {}

fn split_fixed<'a, const N: usize>(
    bytes: &'a [u8],
    expected: &'static str,
) -> Result<([u8; N], &'a [u8]), KeyDecodeError> {
    if bytes.len() < N {
        return Err(KeyDecodeError { expected });
    }
    let (head, rest) = bytes.split_at(N);
    let mut out = [0u8; N];
    out.copy_from_slice(head);
    Ok((out, rest))
}

macro_rules! uint_key {
    ($($t:ty),*) => {$(
        impl Key for $t {
            fn encode_key(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
            fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
                let (raw, rest) = split_fixed::<{ std::mem::size_of::<$t>() }>(bytes, stringify!($t))?;
                Ok((<$t>::from_be_bytes(raw), rest))
            }
        }
    )*};
}
uint_key!(u8, u16, u32, u64, u128);

impl Key for bool {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        match bytes.split_first() {
            Some((0, rest)) => Ok((false, rest)),
            Some((1, rest)) => Ok((true, rest)),
            _ => Err(KeyDecodeError { expected: "bool" }),
        }
    }
}

impl<const N: usize> Key for [u8; N] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        split_fixed::<N>(bytes, "fixed-size byte array")
    }
}

impl Key for Address {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        let (raw, rest) = split_fixed::<ADDRESS_LEN>(bytes, "Address")?;
        Ok((Address(raw), rest))
    }
}

/// Escapes `0x00` as `0x00 0xFF` and terminates with `0x00 0x00`.
fn encode_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

fn decode_escaped<'a>(bytes: &'a [u8], expected: &'static str) -> Result<(Vec<u8>, &'a [u8]), KeyDecodeError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != 0 {
            out.push(b);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(0xFF) => {
                out.push(0);
                i += 2;
            }
            Some(0) => return Ok((out, &bytes[i + 2..])),
            _ => return Err(KeyDecodeError { expected }),
        }
    }
    Err(KeyDecodeError { expected })
}

impl Key for Vec<u8> {
    fn encode_key(&self, out: &mut Vec<u8>) {
        encode_escaped(self, out);
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        decode_escaped(bytes, "bytes")
    }
}

impl Key for String {
    fn encode_key(&self, out: &mut Vec<u8>) {
        encode_escaped(self.as_bytes(), out);
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        let (raw, rest) = decode_escaped(bytes, "string")?;
        let text = String::from_utf8(raw).map_err(|_| KeyDecodeError { expected: "string" })?;
        Ok((text, rest))
    }
}

impl Key for () {
    fn encode_key(&self, _out: &mut Vec<u8>) {}
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        Ok(((), bytes))
    }
}

impl<A: Key, B: Key> Key for (A, B) {
    fn encode_key(&self, out: &mut Vec<u8>) {
        self.0.encode_key(out);
        self.1.encode_key(out);
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        let (a, rest) = A::decode_key(bytes)?;
        let (b, rest) = B::decode_key(rest)?;
        Ok(((a, b), rest))
    }
}

impl<A: Key, B: Key, C: Key> Key for (A, B, C) {
    fn encode_key(&self, out: &mut Vec<u8>) {
        self.0.encode_key(out);
        self.1.encode_key(out);
        self.2.encode_key(out);
    }
    fn decode_key(bytes: &[u8]) -> Result<(Self, &[u8]), KeyDecodeError> {
        let (a, rest) = A::decode_key(bytes)?;
        let (b, rest) = B::decode_key(rest)?;
        let (c, rest) = C::decode_key(rest)?;
        Ok(((a, b, c), rest))
    }
}

impl<A: Key, B: Key> HasPrefix<A> for (A, B) {}
impl<A: Key, B: Key, C: Key> HasPrefix<A> for (A, B, C) {}
impl<A: Key, B: Key, C: Key> HasPrefix<(A, B)> for (A, B, C) {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc<K: Key>(k: &K) -> Vec<u8> {
        k.to_key_bytes()
    }

    proptest! {
        #[test]
        fn u64_order(a: u64, b: u64) {
            prop_assert_eq!(a.cmp(&b), enc(&a).cmp(&enc(&b)));
            prop_assert_eq!(u64::from_key_bytes(&enc(&a)), Ok(a));
        }

        #[test]
        fn u128_order(a: u128, b: u128) {
            prop_assert_eq!(a.cmp(&b), enc(&a).cmp(&enc(&b)));
        }

        #[test]
        fn bytes_order_and_round_trip(a in proptest::collection::vec(0u8..4, 0..8), b in proptest::collection::vec(0u8..4, 0..8)) {
            prop_assert_eq!(a.cmp(&b), enc(&a).cmp(&enc(&b)));
            prop_assert_eq!(Vec::<u8>::from_key_bytes(&enc(&a)), Ok(a));
        }

        #[test]
        fn string_order(a in "[a\\x00b]{0,6}", b in "[a\\x00b]{0,6}") {
            prop_assert_eq!(a.cmp(&b), enc(&a).cmp(&enc(&b)));
            prop_assert_eq!(String::from_key_bytes(&enc(&a)), Ok(a));
        }

        #[test]
        fn tuple_order(a: (u32, Vec<u8>), b: (u32, Vec<u8>)) {
            prop_assert_eq!(a.cmp(&b), enc(&a).cmp(&enc(&b)));
            prop_assert_eq!(<(u32, Vec<u8>)>::from_key_bytes(&enc(&a)), Ok(a));
        }

        #[test]
        fn string_then_int_order(a: (String, u64), b: (String, u64)) {
            prop_assert_eq!(a.cmp(&b), enc(&a).cmp(&enc(&b)));
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = <(String, u64, Vec<u8>)>::from_key_bytes(&bytes);
            let _ = <(Address, u128)>::from_key_bytes(&bytes);
        }
    }

    #[test]
    fn tuple_prefix_is_byte_prefix() {
        let full = enc(&(Address([1; 20]), "stake".to_string()));
        assert!(full.starts_with(&enc(&Address([1; 20]))));
    }

    #[test]
    fn trailing_bytes_rejected() {
        let mut bytes = enc(&7u32);
        bytes.push(0);
        assert!(u32::from_key_bytes(&bytes).is_err());
        assert!(String::from_key_bytes(&[b'a', 0]).is_err());
    }
}
