//! The new chain's `Cargo.toml`: the app template's manifest made standalone. Every
//! `workspace = true` is replaced by the Conclave workspace's own entry (same versions, so the
//! copied `Cargo.lock` still applies), Conclave's crates point at a local checkout or a git
//! repository, and the workspace's lints and build profiles are copied: `overflow-checks`
//! must stay on in every profile (checked arithmetic is part of determinism).

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::names::ChainNames;

/// Where the new chain finds the Conclave crates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConclaveSource {
    /// A local checkout (its root, absolute).
    Path(std::path::PathBuf),
    /// A git repository, at a revision (a commit, tag or branch).
    Git {
        /// The repository URL.
        url: String,
        /// The revision: `rev = ...`.
        rev: String,
    },
}

/// Renders the new chain's manifest from the template's (`app-template/Cargo.toml`) and the
/// workspace's root manifest.
pub(crate) fn render(template: &str, workspace: &str, names: &ChainNames, source: &ConclaveSource) -> Result<String> {
    let workspace: DocumentMut = workspace.parse().context("the Conclave workspace Cargo.toml")?;
    let mut doc: DocumentMut = template.parse().context("app-template/Cargo.toml")?;
    let shared = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table)
        .ok_or_else(|| anyhow!("the workspace has no [workspace.dependencies]"))?;

    // [package]: the new names; inherited fields become values.
    let package = doc.get_mut("package").and_then(Item::as_table_mut).ok_or_else(|| anyhow!("no [package]"))?;
    package["name"] = toml_edit::value(names.name.as_str());
    package["description"] =
        toml_edit::value(format!("{}: a delegated-proof-of-stake chain built with Conclave", names.name));
    package["version"] = toml_edit::value("0.1.0");
    for field in ["edition", "rust-version"] {
        let value = workspace["workspace"]["package"][field]
            .as_str()
            .ok_or_else(|| anyhow!("the workspace has no package.{field}"))?;
        package[field] = toml_edit::value(value);
    }
    package.remove("license");
    package["publish"] = toml_edit::value(false);
    doc["lib"]["name"] = toml_edit::value(names.name.as_str());
    let bins = doc.get_mut("bin").and_then(Item::as_array_of_tables_mut).ok_or_else(|| anyhow!("no [[bin]]"))?;
    for bin in bins.iter_mut() {
        bin["name"] = toml_edit::value(names.binary());
    }

    for section in ["dependencies", "dev-dependencies"] {
        let Some(table) = doc.get_mut(section).and_then(Item::as_table_like_mut) else { continue };
        let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        for key in keys {
            let resolved = resolve(&key, table.get(&key), shared, source)?;
            if let Some(item) = table.get_mut(&key) {
                *item = resolved;
            }
        }
    }

    // Lints and profiles, copied (a chain has no reason for unsafe code: forbidden); a
    // standalone workspace of its own.
    let mut lints = workspace["workspace"]["lints"].clone();
    if let Some(rust) = lints.get_mut("rust").and_then(Item::as_table_like_mut) {
        rust.remove("unsafe_code");
        rust.insert("unsafe_code", toml_edit::value("forbid"));
    }
    doc.insert("lints", lints);
    if let Some(profiles) = workspace.get("profile") {
        doc.insert("profile", profiles.clone());
    }
    let mut own = Table::new();
    own.set_implicit(false);
    doc.insert("workspace", Item::Table(own));
    Ok(doc.to_string())
}

/// `key`'s entry with `workspace = true` replaced by the workspace's spec (features merged).
fn resolve(key: &str, item: Option<&Item>, shared: &Table, source: &ConclaveSource) -> Result<Item> {
    let Some(item) = item else { bail!("dependency {key} vanished") };
    let member = match item {
        Item::Value(Value::InlineTable(t)) => t.clone(),
        Item::Table(t) => t.clone().into_inline_table(),
        other => return Ok(other.clone()),
    };
    if member.get("workspace").and_then(Value::as_bool) != Some(true) {
        return Ok(item.clone());
    }
    let mut spec = match shared.get(key) {
        Some(Item::Value(Value::String(version))) => {
            let mut t = InlineTable::new();
            t.insert("version", Value::from(version.value().as_str()));
            t
        }
        Some(Item::Value(Value::InlineTable(t))) => t.clone(),
        Some(Item::Table(t)) => t.clone().into_inline_table(),
        _ => bail!("dependency {key}: no entry in [workspace.dependencies]"),
    };
    if let Some(path) = spec.remove("path") {
        let path = path.as_str().ok_or_else(|| anyhow!("dependency {key}: path is not a string"))?.to_string();
        match source {
            ConclaveSource::Path(root) => {
                spec.insert("path", Value::from(root.join(Path::new(&path)).display().to_string()));
            }
            ConclaveSource::Git { url, rev } => {
                spec.insert("git", Value::from(url.as_str()));
                spec.insert("rev", Value::from(rev.as_str()));
            }
        }
    }
    for (field, value) in member.iter() {
        match field {
            "workspace" => {}
            "features" => {
                let mut features: Array = spec.get("features").and_then(Value::as_array).cloned().unwrap_or_default();
                for f in value.as_array().into_iter().flatten() {
                    if !features.iter().any(|g| g.as_str() == f.as_str()) {
                        features.push(f.clone());
                    }
                }
                spec.insert("features", Value::Array(features));
            }
            other => {
                spec.insert(other, value.clone());
            }
        }
    }
    Ok(Item::Value(Value::InlineTable(spec)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKSPACE: &str = r#"
[workspace]
members = ["x"]
[workspace.package]
version = "0.1.0"
edition = "2021"
rust-version = "1.90"
license = "Apache-2.0"
[workspace.dependencies]
conclave-core = { path = "sdk/core" }
conclave-bank = { path = "modules/bank" }
borsh = { version = "=1.8.1", features = ["derive"] }
clap = "4"
[workspace.lints.rust]
missing_docs = "warn"
[profile.release]
overflow-checks = true
"#;

    const TEMPLATE: &str = r#"
[package]
name = "appchain"
description = "x"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
[lib]
name = "appchain"
path = "src/lib.rs"
[[bin]]
name = "appchaind"
path = "src/main.rs"
[dependencies]
conclave-core.workspace = true
conclave-bank = { workspace = true, features = ["cli"] }
borsh.workspace = true
clap = { workspace = true, features = ["env"] }
[dev-dependencies]
tempfile = "3"
[lints]
workspace = true
"#;

    #[test]
    fn a_standalone_manifest_with_the_workspace_versions() {
        let names = ChainNames::new("zeta", "uzeta").unwrap();
        let source = ConclaveSource::Path("/src/conclave".into());
        let out = render(TEMPLATE, WORKSPACE, &names, &source).unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        assert_eq!(doc["package"]["name"].as_str(), Some("zeta"));
        assert_eq!(doc["package"]["edition"].as_str(), Some("2021"));
        assert_eq!(doc["lib"]["name"].as_str(), Some("zeta"));
        assert_eq!(doc["bin"][0]["name"].as_str(), Some("zetad"));
        let deps = &doc["dependencies"];
        assert_eq!(deps["conclave-core"]["path"].as_str(), Some("/src/conclave/sdk/core"));
        assert_eq!(deps["conclave-bank"]["features"].as_array().unwrap().len(), 1);
        assert_eq!(deps["borsh"]["version"].as_str(), Some("=1.8.1"));
        assert_eq!(deps["clap"]["version"].as_str(), Some("4"));
        assert_eq!(deps["clap"]["features"].as_array().unwrap().iter().next().unwrap().as_str(), Some("env"));
        assert_eq!(doc["dev-dependencies"]["tempfile"].as_str(), Some("3"));
        assert_eq!(doc["lints"]["rust"]["missing_docs"].as_str(), Some("warn"));
        assert_eq!(doc["lints"]["rust"]["unsafe_code"].as_str(), Some("forbid"));
        assert_eq!(doc["profile"]["release"]["overflow-checks"].as_bool(), Some(true));
        assert!(doc.get("workspace").is_some(), "its own workspace root");
        assert!(!out.contains("workspace = true"), "{out}");

        let git = ConclaveSource::Git { url: "https://example.com/conclave".into(), rev: "v0.1.0".into() };
        let doc: DocumentMut = render(TEMPLATE, WORKSPACE, &names, &git).unwrap().parse().unwrap();
        assert_eq!(doc["dependencies"]["conclave-core"]["git"].as_str(), Some("https://example.com/conclave"));
        assert_eq!(doc["dependencies"]["conclave-core"]["rev"].as_str(), Some("v0.1.0"));
        assert!(doc["dependencies"]["conclave-core"].get("path").is_none());
    }
}
