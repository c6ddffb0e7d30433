//! Slash commands typed in the prompt. Only known commands are taken: any other text starting
//! with `/` (a path, a regex) is sent to the model as usual.

use crate::media::images_api::ImageRequest;

/// Most images one `/image` may ask for.
pub const MAX_N: u32 = 10;

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashCommand {
    /// `/image <prompt> [--size WxH] [--n N] [--model ID]`
    Image(ImageRequest),
}

/// `None` when `input` is not a slash command; `Some(Err(usage))` when it is one, written wrong.
pub fn parse(input: &str) -> Option<Result<SlashCommand, String>> {
    let input = input.trim();
    let (name, rest) = input.split_once(char::is_whitespace).unwrap_or((input, ""));
    match name {
        "/image" | "/img" => Some(parse_image(rest).map(SlashCommand::Image)),
        _ => None,
    }
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
        assert_eq!(parse("/imagine a cat"), None);
        assert_eq!(parse("hello /image"), None);
    }
}
