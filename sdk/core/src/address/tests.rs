use proptest::prelude::*;

use super::*;

/// bech32's data alphabet (BIP-173).
const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

#[test]
fn bech32_matches_independent_encodings() {
    // The all-zero Cosmos address, as every Cosmos tool writes it; the others from BIP-173's
    // reference implementation (Python), run separately.
    let zero = Address([0; ADDRESS_LEN]);
    assert_eq!(zero.to_bech32("cosmos").unwrap(), "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a");
    let counting = Address(std::array::from_fn(|i| i as u8));
    assert_eq!(counting.to_bech32("appchain").unwrap(), "appchain1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn93vqkn");
    assert_eq!(
        Address([0xff; ADDRESS_LEN]).to_bech32("conclave").unwrap(),
        "conclave1llllllllllllllllllllllllllllllllsagzgx"
    );
    let read = Address::parse_with_prefix("appchain1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn93vqkn", "appchain").unwrap();
    assert_eq!(read, (counting, AddressForm::Bech32));
    // Upper case is valid bech32 (QR codes); mixed case is not.
    let upper = "APPCHAIN1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSN93VQKN";
    assert_eq!(Address::parse_with_prefix(upper, "appchain").unwrap().0, counting);
    assert!(Address::parse_with_prefix("appchain1QQQsyqcyq5rqwzqfpg9scrgwpugpzysn93vqkn", "appchain").is_err());
}

#[test]
fn hex_is_still_read_and_said_to_be_hex() {
    let a = Address::from_public_key(&[7u8; 32]);
    let hex = a.to_hex();
    assert_eq!(hex.len(), 40);
    assert_eq!(Address::parse_with_prefix(&hex, "appchain").unwrap(), (a, AddressForm::Hex));
    assert_eq!(Address::parse_with_prefix(&hex.to_uppercase(), "appchain").unwrap(), (a, AddressForm::Hex));
    assert_eq!(hex.parse::<Address>(), Ok(a));
}

#[test]
fn each_mistake_has_its_own_error() {
    let a = Address::from_public_key(&[1u8; 32]).to_bech32("appchain").unwrap();
    let reason = |text: &str| Address::parse_with_prefix(text, "appchain").unwrap_err().reason;
    assert_eq!(
        reason(&Address::from_public_key(&[1u8; 32]).to_bech32("cosmos").unwrap()),
        AddressError::WrongPrefix { found: "cosmos".into(), expected: "appchain".into() }
    );
    assert_eq!(reason(&a[..a.len() - 1]), AddressError::Checksum, "a dropped character");
    assert_eq!(reason("bob"), AddressError::Malformed { expected: "appchain".into() });
    assert_eq!(reason(&"g".repeat(40)), AddressError::Malformed { expected: "appchain".into() });
    assert_eq!(reason(&"0".repeat(42)), AddressError::Malformed { expected: "appchain".into() }, "no separator");
    // 21 bytes, correctly checksummed: the length, not a typo.
    let long = bech32::encode::<Bech32>(Hrp::parse("appchain").unwrap(), &[0u8; 21]).unwrap();
    assert_eq!(reason(&long), AddressError::WrongLength { characters: 34 });
    let message = Address::parse_with_prefix(&a[..a.len() - 1], "appchain").unwrap_err().to_string();
    assert!(message.starts_with("invalid address \"appchain1") && message.contains("mistyped"), "{message}");
}

#[test]
fn prefixes_are_checked() {
    assert!(validate_address_prefix("appchain").is_ok());
    assert!(validate_address_prefix("cosmos2").is_ok());
    assert!(validate_address_prefix("ab").is_ok());
    for bad in ["", "a", "App", "my-chain", "a b", &"a".repeat(MAX_ADDRESS_PREFIX_LEN + 1)] {
        assert!(validate_address_prefix(bad).is_err(), "{bad:?}");
        assert!(Address::default().to_bech32(bad).is_err(), "{bad:?}");
    }
    // The longest prefix still makes a valid (≤ 90 characters) bech32 string.
    let longest = "a".repeat(MAX_ADDRESS_PREFIX_LEN);
    let text = Address([9; ADDRESS_LEN]).to_bech32(&longest).unwrap();
    assert_eq!(text.len(), 90);
    assert_eq!(Address::parse_with_prefix(&text, &longest).unwrap().0, Address([9; ADDRESS_LEN]));
}

#[test]
fn module_and_key_addresses_differ() {
    assert_ne!(Address::module("bank"), Address::module("staking"));
    assert_ne!(Address::module("x"), Address::from_public_key(&[0; 32]));
}

proptest! {
    /// The dedicated encoder writes what the `bech32` crate's generic one writes, for any
    /// address and prefix, and `Display` is it with the process's prefix.
    #[test]
    fn the_fast_encoder_matches_the_bech32_crate(
        bytes in any::<[u8; ADDRESS_LEN]>(),
        prefix in "[a-z0-9]{2,51}",
    ) {
        let a = Address(bytes);
        let generic = |prefix: &str| {
            let mut out = String::new();
            bech32::encode_lower_to_fmt::<Bech32, _>(&mut out, Hrp::parse(prefix).unwrap(), &bytes).unwrap();
            out
        };
        prop_assert_eq!(a.to_bech32(&prefix).unwrap(), generic(&prefix));
        prop_assert_eq!(a.to_string(), generic(address_prefix()));
    }

    /// Text round-trips, through the process prefix and through an explicit one.
    #[test]
    fn text_round_trips(bytes in any::<[u8; ADDRESS_LEN]>()) {
        let a = Address(bytes);
        prop_assert_eq!(a.to_string().parse::<Address>(), Ok(a));
        let json = serde_json::to_string(&a).unwrap();
        prop_assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), a);
        let text = a.to_bech32("chain7").unwrap();
        prop_assert_eq!(Address::parse_with_prefix(&text, "chain7").unwrap(), (a, AddressForm::Bech32));
    }

    /// bech32 detects every single substituted character and every swap of two adjacent
    /// different characters: a typo never reads as another address.
    #[test]
    fn a_typo_is_caught_by_the_checksum(
        bytes in any::<[u8; ADDRESS_LEN]>(),
        position in 0usize..38,
        replacement in 0usize..32,
    ) {
        let text = Address(bytes).to_bech32("appchain").unwrap();
        let data_start = "appchain1".len();
        let mut typo = text.clone().into_bytes();
        let i = data_start + position;
        let new = CHARSET[replacement];
        prop_assume!(typo[i] != new);
        typo[i] = new;
        let typo = String::from_utf8(typo).unwrap();
        prop_assert_eq!(
            Address::parse_with_prefix(&typo, "appchain").unwrap_err().reason,
            AddressError::Checksum
        );

        let mut swapped = text.into_bytes();
        let j = data_start + position.min(36);
        prop_assume!(swapped[j] != swapped[j + 1]);
        swapped.swap(j, j + 1);
        let swapped = String::from_utf8(swapped).unwrap();
        prop_assert!(Address::parse_with_prefix(&swapped, "appchain").is_err());
    }
}
