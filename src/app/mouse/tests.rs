use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::app::test_harness::Harness;
use crate::app::{Action, Focus, Overlay};

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Action {
    Action::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(column: u16, row: u16) -> Action {
    mouse(MouseEventKind::Down(MouseButton::Left), column, row)
}

/// A conversation longer than the screen, and a reply with three image links.
fn busy() -> Harness {
    let mut h = Harness::new();
    h.act(Action::Resize {
        width: 120,
        height: 40,
    });
    for i in 0..10 {
        h.exchange(&format!("q{i}"), &"line\n".repeat(5));
    }
    let links: String = (1..=3)
        .map(|i| format!("![p{i}](https://img.example.com/{i}.png)\n"))
        .collect();
    h.exchange("images", &links);
    assert!(h.app.media.open, "the panel opens for media");
    h
}

fn panel(h: &Harness) -> ratatui::layout::Rect {
    h.app.panes().unwrap().media.expect("the media panel fits")
}

#[test]
fn the_wheel_scrolls_the_conversation_under_the_pointer() {
    let mut h = busy();
    assert!(h.app.scroll.follow);
    let bottom = h.app.scroll_top();
    h.act(mouse(MouseEventKind::ScrollUp, 10, 5));
    assert_eq!(h.app.scroll_top(), bottom - 3);
    assert!(!h.app.scroll.follow);
    h.act(mouse(MouseEventKind::ScrollDown, 10, 5));
    assert!(h.app.scroll.follow);
    // Over the input box the wheel does nothing.
    let input = h.app.panes().unwrap().input;
    h.act(mouse(MouseEventKind::ScrollUp, 10, input.y + 1));
    assert!(h.app.scroll.follow);
}

#[test]
fn the_wheel_over_the_media_panel_moves_its_selection_not_the_conversation() {
    let mut h = busy();
    let p = panel(&h);
    let url = |h: &Harness| h.app.media.selected_item().unwrap().link.url.clone();
    assert!(url(&h).ends_with("3.png"), "the newest first");
    h.act(mouse(MouseEventKind::ScrollDown, p.x + 2, p.y + 10));
    assert!(url(&h).ends_with("2.png"));
    h.act(mouse(MouseEventKind::ScrollDown, p.x + 2, p.y + 10));
    h.act(mouse(MouseEventKind::ScrollDown, p.x + 2, p.y + 10));
    assert!(url(&h).ends_with("1.png"), "clamped at the oldest");
    h.act(mouse(MouseEventKind::ScrollUp, p.x + 2, p.y + 1));
    assert!(url(&h).ends_with("2.png"));
    assert!(h.app.scroll.follow, "the conversation did not move");
}

#[test]
fn a_click_focuses_the_pane_under_it_and_picks_the_media_item() {
    let mut h = busy();
    let p = panel(&h);
    // Rows inside the border: the list starts on the panel's second row, newest first.
    h.act(click(p.x + 3, p.y + 3));
    assert_eq!(h.app.focus, Focus::Media);
    let item = h.app.media.selected_item().unwrap();
    assert!(item.link.url.ends_with("1.png"), "{item:?}");
    h.act(click(p.x + 3, p.y + 1));
    assert!(
        h.app
            .media
            .selected_item()
            .unwrap()
            .link
            .url
            .ends_with("3.png")
    );
    let input = h.app.panes().unwrap().input;
    h.act(click(5, input.y + 1));
    assert_eq!(h.app.focus, Focus::Input);
    h.act(click(5, 2));
    assert_eq!(h.app.focus, Focus::Conversation);
}

#[test]
fn a_click_on_a_message_selects_it() {
    let mut h = Harness::new();
    h.exchange("第一", "答一");
    h.exchange("第二", "答二");
    // Each message: a header, one body line, a blank line.
    h.act(click(5, 1));
    assert_eq!(h.app.focus, Focus::Conversation);
    assert_eq!(h.app.selected, Some(h.app.conv.messages()[0].id));
    h.act(click(5, 4));
    assert_eq!(h.app.selected, Some(h.app.conv.messages()[1].id));
    // Below the last message: focus, no selection change.
    h.act(click(5, 18));
    assert_eq!(h.app.selected, Some(h.app.conv.messages()[1].id));
}

#[test]
fn the_wheel_scrolls_the_help_and_moves_the_picker() {
    let mut h = Harness::new();
    h.act(Action::Resize {
        width: 60,
        height: 12,
    });
    h.key(crossterm::event::KeyCode::F(1), KeyModifiers::NONE);
    assert_eq!(h.app.overlay, Some(Overlay::Help));
    h.act(mouse(MouseEventKind::ScrollDown, 10, 5));
    assert_eq!(h.app.help_scroll, 3);
    h.act(mouse(MouseEventKind::ScrollUp, 10, 5));
    assert_eq!(h.app.help_scroll, 0);
    // Clicks on a popup do nothing: it stays, the focus stays.
    h.act(click(1, 1));
    assert_eq!(h.app.overlay, Some(Overlay::Help));
    assert_eq!(h.app.focus, Focus::Input);
}
