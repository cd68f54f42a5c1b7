//! Writers take turns in the order they came, across every coopdesk process on the database.
//!
//! SQLite lets one writer in at a time and leaves the others to poll: whoever polls at the
//! right moment goes next, so under many busy desks one unlucky desk can wait a long time
//! while newcomers overtake it, and every waiter burns processor time polling. Here each
//! writer first takes a numbered ticket and waits, asleep in the kernel, until the writer
//! before it is done; the lock is then handed over at once to exactly one waiter.
//!
//! The queue lives in a small file beside the database (`<database>-turns`), in open file
//! description locks on single bytes: byte 0 guards the ticket counter (the file's first eight
//! bytes), and ticket `t` holds byte `SLOTS_AT + t % SLOTS` for as long as it is queued or
//! writing. The next ticket waits for that byte. A process that dies, however it dies, has its
//! locks released by the kernel, so a killed desk never blocks the queue.
//!
//! The queue only orders writers; SQLite's lock still decides who writes. Anything that goes
//! wrong with the queue (no file, a wait longer than the store's lock wait) lets the writer go
//! straight on to SQLite's lock, with its own wait and its own clear "busy" message.

use std::fs::File;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// The file beside the database that holds the queue.
pub fn turns_path(db: &Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-turns");
    std::path::PathBuf::from(name)
}

const SLOTS_AT: i64 = 4096;
const SLOTS: u64 = 1024;

/// The queue of writers of one database, as one process sees it.
pub struct Turns {
    file: File,
}

/// A place in the queue, held until dropped (after the commit or the rollback).
pub struct Turn<'a> {
    file: &'a File,
    slot: Option<i64>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            let _ = unlock(self.file, slot);
        }
    }
}

impl Turns {
    /// Open (creating, with the database's own permissions) the queue of `db`'s writers.
    /// `None` where there is no such queue: another system, or a folder nobody may write to.
    pub fn open(db: &Path) -> Option<Turns> {
        imp::open(&turns_path(db)).ok().map(|file| Turns { file })
    }

    /// Wait for this writer's turn, at most `wait`. Returns a place that is given up when
    /// dropped; after a wait that ran out, an empty one (the writer goes on to SQLite's lock).
    pub fn wait(&self, wait: Duration) -> Turn<'_> {
        let deadline = Instant::now() + wait;
        let slot = self.queue(deadline).unwrap_or(None);
        Turn {
            file: &self.file,
            slot,
        }
    }

    fn queue(&self, deadline: Instant) -> io::Result<Option<i64>> {
        // Take a ticket and hold its byte before anyone can take the next one.
        if !lock(&self.file, 0, deadline)? {
            return Ok(None);
        }
        let taken = self.take_ticket(deadline);
        let _ = unlock(&self.file, 0);
        let Some(ticket) = taken? else {
            return Ok(None);
        };
        let mine = slot_of(ticket);
        if ticket == 0 {
            return Ok(Some(mine));
        }
        // Wait for the writer before: its byte is free once it has written (or died).
        let before = slot_of(ticket - 1);
        match lock(&self.file, before, deadline) {
            Ok(true) => {
                let _ = unlock(&self.file, before);
                Ok(Some(mine))
            }
            // Waited long enough: leave the queue so those behind are not held, and let
            // SQLite's lock decide.
            other => {
                let _ = unlock(&self.file, mine);
                other.map(|_| None)
            }
        }
    }

    fn take_ticket(&self, deadline: Instant) -> io::Result<Option<u64>> {
        use std::os::unix::fs::FileExt;
        let mut buf = [0u8; 8];
        let n = self.file.read_at(&mut buf, 0)?;
        let ticket = if n == 8 { u64::from_le_bytes(buf) } else { 0 };
        self.file
            .write_at(&ticket.wrapping_add(1).to_le_bytes(), 0)?;
        // The byte of ticket `t` is normally free; with more than SLOTS writers queued, it
        // is held by the ticket SLOTS earlier, which this waits for.
        if !lock(&self.file, slot_of(ticket), deadline)? {
            return Ok(None);
        }
        Ok(Some(ticket))
    }
}

fn slot_of(ticket: u64) -> i64 {
    SLOTS_AT + (ticket % SLOTS) as i64
}

fn lock(file: &File, byte: i64, deadline: Instant) -> io::Result<bool> {
    imp::lock(file, byte, deadline)
}

fn unlock(file: &File, byte: i64) -> io::Result<()> {
    imp::unlock(file, byte)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;
    use std::sync::Once;
    use std::sync::mpsc;
    use std::time::Instant;

    pub fn open(path: &Path) -> io::Result<File> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        // The same readers and writers as the database: its permissions and group.
        if let Some(db) = path.to_str().and_then(|p| p.strip_suffix("-turns"))
            && let Ok(meta) = std::fs::metadata(db)
        {
            let mine = file.metadata()?;
            if mine.mode() & 0o777 != meta.mode() & 0o777 {
                let _ = file.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o777));
            }
            if mine.gid() != meta.gid() {
                // SAFETY: fchown on a descriptor we own; -1 leaves the owner as it is.
                unsafe { libc::fchown(file.as_raw_fd(), u32::MAX, meta.gid()) };
            }
        }
        Ok(file)
    }

    fn region(kind: libc::c_short, byte: i64) -> libc::flock {
        // SAFETY: a plain C struct; all-zero is a valid value for every field.
        let mut fl: libc::flock = unsafe { std::mem::zeroed() };
        fl.l_type = kind;
        fl.l_whence = libc::SEEK_SET as libc::c_short;
        fl.l_start = byte;
        fl.l_len = 1;
        fl
    }

    pub fn unlock(file: &File, byte: i64) -> io::Result<()> {
        let fl = region(libc::F_UNLCK as libc::c_short, byte);
        // SAFETY: a valid descriptor and a valid flock struct.
        if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &fl) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// Lock one byte, waiting asleep until `deadline`. `Ok(false)` when the deadline passed.
    pub fn lock(file: &File, byte: i64, deadline: Instant) -> io::Result<bool> {
        let fd = file.as_raw_fd();
        let fl = region(libc::F_WRLCK as libc::c_short, byte);
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_OFD_SETLK, &fl) } == 0 {
            return Ok(true);
        }
        let err = io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EACCES)) {
            return Err(err);
        }
        // Someone holds it: sleep in the kernel until it is ours, with a watchman who wakes
        // this thread (a signal that interrupts the wait) when the deadline comes.
        install_waker();
        // SAFETY: the calling thread's own id.
        let me = unsafe { libc::pthread_self() };
        let (done, stop) = mpsc::channel::<()>();
        let watchman = std::thread::spawn(move || {
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match stop.recv_timeout(left) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        // SAFETY: the waiting thread outlives this one (it joins it).
                        unsafe { libc::pthread_kill(me, waker()) };
                        if stop
                            .recv_timeout(std::time::Duration::from_millis(5))
                            .is_ok()
                        {
                            return;
                        }
                    }
                    _ => return,
                }
            }
        });
        let out = loop {
            // SAFETY: as above.
            if unsafe { libc::fcntl(fd, libc::F_OFD_SETLKW, &fl) } == 0 {
                break Ok(true);
            }
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EINTR) {
                break Err(err);
            }
            if Instant::now() >= deadline {
                break Ok(false);
            }
        };
        let _ = done.send(());
        let _ = watchman.join();
        out
    }

    fn waker() -> libc::c_int {
        libc::SIGRTMIN() + 5
    }

    extern "C" fn wake(_: libc::c_int) {}

    /// A handler that does nothing, installed without SA_RESTART: the signal only interrupts
    /// the wait.
    fn install_waker() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            // SAFETY: installing a handler that touches nothing.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = wake as *const () as usize;
                sa.sa_flags = 0;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(waker(), &sa, std::ptr::null_mut());
            }
        });
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::fs::File;
    use std::io;
    use std::path::Path;
    use std::time::Instant;

    pub fn open(_: &Path) -> io::Result<File> {
        Err(io::Error::other("no writers' queue on this system"))
    }
    pub fn lock(_: &File, _: i64, _: Instant) -> io::Result<bool> {
        Ok(false)
    }
    pub fn unlock(_: &File, _: i64) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn writers_go_in_the_order_they_came_and_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("q.db");
        std::fs::write(&db, b"").unwrap();
        let first = Turns::open(&db).unwrap();
        let held = first.wait(Duration::from_secs(5));
        assert!(held.slot.is_some());
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        for i in 0..4 {
            let db = db.clone();
            let order = order.clone();
            threads.push(std::thread::spawn(move || {
                // Each thread its own open file: locks of one open file do not exclude
                // each other, as in separate processes.
                let turns = Turns::open(&db).unwrap();
                std::thread::sleep(Duration::from_millis(60 * i));
                let turn = turns.wait(Duration::from_secs(5));
                assert!(turn.slot.is_some(), "writer {i} waited in vain");
                order.lock().unwrap().push(i);
                std::thread::sleep(Duration::from_millis(20));
                drop(turn);
            }));
        }
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            order.lock().unwrap().is_empty(),
            "someone went in out of turn"
        );
        drop(held);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_wait_that_runs_out_gives_way_and_leaves_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("q.db");
        std::fs::write(&db, b"").unwrap();
        let stuck = Turns::open(&db).unwrap();
        let _held = stuck.wait(Duration::from_secs(5));
        let other = Turns::open(&db).unwrap();
        let started = Instant::now();
        let turn = other.wait(Duration::from_millis(200));
        assert!(turn.slot.is_none());
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(3));
        drop(turn);
        // The one who gave up does not hold up the next: it goes straight on (to SQLite's
        // own lock, which decides).
        let third = Turns::open(&db).unwrap();
        let started = Instant::now();
        let t = third.wait(Duration::from_secs(5));
        assert!(t.slot.is_some());
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
