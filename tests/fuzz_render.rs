//! Property tests (bounded fuzzing) for what turns stored or received text into output:
//! markdown rendering at any width, streamed or whole, and loading sessions back from the store.

use ecochat::chat::{Message, MessageFields, Role, Status};
use ecochat::store::transcript::{TranscriptMeta, markdown};
use ecochat::store::{NewSession, Store};
use ecochat::text::display_width;
use ecochat::view::markdown::{MarkdownLines, Syntax, render_markdown};
use ecochat::view::theme::Theme;
use proptest::prelude::*;
use ratatui::text::{Line, Span};

/// `cases` by default; `PROPTEST_CASES` raises it for a longer run (`fuzz/run.sh`).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        max_shrink_iters: 2048,
        rng_seed: seed(),
        ..ProptestConfig::default()
    }
}

/// A fixed seed, so `cargo test` (and CI) runs the same cases every time;
/// `PROPTEST_RNG_SEED=N` explores others (`fuzz/run.sh` picks a random one).
fn seed() -> proptest::test_runner::RngSeed {
    let n = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok());
    proptest::test_runner::RngSeed::Fixed(n.unwrap_or(0x00ec_0c4a))
}

/// Text made of markdown's building blocks, CJK, emoji, combining marks and escape sequences.
fn markdown_ish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("# ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("> ".to_string()),
        Just("```".to_string()),
        Just("```rust\n".to_string()),
        Just("~~~".to_string()),
        Just("    ".to_string()),
        Just("| a | b |\n|---|:-:|\n| 1 | 2 |".to_string()),
        Just("|".to_string()),
        Just("**".to_string()),
        Just("*".to_string()),
        Just("_".to_string()),
        Just("`".to_string()),
        Just("~~".to_string()),
        Just("[x](http://a.cn/b.png)".to_string()),
        Just("![img](".to_string()),
        Just("[^1]".to_string()),
        Just("<details>".to_string()),
        Just("&amp;".to_string()),
        Just("\\".to_string()),
        Just("---".to_string()),
        Just("\t".to_string()),
        Just("你好，世界。".to_string()),
        Just("👩‍👩‍👧".to_string()),
        Just("e\u{301}\u{301}".to_string()),
        Just("\u{200d}".to_string()),
        Just("\u{1b}[31m".to_string()),
        Just("\u{1b}]52;c;aGk=\u{7}".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\r".to_string()),
        Just(" ".to_string()),
        "[a-z]{1,12}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..40).prop_map(|ts| ts.concat())
}

fn has_control(line: &Line<'_>) -> bool {
    line.spans
        .iter()
        .any(|s| s.content.chars().any(char::is_control))
}

/// Columns as the wrapper counts them (a ZWJ emoji sequence is one wide glyph).
fn line_width(line: &Line<'_>) -> usize {
    line.spans.iter().map(|s| display_width(&s.content)).sum()
}

proptest! {
    // Rendering in a debug build is slow; 128 cases keep each property near two seconds.
    #![proptest_config(config(128))]

    #[test]
    fn markdown_renders_any_text_at_any_width_without_control_chars(
        text in markdown_ish(),
        width in 1usize..120,
    ) {
        let lines = render_markdown(&text, width, &Theme::default(), &Syntax::default());
        for line in &lines {
            prop_assert!(!has_control(line), "{line:?}");
        }
    }

    #[test]
    fn markdown_lines_fit_their_width(text in markdown_ish(), width in 12usize..120) {
        for line in render_markdown(&text, width, &Theme::default(), &Syntax::default()) {
            prop_assert!(line_width(&line) <= width, "{} > {width}: {line:?}", line_width(&line));
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn streamed_markdown_matches_a_fresh_render(
        text in markdown_ish(),
        width in 8usize..100,
        steps in prop::collection::vec(1usize..24, 1..40),
    ) {
        let theme = Theme::default();
        let syntax = Syntax::default();
        let gutter = Span::raw("  ");
        let mut streamed = MarkdownLines::default();
        let chars: Vec<char> = text.chars().collect();
        let mut end = 0;
        let mut i = 0;
        while end < chars.len() {
            end = (end + steps[i % steps.len()]).min(chars.len());
            i += 1;
            let prefix: String = chars[..end].iter().collect();
            streamed.update(&prefix, width, &gutter, &theme, &syntax);
            let fresh = MarkdownLines::new(&prefix, width, &gutter, &theme, &syntax);
            prop_assert_eq!(streamed.lines(), fresh.lines(), "after {} chars", end);
        }
    }
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Done),
        Just(Status::Cancelled),
        any::<String>().prop_map(Status::Interrupted),
        any::<String>().prop_map(Status::Failed),
    ]
}

fn message() -> impl Strategy<Value = (u8, String, String, Option<String>, Status)> {
    (
        0u8..3,
        any::<String>(),
        any::<String>(),
        proptest::option::of(any::<String>()),
        status(),
    )
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn saved_sessions_load_back_and_transcribe_without_control_chars(
        title in any::<String>(),
        msgs in prop::collection::vec(message(), 1..6),
    ) {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .create_session(&NewSession {
                title: title.clone(),
                model: "mock:m".into(),
                created: chrono::Local::now(),
            })
            .unwrap();
        let messages: Vec<Message> = msgs
            .iter()
            .enumerate()
            .map(|(i, (role, content, reasoning, model, status))| {
                let role = [Role::User, Role::Assistant, Role::System][*role as usize];
                let mut m = MessageFields::new(i as u64, role, content.clone(), chrono::Local::now());
                m.reasoning = reasoning.clone();
                m.model = model.clone();
                m.status = status.clone();
                Message::from(m)
            })
            .collect();
        store.save_messages(id, "mock:m", &messages).unwrap();
        let loaded = store.load(id).unwrap();
        prop_assert_eq!(loaded.messages.len(), messages.len());
        for (a, b) in loaded.messages.iter().zip(&messages) {
            prop_assert_eq!(&a.content, &b.content);
            prop_assert_eq!(&a.reasoning, &b.reasoning);
            prop_assert_eq!(&a.model, &b.model);
            prop_assert_eq!(&a.status, &b.status);
            prop_assert_eq!(a.role, b.role);
        }
        let meta = TranscriptMeta { title, session: Some(id), created: chrono::Local::now() };
        let md = markdown(&meta, &loaded.messages);
        let bad: Vec<char> = md.chars().filter(|c| c.is_control() && *c != '\n').collect();
        prop_assert!(bad.is_empty(), "control characters {bad:?} in the transcript");
    }

}

proptest! {
    // Every case is a database file on disk.
    #![proptest_config(config(24))]

    #[test]
    fn arbitrary_rows_load_or_fail_cleanly(
        rows in prop::collection::vec(raw_row(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ecochat.db");
        let mut store = Store::open(&path).unwrap();
        let id = store
            .create_session(&NewSession {
                title: "t".into(),
                model: "m".into(),
                created: chrono::Local::now(),
            })
            .unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (seq, r) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO messages (session_id, seq, role, content, reasoning, model, created,
                    status, error, finish_reason, truncated, prompt_tokens, completion_tokens,
                    total_tokens, reasoning_tokens, citations)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                rusqlite::params![
                    id, seq as i64, r.role, r.content, r.reasoning, r.model, r.created, r.status,
                    r.error, r.finish, r.truncated, r.tokens.0, r.tokens.1, r.tokens.2,
                    r.tokens.3, r.citations
                ],
            )
            .unwrap();
        }
        drop(conn);
        let store = Store::open(&path).unwrap();
        if let Ok(s) = store.load(id) {
            let meta = TranscriptMeta { title: "t".into(), session: Some(id), created: chrono::Local::now() };
            let _ = markdown(&meta, &s.messages);
            let _ = ecochat::store::transcript::json(&s);
        }
    }
}

/// A `messages` row as another (older, newer or broken) ecochat might have written it.
#[derive(Debug, Clone)]
struct RawRow {
    role: String,
    content: String,
    reasoning: String,
    model: Option<String>,
    created: i64,
    status: String,
    error: Option<String>,
    finish: Option<String>,
    truncated: i64,
    tokens: (Option<i64>, Option<i64>, Option<i64>, Option<i64>),
    citations: String,
}

fn raw_row() -> impl Strategy<Value = RawRow> {
    let word = |words: &'static [&'static str]| {
        prop_oneof![
            proptest::sample::select(words).prop_map(str::to_string),
            any::<String>()
        ]
    };
    let big = prop_oneof![
        Just(i64::MAX),
        Just(i64::MIN),
        Just(-1i64),
        Just(0i64),
        any::<i64>()
    ];
    (
        (
            word(&["user", "assistant", "system", "tool"]),
            any::<String>(),
            any::<String>(),
            proptest::option::of(any::<String>()),
            big.clone(),
            word(&[
                "done",
                "waiting",
                "streaming",
                "cancelled",
                "interrupted",
                "failed",
            ]),
        ),
        (
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<String>()),
            prop_oneof![Just(0i64), Just(1), any::<i64>()],
            (
                proptest::option::of(big.clone()),
                proptest::option::of(big.clone()),
                proptest::option::of(big.clone()),
                proptest::option::of(big),
            ),
            prop_oneof![
                Just("[]".to_string()),
                Just(r#"[{"title":"t","url":"http://a"}]"#.to_string()),
                Just("{".to_string()),
                any::<String>()
            ],
        ),
    )
        .prop_map(
            |(
                (role, content, reasoning, model, created, status),
                (error, finish, truncated, tokens, citations),
            )| RawRow {
                role,
                content,
                reasoning,
                model,
                created,
                status,
                error,
                finish,
                truncated,
                tokens,
                citations,
            },
        )
}

/// Inputs found by the properties above, kept for good.
mod found {
    use super::*;

    /// Token counts near i64::MAX once overflowed the total computed for a row without one.
    #[test]
    fn huge_token_counts_in_a_row_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ecochat.db");
        let mut store = Store::open(&path).unwrap();
        let id = store
            .create_session(&NewSession {
                title: "t".into(),
                model: "m".into(),
                created: chrono::Local::now(),
            })
            .unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO messages (session_id, seq, role, content, created, status, prompt_tokens,
                completion_tokens, citations) VALUES (?1, 0, 'assistant', 'x', 0, 'done', ?2, 1, '[]')",
            rusqlite::params![id, i64::MAX],
        )
        .unwrap();
        drop(conn);
        let s = Store::open(&path).unwrap().load(id).unwrap();
        assert_eq!(s.messages[0].content, "x");
    }

    /// A fence's info string longer than the pane once made the frame's top line overflow.
    #[test]
    fn a_long_code_fence_label_is_cut_to_the_width() {
        let text = "~~~|||0A0A0!!𐿠ఒaaa𐹠Σ0<details>";
        let syntax = Syntax::default();
        for width in 1..40 {
            for line in render_markdown(text, width, &Theme::default(), &syntax) {
                assert!(line_width(&line) <= width.max(2), "{width}: {line:?}");
            }
        }
    }
}
