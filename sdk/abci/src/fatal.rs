//! What happens when the runtime reports a fatal error inside an ABCI method.
//!
//! ABCI's consensus methods have no error return, and answering anyway could commit a wrong
//! app hash. So the node stops: the error and its whole chain of causes are logged, and the
//! handler (by default: exit the process with status 70) runs. CometBFT sees the connection
//! drop and stops too; on restart its handshake replays from the last durable commit.

use std::error::Error;
use std::sync::Arc;

/// Called with a fatal error; must not return normally in production.
pub type FatalHandler = Arc<dyn Fn(&str) + Send + Sync>;

/// Exit status used when the node stops on a fatal error (EX_SOFTWARE).
pub const FATAL_EXIT_CODE: i32 = 70;

/// The default handler: log and exit.
pub fn exit_process() -> FatalHandler {
    Arc::new(|message: &str| {
        tracing::error!(target: "conclave::abci", "{message}");
        eprintln!("fatal: {message}");
        std::process::exit(FATAL_EXIT_CODE);
    })
}

/// `error` and each of its sources, joined with ": ".
pub fn error_chain(error: &dyn Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
