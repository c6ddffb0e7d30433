use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

fn combo(code: KeyCode, mods: KeyModifiers) -> Combo {
    Combo::of(&KeyEvent::new(code, mods))
}

fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn keys_parse_as_the_terminal_reports_them() {
    let cases = [
        ("ctrl+q", combo(KeyCode::Char('q'), CTRL)),
        ("Ctrl+Q", combo(KeyCode::Char('q'), CTRL)),
        ("control+shift+x", combo(KeyCode::Char('x'), CTRL)),
        ("alt+enter", combo(KeyCode::Enter, ALT)),
        ("Shift+Enter", combo(KeyCode::Enter, SHIFT)),
        ("shift+up", combo(KeyCode::Up, SHIFT)),
        ("f1", combo(KeyCode::F(1), NONE)),
        ("F12", combo(KeyCode::F(12), NONE)),
        ("?", combo(KeyCode::Char('?'), SHIFT)),
        ("pgdn", combo(KeyCode::PageDown, NONE)),
        ("PageUp", combo(KeyCode::PageUp, NONE)),
        ("ctrl++", combo(KeyCode::Char('+'), CTRL)),
        ("+", combo(KeyCode::Char('+'), NONE)),
        ("shift+tab", combo(KeyCode::BackTab, SHIFT)),
        ("backtab", combo(KeyCode::BackTab, SHIFT)),
        ("A", combo(KeyCode::Char('A'), SHIFT)),
        ("shift+a", combo(KeyCode::Char('A'), SHIFT)),
        ("space", combo(KeyCode::Char(' '), NONE)),
        ("alt+你", combo(KeyCode::Char('你'), ALT)),
    ];
    for (text, want) in cases {
        assert_eq!(Combo::parse(text), Ok(want), "{text}");
    }
}

#[test]
fn unparsable_keys_say_why() {
    for (text, says) in [
        ("ctrl+qq", "is not a key"),
        ("hyper+x", "unknown modifier `hyper`"),
        ("f25", "is not a key"),
        ("", "is not a key"),
        ("ctrl+", "is not a key"),
    ] {
        match Combo::parse(text) {
            Ok(c) => panic!("{text:?} parsed as {c:?}"),
            Err(e) => assert!(e.contains(says), "{text:?}: {e}"),
        }
    }
}

#[test]
fn every_default_binding_has_a_name_and_its_label_parses_back() {
    let map = KeyMap::default();
    for b in &map.bindings {
        assert_eq!(Command::from_name(b.command.name()), Some(b.command));
        assert_eq!(Combo::parse(&b.combo.label()), Ok(b.combo), "{:?}", b);
        assert_eq!(b.when_input_empty, b.combo.types_into_prompt(), "{b:?}");
    }
    let mut names = Command::NAMES.to_vec();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Command::NAMES.len());
    assert_eq!(map.conflict(), None);
}

#[test]
fn an_override_replaces_every_default_key_of_its_command() {
    let map = KeyMap::default()
        .with_overrides(&[
            (Command::Quit, vec![combo(KeyCode::Char('x'), CTRL)]),
            (Command::Help, vec![]),
        ])
        .unwrap();
    assert_eq!(map.lookup(&key(KeyCode::Char('q'), CTRL), true), None);
    assert_eq!(
        map.lookup(&key(KeyCode::Char('x'), CTRL), false),
        Some(Command::Quit)
    );
    assert_eq!(map.lookup(&key(KeyCode::F(1), NONE), true), None);
    assert_eq!(map.lookup(&key(KeyCode::Char('?'), NONE), true), None);
    assert!(map.help_rows().iter().all(|(_, c)| *c != Command::Help));
    // The other commands keep their keys and their place.
    let before: Vec<_> = KeyMap::default()
        .help_rows()
        .into_iter()
        .map(|r| r.1)
        .collect();
    let after: Vec<_> = map.help_rows().into_iter().map(|r| r.1).collect();
    let kept: Vec<_> = before.into_iter().filter(|c| *c != Command::Help).collect();
    assert_eq!(after, kept);
}

#[test]
fn binding_a_key_another_command_has_is_a_conflict_naming_both() {
    let err = KeyMap::default()
        .with_overrides(&[(Command::Quit, vec![combo(KeyCode::Char('n'), CTRL)])])
        .unwrap_err();
    assert_eq!(err.combo, combo(KeyCode::Char('n'), CTRL));
    assert_eq!((err.first, err.second), (Command::Quit, Command::NewChat));
    // Unbinding the other command resolves it.
    let ok = KeyMap::default().with_overrides(&[
        (Command::Quit, vec![combo(KeyCode::Char('n'), CTRL)]),
        (Command::NewChat, vec![]),
    ]);
    assert!(ok.is_ok());
}

#[test]
fn a_plain_character_binding_acts_only_on_an_empty_prompt() {
    let m = combo(KeyCode::Char('m'), NONE);
    let map = KeyMap::default()
        .with_overrides(&[(Command::ModelPicker, vec![m])])
        .unwrap();
    let press = key(KeyCode::Char('m'), NONE);
    assert_eq!(map.lookup(&press, true), Some(Command::ModelPicker));
    assert_eq!(map.lookup(&press, false), None);
}
