//! Snapshots on disk: one directory per height under the node's snapshot directory.
//!
//! ```text
//! DIR/<height>/manifest        the manifest (ABCI metadata)
//! DIR/<height>/chunk-<i>       chunk i, i = 0 .. chunks
//! DIR/tmp-<height>/            a snapshot being written; renamed to <height> when complete
//! ```
//!
//! Every file is fsynced before the directory is renamed, so a listed snapshot is always whole,
//! even after a crash; `tmp-*` directories a crash left behind are removed on open.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use conclave_proof::Hash;

use super::export::Export;
use super::manifest::Manifest;
use super::FORMAT;

const MANIFEST_FILE: &str = "manifest";
const TMP_PREFIX: &str = "tmp-";

/// A snapshot on disk, as ABCI `ListSnapshots` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// Its height.
    pub height: u64,
    /// Its format ([`FORMAT`]).
    pub format: u32,
    /// Its number of chunks.
    pub chunks: u32,
    /// `blake3(metadata)`.
    pub hash: Hash,
    /// The manifest's bytes.
    pub metadata: Vec<u8>,
}

/// The snapshot directory.
#[derive(Debug)]
pub struct SnapshotFiles {
    dir: PathBuf,
}

impl SnapshotFiles {
    /// Opens (creating) `dir` and removes snapshots a crash left half written.
    pub fn open(dir: &Path) -> io::Result<SnapshotFiles> {
        fs::create_dir_all(dir)?;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                fs::remove_dir_all(entry.path())?;
            }
        }
        Ok(SnapshotFiles { dir: dir.to_path_buf() })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `export` (unless a snapshot of its height is already there) and returns what it
    /// wrote; `Ok(None)` if it was there already or `cancel` was set while writing.
    pub fn write(&self, export: &Export, cancel: &AtomicBool) -> io::Result<Option<SnapshotInfo>> {
        let manifest = export.manifest();
        let height = manifest.height();
        let done = self.dir.join(height.to_string());
        if done.exists() {
            return Ok(None);
        }
        let tmp = self.dir.join(format!("{TMP_PREFIX}{height}"));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        let written = write_into(&tmp, export, cancel);
        match written {
            Ok(Some(info)) => {
                fs::rename(&tmp, &done)?;
                File::open(&self.dir)?.sync_all()?;
                Ok(Some(info))
            }
            other => {
                // Best effort: a leftover is removed on the next open anyway.
                let _ = fs::remove_dir_all(&tmp);
                other
            }
        }
    }

    /// The heights of the complete snapshots, ascending.
    pub fn heights(&self) -> io::Result<Vec<u64>> {
        let mut heights = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            if let Some(height) = entry.file_name().to_str().and_then(|name| name.parse::<u64>().ok()) {
                heights.push(height);
            }
        }
        heights.sort_unstable();
        Ok(heights)
    }

    /// The complete snapshots, ascending by height. One whose manifest is unreadable (damaged,
    /// or pruned while listing) is skipped.
    pub fn list(&self) -> io::Result<Vec<SnapshotInfo>> {
        let mut snapshots = Vec::new();
        for height in self.heights()? {
            let path = self.dir.join(height.to_string()).join(MANIFEST_FILE);
            let metadata = match fs::read(&path) {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error),
            };
            match Manifest::decode(&metadata) {
                Ok(manifest) if manifest.height() == height => snapshots.push(SnapshotInfo {
                    height,
                    format: FORMAT,
                    chunks: manifest.chunk_count(),
                    hash: *blake3::hash(&metadata).as_bytes(),
                    metadata,
                }),
                _ => tracing::warn!(path = %path.display(), "skipping a snapshot whose manifest does not decode"),
            }
        }
        Ok(snapshots)
    }

    /// Chunk `index` of the snapshot of `height` in `format`; `None` if there is no such chunk.
    pub fn chunk(&self, height: u64, format: u32, index: u32) -> io::Result<Option<Vec<u8>>> {
        if format != FORMAT {
            return Ok(None);
        }
        match fs::read(self.dir.join(height.to_string()).join(chunk_file(index))) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Deletes all but the `keep_recent` newest snapshots (all are kept if it is 0); returns the
    /// heights deleted.
    pub fn prune(&self, keep_recent: u32) -> io::Result<Vec<u64>> {
        let heights = self.heights()?;
        if keep_recent == 0 || heights.len() <= keep_recent as usize {
            return Ok(Vec::new());
        }
        let old = &heights[..heights.len() - keep_recent as usize];
        for height in old {
            fs::remove_dir_all(self.dir.join(height.to_string()))?;
        }
        Ok(old.to_vec())
    }
}

fn chunk_file(index: u32) -> String {
    format!("chunk-{index}")
}

fn write_into(dir: &Path, export: &Export, cancel: &AtomicBool) -> io::Result<Option<SnapshotInfo>> {
    let manifest = export.manifest();
    for index in 0..manifest.chunk_count() {
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let Some(bytes) = export.chunk(index) else { break };
        write_synced(&dir.join(chunk_file(index)), &bytes)?;
    }
    let metadata = manifest.encode();
    write_synced(&dir.join(MANIFEST_FILE), &metadata)?;
    File::open(dir)?.sync_all()?;
    Ok(Some(SnapshotInfo {
        height: manifest.height(),
        format: FORMAT,
        chunks: manifest.chunk_count(),
        hash: *blake3::hash(&metadata).as_bytes(),
        metadata,
    }))
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
