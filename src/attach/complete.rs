//! Tab completion of the last path after `/attach`: it reads a directory, so the edge runs it.

use std::path::Path;

/// `input` with its last word completed as a path: the unique match (a `/` after a
/// directory, a space after a file), or the longest prefix the matches share; `None` when
/// nothing matches or nothing would change.
pub fn complete_path(input: &str, home: Option<&Path>) -> Option<String> {
    let start = input.rfind(char::is_whitespace).map_or(0, |i| {
        i + input[i..].chars().next().map_or(1, char::len_utf8)
    });
    let (head, word) = input.split_at(start);
    let (dir_part, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let dir = if dir_part.is_empty() {
        std::path::PathBuf::from(".")
    } else {
        super::expand_tilde(dir_part, home)
    };
    let mut matches: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            // Hidden files only when asked for with a leading dot.
            let shown =
                name.starts_with(prefix) && (prefix.starts_with('.') || !name.starts_with('.'));
            let is_dir = e.file_type().ok()?.is_dir()
                || (e.file_type().ok()?.is_symlink() && e.path().is_dir());
            shown.then_some((name, is_dir))
        })
        .collect();
    matches.sort();
    let completed = match matches.as_slice() {
        [] => return None,
        [(name, true)] => format!("{name}/"),
        [(name, false)] if name.contains(char::is_whitespace) => {
            // The one path with spaces in it goes quoted, so /attach reads it as one.
            return Some(format!("{head}'{dir_part}{name}' "));
        }
        [(name, false)] => format!("{name} "),
        [(first, _), ..] => {
            let mut common = first.clone();
            for (m, _) in &matches {
                while !m.starts_with(&common) {
                    common.pop();
                }
            }
            common
        }
    };
    let out = format!("{head}{dir_part}{completed}");
    (out != input).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::complete_path;

    #[test]
    fn completes_unique_names_directories_and_shared_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("photo-1.jpg"), "x").unwrap();
        std::fs::write(d.join("photo-2.jpg"), "x").unwrap();
        std::fs::write(d.join("报告.md"), "x").unwrap();
        std::fs::create_dir(d.join("docs")).unwrap();
        let base = format!("/attach {}/", d.display());
        assert_eq!(
            complete_path(&format!("{base}ph"), None),
            Some(format!("{base}photo-"))
        );
        assert_eq!(
            complete_path(&format!("{base}报"), None),
            Some(format!("{base}报告.md "))
        );
        assert_eq!(
            complete_path(&format!("{base}do"), None),
            Some(format!("{base}docs/"))
        );
        assert_eq!(complete_path(&format!("{base}zz"), None), None);
        assert_eq!(
            complete_path("/attach ~/do", Some(d)),
            Some("/attach ~/docs/".into())
        );
    }
}
