use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::keymap::Combo;

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

fn ctx(overlay: Option<Layer>, pane: Layer) -> KeyContext {
    KeyContext {
        overlay,
        pane,
        prompt_empty: true,
        field_idle: true,
        comparing: false,
    }
}

fn parse(k: &str) -> Combo {
    Combo::parse(k).unwrap()
}

#[test]
fn the_open_overlay_comes_first_then_the_pane_then_the_global_map() {
    let map = KeyMap::default();
    let down = key(KeyCode::Down, NONE);
    // The picker's Down moves in the list; nothing below an overlay gets it.
    assert_eq!(
        map.resolve(&ctx(Some(Layer::Picker), Layer::Conversation), &down),
        [Bound::Picker(PickerKey::Down)]
    );
    assert_eq!(
        map.resolve(&ctx(None, Layer::Conversation), &down),
        [Bound::Conversation(ConversationKey::ScrollDown)]
    );
    assert_eq!(
        map.resolve(&ctx(None, Layer::Media), &down),
        [Bound::Media(MediaKey::Down)]
    );
    assert_eq!(
        map.resolve(&ctx(None, Layer::Prompt), &down),
        [Bound::Prompt(PromptKey::HistoryNext)]
    );
    // Esc in the conversation: deselect first, then what Esc does everywhere.
    assert_eq!(
        map.resolve(&ctx(None, Layer::Conversation), &key(KeyCode::Esc, NONE)),
        [
            Bound::Conversation(ConversationKey::Deselect),
            Bound::Global(Command::CancelReply)
        ]
    );
    // Tab in the prompt: completion, and focus when there is nothing to complete.
    assert_eq!(
        map.resolve(&ctx(None, Layer::Prompt), &key(KeyCode::Tab, NONE)),
        [
            Bound::Prompt(PromptKey::Complete),
            Bound::Global(Command::FocusNext)
        ]
    );
    // The conversation's commands from the global map go before its own keys.
    assert_eq!(
        map.resolve(
            &ctx(None, Layer::Conversation),
            &key(KeyCode::Char('y'), NONE)
        ),
        [Bound::Global(Command::CopyMessage)]
    );
    assert_eq!(
        map.resolve(&ctx(None, Layer::Prompt), &key(KeyCode::Char('y'), NONE)),
        []
    );
}

#[test]
fn only_the_browser_passes_quit_to_the_global_map() {
    let map = KeyMap::default();
    let quit = key(KeyCode::Char('q'), CTRL);
    assert_eq!(
        map.resolve(&ctx(Some(Layer::Browser), Layer::Prompt), &quit),
        [Bound::Global(Command::Quit)],
    );
    assert_eq!(
        map.resolve(&ctx(Some(Layer::Picker), Layer::Prompt), &quit),
        [],
        "the picker's filter keeps every key"
    );
    for overlay in [Layer::Picker, Layer::Browser] {
        // Ctrl+D quits only on an empty prompt; in an overlay it stays the overlay's.
        assert!(
            !map.resolve(
                &ctx(Some(overlay), Layer::Prompt),
                &key(KeyCode::Char('d'), CTRL)
            )
            .contains(&Bound::Global(Command::Quit)),
        );
        assert_eq!(
            map.resolve(
                &ctx(Some(overlay), Layer::Prompt),
                &key(KeyCode::Char('n'), CTRL)
            )
            .len(),
            1,
            "Ctrl+N is the overlay's, not a new chat"
        );
    }
    // Any key closes the help: none goes through it.
    assert_eq!(
        map.resolve(&ctx(Some(Layer::Help), Layer::Prompt), &quit),
        []
    );
}

#[test]
fn idle_only_keys_wait_for_the_field() {
    let map = KeyMap::default();
    let j = key(KeyCode::Char('j'), NONE);
    let list = ctx(Some(Layer::Browser), Layer::Prompt);
    let search = KeyContext {
        field_idle: false,
        ..list
    };
    assert_eq!(map.resolve(&list, &j), [Bound::Browser(BrowserKey::Down)]);
    assert_eq!(map.resolve(&search, &j), [], "j types into the search");
    let home = key(KeyCode::Home, NONE);
    let picker = ctx(Some(Layer::Picker), Layer::Prompt);
    assert_eq!(
        map.resolve(&picker, &home),
        [Bound::Picker(PickerKey::First)]
    );
    let filtering = KeyContext {
        field_idle: false,
        ..picker
    };
    assert_eq!(map.resolve(&filtering, &home), []);
}

#[test]
fn a_layer_rebind_replaces_its_keys_and_leaves_other_layers_alone() {
    let mut map = KeyMap::default();
    map.layers
        .rebind(Layer::Picker, &[("down", vec![parse("ctrl+j")])])
        .unwrap();
    let picker = ctx(Some(Layer::Picker), Layer::Prompt);
    assert_eq!(
        map.resolve(&picker, &key(KeyCode::Char('j'), CTRL)),
        [Bound::Picker(PickerKey::Down)]
    );
    assert_eq!(
        map.resolve(&picker, &key(KeyCode::Char('n'), CTRL)),
        [],
        "Ctrl+N lost its picker command"
    );
    // The browser's Down keys are its own.
    assert_eq!(
        map.resolve(
            &ctx(Some(Layer::Browser), Layer::Prompt),
            &key(KeyCode::Char('n'), CTRL)
        ),
        [Bound::Browser(BrowserKey::Down)]
    );
    // A rebound letter in the browser acts only in the list.
    map.layers
        .rebind(Layer::Browser, &[("rename", vec![parse("e")])])
        .unwrap();
    let e = key(KeyCode::Char('e'), NONE);
    assert_eq!(
        map.resolve(&ctx(Some(Layer::Browser), Layer::Prompt), &e),
        [Bound::Browser(BrowserKey::Rename)]
    );
    let search = KeyContext {
        field_idle: false,
        ..ctx(Some(Layer::Browser), Layer::Prompt)
    };
    assert_eq!(map.resolve(&search, &e), []);
}

#[test]
fn a_key_bound_twice_in_a_layer_is_a_conflict_naming_both() {
    let mut layers = Layers::default();
    let err = layers
        .rebind(Layer::Media, &[("save", vec![parse("o")])])
        .unwrap_err();
    assert_eq!((err.first, err.second), ("open", "save"));
    assert_eq!(err.combo, parse("o"));
    assert_eq!(layers, Layers::default(), "a failed rebind changes nothing");
    // The same key in two layers is no conflict: the layer in front wins.
    layers
        .rebind(Layer::Media, &[("save", vec![parse("ctrl+s")])])
        .unwrap();
}

#[test]
fn every_layer_command_has_a_name_and_a_default_key() {
    let layers = Layers::default();
    assert_eq!(Layer::ALL.map(Layer::name), Layer::NAMES);
    for layer in Layer::ALL {
        let rows = layers.rows(layer);
        assert_eq!(
            rows.iter().map(|r| r.name).collect::<Vec<_>>(),
            Layers::names(layer),
            "{layer:?}"
        );
        assert!(
            rows.iter()
                .all(|r| !r.keys.is_empty() && !r.about.is_empty())
        );
        assert_eq!(Layer::from_name(layer.name()), Some(layer));
        // `[keys]` tells a layer's table from a command's keys by the name alone.
        assert_eq!(Command::from_name(layer.name()), None, "{layer:?}");
    }
}

#[test]
fn modifiers_on_a_popup_or_pane_key_fall_back_to_the_plain_key() {
    let map = KeyMap::default();
    let shift = KeyModifiers::SHIFT;
    // As before the keys were data: the picker's and the help's arrows ignore modifiers.
    assert_eq!(
        map.resolve(
            &ctx(Some(Layer::Picker), Layer::Prompt),
            &key(KeyCode::Down, shift)
        ),
        [Bound::Picker(PickerKey::Down)]
    );
    assert_eq!(
        map.resolve(
            &ctx(Some(Layer::Help), Layer::Prompt),
            &key(KeyCode::Up, CTRL)
        ),
        [Bound::Help(HelpKey::ScrollUp)]
    );
    // The media panel takes Shift+Enter as Enter; Ctrl+Up stays the global scroll.
    assert_eq!(
        map.resolve(&ctx(None, Layer::Media), &key(KeyCode::Enter, shift)),
        [
            Bound::Media(MediaKey::FullScreen),
            Bound::Global(Command::Newline)
        ]
    );
    assert_eq!(
        map.resolve(&ctx(None, Layer::Media), &key(KeyCode::Up, CTRL)),
        [Bound::Global(Command::ScrollUp)]
    );
    // Letters are exact: Shift+J is not j.
    assert_eq!(
        map.resolve(
            &ctx(Some(Layer::Help), Layer::Prompt),
            &key(KeyCode::Char('J'), shift)
        ),
        []
    );
}
