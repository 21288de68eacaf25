//! What a run did, in figures: operations attempted, succeeded and refused by (codespace,
//! code) for each kind, faults injected, block events by kind, heights compared. Reports of
//! several seeds add up into the summary the test prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::faults::FaultCounts;
use super::operations::OpKind;
use super::runner::BLOCKS_AFTER_IMPORT;

/// Figures of one kind of operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindFigures {
    /// Signed transactions put in blocks.
    pub attempted: u64,
    /// Those the chain executed (code 0).
    pub succeeded: u64,
    /// Those it refused, by (codespace, code).
    pub refused: BTreeMap<(String, u32), u64>,
    /// Draws of this kind the state offered no plausible arguments for (another kind was
    /// drawn instead).
    pub not_plausible: u64,
}

/// The figures of one or more runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Seeds simulated.
    pub seeds: u64,
    /// Blocks produced (first runs only: repeated runs are counted as heights compared).
    pub blocks: u64,
    /// Per kind of operation.
    pub kinds: BTreeMap<OpKind, KindFigures>,
    /// Faults injected.
    pub faults: FaultCounts,
    /// Block-level events (begin and end block) by kind.
    pub block_events: BTreeMap<String, u64>,
    /// Heights whose app hash was compared with another run's.
    pub heights_compared: u64,
    /// Final app hashes compared with a golden file.
    pub golden_checked: u64,
    /// Exports imported into a fresh chain with the same root.
    pub exports_imported: u64,
    /// Imported chains that produced blocks after the import.
    pub imports_ran_on: u64,
    /// Of those, the ones exported right after a block that brought a new key into the set
    /// (so the imported chain's first block rebased rotation's history).
    pub imports_with_new_key_in_flight: u64,
}

impl Report {
    /// Counts one transaction's outcome.
    pub fn record_tx(&mut self, kind: OpKind, codespace: &str, code: u32) {
        let figures = self.kinds.entry(kind).or_default();
        figures.attempted += 1;
        if code == 0 {
            figures.succeeded += 1;
        } else {
            *figures.refused.entry((codespace.to_string(), code)).or_default() += 1;
        }
    }

    /// Counts a draw that found nothing plausible to do.
    pub fn record_not_plausible(&mut self, kind: OpKind) {
        self.kinds.entry(kind).or_default().not_plausible += 1;
    }

    /// Counts a block's events.
    pub fn record_block_events<'a>(&mut self, kinds: impl Iterator<Item = &'a str>) {
        self.blocks += 1;
        for kind in kinds {
            *self.block_events.entry(kind.to_string()).or_default() += 1;
        }
    }

    /// Transactions attempted and succeeded, over every kind.
    pub fn totals(&self) -> (u64, u64) {
        self.kinds.values().fold((0, 0), |(a, s), f| (a + f.attempted, s + f.succeeded))
    }

    /// Adds `other` (another seed) into this report.
    pub fn absorb(&mut self, other: &Report) {
        self.seeds += other.seeds;
        self.blocks += other.blocks;
        for (kind, theirs) in &other.kinds {
            let ours = self.kinds.entry(*kind).or_default();
            ours.attempted += theirs.attempted;
            ours.succeeded += theirs.succeeded;
            ours.not_plausible += theirs.not_plausible;
            for (code, n) in &theirs.refused {
                *ours.refused.entry(code.clone()).or_default() += n;
            }
        }
        let (f, o) = (&mut self.faults, &other.faults);
        f.offline += o.offline;
        f.nil += o.nil;
        f.back_online += o.back_online;
        f.blocks_with_missing_votes += o.blocks_with_missing_votes;
        f.double_signs += o.double_signs;
        f.repeated_evidence += o.repeated_evidence;
        f.late_blocks += o.late_blocks;
        for (kind, n) in &other.block_events {
            *self.block_events.entry(kind.clone()).or_default() += n;
        }
        self.heights_compared += other.heights_compared;
        self.golden_checked += other.golden_checked;
        self.exports_imported += other.exports_imported;
        self.imports_ran_on += other.imports_ran_on;
        self.imports_with_new_key_in_flight += other.imports_with_new_key_in_flight;
    }

    /// The summary, as printed at the end of the test.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let (attempted, succeeded) = self.totals();
        let _ = writeln!(out, "seeds: {}, blocks: {} (per run)", self.seeds, self.blocks);
        let _ = writeln!(
            out,
            "operations: {attempted} attempted, {succeeded} succeeded ({}), {} refused",
            percent(succeeded, attempted),
            attempted - succeeded
        );
        let _ = writeln!(
            out,
            "{:<28} {:>9} {:>9} {:>6} {:>8}  refusals (codespace/code × n)",
            "kind", "attempted", "succeeded", "ok", "skipped"
        );
        for (kind, f) in &self.kinds {
            let refusals: Vec<String> =
                f.refused.iter().map(|((space, code), n)| format!("{space}/{code}×{n}")).collect();
            let _ = writeln!(
                out,
                "{:<28} {:>9} {:>9} {:>6} {:>8}  {}",
                kind.name(),
                f.attempted,
                f.succeeded,
                percent(f.succeeded, f.attempted),
                f.not_plausible,
                refusals.join(" ")
            );
        }
        let f = &self.faults;
        let _ = writeln!(
            out,
            "faults: {} offline (absent), {} voting nil, {} back online, {} blocks with missing votes, \
             {} double signs, {} repeated evidence, {} late blocks",
            f.offline,
            f.nil,
            f.back_online,
            f.blocks_with_missing_votes,
            f.double_signs,
            f.repeated_evidence,
            f.late_blocks
        );
        let events: Vec<String> = self.block_events.iter().map(|(kind, n)| format!("{kind}×{n}")).collect();
        let _ = writeln!(out, "block events: {}", events.join(" "));
        let _ = writeln!(
            out,
            "determinism: {} heights compared across runs; {} final hashes checked against golden; \
             {} exports imported with the same root",
            self.heights_compared, self.golden_checked, self.exports_imported
        );
        let _ = writeln!(
            out,
            "imported chains: {} ran on for {BLOCKS_AFTER_IMPORT} blocks ({} with a new validator key in flight \
             at the export)",
            self.imports_ran_on, self.imports_with_new_key_in_flight
        );
        out
    }
}

/// `part / whole` as a whole percentage (integers only).
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{}%", part * 100 / whole)
}
