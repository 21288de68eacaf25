//! A bounds-checked reader over untrusted bytes (manifests and chunks come from peers): every
//! length is checked against the bytes left before anything is read or allocated, so decoding
//! never allocates more than the input's size.

use conclave_proof::Hash;

pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

/// Why bytes did not decode; the message names what was being read.
#[derive(Debug)]
pub(crate) struct Truncated(pub(crate) &'static str);

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn bytes(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], Truncated> {
        if len > self.rest.len() {
            return Err(Truncated(what));
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, Truncated> {
        Ok(self.bytes(1, what)?[0])
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, Truncated> {
        let bytes = self.bytes(4, what)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, Truncated> {
        let low = u64::from(self.u32(what)?);
        let high = u64::from(self.u32(what)?);
        Ok(low | (high << 32))
    }

    pub(crate) fn hash(&mut self, what: &'static str) -> Result<Hash, Truncated> {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(self.bytes(32, what)?);
        Ok(hash)
    }

    /// A borsh `Vec<u8>`: a u32 length, then the bytes.
    pub(crate) fn vec(&mut self, what: &'static str) -> Result<&'a [u8], Truncated> {
        let len = self.u32(what)?;
        self.bytes(usize::try_from(len).map_err(|_| Truncated(what))?, what)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

/// Appends a borsh `Vec<u8>`. Callers keep lengths below 4 GiB (chunks are far smaller).
pub(crate) fn put_vec(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(bytes);
}
