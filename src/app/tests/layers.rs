//! Keys of the panes and overlays through `update`: the layered map, rebinds from the config.

use std::path::Path;

use crossterm::event::{KeyCode, KeyModifiers};

use crate::app::Overlay;
use crate::app::browser::BrowserFocus;
use crate::app::test_harness::Harness;

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

fn with_keys(toml: &str) -> Harness {
    let cfg = crate::config::parse_str(toml, Path::new("/t/config.toml"), &|_| None)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut h = Harness::new();
    h.app.keymap = cfg.keymap;
    h
}

/// The browser as Ctrl+O opens it once the store answers (the harness has no store).
fn open_browser(h: &mut Harness) {
    h.app.overlay = Some(Overlay::Sessions);
    h.app.sessions.browser = Default::default();
}

#[test]
fn ctrl_q_quits_from_the_session_browser() {
    let mut h = Harness::new();
    open_browser(&mut h);
    h.key(KeyCode::Char('q'), CTRL);
    assert!(h.app.quit);
}

#[test]
fn a_rebound_quit_quits_from_the_session_browser_and_ctrl_q_no_longer_does() {
    let mut h = with_keys("[keys]\nquit = \"f10\"\n");
    open_browser(&mut h);
    h.key(KeyCode::Char('q'), CTRL);
    assert!(!h.app.quit, "Ctrl+Q is no longer quit");
    assert_eq!(h.app.overlay, Some(Overlay::Sessions));
    h.key(KeyCode::F(10), NONE);
    assert!(h.app.quit, "the rebound key quits from the browser too");
}

#[test]
fn browser_keys_are_rebindable_and_letters_act_only_in_the_list() {
    let mut h = with_keys("[keys.browser]\nclose = [\"esc\", \"q\"]\n");
    open_browser(&mut h);
    h.key(KeyCode::Char('q'), NONE);
    assert_eq!(
        h.app.overlay,
        Some(Overlay::Sessions),
        "q types into the search"
    );
    assert_eq!(h.app.sessions.browser.query.text(), "q");
    h.key(KeyCode::Tab, NONE);
    assert_eq!(h.app.sessions.browser.focus, BrowserFocus::List);
    h.key(KeyCode::Char('q'), NONE);
    assert_eq!(h.app.overlay, None, "in the list, q closes");
}

#[test]
fn help_and_conversation_keys_follow_their_layers() {
    let mut h =
        with_keys("[keys.help_overlay]\nscroll_down = \"n\"\n\n[keys.conversation]\ntop = \"t\"\n");
    h.key(KeyCode::F(1), NONE);
    h.key(KeyCode::Char('j'), NONE);
    assert_eq!(h.app.overlay, None, "j is no longer a help key: it closes");
    for i in 0..40 {
        h.exchange(&format!("q{i}"), "a\nb\nc");
    }
    h.key(KeyCode::Tab, NONE);
    h.key(KeyCode::Char('t'), NONE);
    assert_eq!(h.app.scroll.top, 0);
    assert!(!h.app.scroll.follow, "t jumped to the top");
    h.key(KeyCode::Char('g'), NONE);
    assert_eq!(h.app.focus, crate::app::Focus::Input, "g now types");
    assert_eq!(h.app.prompt.text(), "g");
}

#[test]
fn a_prompt_key_on_ctrl_x_keeps_its_command_over_the_sequence() {
    let mut h = with_keys("[keys.prompt]\ncomplete = [\"tab\", \"ctrl+x\"]\n");
    h.type_text("/mo");
    h.key(KeyCode::Char('x'), CTRL);
    assert!(!h.app.pending_ctrl_x, "Ctrl+X did not start a sequence");
    assert_eq!(h.app.prompt.text(), "/model ");
}

#[test]
fn question_mark_opens_help_on_an_empty_prompt_and_types_otherwise() {
    let mut h = Harness::new();
    // Some terminals report '?' with Shift, some without.
    for mods in [NONE, SHIFT] {
        h.app.overlay = None;
        h.key(KeyCode::Char('?'), mods);
        assert_eq!(h.app.overlay, Some(Overlay::Help));
    }
    h.app.overlay = None;
    h.type_text("why?");
    assert_eq!(h.app.overlay, None);
    assert_eq!(h.app.prompt.text(), "why?");
}
