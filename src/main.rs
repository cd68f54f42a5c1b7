//! coopdesk: parse the command line, pick the command, run it, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    coopdesk::cli::main()
}
