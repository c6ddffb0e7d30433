use super::*;

fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

#[test]
fn csi_sequences_are_removed() {
    assert_eq!(clean("a\x1b[31mred\x1b[0m b"), "ared b");
    assert_eq!(clean("\x1b[?1049hscreen"), "screen");
    assert_eq!(clean("\x1b[38;5;196mx"), "x");
    assert_eq!(clean("\x1b[2 qcursor"), "cursor"); // intermediate byte before the final
    assert_eq!(clean("\x1b[2J\x1b[Hhome"), "home");
    assert_eq!(clean("\x1b[>4;1mok"), "ok");
}

#[test]
fn osc_sequences_are_removed_with_either_terminator() {
    // OSC 52: write the clipboard.
    assert_eq!(clean("x\x1b]52;c;aGVsbG8=\x07y"), "xy");
    assert_eq!(clean("x\x1b]52;c;aGVsbG8=\x1b\\y"), "xy");
    // OSC 0 / 2: window title.
    assert_eq!(clean("\x1b]0;pwned\x1b\\ok"), "ok");
    assert_eq!(clean("\x1b]2;pwned\x07ok"), "ok");
    // OSC 8: hyperlink around visible text; the text stays, the target goes.
    assert_eq!(
        clean("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ here"),
        "click here"
    );
}

#[test]
fn string_sequences_end_only_at_st() {
    assert_eq!(clean("\x1bPq#0;2;0;0;0#1!7~-\x1b\\after"), "after"); // DCS (sixel)
    assert_eq!(clean("\x1bPabc\x07def\x1b\\ghi"), "ghi"); // BEL does not end DCS
    assert_eq!(clean("\x1b_Gf=100,a=T;AAAA\x1b\\after"), "after"); // APC (kitty graphics)
    assert_eq!(clean("\x1b_Ga=T\x07still\x1b\\after"), "after");
    assert_eq!(clean("\x1b^private\x1b\\after"), "after"); // PM
    assert_eq!(clean("\x1bXstring\x1b\\after"), "after"); // SOS
}

#[test]
fn two_byte_escapes_are_removed() {
    assert_eq!(clean("\x1b7save\x1b8"), "save");
    assert_eq!(clean("\x1bcreset"), "reset");
    assert_eq!(clean("\x1b=keypad\x1b>"), "keypad");
    assert_eq!(clean("\x1bMup"), "up");
    // ESC + intermediates + final (charset designation).
    assert_eq!(clean("\x1b(Bascii\x1b)0"), "ascii");
    assert_eq!(clean("\x1b#8align"), "align");
}

#[test]
fn eight_bit_c1_forms_are_removed() {
    assert_eq!(clean("\u{9b}31mred\u{9b}0m"), "red");
    assert_eq!(clean("\u{9d}0;title\u{9c}x"), "x");
    assert_eq!(clean("\u{9d}52;c;AAAA\x07x"), "x");
    assert_eq!(clean("\u{9d}8;;u\x1b\\x"), "x");
    assert_eq!(clean("\u{90}q#0\u{9c}x"), "x");
    assert_eq!(clean("\u{9f}Ga=T;AAAA\u{9c}x"), "x");
    assert_eq!(clean("\u{9e}pm\u{9c}x"), "x");
    assert_eq!(clean("\u{98}sos\u{9c}x"), "x");
    // A string started with ESC may end with the 8-bit ST and vice versa.
    assert_eq!(clean("\x1b]0;t\u{9c}x"), "x");
}

#[test]
fn other_c1_controls_and_lone_st_become_replacement() {
    assert_eq!(clean("a\u{85}b"), "a\u{FFFD}b"); // NEL
    assert_eq!(clean("a\u{9c}b"), "a\u{FFFD}b"); // ST outside a string
    assert_eq!(clean("\u{80}\u{9a}"), "\u{FFFD}\u{FFFD}");
}

#[test]
fn unterminated_sequences_swallow_to_the_end() {
    assert_eq!(clean("ok\x1b]52;c;AAAA and more text"), "ok");
    assert_eq!(clean("ok\x1bPabc\ndef"), "ok");
    assert_eq!(clean("ok\x1b_Gabc"), "ok");
    assert_eq!(clean("ok\u{9d}0;title"), "ok");
    assert_eq!(clean("ok\x1b[31"), "ok");
    assert_eq!(clean("ok\x1b("), "ok");
    assert_eq!(clean("ok\x1b]0;t\x1b"), "ok"); // half an ST
}

#[test]
fn nested_looking_sequences() {
    // ESC inside a string aborts it and starts a new sequence, as terminals do.
    assert_eq!(clean("\x1b]0;a\x1b]0;b\x07c"), "c");
    assert_eq!(clean("\x1b]0;t\x1b[31mX"), "X");
    assert_eq!(clean("\x1bP\x1b]0;x\x07y\x1b\\z"), "yz");
    assert_eq!(clean("\x1b[\x1b[31mX"), "X");
    // ESC ESC: the first is a lone ESC.
    assert_eq!(clean("\x1b\x1b[31mX"), "\u{241b}X");
    // An OSC whose payload looks like a CSI is still one OSC.
    assert_eq!(clean("\x1b]0;[31m\x07X"), "X");
}

#[test]
fn a_sequence_cut_short_does_not_eat_the_text_after_it() {
    assert_eq!(clean("\x1b[31你好"), "你好");
    assert_eq!(clean("\x1b[1\nx"), "\nx");
    assert_eq!(clean("\x1b(你"), "你");
    assert_eq!(clean("\x1b你"), "\u{241b}你");
    assert_eq!(clean("a\x1b\nb"), "a\u{241b}\nb");
    assert_eq!(clean("a\x1b"), "a\u{241b}");
}

#[test]
fn c0_controls_become_control_pictures() {
    assert_eq!(clean("\x07"), "\u{2407}");
    assert_eq!(clean("a\x08b"), "a\u{2408}b");
    assert_eq!(clean("\0"), "\u{2400}");
    assert_eq!(clean("\x1f\x0b\x0c"), "\u{241f}\u{240b}\u{240c}");
    assert_eq!(clean("\x7f"), "\u{2421}");
}

#[test]
fn newline_and_tab_stay_and_carriage_return_goes() {
    assert_eq!(clean("a\r\nb\r\n"), "a\nb\n");
    assert_eq!(clean("a\rb"), "ab");
    assert_eq!(clean("a\tb\nc"), "a\tb\nc");
    assert!(matches!(sanitize("a\tb\nc"), Cow::Borrowed(_)));
}

#[test]
fn bidi_overrides_and_isolates_become_visible() {
    for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
        let input = format!("if x {c}// comment");
        assert_eq!(clean(&input), "if x \u{FFFD}// comment", "{:04X}", c as u32);
    }
    // Marks (LRM/RLM) do not reorder anything and stay.
    assert!(matches!(sanitize("a\u{200e}b\u{200f}"), Cow::Borrowed(_)));
}

#[test]
fn ordinary_text_is_borrowed_unchanged() {
    let samples = [
        "",
        "plain ASCII text.",
        "中文段落，带标点。日本語のテキスト、한국어 텍스트",
        "emoji 👨‍👩‍👧 family, 👍🏽 skin tone, 🇨🇳 flag, ❤️ heart",
        "e\u{301}\u{302} combining, a\u{200d}b zwj, non\u{a0}breaking",
        "math ∑ ≠ ≤, arrows → ⇒, box ─│┌",
    ];
    for s in samples {
        let out = sanitize(s);
        assert!(matches!(out, Cow::Borrowed(_)), "{s:?} was copied");
        assert_eq!(out, s);
    }
}

#[test]
fn output_never_contains_controls_and_sanitize_is_idempotent() {
    let alphabet = [
        "a", "你", "\x1b", "[", "]", "\\", "P", "_", "^", "X", "\x07", "\u{9b}", "\u{9c}",
        "\u{9d}", "\u{90}", "\u{85}", "\r", "\n", "\t", "3", ";", "m", " ", "\u{202e}", "\x7f",
        "(", "\0",
    ];
    let mut seed: u32 = 0x2545_f491;
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..24 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            s.push_str(alphabet[seed as usize % alphabet.len()]);
        }
        let once = clean(&s);
        assert!(!once.contains(needs_attention), "{s:?} -> {once:?}");
        let twice = sanitize(&once);
        assert!(matches!(twice, Cow::Borrowed(_)));
        assert_eq!(twice, once);
    }
}

/// A string exercising every sequence kind, with multi-byte text around them.
const MIXED: &str = "你好\x1b[1;31m红\x1b[0m \x1b]52;c;aGk=\x07剪贴板\x1b]0;标题\x1b\\ \
    \x1bP1$r\x1b\\\x1b_Ga=T;QUJD\x1b\\👨‍👩‍👧\x1b^pm\x1b\\\x1bXsos\x1b\\\x1b7\x1b(B\
    \u{9b}2J\u{9d}8;;u\u{9c}链\u{90}d\u{9c}\u{9f}k\u{9c}\u{9e}p\u{9c}\u{98}s\u{9c}\
    e\u{301}\r\n\x07\x08\u{85}\u{202e}\x1b你\x1b[31\n末\x1b]unterminated";

fn stream_all(pieces: &[&str]) -> String {
    let mut stream = StreamSanitizer::new();
    let mut out = String::new();
    for piece in pieces {
        out.push_str(&stream.push(piece));
    }
    out.push_str(&stream.finish());
    out
}

fn char_boundaries(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect()
}

#[test]
fn mixed_sample_sanitizes_as_expected() {
    assert_eq!(
        clean(MIXED),
        "你好红 剪贴板 👨‍👩‍👧链e\u{301}\n\u{2407}\u{2408}\u{FFFD}\u{FFFD}\u{241b}你\n末"
    );
}

#[test]
fn stream_split_at_every_boundary_matches_whole() {
    let whole = clean(MIXED);
    for i in char_boundaries(MIXED) {
        let got = stream_all(&[&MIXED[..i], &MIXED[i..]]);
        assert_eq!(got, whole, "split at byte {i}");
    }
}

#[test]
fn stream_split_at_every_pair_of_boundaries_matches_whole() {
    let sample = "a\x1b[31mb\x1b]0;t\x1b\\c\x1bPd\x1b\\e\u{9d}x\x07f\x1b(Bg\x1b\x1b\u{9b}1m中\r\n";
    let whole = clean(sample);
    let cuts = char_boundaries(sample);
    for (n, &i) in cuts.iter().enumerate() {
        for &j in &cuts[n..] {
            let got = stream_all(&[&sample[..i], &sample[i..j], &sample[j..]]);
            assert_eq!(got, whole, "split at bytes {i} and {j}");
        }
    }
}

#[test]
fn stream_char_by_char_matches_whole() {
    let pieces: Vec<String> = MIXED.chars().map(String::from).collect();
    let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
    assert_eq!(stream_all(&refs), clean(MIXED));
}

#[test]
fn stream_holds_back_only_a_lone_escape() {
    let mut stream = StreamSanitizer::new();
    assert_eq!(stream.push("text\x1b"), "text");
    assert_eq!(stream.finish(), "\u{241b}");
    // finish resets: plain text flows again.
    assert_eq!(stream.push("next"), "next");
}

#[test]
fn stream_unterminated_string_is_dropped_without_buffering() {
    let mut stream = StreamSanitizer::new();
    assert_eq!(stream.push("shown \x1b]52;c;"), "shown ");
    let payload = "QUFB".repeat(50_000); // 200 KB of clipboard payload
    for _ in 0..4 {
        assert_eq!(stream.push(&payload), "");
    }
    // The state is all that is kept, whatever the length of the swallowed payload.
    assert!(std::mem::size_of::<StreamSanitizer>() <= 8);
    assert_eq!(stream.push("\x07visible"), "visible");
    assert_eq!(stream.push("\x1b]0;never ends"), "");
    assert_eq!(stream.finish(), "");
    assert_eq!(stream.push("after"), "after");
}
