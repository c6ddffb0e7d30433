//! `theme` and the `[keys]` table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::config::ThemeName;
use crate::keymap::Command;

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn theme_is_read_and_absent_means_follow_the_environment() {
    assert_eq!(
        parse("theme = \"light\"").unwrap().theme,
        Some(ThemeName::Light)
    );
    assert_eq!(
        parse("theme = \"mono\"").unwrap().theme,
        Some(ThemeName::Mono)
    );
    assert_eq!(parse("").unwrap().theme, None);
}

#[test]
fn a_bad_theme_is_reported_where_it_is_written() {
    assert_eq!(
        error_of("default_model = \"demo:demo\"\ntheme = \"dakr\"\n"),
        format!(
            "{PATH}:2:9: `theme`: \"dakr\" is not one of dark, light, mono (did you mean `dark`?)"
        )
    );
    assert_eq!(
        error_of("theme = 1"),
        format!("{PATH}:1:9: `theme` must be a string, found an integer (1)")
    );
}

#[test]
fn keys_rebind_commands_and_keep_the_rest() {
    let text = "[keys]\nquit = \"ctrl+x\"\nnewline = [\"ctrl+j\", \"alt+enter\"]\nhelp = []\n";
    let map = parse(text).unwrap().keymap;
    let ctrl = KeyModifiers::CONTROL;
    assert_eq!(
        map.lookup(&press(KeyCode::Char('x'), ctrl), false),
        Some(Command::Quit)
    );
    assert_eq!(map.lookup(&press(KeyCode::Char('q'), ctrl), false), None);
    assert_eq!(
        map.lookup(&press(KeyCode::Enter, KeyModifiers::SHIFT), false),
        None,
        "newline lost its third default key"
    );
    assert_eq!(
        map.lookup(&press(KeyCode::F(1), KeyModifiers::NONE), true),
        None
    );
    assert_eq!(
        map.lookup(&press(KeyCode::Char('n'), ctrl), false),
        Some(Command::NewChat)
    );
    assert_eq!(parse("").unwrap().keymap, crate::keymap::KeyMap::default());
}

#[test]
fn an_unknown_command_is_reported_with_a_suggestion() {
    assert_eq!(
        error_of("[keys]\nqiut = \"ctrl+q\"\n"),
        format!("{PATH}:2:1: unknown key `qiut` in [keys] (did you mean `quit`?)")
    );
}

#[test]
fn an_unparsable_key_is_reported_where_it_is_written() {
    let err = error_of("[keys]\nsend = \"enter\"\nquit = [\"f2\", \"ctrl+qq\"]\n");
    assert!(
        err.starts_with(&format!("{PATH}:3:15: `quit`: \"ctrl+qq\" is not a key")),
        "{err}"
    );
    assert_eq!(
        error_of("[keys]\nquit = 7\n"),
        format!(
            "{PATH}:2:8: `quit` must be a key (\"ctrl+q\") or a list of keys ([\"f1\", \"?\"]), found an integer (7)"
        )
    );
    assert_eq!(
        error_of("keys = \"ctrl+q\"\n"),
        format!("{PATH}:1:8: `keys` must be a table ([keys]), found a string (\"ctrl+q\")")
    );
}

#[test]
fn a_key_bound_to_two_commands_is_rejected_naming_both() {
    assert_eq!(
        error_of("[keys]\nquit = \"ctrl+n\"\n"),
        format!(
            "{PATH}:2:8: `quit`: `Ctrl+N` is bound to both `quit` and `new_chat` (`new_chat` has it by default: give `new_chat` other keys, or write `new_chat = []` to unbind it)"
        )
    );
    assert_eq!(
        error_of("[keys]\nquit = \"f5\"\nhelp = [\"f1\", \"F5\"]\n"),
        format!(
            "{PATH}:3:15: `help`: `F5` is bound to both `quit` and `help`; a key can run one command only (`quit` has it on line 2)"
        )
    );
    // Giving the other command a new key resolves it.
    assert!(parse("[keys]\nquit = \"ctrl+n\"\nnew_chat = \"f9\"\n").is_ok());
}

#[test]
fn the_example_documents_every_command_and_its_default_keys() {
    let example = include_str!("../../../config.example.toml");
    let defaults = crate::keymap::KeyMap::default();
    for name in Command::NAMES {
        let line = example
            .lines()
            .find(|l| l.starts_with(&format!("#   {name} ")))
            .unwrap_or_else(|| panic!("config.example.toml does not list `{name}`"));
        let Some(command) = Command::from_name(name) else {
            panic!("{name} names no command");
        };
        for b in defaults.bindings.iter().filter(|b| b.command == command) {
            let label = b.combo.label().to_lowercase();
            assert!(
                line.contains(&label),
                "{name}: `{label}` missing in {line:?}"
            );
        }
    }
}

#[test]
fn the_example_documents_every_layer_command_and_its_default_keys() {
    use crate::keymap::{Layer, Layers};
    let example = include_str!("../../../config.example.toml");
    let layers = Layers::default();
    for layer in Layer::ALL {
        let heading = format!("# [keys.{}]  ", layer.name());
        let block: Vec<&str> = example
            .lines()
            .skip_while(|l| !l.starts_with(&heading))
            .skip(1)
            .take_while(|l| l.starts_with("#   "))
            .collect();
        for row in layers.rows(layer) {
            let line = block
                .iter()
                .find(|l| l.starts_with(&format!("#   {} ", row.name)))
                .unwrap_or_else(|| panic!("{heading}: `{}` is not listed", row.name));
            for key in &row.keys {
                let label = key.split(" (").next().unwrap_or(key).to_lowercase();
                assert!(
                    line.contains(&label),
                    "{}: `{label}` missing in {line:?}",
                    row.name
                );
            }
        }
    }
}

#[test]
fn mouse_and_reply_cap_are_read_with_their_defaults() {
    let cfg = parse("default_model = \"demo:demo\"\n").unwrap();
    assert!(cfg.mouse);
    assert_eq!(cfg.max_reply_bytes, 64 << 20);
    let cfg = parse("default_model = \"demo:demo\"\nmouse = false\nmax_reply_mb = 2\n").unwrap();
    assert!(!cfg.mouse);
    assert_eq!(cfg.max_reply_bytes, 2 << 20);
    assert!(parse("max_reply_mb = 0\n").is_err());
}

#[test]
fn attachment_limits_and_vision_are_read_with_their_defaults() {
    let cfg = parse("default_model = \"demo:demo\"\n").unwrap();
    assert_eq!(cfg.attach, crate::attach::Limits::default());
    let cfg = parse(
        "attach_max_side = 1024\nattach_max_text_kb = 8\n\
         [[providers]]\nname = \"p\"\nbase_url = \"http://127.0.0.1:1/v1\"\n\
         models = [{ id = \"deepseek-chat\", vision = true }, \"qwen-plus\", \"llama3\"]\n",
    )
    .unwrap();
    assert_eq!(
        (cfg.attach.max_side, cfg.attach.max_text_bytes),
        (1024, 8 * 1024)
    );
    let p = cfg.providers.iter().find(|p| p.name == "p").unwrap();
    let vision: Vec<_> = p.models.iter().map(|m| m.takes_images()).collect();
    assert_eq!(vision, [Some(true), Some(false), None]);
    assert!(parse("attach_max_side = 10\n").is_err());
}

#[test]
fn a_date_time_is_not_taken_for_a_keys_table() {
    assert_eq!(
        error_of("keys = 2024-01-01\n"),
        format!("{PATH}:1:8: `keys` must be a table ([keys]), found a date-time (2024-01-01)")
    );
}

#[test]
fn layer_tables_rebind_their_own_commands() {
    use crate::keymap::{Bound, KeyContext, Layer, PickerKey};
    let text = "[keys]\nhelp = \"f1\"\n\n[keys.picker]\ndown = [\"down\", \"ctrl+j\"]\n\n[keys.help_overlay]\nscroll_down = \"n\"\n";
    let map = parse(text).unwrap().keymap;
    let picker = KeyContext {
        overlay: Some(Layer::Picker),
        pane: Layer::Prompt,
        prompt_empty: true,
        field_idle: true,
        comparing: false,
    };
    let ctrl = KeyModifiers::CONTROL;
    assert_eq!(
        map.resolve(&picker, &press(KeyCode::Char('j'), ctrl)),
        [Bound::Picker(PickerKey::Down)]
    );
    assert_eq!(map.resolve(&picker, &press(KeyCode::Char('n'), ctrl)), []);
    assert_eq!(
        map.lookup(&press(KeyCode::F(1), KeyModifiers::NONE), false),
        Some(Command::Help),
        "`help` is the command, `[keys.help_overlay]` the layer"
    );
    assert_eq!(map.layers.help.bindings.len(), 5);
}

#[test]
fn an_unknown_layer_is_reported_with_a_suggestion() {
    assert_eq!(
        error_of("[keys]\nquit = \"ctrl+q\"\n\n[keys.pikcer]\nclose = \"esc\"\n"),
        format!("{PATH}:4:7: unknown key `pikcer` in [keys] (did you mean `picker`?)")
    );
}

#[test]
fn an_unknown_layer_command_is_reported_with_a_suggestion() {
    assert_eq!(
        error_of("[keys.browser]\nopen = \"enter\"\nrenmae = \"f2\"\n"),
        format!("{PATH}:3:1: unknown key `renmae` in [keys.browser] (did you mean `rename`?)")
    );
}

#[test]
fn an_unparsable_layer_key_is_reported_where_it_is_written() {
    let err = error_of("[keys.media]\nopen = [\"o\", \"ctrl+qq\"]\n");
    assert!(
        err.starts_with(&format!("{PATH}:2:14: `open`: \"ctrl+qq\" is not a key")),
        "{err}"
    );
    assert_eq!(
        error_of("[keys.media]\nopen = 7\n"),
        format!(
            "{PATH}:2:8: `open` must be a key (\"ctrl+q\") or a list of keys ([\"f1\", \"?\"]), found an integer (7)"
        )
    );
    assert_eq!(
        error_of("[keys]\npicker = \"ctrl+p\"\n"),
        format!(
            "{PATH}:2:10: `picker`: `picker` is a layer: write its commands under [keys.picker]"
        )
    );
}

#[test]
fn a_key_bound_twice_in_a_layer_is_rejected_naming_both() {
    assert_eq!(
        error_of("[keys.media]\nsave = \"o\"\n"),
        format!(
            "{PATH}:2:8: `save`: `o` is bound to both `open` and `save` in [keys.media] (`open` has it by default: give `open` other keys, or write `open = []` to unbind it)"
        )
    );
    assert_eq!(
        error_of("[keys.picker]\nclose = \"f5\"\nchoose = [\"enter\", \"f5\"]\n"),
        format!(
            "{PATH}:3:20: `choose`: `F5` is bound to both `close` and `choose` in [keys.picker]; a key can run one command only (`close` has it on line 2)"
        )
    );
    // The same key in two layers is fine: the open overlay's wins.
    assert!(
        parse("[keys.media]\nsave = \"ctrl+s\"\nopen = []\n\n[keys.picker]\nclose = \"o\"\n")
            .is_ok()
    );
}
