//! The media cache on disk: files named by URL hash, readable by the user alone, and kept
//! under a size cap by dropping the least recently used.

use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

/// Default cap of the media cache.
pub const DEFAULT_MAX_BYTES: u64 = 200 * 1024 * 1024;

/// Creates `dir` (and parents) and makes `dir` itself 0700: cached images say what the user
/// was shown.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // An older ecochat made it with the umask's mode.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Writes `bytes` to `path` as a 0600 file: through a fresh temporary file renamed over it, so
/// a reader never sees half a file and an old file's mode does not survive.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    // A fresh name of tempfile's choosing, created 0600 and removed again if anything fails.
    let mut tmp = tempfile::Builder::new().prefix(".part-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Marks `path` as just used, for the least-recently-used order.
pub fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// Deletes the least recently used files of `dir` until it holds at most `max_bytes`;
/// `keep` (the file just written) goes last of all. Returns the bytes left.
pub fn prune(dir: &Path, max_bytes: u64, keep: &Path) -> io::Result<u64> {
    let mut files: Vec<(SystemTime, u64, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Ok(meta) = entry.metadata() else { continue };
        // `.part-` files are being written by another fetch.
        if !meta.is_file() || entry.file_name().to_string_lossy().starts_with(".part-") {
            continue;
        }
        let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        files.push((used, meta.len(), entry.path()));
    }
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    files.sort_by_key(|(used, _, path)| (path == keep, *used));
    for (_, len, path) in files {
        if total <= max_bytes {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_least_recently_used_go_first_and_the_new_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let base = SystemTime::now() - Duration::from_secs(1000);
        for i in 0..20u64 {
            let path = dir.path().join(format!("f{i:02}"));
            write_private(&path, &vec![0u8; 1000]).unwrap();
            std::fs::File::open(&path)
                .unwrap()
                .set_modified(base + Duration::from_secs(i))
                .unwrap();
        }
        // f00 was read a moment ago: it is recent now.
        touch(&dir.path().join("f00"));
        let keep = dir.path().join("f01");
        let left = prune(dir.path(), 5_500, &keep).unwrap();
        assert_eq!(left, 5_000);
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["f00", "f01", "f17", "f18", "f19"]);
    }

    #[cfg(unix)]
    #[test]
    fn cache_files_and_dirs_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("cache/media");
        std::fs::create_dir_all(&media).unwrap();
        std::fs::set_permissions(&media, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = media.join("abc");
        std::fs::write(&file, b"old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&file, b"new").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&media), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
    }

    #[test]
    fn a_failed_write_leaves_no_part_file_and_parallel_writes_do_not_clash() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory cannot be replaced by a file.
        let taken = dir.path().join("taken");
        std::fs::create_dir_all(taken.join("inside")).unwrap();
        assert!(write_private(&taken, b"x").is_err());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let dir = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        write_private(&dir.join(format!("{t}-{i}")), b"y").unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".part-")), "{names:?}");
        assert_eq!(names.len(), 101);
    }
}
