//! Replays every committed fuzz input through its target's body, as `cargo fuzz run` would:
//! the seed corpora (`fuzz/corpus/<target>/`) and the inputs that once found a bug
//! (`fuzz/regressions/<target>/`, one file per fixed finding). A panic here is a bug found
//! (or come back). Each target must have a non-empty corpus, so this cannot pass by reading
//! nothing.

use std::path::{Path, PathBuf};

use conclave_fuzz_targets::TARGETS;

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

#[test]
fn every_committed_input_replays_without_a_finding() {
    let mut replayed = 0;
    for (name, body) in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name}/ has no input (run the seeds example)");
        let regressions = files(&fuzz_dir().join("regressions").join(name));
        for file in corpus.iter().chain(&regressions) {
            let data = std::fs::read(file).unwrap();
            if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!("{name}: {} fails: {message}", file.display());
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz inputs over {} targets", TARGETS.len());
}

#[test]
fn every_target_has_a_cargo_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        assert!(manifest.contains(&format!("name = \"{name}\"")), "fuzz/Cargo.toml lacks the {name} binary");
        let source = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&source).unwrap();
        assert!(text.contains(&format!("{name}::run")), "{} does not call {name}::run", source.display());
    }
}
