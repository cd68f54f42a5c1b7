//! coopdesk: parse the command line, pick the command, run it, map errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    // A report piped into `head` or `less` that is closed early ends quietly, as command-line
    // tools do, instead of panicking on a broken pipe. (The terminal interface writes to a
    // terminal, never a pipe; a vanished terminal is handled by its own watchdog.)
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    coopdesk::cli::main()
}
