//! A first run of the real binary in tmux: no config, no key. The demo says what it is and how
//! to reach a real relay, and picking ecovai says at once that its key is missing.

mod tmux;

use std::time::Duration;

use tmux::Tmux;

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn a_first_run_explains_the_demo_and_a_missing_key_before_any_prompt() {
    let t = Tmux::start(&[], &[], 100, 30);
    let screen = t.wait_ready();
    assert!(screen.contains("This is the offline demo"), "{screen}");
    assert!(
        screen.contains("export ECOVAI_API_KEY=sk-... and restart"),
        "{screen}"
    );
    assert!(screen.contains("ecochat --help"), "{screen}");
    let config = t.home.path().join("config/ecochat/config.toml");
    assert!(
        screen.contains(&config.display().to_string()),
        "the config path {}:\n{screen}",
        config.display()
    );

    t.keys(&["C-p"]);
    let picker = t.wait_for("no API key: set ECOVAI_API_KEY", WAIT);
    assert!(picker.contains("ecovai"), "{picker}");
    t.type_text("deepseek-chat");
    t.keys(&["Enter"]);
    // Said on the switch, with nothing sent.
    t.wait_for("no API key for ecovai: set ECOVAI_API_KEY", WAIT);
}
