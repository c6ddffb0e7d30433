//! Slash commands typed in the prompt. A word of letters after the `/` is a command (unknown
//! ones are refused with the list); anything else starting with `/` (a path, a regex) is sent
//! to the model as usual, and `//` sends a text that starts with `/`.

mod complete;
mod run;

pub use complete::{Hint, complete, hint};
pub use run::{ModelCycle, model_matches, resolve_model};
pub(super) use run::{complete_model, run};

use crate::api::images::ImageRequest;

/// Most images one `/image` may ask for.
pub const MAX_N: u32 = 10;

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashCommand {
    /// `/image <prompt> [--size WxH] [--n N] [--model ID]`
    Image(ImageRequest),
    /// `/model [NAME]`: switch to the best match of NAME; no name opens the picker.
    Model(String),
    /// `/system [TEXT]`: set the conversation's system prompt; no text removes it.
    System(Option<String>),
    /// `/clear`: a new conversation, as Ctrl+N.
    Clear,
    /// `/save`: the Markdown transcript, as Ctrl+S.
    Save,
    /// `/help`: the keys.
    Help,
    /// `/balance`: what is left on the provider's key.
    Balance,
    /// `/attach PATH…`: files and images for the next prompt (the arguments as typed).
    Attach(String),
    /// `/mj NAME`: press a button (`U1`, `V3`, `reroll`) of the latest Midjourney card.
    Mj(String),
    /// `/compare MODEL MODEL…`, `/compare off`, or `/compare` (the arguments as typed).
    Compare(String),
}

/// Which command a spec describes: `parse` matches on it exhaustively, so a command added to
/// `COMMANDS` cannot fall into another's arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashKind {
    Model,
    System,
    Clear,
    Save,
    Image,
    Balance,
    Attach,
    Mj,
    Compare,
    Help,
}

/// A command's name, argument syntax and purpose, for the hint line and `/help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlashSpec {
    pub kind: SlashKind,
    pub name: &'static str,
    pub args: &'static str,
    pub about: &'static str,
}

/// Every command, in the order the hint line lists them.
pub const COMMANDS: &[SlashSpec] = &[
    SlashSpec {
        kind: SlashKind::Model,
        name: "/model",
        args: "NAME",
        about: "switch the model (fuzzy match; no name opens the picker)",
    },
    SlashSpec {
        kind: SlashKind::System,
        name: "/system",
        args: "[TEXT]",
        about: "system prompt of this conversation (no text removes it)",
    },
    SlashSpec {
        kind: SlashKind::Clear,
        name: "/clear",
        args: "",
        about: "start a new conversation (Ctrl+N)",
    },
    SlashSpec {
        kind: SlashKind::Save,
        name: "/save",
        args: "",
        about: "save the conversation as Markdown (Ctrl+S)",
    },
    SlashSpec {
        kind: SlashKind::Image,
        name: "/image",
        args: "PROMPT [--size WxH] [--n N] [--model ID]",
        about: "generate images",
    },
    SlashSpec {
        kind: SlashKind::Compare,
        name: "/compare",
        args: "MODEL MODEL [MODEL MODEL] | off",
        about: "send each prompt to 2–4 models side by side (no models: the current set)",
    },
    SlashSpec {
        kind: SlashKind::Balance,
        name: "/balance",
        args: "",
        about: "ask the provider what is left on the API key",
    },
    SlashSpec {
        kind: SlashKind::Attach,
        name: "/attach",
        args: "PATH…",
        about: "attach files or images to the next prompt (Backspace removes)",
    },
    SlashSpec {
        kind: SlashKind::Mj,
        name: "/mj",
        args: "U1|V3|reroll|…",
        about: "press a button of the latest Midjourney task",
    },
    SlashSpec {
        kind: SlashKind::Help,
        name: "/help",
        args: "",
        about: "show the keys",
    },
];

/// Other names accepted for a command.
const ALIASES: &[(&str, &str)] = &[("/img", "/image")];

/// The command `name` (with its `/`), aliases resolved.
pub fn spec(name: &str) -> Option<&'static SlashSpec> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, real)| real);
    COMMANDS.iter().find(|c| c.name == name)
}

/// The command word at the start of `input` (`/model` of `/model gpt`), when it has the shape
/// of one: a `/` then letters, ended by whitespace or the end of the text. `//` escapes.
pub fn command_word(input: &str) -> Option<&str> {
    let input = input.trim_start();
    let rest = input.strip_prefix('/')?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let word = &rest[..end];
    word.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        .then_some(&input[..end + 1])
}

/// `None` when `input` is not a slash command; `Some(Err(message))` when it is one, written
/// wrong or unknown.
pub fn parse(input: &str) -> Option<Result<SlashCommand, String>> {
    let name = command_word(input)?;
    let rest = input.trim_start()[name.len()..].trim_start();
    let Some(spec) = spec(name) else {
        return Some(Err(unknown(name)));
    };
    let no_args = |cmd: SlashCommand| {
        if rest.trim().is_empty() {
            Ok(cmd)
        } else {
            Err(format!("{} takes no arguments", spec.name))
        }
    };
    Some(match spec.kind {
        SlashKind::Image => parse_image(rest).map(SlashCommand::Image),
        SlashKind::Model => Ok(SlashCommand::Model(rest.trim().to_string())),
        SlashKind::System => Ok(SlashCommand::System(
            Some(rest.trim_end().to_string()).filter(|t| !t.trim().is_empty()),
        )),
        SlashKind::Clear => no_args(SlashCommand::Clear),
        SlashKind::Save => no_args(SlashCommand::Save),
        SlashKind::Balance => no_args(SlashCommand::Balance),
        SlashKind::Attach => Ok(SlashCommand::Attach(rest.to_string())),
        SlashKind::Mj if rest.trim().is_empty() => {
            Err("/mj needs a button: U1…U4, V1…V4, reroll".into())
        }
        SlashKind::Mj => Ok(SlashCommand::Mj(rest.trim().to_string())),
        SlashKind::Compare => Ok(SlashCommand::Compare(rest.trim().to_string())),
        SlashKind::Help => no_args(SlashCommand::Help),
    })
}

fn unknown(name: &str) -> String {
    if name == "/" {
        return "type a command after /: /model, /system, /clear, /save, /image, /compare, /balance, /attach, \
                /mj, /help"
            .into();
    }
    let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    let hint = crate::config::did_you_mean(name, &names)
        .map(|s| format!("did you mean {s}? "))
        .unwrap_or_default();
    format!(
        "unknown command {name}: {hint}try {} (start with // to send text beginning with /)",
        names.join(", ")
    )
}

const IMAGE_USAGE: &str = "usage: /image <prompt> [--size 1024x1024] [--n 2] [--model flux]";

fn parse_image(args: &str) -> Result<ImageRequest, String> {
    let mut req = ImageRequest {
        prompt: String::new(),
        model: None,
        size: None,
        n: None,
    };
    let mut words: Vec<&str> = Vec::new();
    let mut tokens = args.split_whitespace();
    while let Some(tok) = tokens.next() {
        let (flag, inline) = match tok.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (tok, None),
        };
        if !matches!(flag, "--size" | "--n" | "--model") {
            words.push(tok);
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => tokens
                .next()
                .ok_or_else(|| format!("{flag} needs a value; {IMAGE_USAGE}"))?,
        };
        match flag {
            "--size" => req.size = Some(parse_size(value)?),
            "--n" => {
                let n = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_N).contains(n))
                    .ok_or_else(|| format!("--n must be a number from 1 to {MAX_N}"))?;
                req.n = Some(n);
            }
            _ => req.model = Some(value.to_string()),
        }
    }
    req.prompt = words.join(" ");
    if req.prompt.is_empty() {
        return Err(IMAGE_USAGE.to_string());
    }
    Ok(req)
}

/// `1024x1024`; relays reject the multiplication sign, so it is turned into `x` here.
fn parse_size(value: &str) -> Result<String, String> {
    let v = value.replace(['×', 'X', '*'], "x").to_ascii_lowercase();
    let ok = v.split_once('x').is_some_and(|(w, h)| {
        [w, h]
            .iter()
            .all(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    });
    if ok {
        Ok(v)
    } else {
        Err(format!("--size must look like 1024x1024, got {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(input: &str) -> ImageRequest {
        match parse(input) {
            Some(Ok(SlashCommand::Image(req))) => req,
            other => panic!("{input:?} -> {other:?}"),
        }
    }

    #[test]
    fn prompt_and_options_in_any_order() {
        let req = image("/image a cat on the moon --size 1024x1792 --n 2 --model flux");
        assert_eq!(req.prompt, "a cat on the moon");
        assert_eq!(req.size.as_deref(), Some("1024x1792"));
        assert_eq!(req.n, Some(2));
        assert_eq!(req.model.as_deref(), Some("flux"));
        let req = image("/image --model=recraftv3 一只猫 水彩");
        assert_eq!(req.prompt, "一只猫 水彩");
        assert_eq!(req.model.as_deref(), Some("recraftv3"));
        assert_eq!(req.size, None);
    }

    #[test]
    fn multiplication_sign_becomes_x() {
        assert_eq!(
            image("/image x --size 512×512").size.as_deref(),
            Some("512x512")
        );
    }

    #[test]
    fn mistakes_explain_the_usage() {
        for bad in [
            "/image",
            "/image   ",
            "/image --size 1024x1024",
            "/image cat --n 0",
            "/image cat --n 99",
            "/image cat --n two",
            "/image cat --size big",
            "/image cat --model",
        ] {
            assert!(matches!(parse(bad), Some(Err(_))), "{bad:?}");
        }
    }

    #[test]
    fn other_slashes_are_not_commands() {
        assert_eq!(parse("/etc/hosts is a file"), None);
        assert_eq!(parse("/你好"), None);
        assert_eq!(parse("//image a cat"), None);
        assert_eq!(parse("hello /image"), None);
    }

    #[test]
    fn unknown_command_words_are_refused_with_the_list() {
        for bad in ["/imagine a cat", "/mdoel gpt", "/", "/x"] {
            let Some(Err(msg)) = parse(bad) else {
                panic!("{bad:?} -> {:?}", parse(bad))
            };
            assert!(msg.contains("/model") && msg.contains("/help"), "{msg}");
        }
    }

    #[test]
    fn a_typo_of_a_command_is_named_with_a_suggestion() {
        let Some(Err(msg)) = parse("/mdoel gpt") else {
            panic!()
        };
        assert!(
            msg.starts_with("unknown command /mdoel: did you mean /model?"),
            "{msg}"
        );
        let Some(Err(msg)) = parse("/zzzz") else {
            panic!()
        };
        assert!(!msg.contains("did you mean"), "{msg}");
    }

    #[test]
    fn every_spec_has_its_own_kind() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS[..i].iter().all(|b| b.kind != a.kind),
                "{} shares its kind",
                a.name
            );
        }
    }

    #[test]
    fn every_command_parses_with_its_arguments() {
        assert_eq!(
            parse("/model  deepseek chat "),
            Some(Ok(SlashCommand::Model("deepseek chat".into())))
        );
        assert_eq!(
            parse("/model"),
            Some(Ok(SlashCommand::Model(String::new())))
        );
        assert_eq!(
            parse("/system 你是一位翻译。\n只输出译文。"),
            Some(Ok(SlashCommand::System(Some(
                "你是一位翻译。\n只输出译文。".into()
            ))))
        );
        assert_eq!(parse("/system   "), Some(Ok(SlashCommand::System(None))));
        assert_eq!(parse("/clear"), Some(Ok(SlashCommand::Clear)));
        assert_eq!(parse(" /save "), Some(Ok(SlashCommand::Save)));
        assert_eq!(parse("/help"), Some(Ok(SlashCommand::Help)));
        assert!(matches!(parse("/clear now"), Some(Err(m)) if m.contains("no arguments")));
        assert!(matches!(
            parse("/img a cat"),
            Some(Ok(SlashCommand::Image(_)))
        ));
    }
}
