use crossterm::event::{KeyCode, KeyModifiers};

use crate::app::test_harness::Harness;
use crate::app::{Effect, Focus, Overlay};
use crate::chat::Role;
use crate::config::{ModelSpec, Provider};

fn with_models(h: &mut Harness) {
    let mut mock = Provider::builtin_demo();
    mock.name = "mock".into();
    mock.models = vec![
        ModelSpec::new("gpt-4o"),
        ModelSpec {
            name: Some("讯飞星火 v3".into()),
            ..ModelSpec::new("spark-v3")
        },
        ModelSpec::new("deepseek-reasoner"),
    ];
    h.app.providers.push(mock);
}

fn tab(h: &mut Harness) -> Vec<Effect> {
    h.key(KeyCode::Tab, KeyModifiers::NONE)
}

#[test]
fn model_switches_to_the_best_fuzzy_match_and_remembers_it() {
    let mut h = Harness::new();
    with_models(&mut h);
    h.type_text("/model 星火");
    let fx = h.enter();
    assert!(
        matches!(fx.as_slice(), [Effect::SaveLastModel(l)] if l == "mock:spark-v3"),
        "{fx:?}"
    );
    assert_eq!(h.app.target.label(), "mock:spark-v3");
    assert_eq!(h.notice(), "model: mock:spark-v3");
    assert!(h.app.prompt.is_empty());
    assert!(h.app.conv.is_empty(), "a command is not a message");
    h.type_text("/model mock:gpt-4o");
    h.enter();
    assert_eq!(h.app.target.label(), "mock:gpt-4o");
    h.type_text("/model reasoner");
    h.enter();
    assert_eq!(h.app.target.label(), "mock:deepseek-reasoner");
}

#[test]
fn model_without_a_match_keeps_the_input_and_the_model() {
    let mut h = Harness::new();
    with_models(&mut h);
    h.type_text("/model claude");
    assert!(h.enter().is_empty());
    assert!(h.notice_is_error());
    assert!(
        h.notice()
            .contains("no configured model matches \"claude\"")
    );
    assert_eq!(h.app.prompt.text(), "/model claude");
    assert_eq!(h.app.target.label(), "demo:demo");
}

#[test]
fn model_alone_opens_the_picker() {
    let mut h = Harness::new();
    h.type_text("/model");
    h.enter();
    assert!(matches!(h.app.overlay, Some(Overlay::Picker(_))));
}

#[test]
fn system_sets_a_first_message_that_goes_first_on_the_wire() {
    let mut h = Harness::new();
    h.exchange("你好", "你好！");
    h.type_text("/system 只用英文回答。");
    assert!(h.enter().is_empty());
    assert!(h.notice().starts_with("system prompt set (7 characters)"));
    assert_eq!(h.app.conv.messages()[0].role, Role::System);
    h.type_text("hi");
    let fx = h.enter();
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let roles: Vec<&str> = history.iter().map(|m| m.role.as_str()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(history[0].content, "只用英文回答。");
}

#[test]
fn system_alone_removes_it_or_explains_itself() {
    let mut h = Harness::new();
    h.type_text("/system");
    h.enter();
    assert!(h.notice_is_error());
    assert_eq!(h.app.prompt.text(), "/system");
    h.app.prompt.take(&h.app.theme);
    h.type_text("/system be brief");
    h.enter();
    assert_eq!(h.app.conv.system_prompt(), Some("be brief"));
    h.type_text("/system");
    h.enter();
    assert_eq!(h.app.conv.system_prompt(), None);
    assert_eq!(h.notice(), "system prompt removed");
}

#[test]
fn clear_save_and_help_do_what_their_keys_do() {
    let mut h = Harness::new();
    h.exchange("q", "a");
    h.type_text("/clear");
    h.enter();
    assert!(h.app.conv.is_empty());
    assert_eq!(h.notice(), "new conversation");
    h.type_text("/save");
    h.enter();
    assert_eq!(h.notice(), "nothing to save yet", "as Ctrl+S says");
    h.type_text("/help");
    h.enter();
    assert_eq!(h.app.overlay, Some(Overlay::Help));
    assert!(h.app.prompt.is_empty());
}

#[test]
fn commands_run_while_a_reply_streams_but_messages_wait() {
    let mut h = Harness::new();
    h.type_text("q");
    h.enter();
    assert!(h.app.in_flight.is_some());
    h.type_text("/system terse");
    h.enter();
    assert_eq!(h.app.conv.system_prompt(), Some("terse"));
    h.type_text("next question");
    assert!(h.enter().is_empty());
    assert!(h.notice().contains("still streaming"));
}

#[test]
fn unknown_commands_keep_the_input_and_double_slash_sends_text() {
    let mut h = Harness::new();
    h.type_text("/imagine a cat");
    assert!(h.enter().is_empty());
    assert!(h.notice_is_error());
    assert!(h.notice().starts_with("unknown command /imagine"));
    assert_eq!(h.app.prompt.text(), "/imagine a cat");
    h.app.prompt.take(&h.app.theme);
    h.type_text("//imagine a cat");
    let fx = h.enter();
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(history[0].content, "/imagine a cat");
    h.app.in_flight = None;
    h.type_text("/etc/hosts 是什么");
    assert!(matches!(h.enter().as_slice(), [Effect::StartReply { .. }]));
}

#[test]
fn tab_completes_command_names_and_models_and_keeps_the_focus() {
    let mut h = Harness::new();
    with_models(&mut h);
    h.type_text("/mo");
    assert!(tab(&mut h).is_empty());
    assert_eq!(h.app.prompt.text(), "/model ");
    assert_eq!(h.app.focus, Focus::Input);
    h.type_text("spark");
    tab(&mut h);
    assert_eq!(h.app.prompt.text(), "/model mock:spark-v3");
    h.app.prompt.take(&h.app.theme);
    h.type_text("/s");
    tab(&mut h);
    assert_eq!(h.app.prompt.text(), "/s", "ambiguous: /system or /save");
    assert_eq!(h.app.focus, Focus::Input, "Tab stays in a command");
    h.app.prompt.take(&h.app.theme);
    h.type_text("plain text");
    tab(&mut h);
    assert_eq!(h.app.focus, Focus::Conversation, "elsewhere Tab moves on");
}

#[test]
fn the_system_prompt_is_handed_to_the_session_store() {
    use crate::store::task::StoreCmd;
    let mut h = Harness::new();
    h.saving();
    h.exchange("q", "a");
    h.type_text("/system 简洁");
    let fx = h.enter();
    let saved: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Store(StoreCmd::Save { messages, .. }) => Some(messages),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(saved.len(), 1, "{fx:?}");
    assert_eq!(
        (saved[0].role, saved[0].content.as_str()),
        (Role::System, "简洁")
    );
    // Removing it deletes its row.
    h.type_text("/system");
    let fx = h.enter();
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Store(StoreCmd::DeleteMessages { seqs, .. }) if seqs.len() == 1)
        ),
        "{fx:?}"
    );
}

#[test]
fn model_takes_an_unlisted_model_of_a_configured_provider_as_dash_m_does() {
    let mut h = Harness::new();
    with_models(&mut h);
    h.type_text("/model mock:qwen3-235b-a22b");
    let fx = h.enter();
    assert!(
        matches!(fx.as_slice(), [Effect::SaveLastModel(l)] if l == "mock:qwen3-235b-a22b"),
        "{fx:?}"
    );
    assert_eq!(h.app.target.label(), "mock:qwen3-235b-a22b");
    assert!(!h.notice_is_error(), "{}", h.notice());
    // An unknown provider is still refused.
    h.type_text("/model nosuch:qwen3");
    h.enter();
    assert_eq!(h.app.target.label(), "mock:qwen3-235b-a22b");
}

#[test]
fn tab_still_completes_a_partial_provider_model_to_a_listed_one() {
    let mut h = Harness::new();
    with_models(&mut h);
    h.type_text("/model mock:gpt");
    tab(&mut h);
    assert_eq!(h.app.prompt.text(), "/model mock:gpt-4o");
    // A provider with no model named is not a model.
    h.app.prompt.set_text("/model mock:", &h.app.theme);
    h.enter();
    assert!(h.notice_is_error(), "{}", h.notice());
    assert_eq!(h.app.target.label(), "demo:demo");
}

#[test]
fn tab_cycles_through_every_model_a_partial_name_matches() {
    let mut h = Harness::new();
    let mut relay = Provider::builtin_demo();
    relay.name = "relay".into();
    relay.models = vec![
        ModelSpec::new("gpt-4o"),
        ModelSpec::new("acc-sp-fast"),
        ModelSpec::new("acc-sp-pro"),
        ModelSpec::new("acc-sp-max"),
    ];
    h.app.providers.push(relay);
    h.type_text("/model acc-sp");
    let mut seen = Vec::new();
    for _ in 0..4 {
        tab(&mut h);
        seen.push(h.app.prompt.text());
    }
    assert_eq!(
        seen,
        [
            "/model relay:acc-sp-fast",
            "/model relay:acc-sp-pro",
            "/model relay:acc-sp-max",
            "/model relay:acc-sp-fast",
        ],
        "every match in turn, then round again"
    );
    h.key(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(h.app.prompt.text(), "/model relay:acc-sp-max");
    // Typing starts a new completion from what is typed.
    h.key(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text("/model sp-pr");
    tab(&mut h);
    assert_eq!(h.app.prompt.text(), "/model relay:acc-sp-pro");
    assert_eq!(h.app.focus, Focus::Input);
}

#[test]
fn an_unknown_command_is_an_error_naming_it_not_the_help() {
    let mut h = Harness::new();
    h.type_text("/hlep");
    let fx = h.enter();
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(h.app.overlay, None, "a typo does not open the help");
    assert!(
        h.notice()
            .starts_with("unknown command /hlep: did you mean /help?"),
        "{}",
        h.notice()
    );
    assert!(h.app.notice.as_ref().is_some_and(|n| n.is_error));
    assert_eq!(h.app.prompt.text(), "/hlep", "the prompt is kept to fix it");
    assert!(h.app.conv.is_empty(), "nor is it sent");
}

#[test]
fn tab_completes_the_model_being_typed_after_compare() {
    let mut h = Harness::new();
    with_models(&mut h);
    h.type_text("/compare 星火 reason");
    tab(&mut h);
    assert_eq!(h.app.prompt.text(), "/compare 星火 mock:deepseek-reasoner");
    h.type_text(" g");
    tab(&mut h);
    assert_eq!(
        h.app.prompt.text(),
        "/compare 星火 mock:deepseek-reasoner mock:gpt-4o"
    );
    // Nothing to complete after a space, or for `off`.
    h.type_text(" ");
    tab(&mut h);
    assert_eq!(
        h.app.prompt.text(),
        "/compare 星火 mock:deepseek-reasoner mock:gpt-4o "
    );
    assert_eq!(h.app.focus, Focus::Input, "Tab stays in a command");
}
