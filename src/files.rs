//! Writing files safely: atomic replacement through an unpredictable temp file, and private
//! (owner-only) modes for what ecochat keeps for itself.
//!
//! The old temp names (`.NAME.PID.tmp`) could be guessed: another user who could write to the
//! target directory planted symlinks for the next PIDs and `File::create` followed them into a
//! file of the victim's. A temp file here is created with `O_CREAT|O_EXCL` under a random name,
//! so it is always a new file, never a symlink, and the rename replaces the target's directory
//! entry (a symlink at the target is replaced, not followed).

use std::io::{self, Write};
use std::path::Path;

/// Who may read a file ecochat writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only the owner (0600): chats, state, caches and logs ecochat keeps for itself.
    Private,
    /// As the umask says (0666 less the umask): a file the user asked for by name (`export -o`).
    Umask,
}

/// Writes `bytes` to `path` so that readers see the old file or the new one, never half of
/// either: an exclusively created temp file in the same directory, synced, then renamed over.
pub fn write_atomic(path: &Path, bytes: &[u8], access: Access) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ecochat-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match access {
            Access::Private => 0o600,
            // open(2) takes the umask off, as for any file created the ordinary way.
            Access::Umask => 0o666,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // On failure the temp file is removed when the error drops it.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `dir` and its missing parents owner-only (0700), as the XDG spec asks for
/// directories an application creates. An existing directory is left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// [`create_private_dir`], then takes group and other access away from `dir` itself when it has
/// any: for ecochat's own directories, which older versions created 0755.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    restrict(dir, 0o700)
}

/// Opens the file at `path` for appending, created owner-only (0600) or made so (the log, which
/// older versions created 0644). A symlink there is an error: the directory is ecochat's own,
/// so one was planted or made by hand.
pub fn open_private_append(path: &Path) -> io::Result<std::fs::File> {
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && meta.file_type().is_symlink()
    {
        return Err(io::Error::other(format!(
            "{} is a symlink; not writing through it",
            path.display()
        )));
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    restrict(path, 0o600)?;
    Ok(file)
}

/// Clears the mode bits of `path` outside `allowed`, when it is a file or directory of its own
/// (not a symlink).
fn restrict(path: &Path, allowed: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(path)?;
        if meta.file_type().is_symlink() {
            return Ok(());
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & !allowed != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & allowed))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, allowed);
    Ok(())
}

#[cfg(test)]
mod tests;
