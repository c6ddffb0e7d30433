//! What the hint line above the input shows while a command is typed, and Tab's completion of
//! command names.

use super::{COMMANDS, SlashSpec, command_word, spec};

/// The hint for the text in the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// Commands whose name starts with what is typed (all of them after a lone `/`).
    Commands(Vec<&'static SlashSpec>),
    /// The command is complete: its syntax, and the arguments typed so far.
    Usage {
        spec: &'static SlashSpec,
        args: String,
    },
    /// A command word that no command starts with.
    Unknown(String),
}

/// The hint for `input`; `None` when it is not a command being typed.
pub fn hint(input: &str) -> Option<Hint> {
    let word = command_word(input)?;
    let after = &input.trim_start()[word.len()..];
    if after.is_empty() {
        // Still typing the name: every command it can become.
        let matches: Vec<&SlashSpec> = COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(word))
            .collect();
        if !matches.is_empty() {
            if let [only] = matches[..]
                && only.name == word
            {
                return Some(usage(only, ""));
            }
            return Some(Hint::Commands(matches));
        }
    }
    Some(match spec(word) {
        Some(spec) => usage(spec, after.trim()),
        None => Hint::Unknown(word.to_string()),
    })
}

fn usage(spec: &'static SlashSpec, args: &str) -> Hint {
    Hint::Usage {
        spec,
        args: args.to_string(),
    }
}

/// Tab on a command name being typed: the unique match with a space after it when it takes
/// arguments, or the longest prefix the matches share; `None` when it would not change.
pub fn complete(input: &str) -> Option<String> {
    let word = command_word(input)?;
    if input.trim_start().len() != word.len() {
        return None;
    }
    let matches: Vec<&SlashSpec> = COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(word))
        .collect();
    let completed = match matches[..] {
        [] => return None,
        [only] if only.args.is_empty() => only.name.to_string(),
        [only] => format!("{} ", only.name),
        [first, ..] => {
            let mut prefix = first.name.to_string();
            for m in &matches {
                while !m.name.starts_with(&prefix) {
                    prefix.pop();
                }
            }
            prefix
        }
    };
    (completed != input).then_some(completed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(h: Option<Hint>) -> Vec<&'static str> {
        match h {
            Some(Hint::Commands(list)) => list.iter().map(|c| c.name).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_lone_slash_lists_every_command_and_letters_narrow_it() {
        assert_eq!(names(hint("/")).len(), COMMANDS.len());
        assert_eq!(names(hint("/s")), ["/system", "/save"]);
        assert_eq!(names(hint("/sy")), ["/system"]);
    }

    #[test]
    fn a_complete_name_shows_its_syntax_with_the_arguments_so_far() {
        let Some(Hint::Usage { spec, args }) = hint("/model deep") else {
            panic!()
        };
        assert_eq!(
            (spec.name, spec.args, args.as_str()),
            ("/model", "NAME", "deep")
        );
        assert!(matches!(hint("/help"), Some(Hint::Usage { spec, .. }) if spec.name == "/help"));
        assert!(
            matches!(hint("/img cat"), Some(Hint::Usage { spec, .. }) if spec.name == "/image")
        );
    }

    #[test]
    fn unknown_words_say_so_and_plain_text_has_no_hint() {
        assert_eq!(hint("/zzz"), Some(Hint::Unknown("/zzz".into())));
        assert_eq!(hint("/etc/hosts"), None);
        assert_eq!(hint("hello"), None);
        assert_eq!(hint("//model"), None);
    }

    #[test]
    fn tab_completes_unique_names_and_shared_prefixes() {
        assert_eq!(complete("/mo").as_deref(), Some("/model "));
        assert_eq!(complete("/cl").as_deref(), Some("/clear"));
        assert_eq!(complete("/s"), None, "/system and /save share only /s");
        assert_eq!(complete("/sy").as_deref(), Some("/system "));
        assert_eq!(complete("/model "), None);
        assert_eq!(complete("/clear"), None);
        assert_eq!(complete("/zz"), None);
        assert_eq!(complete("/i").as_deref(), Some("/image "));
    }
}
