//! How CometBFT 0.38 writes values in its JSON, decoded with the `hex`, `base64` and
//! `humantime` crates: 64-bit integers as decimal strings (32-bit ones as numbers), bytes as
//! base64 (transactions, query keys and values, `abci_info`'s app hash) or upper-case hex
//! (header hashes), times as RFC 3339 in UTC with nanoseconds, and `null` for empty lists.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::SystemTime;

use base64::Engine as _;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// CometBFT's zero time (`time.Time{}` in Go), written for absent commit signatures.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// An integer written as a JSON number or a decimal string; `null` is the type's default.
pub(crate) fn int<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + TryFrom<u64> + TryFrom<i64> + Default,
{
    struct IntVisitor<T>(PhantomData<T>);
    impl<T: FromStr + TryFrom<u64> + TryFrom<i64> + Default> Visitor<'_> for IntVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, as a number or a decimal string")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            T::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            v.parse().map_err(|_| E::custom(format!("{v:?} is not an integer in range")))
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
    }
    deserializer.deserialize_any(IntVisitor(PhantomData))
}

/// Standard padded base64; `null` is empty.
pub(crate) fn bytes_base64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    Ok(Option::<Base64>::deserialize(deserializer)?.map(|b| b.0).unwrap_or_default())
}

/// A list of base64 values (a block's transactions); `null` is empty.
pub(crate) fn list_base64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<u8>>, D::Error> {
    let list = Option::<Vec<Base64>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(list.into_iter().map(|b| b.0).collect())
}

/// Hex of either case (header hashes are upper case); `null` is empty.
pub(crate) fn bytes_hex<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
    struct HexVisitor;
    impl Visitor<'_> for HexVisitor {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a hex string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
            ::hex::decode(v).map_err(|e| E::custom(format!("{v:?} is not hex: {e}")))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
            Ok(Vec::new())
        }
    }
    deserializer.deserialize_any(HexVisitor)
}

/// An RFC 3339 UTC time.
pub(crate) fn time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    humantime::parse_rfc3339(&text).map_err(|e| de::Error::custom(format!("{text:?} is not an RFC 3339 time: {e}")))
}

/// An RFC 3339 UTC time, `None` for Go's zero time (what an absent signature carries).
pub(crate) fn optional_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SystemTime>, D::Error> {
    match Option::<String>::deserialize(deserializer)?.as_deref() {
        None | Some(GO_ZERO_TIME) => Ok(None),
        Some(text) => humantime::parse_rfc3339(text)
            .map(Some)
            .map_err(|e| de::Error::custom(format!("{text:?} is not an RFC 3339 time: {e}"))),
    }
}

/// A list that CometBFT writes as `null` when empty.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// One base64 value, decoded straight from the (usually borrowed) JSON string.
struct Base64(Vec<u8>);

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Base64Visitor;
        impl Visitor<'_> for Base64Visitor {
            type Value = Base64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Base64, E> {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(Base64)
                    .map_err(|e| E::custom(format!("not base64 ({e})")))
            }
        }
        deserializer.deserialize_str(Base64Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "int")]
        a: u64,
        #[serde(deserialize_with = "int")]
        b: i64,
        #[serde(deserialize_with = "int", default)]
        c: u32,
        #[serde(deserialize_with = "bytes_base64", default)]
        d: Vec<u8>,
        #[serde(deserialize_with = "bytes_hex", default)]
        e: Vec<u8>,
        #[serde(deserialize_with = "optional_time", default)]
        f: Option<SystemTime>,
    }

    #[test]
    fn cometbft_encodings_decode() {
        let s: Sample = serde_json::from_str(
            r#"{"a":"83","b":-5,"c":null,"d":"aGVsbG8=","e":"0aFF","f":"1970-01-01T00:00:01.5Z"}"#,
        )
        .unwrap();
        assert_eq!((s.a, s.b, s.c), (83, -5, 0));
        assert_eq!(s.d, b"hello");
        assert_eq!(s.e, [0x0a, 0xff]);
        assert_eq!(s.f, Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1500)));
        let zero: Sample = serde_json::from_str(&format!(r#"{{"a":1,"b":"2","f":"{GO_ZERO_TIME}"}}"#)).unwrap();
        assert_eq!((zero.c, zero.d.len(), zero.f), (0, 0, None));
        for bad in [r#"{"a":"-1","b":0}"#, r#"{"a":1,"b":0,"d":"a*b"}"#, r#"{"a":1,"b":0,"e":"abc"}"#] {
            assert!(serde_json::from_str::<Sample>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Sample>(r#"{"a":1,"b":0,"f":"2024-03-01 00:00:00"}"#).is_err());
    }
}
