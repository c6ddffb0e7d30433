//! Which terminal graphics protocol draws images, chosen from the config, the command line, the
//! environment and the terminal's own answer (`runtime::query`, asked once before the key reader
//! starts). ratatui-image's stdio query is not used: it leaves a thread blocked on stdin when
//! nothing answers (tmux without a client, dumb terminals), and that thread eats the first keys
//! the user types.

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

/// What the terminal said about itself at start-up (see `runtime::query`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalReport {
    /// The XTVERSION name and version, e.g. `kitty(0.26.5)` or `XTerm(390)`.
    pub version: Option<String>,
    /// The primary device attributes' parameters, e.g. `62;4;22` (4: sixel graphics).
    pub attributes: Option<String>,
}

/// The first kitty release with Unicode placeholders, which ratatui-image draws with: older
/// ones show rows of tofu boxes instead of the image.
const KITTY_PLACEHOLDERS: (u32, u32) = (0, 28);

/// The protocol for `auto`: what the terminal reports about itself where it answered, the
/// environment otherwise. Inside tmux or screen (which answer for themselves) half blocks, as
/// graphics would need passthrough to an unknown outer terminal.
pub fn decide(env: &dyn Fn(&str) -> Option<String>, report: &TerminalReport) -> ProtocolType {
    let from_env = detect(env);
    let version = report.version.as_deref().unwrap_or_default();
    let name = version.to_ascii_lowercase();
    let sixel = report
        .attributes
        .as_deref()
        .is_some_and(|a| a.split(';').any(|p| p == "4"));
    if name.starts_with("tmux") || name.starts_with("screen") {
        return ProtocolType::Halfblocks;
    }
    if name.starts_with("kitty") {
        return if version_at_least(version, KITTY_PLACEHOLDERS) {
            ProtocolType::Kitty
        } else {
            // No sixel in kitty, and its direct placement is not something we draw.
            ProtocolType::Halfblocks
        };
    }
    if name.starts_with("ghostty") {
        return ProtocolType::Kitty;
    }
    if name.starts_with("wezterm") || name.starts_with("iterm2") {
        return ProtocolType::Iterm2;
    }
    if sixel {
        return ProtocolType::Sixel;
    }
    if report.version.is_some() || report.attributes.is_some() {
        // The terminal answered and named no graphics we know it has. The environment is
        // still trusted for kitty-protocol terminals that do not name themselves, and for
        // iTerm2-protocol ones (their image support is not in DA1).
        return match from_env {
            ProtocolType::Kitty if report.version.is_none() => ProtocolType::Kitty,
            ProtocolType::Iterm2 => ProtocolType::Iterm2,
            _ => ProtocolType::Halfblocks,
        };
    }
    from_env
}

/// True when the first `x.y` in `version` (e.g. `kitty(0.26.5)`) is at least `want`.
fn version_at_least(version: &str, want: (u32, u32)) -> bool {
    let Some(start) = version.find(|c: char| c.is_ascii_digit()) else {
        return false;
    };
    let mut parts = version[start..]
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= want
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
    use crate::providers::env_of;

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

    fn report(version: Option<&str>, attributes: Option<&str>) -> TerminalReport {
        TerminalReport {
            version: version.map(str::to_string),
            attributes: attributes.map(str::to_string),
        }
    }

    /// Replies as real terminals give them (XTVERSION text, DA1 parameters).
    #[test]
    fn the_terminals_answer_picks_the_protocol() {
        let kitty_env: &[(&str, &str)] = &[("TERM", "xterm-kitty"), ("KITTY_WINDOW_ID", "1")];
        let xterm_env: &[(&str, &str)] = &[("TERM", "xterm")];
        let tmux_env: &[(&str, &str)] = &[("TERM", "tmux-256color"), ("TMUX", "/tmp/t,1,0")];
        type Env<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Env, TerminalReport, ProtocolType); 10] = [
            // Debian 12's kitty: no Unicode placeholders yet.
            (
                kitty_env,
                report(Some("kitty(0.26.5)"), Some("62;c")),
                ProtocolType::Halfblocks,
            ),
            (
                kitty_env,
                report(Some("kitty(0.35.2)"), Some("62;c")),
                ProtocolType::Kitty,
            ),
            (
                kitty_env,
                report(Some("kitty(0.28.0)"), Some("62;c")),
                ProtocolType::Kitty,
            ),
            // `xterm -ti vt340` (Debian 12's xterm 379): sixel in DA1, nothing in the environment.
            (
                xterm_env,
                report(Some("XTerm(379)"), Some("63;1;2;4;6;9;15;16;22;28")),
                ProtocolType::Sixel,
            ),
            // Plain xterm: no sixel.
            (
                xterm_env,
                report(Some("XTerm(379)"), Some("64;1;2;6;9;15;16;17;18;21;22;28")),
                ProtocolType::Halfblocks,
            ),
            (
                &[("TERM", "xterm-256color")],
                report(
                    Some("WezTerm 20240203-110809-5046fc22"),
                    Some("65;4;6;18;22"),
                ),
                ProtocolType::Iterm2,
            ),
            (
                &[("TERM", "foot")],
                report(Some("foot(1.16.2)"), Some("62;4;22")),
                ProtocolType::Sixel,
            ),
            // tmux answers for itself, whatever the outer terminal is.
            (
                tmux_env,
                report(Some("tmux 3.4"), Some("1;2;4")),
                ProtocolType::Halfblocks,
            ),
            // No answer at all: the environment decides, as before.
            (kitty_env, report(None, None), ProtocolType::Kitty),
            (xterm_env, report(None, None), ProtocolType::Halfblocks),
        ];
        for (env, answer, want) in cases {
            assert_eq!(decide(&env_of(env), &answer), want, "{env:?} {answer:?}");
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
