//! Golden final app hashes (`tests/fixtures/simulation/golden.txt`): one line per
//! `(seed, blocks, operations a block)` with the app hash after the last block. Any change to
//! the state machine, the genesis generator or the operation generator changes them, so such
//! a change is noticed; a commit that re-blesses them must say why the hashes changed.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a golden line identifies: seed, blocks, operations a block.
pub type GoldenKey = (u64, u64, u64);

/// The golden file's path.
pub fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/simulation/golden.txt")
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The committed hashes (empty when the file does not exist).
pub fn load() -> BTreeMap<GoldenKey, String> {
    let Ok(text) = std::fs::read_to_string(path()) else { return BTreeMap::new() };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parse = |i: usize| -> u64 {
            fields.get(i).and_then(|f| f.parse().ok()).unwrap_or_else(|| {
                panic!(
                    "{}:{}: expected `seed blocks ops_per_block app_hash_hex`, got {line:?}",
                    path().display(),
                    n + 1
                )
            })
        };
        let hash = fields.get(3).unwrap_or_else(|| panic!("{}:{}: no app hash", path().display(), n + 1));
        out.insert((parse(0), parse(1), parse(2)), (*hash).to_string());
    }
    out
}

/// Rewrites the file with `golden` (called with `SIM_BLESS=1`).
pub fn store(golden: &BTreeMap<GoldenKey, String>) {
    let mut text = String::from(
        "# Final app hashes of the whole-chain simulation (tests/tests/whole_chain_simulation.rs).\n\
         # seed blocks ops_per_block app_hash_after_the_last_block\n\
         # Regenerate: SIM_BLESS=1 cargo test -p conclave-tests --test whole_chain_simulation -- --nocapture\n\
         # A commit that changes these lines must say why the state machine's output changed.\n",
    );
    for ((seed, blocks, ops), hash) in golden {
        text.push_str(&format!("{seed} {blocks} {ops} {hash}\n"));
    }
    let path = path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("the fixtures directory can be created");
    }
    std::fs::write(&path, text).expect("the golden file can be written");
}
