//! The name of a colour scheme as the config writes it; the scheme itself lives in
//! `view::theme`.

/// The colour schemes a user can pick with `theme = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    Mono,
}

impl ThemeName {
    /// Every name, as written in the config.
    pub const NAMES: &[&str] = &["dark", "light", "mono"];

    /// Parses a name as written in the config.
    pub fn from_name(name: &str) -> Option<ThemeName> {
        match name {
            "dark" => Some(ThemeName::Dark),
            "light" => Some(ThemeName::Light),
            "mono" => Some(ThemeName::Mono),
            _ => None,
        }
    }
}
