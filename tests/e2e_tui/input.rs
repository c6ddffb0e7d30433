//! The input box: CJK cursor placement, bracketed paste, prompt history.

use super::*;

/// The row and column where the terminal cursor should be: right after the last input text.
fn expected_cursor_after_input(screen: &str) -> (u16, u16) {
    let rows = input_rows(screen);
    let (row, text) = rows
        .iter()
        .rev()
        .find(|(_, text)| !text.is_empty())
        .expect("text in the input box");
    let start = input_text_column(screen).expect("text in the input box");
    let col = start + unicode_width::UnicodeWidthStr::width(text.as_str());
    (col as u16, *row as u16)
}

#[test]
fn cjk_input_puts_the_terminal_cursor_after_the_text() {
    let t = Tmux::start(&[], &[], WIDTH, HEIGHT);
    let empty = t.wait_ready();
    let rows = input_rows(&empty);
    assert_eq!(rows.len(), 1, "{empty}");
    let text_row = rows[0].0 as u16;
    let empty_cursor = t.cursor();

    t.type_text("你好世界");
    let screen = t.wait_until(
        |s| input_rows(s).iter().any(|(_, l)| l == "你好世界"),
        WAIT,
        "你好世界 in the input box",
    );
    let start = input_text_column(&screen).expect("text column") as u16;
    assert_eq!(
        empty_cursor,
        (start, text_row),
        "empty input: cursor where text starts"
    );
    let after = start + 8;
    assert_eq!(expected_cursor_after_input(&screen), (after, text_row));
    t.wait_display(
        "#{cursor_x} #{cursor_y}",
        &format!("{after} {text_row}"),
        WAIT,
    );

    // One wide character back is two columns.
    t.keys(&["Left"]);
    let back = after - 2;
    t.wait_display(
        "#{cursor_x} #{cursor_y}",
        &format!("{back} {text_row}"),
        WAIT,
    );
    t.keys(&["End"]);

    // A line longer than the box wraps; the cursor follows onto the second row.
    let more = "一二三四五六七八九十".repeat(6);
    t.type_text(&more);
    let want = format!("你好世界{more}");
    let screen = t.wait_until(
        |s| {
            let rows = input_rows(s);
            rows.len() == 2 && rows.iter().map(|(_, l)| l.as_str()).collect::<String>() == want
        },
        WAIT,
        "the input wrapped onto two rows",
    );
    let (x, y) = expected_cursor_after_input(&screen);
    assert_eq!(y, text_row, "the box grows upwards, its last row stays put");
    t.wait_display("#{cursor_x} #{cursor_y}", &format!("{x} {y}"), WAIT);
}

#[test]
fn bracketed_multiline_paste_does_not_send_and_enter_sends_it() {
    let server = MockServer::start();
    let t = mock_app(&server);
    t.paste("第一行 line one\n第二行 line two");
    let screen = t.wait_until(
        |s| {
            let rows: Vec<String> = input_rows(s).into_iter().map(|(_, l)| l).collect();
            rows == ["第一行 line one", "第二行 line two"]
        },
        WAIT,
        "both pasted lines in the input box",
    );
    assert!(
        screen.contains("Type below and press Enter"),
        "nothing sent:\n{screen}"
    );
    assert_eq!(chat_requests(&server).len(), 0);

    t.keys(&["Enter"]);
    wait_reply_done(&t, M1_TEXT);
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 1, "the paste itself sent nothing");
    assert_eq!(
        messages(&reqs[0]).last(),
        Some(&(
            "user".to_string(),
            "第一行 line one\n第二行 line two".to_string()
        ))
    );
}

#[test]
fn up_in_the_empty_input_recalls_the_last_prompt() {
    let server = MockServer::start();
    let t = mock_app(&server);
    send(&t, "first");
    wait_reply_done(&t, M1_TEXT);
    assert_eq!(input_rows(&t.screen()).len(), 1);
    t.keys(&["Up"]);
    t.wait_until(
        |s| input_rows(s).iter().any(|(_, l)| l == "first"),
        WAIT,
        "`first` back in the input box",
    );
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.matches(M1_TEXT).count() == 2 && is_idle(s),
        WAIT,
        "the recalled prompt answered",
    );
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        messages(&reqs[1]).last(),
        Some(&("user".to_string(), "first".to_string()))
    );
}

/// The readline keys as a real terminal sends them through tmux (Ctrl+_ arrives as 0x1F, Alt+B
/// as ESC b).
#[test]
fn readline_keys_edit_the_prompt_in_a_real_terminal() {
    let t = Tmux::start(&[], &[], WIDTH, HEIGHT);
    t.wait_ready();
    let prompt_is = |t: &Tmux, want: &str| {
        t.wait_until(
            |s| input_rows(s).iter().any(|(_, l)| l == want),
            WAIT,
            &format!("{want:?} in the input box"),
        );
    };
    t.type_text("长颈鹿 giraffe neck");
    prompt_is(&t, "长颈鹿 giraffe neck");
    t.keys(&["M-b", "C-k"]);
    prompt_is(&t, "长颈鹿 giraffe");
    t.keys(&["C-a", "C-d"]);
    prompt_is(&t, "颈鹿 giraffe");
    t.keys(&["C-e", "C-w"]);
    prompt_is(&t, "颈鹿");
    t.keys(&["C-y", "C-u"]);
    t.wait_until(
        |s| {
            input_rows(s)
                .iter()
                .any(|(_, l)| l.contains("Type a message"))
        },
        WAIT,
        "an empty prompt",
    );
    t.keys(&["C-_"]);
    prompt_is(&t, "颈鹿 giraffe");
}

/// Typed (not pasted) text of 5,000 mixed characters: every character and the Enter after it
/// reach the mock without further keys. A terminal with no paste mode, an IME committing a
/// long phrase or a slow link deliver typing like this; the tail used to sit unread.
#[test]
fn five_thousand_typed_characters_are_all_sent() {
    let server = MockServer::start();
    let t = mock_app(&server);
    let unit = "中文输入abc，テスト 한국어 mixed 12345。";
    let mut prompt = String::new();
    while prompt.chars().count() + unit.chars().count() <= 5000 {
        prompt.push_str(unit);
    }
    while prompt.chars().count() < 5000 {
        prompt.push('x');
    }
    t.type_text(&prompt);
    t.keys(&["Enter"]);
    wait_reply_done(&t, M1_TEXT);
    let reqs = chat_requests(&server);
    assert_eq!(reqs.len(), 1);
    let sent = messages(&reqs[0]).last().map(|(_, c)| c.clone());
    assert_eq!(sent.as_deref(), Some(prompt.as_str()));
}
