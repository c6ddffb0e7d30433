//! Saving a media file: a sensible file name from the URL (pure) and a write that never
//! overwrites an existing file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::MediaKind;

/// Longest file name stem kept from a URL, in chars.
const MAX_STEM: usize = 80;

/// A safe file name for the file at `url`: its last path segment, cleaned, with an extension.
/// `number` names files whose URL says nothing (`ecochat-3.png`).
pub fn file_name(url: &str, kind: MediaKind, number: usize) -> String {
    let mime_ext = url
        .strip_prefix("data:")
        .and_then(|m| m.split([';', ',']).next())
        .and_then(ext_for_mime);
    let path = if url.starts_with("data:") {
        ""
    } else {
        let no_query = url.split(['?', '#']).next().unwrap_or("");
        no_query.splitn(4, '/').nth(3).unwrap_or("")
    };
    let segment = path.rsplit('/').next().unwrap_or("");
    // Percent-encoded slashes (`assets%2Fvideos%2Fclip.mp4`): the file name is after the last one.
    let segment = match segment.to_ascii_lowercase().rfind("%2f") {
        Some(i) => &segment[i + 3..],
        None => segment,
    };
    let cleaned: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(['.', '_']);
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if MediaKind::from_extension(&ext.to_ascii_lowercase()).is_some() => {
            (stem.to_string(), Some(ext.to_ascii_lowercase()))
        }
        _ => (cleaned.to_string(), None),
    };
    let stem: String = stem.chars().take(MAX_STEM).collect();
    let stem = if stem.is_empty() {
        format!("ecochat-{number}")
    } else {
        stem
    };
    let ext = ext.or(mime_ext.map(str::to_string)).unwrap_or_else(|| {
        match kind {
            MediaKind::Image => "png",
            MediaKind::Audio => "mp3",
            MediaKind::Video => "mp4",
            MediaKind::Other => "bin",
        }
        .to_string()
    });
    format!("{stem}.{ext}")
}

fn ext_for_mime(mime: &str) -> Option<&'static str> {
    Some(match mime.to_ascii_lowercase().as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        "video/mp4" => "mp4",
        "video/webm" => "webm",
        _ => return None,
    })
}

/// Writes `bytes` to `dir/name`, or `dir/name-1.ext`, `-2`... when taken; creates `dir`.
pub fn write_unique(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    let (mut f, path) = create_unique(dir, name)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(path)
}

/// Creates `dir/name`, or `dir/name-1.ext`, `-2`... when taken, and returns the open file: the
/// caller writes through this handle, never through the path again (which could be swapped).
pub fn create_unique(dir: &Path, name: &str) -> io::Result<(std::fs::File, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 0..1000 {
        let candidate = match (n, ext.is_empty()) {
            (0, _) => name.to_string(),
            (_, true) => format!("{stem}-{n}"),
            (_, false) => format!("{stem}-{n}.{ext}"),
        };
        let path = dir.join(candidate);
        // create_new: an existing file, even one created a moment ago, is never replaced.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("too many files named like {name} in {}", dir.display()),
    ))
}

/// Where `s` saves when `downloads_dir` is not set: the XDG download dir, else `data_dir/downloads`.
pub fn default_downloads_dir(data_dir: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(|d| d.join("ecochat")))
        .unwrap_or_else(|| data_dir.join("downloads"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_url() {
        let img = MediaKind::Image;
        assert_eq!(
            file_name(
                "https://filesystem.site/cdn/download/20241101/r8OQfX.webp",
                img,
                1
            ),
            "r8OQfX.webp"
        );
        assert_eq!(
            file_name(
                "https://videos.openai.com/vg-assets/assets%2Ftask_01%2Fvideos%2F00000_wm.mp4?st=1&sig=a%2Fb",
                MediaKind::Video,
                2
            ),
            "00000_wm.mp4"
        );
        assert_eq!(
            file_name("https://pfst.cf2.poecdn.net/base/image/9f8e?w=1", img, 3),
            "9f8e.png"
        );
        assert_eq!(file_name("https://example.com/", img, 4), "ecochat-4.png");
        assert_eq!(
            file_name("data:image/jpeg;base64,AAAA", img, 5),
            "ecochat-5.jpg"
        );
        assert_eq!(file_name("ecochat://assets/demo.png", img, 6), "demo.png");
    }

    #[test]
    fn names_are_safe() {
        let name = file_name(
            "https://x.example/..%2F..%2Fetc%2Fpasswd",
            MediaKind::Other,
            1,
        );
        assert_eq!(name, "passwd.bin");
        let name = file_name("https://x.example/a b;rm -rf.mp3", MediaKind::Audio, 1);
        assert!(!name.contains(' ') && !name.contains(';') && !name.contains('/'));
        assert!(name.ends_with(".mp3"));
        let long = format!("https://x.example/{}.png", "a".repeat(300));
        assert!(file_name(&long, MediaKind::Image, 1).len() <= MAX_STEM + 4);
    }

    #[cfg(unix)]
    #[test]
    fn the_claimed_file_is_written_through_its_handle_not_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let (mut file, path) = create_unique(&dir.path().join("dl"), "song.mp3").unwrap();
        // Someone swaps the claimed name for a link to another file before the body arrives.
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        file.write_all(b"body").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    }

    #[test]
    fn writes_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("new");
        let a = write_unique(&sub, "cat.png", b"one").unwrap();
        let b = write_unique(&sub, "cat.png", b"two").unwrap();
        assert_eq!(a.file_name().unwrap(), "cat.png");
        assert_eq!(b.file_name().unwrap(), "cat-1.png");
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
    }
}
