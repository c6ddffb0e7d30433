//! Hostile output: every kind of control character and escape sequence a reply (or an error, a
//! citation, a link label) can carry is neutralised on screen, in saved transcripts and in pipe
//! mode, and pathological Unicode (10,000 combining marks or joiners) renders correctly.
//!
//! The real-terminal checks (tmux: title, clipboard, screen modes) are in
//! `hostile_output/terminal.rs`.

#[allow(dead_code)]
#[path = "ui_snapshots/harness.rs"]
mod harness;
mod support;
mod tmux;

#[path = "hostile_output/terminal.rs"]
mod terminal;

use ecochat::api::{ApiError, Citation, StreamEvent};
use ecochat::store::transcript::{TranscriptMeta, markdown};
use harness::Harness;
use ratatui::buffer::Buffer;

/// C1 controls that open a sequence (DCS, SOS, CSI, OSC, PM, APC): an unterminated one swallows
/// the text after it, as on a terminal, so they go last.
const C1_INTRODUCERS: [u32; 6] = [0x90, 0x98, 0x9b, 0x9d, 0x9e, 0x9f];

/// Every C0 control but LF and TAB, DEL, and every C1 control that opens no sequence.
fn lone_controls() -> String {
    (0u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .filter(|&c| c != 0x0a && c != 0x09 && !C1_INTRODUCERS.contains(&c))
        .filter_map(char::from_u32)
        .collect()
}

/// Escape sequences that would act on a terminal: each entry is (what it does, the sequence).
pub fn sequences() -> Vec<(&'static str, String)> {
    vec![
        ("CSI clear", "\u{1b}[2J\u{1b}[H".into()),
        ("CSI leave alt screen", "\u{1b}[?1049l".into()),
        ("CSI mouse off", "\u{1b}[?1000l\u{1b}[?1003l".into()),
        ("SGR", "\u{1b}[31;1;5m".into()),
        ("8-bit CSI", "\u{9b}2J".into()),
        ("OSC 52 clipboard", "\u{1b}]52;c;cHduZWQ=\u{7}".into()),
        ("OSC 52 8-bit ST", "\u{9d}52;c;cHduZWQ=\u{9c}".into()),
        ("OSC 0 title", "\u{1b}]0;PWNED-TITLE\u{7}".into()),
        ("OSC 2 title ST", "\u{1b}]2;PWNED-TITLE\u{1b}\\".into()),
        (
            "OSC 8 hyperlink",
            "\u{1b}]8;;http://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\".into(),
        ),
        ("DCS XTGETTCAP", "\u{1b}P+q544e\u{1b}\\".into()),
        ("8-bit DCS", "\u{90}$q\"p\u{9c}".into()),
        (
            "APC kitty graphics",
            "\u{1b}_Gf=100,a=T,t=d;iVBORw0KGgoAAAANSUhEUg==\u{1b}\\".into(),
        ),
        ("SOS", "\u{1b}Xsecret\u{1b}\\".into()),
        ("PM", "\u{1b}^private\u{1b}\\".into()),
        ("RIS reset", "\u{1b}c".into()),
        ("DECSC/DECRC", "\u{1b}7\u{1b}8".into()),
        ("bidi override", "\u{202e}txt.exe".into()),
    ]
}

/// One text holding every control and every sequence, between visible markers.
pub fn hostile_text() -> String {
    let mut s = String::from("BEGIN ");
    for (name, seq) in sequences() {
        s.push_str(&format!("[{name}]{seq} "));
    }
    s.push_str(&lone_controls());
    s.push_str(" END ");
    s.extend(C1_INTRODUCERS.iter().filter_map(|&c| char::from_u32(c)));
    s
}

/// Every cell's symbol, with its position, that holds a control character.
fn control_cells(buf: &Buffer) -> Vec<(u16, u16, String)> {
    let mut bad = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            if sym.chars().any(char::is_control) {
                bad.push((x, y, sym.escape_default().to_string()));
            }
        }
    }
    bad
}

fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn hostile_text_everywhere_in_the_tui_leaves_no_control_in_any_cell() {
    let evil = hostile_text();
    let mut h = Harness::new("gpt-4o", 160, 60);
    h.paste_send(&format!("prompt {evil}"));
    h.reasoning(&format!("thinking {evil}"));
    h.content(&format!(
        "answer {evil}\n\n![{evil}](https://cdn.example/a.png)\n"
    ));
    h.event(StreamEvent::Citations(vec![Citation {
        title: format!("cite {evil}"),
        url: "https://example.com/\u{1b}]52;c;eA==\u{7}".into(),
    }]));
    h.end(Err(ApiError::InStream {
        message: format!("server said {evil}"),
    }));
    // Expanded reasoning shows the hostile reasoning text too.
    h.key(crossterm::event::KeyCode::Char('t'), harness::CTRL);
    h.draw();
    let bad = control_cells(&h.frame);
    assert!(bad.is_empty(), "control characters on screen: {bad:?}");
    let text = screen_text(&h.frame);
    for marker in ["BEGIN", "END", "server said"] {
        assert!(text.contains(marker), "{marker} is shown:\n{text}");
    }
    assert!(
        !text.contains("PWNED-TITLE"),
        "sequence payloads are dropped"
    );
}

#[test]
fn hostile_text_in_a_saved_transcript_is_inert() {
    let evil = hostile_text();
    let mut h = Harness::new("gpt-4o", 100, 30);
    h.paste_send(&evil);
    h.reasoning(&evil);
    h.content(&evil);
    h.end(Err(ApiError::InStream {
        message: evil.clone(),
    }));
    let meta = TranscriptMeta {
        title: evil.clone(),
        session: Some(1),
        created: chrono::Local::now(),
    };
    let md = markdown(&meta, h.app.conv.messages());
    let bad: Vec<String> = md
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .map(|c| c.escape_unicode().to_string())
        .collect();
    assert!(bad.is_empty(), "controls in the transcript: {bad:?}");
    assert!(md.contains("BEGIN") && md.contains("END"), "{md}");
    assert!(!md.contains("PWNED-TITLE"), "{md}");
    // C0 controls that were not part of a sequence stay visible as control pictures.
    assert!(md.contains('\u{2400}'), "NUL shows as ␀");
}

#[test]
fn ten_thousand_combining_marks_or_joiners_render_correctly() {
    let combining = format!("前e{}后", "\u{301}".repeat(10_000));
    let family = format!("前{}后", "👩\u{200d}".repeat(5_000));
    let joiners = format!("前{}后", "\u{200d}".repeat(10_000));
    for text in [combining, family, joiners] {
        let mut h = Harness::new("gpt-4o", 80, 24);
        h.send("hi");
        // Streamed in 100 pieces, as a server would send it.
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(chars.len() / 100 + 1) {
            h.content(&piece.iter().collect::<String>());
        }
        h.finish(None);
        h.draw();
        assert!(control_cells(&h.frame).is_empty());
        let screen = screen_text(&h.frame);
        assert!(screen.contains('前'), "{screen}");
        assert!(
            screen.contains('后'),
            "the text after the long cluster is shown: {screen}"
        );
        harness::assert_wide_chars_whole(&h, "pathological clusters");
        let meta = TranscriptMeta {
            title: "t".into(),
            session: None,
            created: chrono::Local::now(),
        };
        assert!(markdown(&meta, h.app.conv.messages()).contains(&text));
    }
}
