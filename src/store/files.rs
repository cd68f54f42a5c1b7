//! Who may read the files that hold members' personal data: the database, its `-wal` and
//! `-shm`, and backups. Owner-only (0600) by default; with `[security] group` set, owner and
//! that group (0660, the file's group set to it), for a branch where the desks run under
//! separate OS accounts that share one group.

use std::path::Path;

/// How new files of the database are made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileAccess {
    /// The group that shares the files (`[security] group`), as a gid.
    pub group: Option<u32>,
}

impl FileAccess {
    /// Owner and the group when one is set; the owner alone otherwise.
    pub fn mode(&self) -> u32 {
        if self.group.is_some() { 0o660 } else { 0o600 }
    }

    /// Give a file we just made its mode (whatever the umask) and its group.
    pub fn apply(&self, path: &Path) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Some(gid) = self.group {
                std::os::unix::fs::chown(path, None, Some(gid))?;
            }
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(self.mode()))?;
        }
        #[cfg(not(unix))]
        let _ = path;
        Ok(())
    }

    /// Make a folder for such files (backups) if it is missing: owner-only (0700), or with a
    /// group 2770 and that group, so files made in it by any account of the group take the
    /// group and every desk's daily backup can be written there. An existing folder is left
    /// as it is.
    pub fn make_dir(&self, dir: &Path) -> std::io::Result<()> {
        if dir.is_dir() {
            return Ok(());
        }
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match self.group {
                Some(gid) => {
                    std::os::unix::fs::chown(dir, None, Some(gid))?;
                    0o2770
                }
                None => 0o700,
            };
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    }

    /// SQLite makes `-wal` and `-shm` with the database's mode but the process's own group:
    /// give those we own the configured group too. Files of another owner (another desk made
    /// them) are theirs to set and are left alone.
    pub fn adopt_sidecars(&self, db: &Path) -> std::io::Result<()> {
        #[cfg(unix)]
        if let Some(gid) = self.group {
            use std::os::unix::fs::MetadataExt;
            // SAFETY: geteuid has no preconditions and cannot fail.
            let me = unsafe { libc::geteuid() };
            for suffix in ["-wal", "-shm"] {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                let p = Path::new(&name);
                match std::fs::metadata(p) {
                    Ok(m) if m.uid() == me && m.gid() != gid => {
                        std::os::unix::fs::chown(p, None, Some(gid))?
                    }
                    _ => {}
                }
            }
        }
        #[cfg(not(unix))]
        let _ = db;
        Ok(())
    }
}

/// The id of the group called `name`, if the system has one.
pub fn group_id(name: &str) -> Option<u32> {
    #[cfg(unix)]
    {
        let cname = std::ffi::CString::new(name).ok()?;
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        // SAFETY: all-zero is a valid `group` (null pointers, zero gid); getgrnam_r fills it.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::group = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call and `buf` is as long as we say.
        let rc = unsafe {
            libc::getgrnam_r(
                cname.as_ptr(),
                &mut grp,
                buf.as_mut_ptr(),
                buf.len(),
                &mut found,
            )
        };
        if rc != 0 || found.is_null() {
            return None;
        }
        Some(grp.gr_gid)
    }
    #[cfg(not(unix))]
    {
        let _ = name;
        None
    }
}

/// The name of the group with id `gid`, if the system has one (for tests and messages).
pub fn group_name(gid: u32) -> Option<String> {
    #[cfg(unix)]
    {
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        // SAFETY: as in `group_id`.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::group = std::ptr::null_mut();
        // SAFETY: as in `group_id`.
        let rc =
            unsafe { libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut found) };
        if rc != 0 || found.is_null() {
            return None;
        }
        // SAFETY: on success gr_name points at a NUL-terminated string inside `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(grp.gr_name) };
        Some(name.to_string_lossy().into_owned())
    }
    #[cfg(not(unix))]
    {
        let _ = gid;
        None
    }
}
