//! What every smoke run of `conclave-bench` shares: run it, fail with its whole output unless
//! it exits 0, and read the summary value on its last line.
#![allow(dead_code)]

use std::error::Error;
use std::process::Command;

/// The benchmark binary, to add arguments to.
pub(crate) fn bench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_conclave-bench"))
}

/// Runs `command`; its stdout, or an error with stdout and stderr if it did not exit 0.
pub(crate) fn stdout_of(command: &mut Command) -> Result<String, Box<dyn Error>> {
    let output = command.output()?;
    let stdout = String::from_utf8(output.stdout)?;
    if !output.status.success() {
        return Err(format!(
            "exit {}\nstdout:\n{stdout}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(stdout)
}

/// The value of the last line, which must read `<key>=<value>`.
pub(crate) fn last_value<'a>(stdout: &'a str, key: &str) -> Result<&'a str, Box<dyn Error>> {
    let last = stdout.lines().last().ok_or("no output")?;
    let value = last.strip_prefix(key).and_then(|rest| rest.strip_prefix('='));
    Ok(value.ok_or_else(|| format!("last line: {last:?}, expected {key}=…"))?)
}
