//! What ecochat writes to its terminal: each frame is the difference from the last, never a
//! cleared and repainted screen (issue 8: "terminal output per frame is the diff only").

use super::*;

/// Occurrences of `needle` in `hay`.
fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn a_streaming_reply_is_drawn_as_small_differences_without_clearing_the_screen() {
    let t = Tmux::start(&["--no-save"], &[("ECOCHAT_DEMO_DELAY_MS", "15")], 110, 40);
    t.wait_ready();
    let raw = t.path("pane-output.raw");
    let pipe = format!("cat >> '{}'", raw.display());
    let out = t.tmux(&["pipe-pane", "-o", "-t", "e2e", &pipe]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.type_text("你好");
    t.keys(&["Enter"]);
    let screen = t.wait_until(
        |s| s.contains("祝你使用愉快") && is_idle(s),
        WAIT,
        "the demo reply",
    );
    // What a repaint of this screen would take at least: one byte per visible character.
    let full_screen: usize = screen.lines().map(|l| l.trim_end().len()).sum();
    std::thread::sleep(Duration::from_millis(300));
    let bytes = std::fs::read(&raw).unwrap_or_default();
    // ratatui ends every frame by placing and showing the cursor (the input has focus).
    let frames = count(&bytes, b"\x1b[?25h");
    assert!(frames >= 10, "{frames} frames for a streamed reply");
    assert_eq!(count(&bytes, b"\x1b[2J"), 0, "the screen was cleared");
    assert_eq!(count(&bytes, b"\x1b[3J"), 0, "the scrollback was cleared");
    let per_frame = bytes.len() / frames;
    // Repainting would cost at least the whole screen a frame; differences cost a fraction.
    assert!(
        per_frame * 2 < full_screen,
        "{per_frame} bytes a frame against {full_screen} for the whole screen"
    );
}
