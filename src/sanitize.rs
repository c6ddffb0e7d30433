//! Make untrusted text (model output) safe to put on a terminal.
//!
//! A reply may contain escape sequences that would set the window title, write the clipboard
//! (OSC 52), draw images, move the cursor or recolour the screen, and bidi controls that reorder
//! what the reader sees. Complete sequences are removed; every other control character is replaced
//! by a visible stand-in so that nothing is hidden from the reader.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';
/// 8-bit String Terminator.
const ST: char = '\u{9c}';
const REPLACEMENT: char = '\u{FFFD}';

/// Remove terminal escape sequences and make other control characters visible.
///
/// Returns the input borrowed when it holds nothing to change.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(needs_attention) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut parser = Parser::default();
    for c in s[first..].chars() {
        parser.feed(c, &mut out);
    }
    parser.finish(&mut out);
    Cow::Owned(out)
}

/// [`sanitize`] for text that arrives in pieces: an escape sequence may be split across pushes.
///
/// Only the parser state is carried between pushes, never the swallowed bytes, so memory stays
/// constant however long an unterminated sequence runs. An unterminated string sequence (OSC,
/// DCS, ...) swallows text until its terminator arrives or [`StreamSanitizer::finish`] is called,
/// exactly as [`sanitize`] does for the whole text.
#[derive(Debug, Default, Clone)]
pub struct StreamSanitizer {
    parser: Parser,
}

impl StreamSanitizer {
    /// A sanitizer in its initial (ground) state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sanitize the next piece; returns what can be shown now.
    pub fn push(&mut self, s: &str) -> String {
        if self.parser.state == State::Ground && !s.contains(needs_attention) {
            return s.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            self.parser.feed(c, &mut out);
        }
        out
    }

    /// End of input: returns what was held back and resets to the initial state.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        self.parser.finish(&mut out);
        out
    }
}

/// Characters that start an escape sequence or must be replaced; everything else passes through.
fn needs_attention(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        _ => is_bidi_control(c),
    }
}

/// Bidi embeddings, overrides and isolates: they can make text display in a different order than
/// it is read ("trojan source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Where the parser is inside a possible escape sequence.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Plain text.
    #[default]
    Ground,
    /// Just after ESC.
    Escape,
    /// ESC followed by intermediate bytes (0x20–0x2F), waiting for the final byte.
    EscapeIntermediate,
    /// Inside a CSI sequence, waiting for its final byte.
    Csi,
    /// Inside a string sequence (OSC, DCS, APC, PM, SOS); BEL ends it only for OSC.
    Str { bel_ends: bool },
    /// ESC seen inside a string sequence: `\` completes ST, anything else starts a new sequence.
    StrEscape { bel_ends: bool },
}

/// The escape-sequence state machine shared by [`sanitize`] and [`StreamSanitizer`].
#[derive(Debug, Default, Clone)]
struct Parser {
    state: State,
}

impl Parser {
    fn feed(&mut self, c: char, out: &mut String) {
        // A character that cannot continue the current sequence ends it and is then read again
        // as plain text, so a stray ESC cannot swallow the text after it.
        loop {
            match self.state {
                State::Ground => {
                    self.ground(c, out);
                    return;
                }
                State::Escape => {
                    self.state = match c {
                        '[' => State::Csi,
                        ']' => State::Str { bel_ends: true },
                        'P' | 'X' | '^' | '_' => State::Str { bel_ends: false },
                        ' '..='/' => State::EscapeIntermediate,
                        '0'..='~' => State::Ground,
                        _ => {
                            // A lone ESC: show it, then read `c` as text.
                            out.push(control_picture(ESC));
                            self.state = State::Ground;
                            continue;
                        }
                    };
                    return;
                }
                State::EscapeIntermediate => match c {
                    ' '..='/' => return,
                    '0'..='~' => {
                        self.state = State::Ground;
                        return;
                    }
                    _ => self.state = State::Ground,
                },
                State::Csi => match c {
                    ' '..='?' => return,
                    '@'..='~' => {
                        self.state = State::Ground;
                        return;
                    }
                    _ => self.state = State::Ground,
                },
                State::Str { bel_ends } => {
                    match c {
                        ESC => self.state = State::StrEscape { bel_ends },
                        ST => self.state = State::Ground,
                        BEL if bel_ends => self.state = State::Ground,
                        _ => {}
                    }
                    return;
                }
                State::StrEscape { .. } => {
                    if c == '\\' {
                        self.state = State::Ground;
                        return;
                    }
                    // Terminals abort the string on ESC and start a new sequence with it.
                    self.state = State::Escape;
                }
            }
        }
    }

    fn ground(&mut self, c: char, out: &mut String) {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {}
            ESC => self.state = State::Escape,
            '\u{9b}' => self.state = State::Csi,
            '\u{9d}' => self.state = State::Str { bel_ends: true },
            '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                self.state = State::Str { bel_ends: false }
            }
            '\0'..='\u{1f}' | '\u{7f}' => out.push(control_picture(c)),
            '\u{80}'..='\u{9f}' => out.push(REPLACEMENT),
            _ if is_bidi_control(c) => out.push(REPLACEMENT),
            _ => out.push(c),
        }
    }

    /// End of text: a pending lone ESC becomes visible, any unfinished sequence is dropped.
    fn finish(&mut self, out: &mut String) {
        if self.state == State::Escape {
            out.push(control_picture(ESC));
        }
        self.state = State::Ground;
    }
}

/// The Unicode Control Picture for a C0 control or DEL (e.g. ESC -> U+241B ␛).
fn control_picture(c: char) -> char {
    let code = match c {
        '\u{7f}' => 0x2421,
        _ => 0x2400 + c as u32,
    };
    char::from_u32(code).unwrap_or(REPLACEMENT)
}

#[cfg(test)]
mod tests;
