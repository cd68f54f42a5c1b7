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

// The demo builder and the imports allocate and free millions of small strings and maps;
// glibc's allocator took a fifth of a demo build's time (measured with perf), mimalloc a
// quarter of that. SQLite keeps its own allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
