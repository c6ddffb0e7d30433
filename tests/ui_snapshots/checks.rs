//! Plain checks: the terminal cursor at the insertion point, resize storms, wide chars never cut.

use crossterm::event::KeyCode;
use ratatui::buffer::CellWidth;
use ratatui::layout::Position;

use super::harness::{
    CTRL, Harness, NONE, assert_wide_chars_whole, input_origin, long_chat, row_text,
};
use super::{SIZES, reasoning_reply};
use ecochat::api::ApiError;

#[test]
fn cursor_sits_after_wide_characters() {
    for (w, hgt) in SIZES {
        let mut h = Harness::new("deepseek-chat", w, hgt);
        let origin = input_origin(&h);
        assert_eq!(h.cursor(), origin, "empty input");
        h.type_str("你好");
        assert_eq!(h.cursor(), Position::new(origin.x + 4, origin.y), "你好");

        let mut h = Harness::new("deepseek-chat", w, hgt);
        h.type_str("a你b");
        assert_eq!(h.cursor(), Position::new(origin.x + 4, origin.y), "a你b");
        // Back over `b` and `你`: the cursor lands on the first column of the wide char.
        h.key(KeyCode::Left, NONE);
        h.key(KeyCode::Left, NONE);
        assert_eq!(h.cursor(), Position::new(origin.x + 1, origin.y), "on 你");

        // On the second line of a multi-line prompt.
        let mut h = Harness::new("deepseek-chat", w, hgt);
        h.type_str("第一行");
        h.key(KeyCode::Char('j'), CTRL);
        h.type_str("二b");
        let origin = input_origin(&h);
        assert_eq!(
            h.cursor(),
            Position::new(origin.x + 3, origin.y + 1),
            "第二行"
        );
    }
}

#[test]
fn cursor_follows_a_soft_wrapped_cjk_line() {
    // Even and odd text widths: with an odd one a wide char never fills the last column.
    for w in [80u16, 79, 120, 41] {
        let mut h = Harness::new("deepseek-chat", w, 24);
        let inner = usize::from(w) - 4;
        let per_row = inner / 2;
        let n = per_row + 3;
        h.type_str(&"汉".repeat(n));
        let origin = input_origin(&h);
        assert_eq!(
            h.cursor(),
            Position::new(origin.x + 6, origin.y + 1),
            "{n} wide chars at inner width {inner}: 3 on the second row"
        );
        assert_eq!(h.app.panes().expect("big").input.height, 4, "the box grew");
    }
}

#[test]
fn cursor_after_a_row_filled_exactly_goes_to_the_next_row() {
    let mut h = Harness::new("deepseek-chat", 80, 24);
    h.type_str(&"汉".repeat(38)); // 76 columns: the whole inner width
    let origin = input_origin(&h);
    assert_eq!(h.cursor(), Position::new(origin.x, origin.y + 1));
    assert_eq!(h.app.panes().expect("big").input.height, 4);
    // The next char goes where the cursor was shown.
    h.type_str("字");
    assert_eq!(h.cursor(), Position::new(origin.x + 2, origin.y + 1));
}

#[test]
fn word_wrapped_input_grows_the_box_and_keeps_the_first_row() {
    let mut h = Harness::new("deepseek-chat", 80, 24);
    // Three 20-letter words fill a 78-column row, so seven words need three rows, not two.
    let words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
    ]
    .map(|w| format!("{w:_<20}"));
    h.type_str(&words.join(" "));
    let input = h.app.panes().expect("big").input;
    assert_eq!(input.height, 5, "three rows of text");
    let origin = input_origin(&h);
    assert_eq!(h.cursor(), Position::new(origin.x + 20, origin.y + 2));
    let first = row_text(&h.frame, origin.y, origin.x, input.right() - 1);
    assert!(
        first.starts_with("alpha___"),
        "first row visible: {first:?}"
    );
}

const MIXED_REPLY: &str = "长城（the Great Wall）全长约 21,196 公里🧱，是世界上最长的军事防御工程。\
它东起辽宁虎山、西至甘肃嘉峪关，穿越 15 个省区市；明长城约 8,851.8 公里。\
Emoji 测试：👨‍👩‍👧 家庭、🇨🇳 国旗、✅ 完成。日本語のテキストも：万里の長城は、ユネスコ世界遺産です。";

/// A chat with CJK, emoji and a reply streaming in, plus a two-line prompt being typed.
fn busy_chat(h: &mut Harness) {
    long_chat(h, 6);
    h.at(9000).send("再详细介绍一下长城，中英文都可以。");
    h.at(9300).content(MIXED_REPLY);
    h.type_str("还有一个问题：");
    h.key(KeyCode::Char('j'), CTRL);
    h.type_str("长城在太空中能看到吗？🚀");
}

#[test]
fn resize_storm_never_panics_and_never_cuts_a_wide_char() {
    let mut h = Harness::new("deepseek-chat", 80, 24);
    busy_chat(&mut h);
    // Up from 1x1 to 200x60, back down the same way, then across (wide and flat to narrow and tall).
    let up: Vec<(u16, u16)> = (1..=200u16).map(|w| (w, (w * 3 / 10).max(1))).collect();
    let mut sizes = up.clone();
    sizes.extend(up.iter().rev());
    sizes.extend(up.iter().map(|&(w, hgt)| (201 - w, 61 - hgt)));
    sizes.extend([
        (0, 0),
        (0, 10),
        (10, 0),
        (255, 1),
        (20, 6),
        (19, 6),
        (20, 5),
    ]);
    for (step, (w, hgt)) in sizes.into_iter().enumerate() {
        if step % 37 == 0 {
            h.key(KeyCode::F(1), NONE); // opens the help; the next key closes it
        }
        if step % 11 == 0 {
            h.key(KeyCode::PageUp, NONE);
        }
        if step % 5 == 0 {
            h.content("更多内容，more text ");
        }
        h.resize(w, hgt);
        h.draw();
        assert_wide_chars_whole(&h, &format!("{w}x{hgt}"));
        if w >= 20 && hgt >= 6 && h.app.overlay.is_none() {
            let input = h.app.panes().expect("big enough").input;
            let inner = ratatui::layout::Rect::new(
                input.x + 2,
                input.y + 1,
                input.width - 4,
                input.height - 2,
            );
            assert!(
                h.terminal.backend().cursor_visible(),
                "{w}x{hgt}: cursor shown"
            );
            let cursor = h.terminal.get_cursor_position().expect("cursor");
            assert!(
                inner.contains(cursor),
                "{w}x{hgt}: cursor {cursor:?} outside the input's text area {inner:?}"
            );
        }
    }
}

#[test]
fn a_finished_reply_loses_no_character_at_any_width() {
    let expected: String = MIXED_REPLY.chars().filter(|c| !c.is_whitespace()).collect();
    for w in 20..=120u16 {
        let mut h = Harness::new("deepseek-chat", w, 80);
        h.send("长城");
        h.at(300).content(MIXED_REPLY);
        h.finish(None);
        h.draw();
        assert_wide_chars_whole(&h, &format!("width {w}"));
        let pane = h.app.panes().expect("big enough").conversation;
        // Rows of the reply body: after the user message (3 rows) and the reply header.
        let body: String = (pane.y + 4..pane.bottom())
            .map(|y| row_text(&h.frame, y, pane.x + 2, pane.right() - 1))
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert_eq!(body, expected, "width {w}");
    }
}

#[test]
fn the_help_overlay_never_splits_a_wide_char_under_its_edges() {
    for w in 60..=200u16 {
        let mut h = Harness::new("deepseek-chat", w, 30);
        h.paste_send(&"长城".repeat(40));
        // Wide chars at even columns on some rows and odd ones on others.
        let verse = "万里长城永不倒，千里黄河水滔滔。";
        h.at(300)
            .content(&format!("{}\n1{}", verse.repeat(8), verse.repeat(8)));
        h.finish(None);
        h.key(KeyCode::F(1), NONE);
        h.draw();
        assert_wide_chars_whole(&h, &format!("help at width {w}"));
    }
}

#[test]
fn colours_carry_meaning() {
    use ratatui::style::{Color, Modifier};
    let find = |h: &Harness, needle: &str| -> (u16, u16) {
        let buf = &h.frame;
        (0..buf.area.height)
            .find_map(|y| {
                let row = row_text(&h.frame, y, 0, buf.area.width);
                row.find(needle).map(|byte| (row[..byte].cell_width(), y))
            })
            .unwrap_or_else(|| panic!("{needle:?} on screen"))
    };
    let mut h = Harness::new("deepseek-reasoner", 80, 24);
    reasoning_reply(&mut h, false);
    h.draw();
    let (x, y) = find(&h, "用户问的是");
    let cell = &h.frame[(x, y)];
    assert_eq!(cell.fg, Color::DarkGray, "reasoning is dimmed");
    assert!(cell.modifier.contains(Modifier::ITALIC));

    let mut h = Harness::new("deepseek-chat", 80, 24);
    h.send("hello");
    h.end(Err(ApiError::Auth {
        status: 401,
        host: "api.ecovai.cn".into(),
        message: "Invalid token".into(),
        key_source: "ECOVAI_API_KEY".into(),
    }));
    h.draw();
    let (x, y) = find(&h, "✖ 401");
    assert_eq!(h.frame[(x, y)].fg, Color::Red, "the error sentence is red");
    let (x, y) = find(&h, "✖ error");
    assert_eq!(
        h.frame[(x, y)].fg,
        Color::Red,
        "the status bar shows the error in red"
    );
}
