//! The proof verifier (`conclave_proof`, what a light client runs): on any proof bytes, root,
//! key and value it returns a verdict, never panics; and it is sound on what it accepts: a
//! proof accepted for `(key, value)` is refused for any other value of that key and for the
//! key's absence (one proof, one answer).
//!
//! Input: `root (32) ‖ key length (1) ‖ key ‖ value flag (1) ‖ value length (1) ‖ value ‖
//! borsh(Proof)`; missing pieces are empty. Seeds are real proofs from a store.

use conclave_proof::Proof;

/// Splits `n` bytes off the front (fewer if the input is shorter).
fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, tail) = data.split_at(n.min(data.len()));
    *data = tail;
    head
}

/// Fuzz body.
pub fn run(mut data: &[u8]) {
    let mut root = [0u8; 32];
    let head = take(&mut data, 32);
    root[..head.len()].copy_from_slice(head);
    let key_len = take(&mut data, 1).first().copied().unwrap_or(0);
    let key = take(&mut data, usize::from(key_len)).to_vec();
    let present = take(&mut data, 1).first().is_some_and(|flag| flag % 2 == 1);
    let value_len = take(&mut data, 1).first().copied().unwrap_or(0);
    let value = take(&mut data, usize::from(value_len)).to_vec();
    let Ok(proof) = borsh::from_slice::<Proof>(data) else { return };
    let claimed = present.then_some(value.as_slice());
    if proof.verify(&root, &key, claimed).is_err() {
        return;
    }
    // Accepted: every other answer for this key must be refused.
    if present {
        assert!(proof.verify(&root, &key, None).is_err(), "one proof proved a key present and absent");
        let mut other = value.clone();
        other.push(0);
        assert!(proof.verify(&root, &key, Some(&other)).is_err(), "one proof proved two values");
    } else {
        assert!(proof.verify(&root, &key, Some(&value)).is_err(), "one proof proved a key absent and present");
    }
}
