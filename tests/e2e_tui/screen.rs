//! The screen under stress: resize storms and tiny terminals.

use super::*;

/// Waits until the app has redrawn for `width`x`height`: panes, or the too-small notice.
fn wait_redrawn(t: &Tmux, width: u16, height: u16) -> String {
    let too_small = width < 20 || height < 6;
    // The notice as the app wraps it for the size (at 10x3: "ecochat" / "needs 20x6").
    let notice = ecochat::view::layout::too_small_notice(width, height).join("\n");
    t.wait_until(
        |s| {
            if too_small {
                s.starts_with(&notice) && !s.contains('╭')
            } else {
                // The bottom border at the new width with the status bar under it: a whole frame.
                let lines: Vec<&str> = s.lines().collect();
                lines.windows(2).any(|w| {
                    w[0].starts_with('╰')
                        && w[0].ends_with('╯')
                        && w[0].chars().count() == usize::from(width)
                        && !w[1].trim().is_empty()
                })
            }
        },
        WAIT,
        &format!("a redraw at {width}x{height}"),
    )
}

#[test]
fn resize_storm_while_streaming_survives_and_shows_the_too_small_notice() {
    let server = MockServer::start();
    slow_then_m1(&server, 80);
    let t = mock_app(&server);
    send(&t, "stream while I resize");
    t.wait_for(&scenarios::piece(1), WAIT);
    let mut screen = String::new();
    for (w, h) in [
        (80, 24),
        (40, 12),
        (20, 6),
        (19, 6),
        (20, 5),
        (10, 3),
        (30, 8),
    ] {
        t.resize(w, h);
        screen = wait_redrawn(&t, w, h);
    }
    assert!(
        status_line(&screen).contains("streaming"),
        "the resizes happened while the reply streamed:\n{screen}"
    );
    // A storm: no waiting between sizes, down to a single cell.
    for (w, h) in [
        (1, 1),
        (200, 60),
        (2, 2),
        (21, 7),
        (5, 40),
        (120, 3),
        (15, 15),
        (7, 1),
    ] {
        t.resize(w, h);
    }
    t.resize(WIDTH, HEIGHT);
    wait_redrawn(&t, WIDTH, HEIGHT);
    wait_reply_done(&t, &scenarios::pieces_text(80));
    assert!(!t.exited());
    send(&t, "still there?");
    wait_reply_done(&t, M1_TEXT);
}

#[test]
fn escape_sequences_in_a_reply_never_reach_the_terminal() {
    let server = MockServer::start();
    server.on_model(
        "gpt-4o",
        vec![sse_content(&[
            "安全",
            "\u{1b}]0;PWNED-TITLE\u{7}",
            "文本",
            // A title sequence split across two deltas.
            "\u{1b}]2;PWN",
            "ED-AGAIN\u{1b}\\",
            "\u{1b}]52;c;cHduZWQtY2xpcA==\u{7}",
            "\u{1b}[?1049l\u{1b}[?1000l\u{1b}[?1003l\u{1b}[2J\u{1b}[H",
            "结束",
        ])],
    );
    let t = mock_app(&server);
    // With this on, an OSC 52 that got through would create a tmux paste buffer.
    t.tmux(&["set-option", "-s", "set-clipboard", "on"]);
    let title = t.display("#{pane_title}");
    send(&t, "say something nasty");
    let screen = wait_reply_done(&t, "结束");
    assert!(conversation_text(&screen).contains("安全文本"), "{screen}");
    assert!(
        screen.contains("╭ Message"),
        "the screen was not cleared:\n{screen}"
    );
    assert_eq!(t.display("#{pane_title}"), title, "the title is unchanged");
    let buffers = t.tmux(&["list-buffers"]);
    assert_eq!(
        String::from_utf8_lossy(&buffers.stdout),
        "",
        "no clipboard write reached tmux"
    );
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "still on the alternate screen"
    );
    assert_eq!(
        t.display("#{mouse_any_flag}"),
        "1",
        "mouse reporting untouched"
    );
}
