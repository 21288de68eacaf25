//! Hex and base64, the two encodings CometBFT's RPC speaks (hex in URLs, base64 in JSON),
//! through the `hex` and `base64` crates; `None` on bad input, since callers word their own
//! error.

use base64::Engine as _;

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// Decodes hex (either case, even length).
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    ::hex::decode(text).ok()
}

/// Standard base64 with `=` padding (RFC 4648), as CometBFT writes keys in JSON.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard padded base64.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&bytes), "0001abff");
        assert_eq!(unhex("0001ABff"), Some(bytes.to_vec()));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn base64_decodes_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ];
        for (encoded, plain) in cases {
            assert_eq!(unbase64(encoded), Some(plain.as_bytes().to_vec()), "{encoded}");
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
        assert_eq!(unbase64("Z"), None);
        assert_eq!(unbase64("Zm9*"), None);
        assert_eq!(unbase64("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
    }
}
