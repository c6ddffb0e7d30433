//! Which terminal graphics protocol draws images, chosen from the config, the command line and
//! the environment. Never by querying the terminal: ratatui-image's stdio query leaves a thread
//! blocked on stdin when nothing answers (tmux without a client, dumb terminals), and that thread
//! eats the first keys the user types.

use std::fmt;
use std::str::FromStr;

use ratatui_image::picker::{Picker, ProtocolType};

/// The `image_protocol` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ImageProtocol {
    /// Guess from the environment (TERM, TERM_PROGRAM, KITTY_WINDOW_ID, ...); half-blocks otherwise.
    #[default]
    Auto,
    Kitty,
    Sixel,
    Iterm2,
    /// Unicode half blocks in colour: works in every terminal.
    Halfblocks,
    /// Do not draw images (links are still listed).
    None,
}

impl ImageProtocol {
    /// Every setting, as written in the config.
    pub const ALL: [ImageProtocol; 6] = [
        ImageProtocol::Auto,
        ImageProtocol::Kitty,
        ImageProtocol::Sixel,
        ImageProtocol::Iterm2,
        ImageProtocol::Halfblocks,
        ImageProtocol::None,
    ];

    /// The name used in the config and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageProtocol::Auto => "auto",
            ImageProtocol::Kitty => "kitty",
            ImageProtocol::Sixel => "sixel",
            ImageProtocol::Iterm2 => "iterm2",
            ImageProtocol::Halfblocks => "halfblocks",
            ImageProtocol::None => "none",
        }
    }

    /// The protocol to draw with, `None` when drawing is off; `auto` reads the environment.
    pub fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> Option<ProtocolType> {
        match self {
            ImageProtocol::Auto => Some(detect(env)),
            ImageProtocol::Kitty => Some(ProtocolType::Kitty),
            ImageProtocol::Sixel => Some(ProtocolType::Sixel),
            ImageProtocol::Iterm2 => Some(ProtocolType::Iterm2),
            ImageProtocol::Halfblocks => Some(ProtocolType::Halfblocks),
            ImageProtocol::None => None,
        }
    }
}

impl fmt::Display for ImageProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImageProtocol {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        ImageProtocol::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ImageProtocol::ALL.iter().map(|p| p.as_str()).collect();
                format!("{s:?} is not one of {}", names.join(", "))
            })
    }
}

/// The best protocol the environment announces. Inside tmux or screen the outer terminal is
/// unknown and graphics need passthrough, so half-blocks it is unless the user says otherwise.
pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> ProtocolType {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let term = var("TERM").unwrap_or_default().to_ascii_lowercase();
    let program = var("TERM_PROGRAM").unwrap_or_default();
    if var("TMUX").is_some()
        || term.starts_with("tmux")
        || term.starts_with("screen")
        || program == "tmux"
    {
        return ProtocolType::Halfblocks;
    }
    if var("KITTY_WINDOW_ID").is_some()
        || term == "xterm-kitty"
        || term == "xterm-ghostty"
        || program.eq_ignore_ascii_case("ghostty")
    {
        return ProtocolType::Kitty;
    }
    if program == "WezTerm"
        || var("WEZTERM_EXECUTABLE").is_some()
        || program == "iTerm.app"
        || var("LC_TERMINAL").is_some_and(|t| t.contains("iTerm"))
        || program == "mintty"
    {
        return ProtocolType::Iterm2;
    }
    if term.starts_with("foot") || term == "mlterm" || term.contains("sixel") {
        return ProtocolType::Sixel;
    }
    ProtocolType::Halfblocks
}

/// Cell size in pixels from the terminal's reported window size (an ioctl, no query), or a
/// 1:2 guess. Only kitty, sixel and iTerm2 care; half-blocks ignore it.
pub fn font_size() -> (u16, u16) {
    match crossterm::terminal::window_size() {
        Ok(w) if w.width > 0 && w.height > 0 && w.columns > 0 && w.rows > 0 => {
            ((w.width / w.columns).max(1), (w.height / w.rows).max(1))
        }
        _ => (10, 20),
    }
}

/// The picker that encodes images for `protocol`, with cells of `font` pixels.
pub fn picker(protocol: ProtocolType, font: (u16, u16)) -> Picker {
    if protocol == ProtocolType::Halfblocks {
        return Picker::halfblocks();
    }
    // The only constructor that takes a font size without querying the terminal.
    #[allow(deprecated)]
    let mut picker = Picker::from_fontsize(font.into());
    picker.set_protocol_type(protocol);
    picker
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::env_of;

    #[test]
    fn environment_picks_the_protocol() {
        let cases: [(&'static [(&str, &str)], ProtocolType); 9] = [
            (&[("TERM", "xterm-kitty")], ProtocolType::Kitty),
            (
                &[("KITTY_WINDOW_ID", "1"), ("TERM", "xterm-256color")],
                ProtocolType::Kitty,
            ),
            (&[("TERM_PROGRAM", "ghostty")], ProtocolType::Kitty),
            (&[("TERM_PROGRAM", "WezTerm")], ProtocolType::Iterm2),
            (&[("TERM_PROGRAM", "iTerm.app")], ProtocolType::Iterm2),
            (&[("TERM", "foot")], ProtocolType::Sixel),
            (&[("TERM", "xterm-256color")], ProtocolType::Halfblocks),
            // A stale kitty variable inside tmux must not turn kitty on.
            (
                &[
                    ("KITTY_WINDOW_ID", "1"),
                    ("TMUX", "/tmp/tmux-0/default,1,0"),
                ],
                ProtocolType::Halfblocks,
            ),
            (&[], ProtocolType::Halfblocks),
        ];
        for (env, want) in cases {
            assert_eq!(detect(&env_of(env)), want, "{env:?}");
        }
    }

    #[test]
    fn settings_parse_and_resolve() {
        assert_eq!("Kitty".parse::<ImageProtocol>(), Ok(ImageProtocol::Kitty));
        assert!("chafa".parse::<ImageProtocol>().is_err());
        let none = env_of(&[]);
        assert_eq!(ImageProtocol::None.resolve(&none), None);
        assert_eq!(
            ImageProtocol::Auto.resolve(&env_of(&[("TERM", "xterm-kitty")])),
            Some(ProtocolType::Kitty)
        );
        assert_eq!(
            ImageProtocol::Sixel.resolve(&none),
            Some(ProtocolType::Sixel)
        );
    }

    #[test]
    fn pickers_use_the_requested_protocol() {
        assert_eq!(
            picker(ProtocolType::Kitty, (9, 18)).protocol_type(),
            ProtocolType::Kitty
        );
        assert_eq!(picker(ProtocolType::Kitty, (9, 18)).font_size().width, 9);
        assert_eq!(
            picker(ProtocolType::Halfblocks, (9, 18)).protocol_type(),
            ProtocolType::Halfblocks
        );
    }
}
