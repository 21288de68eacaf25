//! Genesis import and export. The `app_state` document is
//! `{ "runtime": RuntimeGenesis, "app": <the app's genesis> }`; unknown fields are errors.
//! Export then import reproduces the state byte for byte, hence the same root.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use conclave_core::authority::AUTHORITY;
use conclave_core::{StateRead, StateWrite};

use crate::app::App;
use crate::error::RuntimeError;
use crate::params::{AccountNonce, RuntimeGenesis, CHAIN_ID, NONCES, PARAMS};

/// The whole `app_state` document.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisState<G> {
    /// The runtime's section.
    #[serde(default)]
    pub runtime: RuntimeGenesis,
    /// The app's sections.
    #[serde(default)]
    pub app: G,
}

impl<G: Serialize + DeserializeOwned + Default> GenesisState<G> {
    /// Parses the document; errors name the line and column.
    pub fn from_json(bytes: &[u8]) -> Result<Self, RuntimeError> {
        serde_json::from_slice(bytes).map_err(|e| RuntimeError::Genesis(format!("app_state: {e}")))
    }

    /// The document as JSON.
    pub fn to_json(&self) -> Result<serde_json::Value, RuntimeError> {
        serde_json::to_value(self).map_err(|e| RuntimeError::Genesis(format!("cannot serialize genesis: {e}")))
    }

    /// Validates and writes the genesis into `state`.
    pub fn write<A: App<Genesis = G>>(
        &self,
        app: &A,
        state: &mut impl StateWrite,
        chain_id: &str,
    ) -> Result<(), RuntimeError> {
        if chain_id.is_empty() || chain_id.len() > 64 {
            return Err(RuntimeError::Genesis("chain_id must be 1 to 64 characters".into()));
        }
        self.runtime.params.validate().map_err(RuntimeError::Genesis)?;
        CHAIN_ID.put(state, &chain_id.to_string())?;
        PARAMS.put(state, &self.runtime.params)?;
        if let Some(authority) = &self.runtime.authority {
            AUTHORITY.put(state, authority)?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for entry in &self.runtime.nonces {
            if !seen.insert(entry.address) {
                return Err(RuntimeError::Genesis(format!("runtime.nonces lists {} twice", entry.address)));
            }
            if entry.nonce == 0 {
                return Err(RuntimeError::Genesis(format!(
                    "runtime.nonces: nonce of {} is 0; omit accounts at 0",
                    entry.address
                )));
            }
            NONCES.put(state, &entry.address, &entry.nonce)?;
        }
        app.init_genesis(state, &self.app).map_err(|e| RuntimeError::Genesis(e.to_string()))
    }

    /// Reads the genesis back from `state`.
    pub fn export<A: App<Genesis = G>>(app: &A, state: &impl StateRead) -> Result<Self, RuntimeError> {
        let params = PARAMS.load(state)?;
        let mut nonces = Vec::new();
        for entry in NONCES.iter(state) {
            let (address, nonce) = entry?;
            nonces.push(AccountNonce { address, nonce });
        }
        let authority = AUTHORITY.get(state)?;
        let app_genesis = app.export_genesis(state).map_err(RuntimeError::App)?;
        Ok(Self { runtime: RuntimeGenesis { params, authority, nonces }, app: app_genesis })
    }
}
