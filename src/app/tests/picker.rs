//! The model picker driven through `update`: choosing, dismissing, discovery results.

use super::*;

fn with_providers(h: &mut Harness) {
    let mut p = Provider::new("mock", Some("http://127.0.0.1:9/v1".into()));
    p.models = vec![
        ModelSpec::new("gpt-4o"),
        ModelSpec {
            name: Some("讯飞星火 v3".into()),
            ..ModelSpec::new("spark-v3")
        },
    ];
    h.app.providers = vec![p, Provider::builtin_demo()];
}

#[test]
fn ctrl_p_picks_a_model_for_the_next_request_and_remembers_it() {
    let mut h = Harness::new();
    with_providers(&mut h);
    h.exchange("before", "an answer");
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.overlay, Some(Overlay::Picker(_))));
    h.type_text("星火");
    let fx = h.key(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(fx.as_slice(), [Effect::SaveLastModel(l)] if l == "mock:spark-v3"));
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.target.label(), "mock:spark-v3");
    assert_eq!(h.app.conv.messages().len(), 2, "the conversation stays");
    let fx = {
        h.type_text("after");
        h.key(KeyCode::Enter, KeyModifiers::NONE)
    };
    let [
        Effect::StartReply {
            target, history, ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(target.model.id, "spark-v3");
    assert_eq!(history.len(), 3, "earlier turns are sent to the new model");
    assert_eq!(h.last().model.as_deref(), Some("mock:spark-v3"));
    assert_eq!(
        h.app.conv.messages()[1].model.as_deref(),
        Some("demo:demo"),
        "old replies keep their model"
    );
}

#[test]
fn the_picker_swallows_keys_and_esc_closes_it_without_switching() {
    let mut h = Harness::new();
    with_providers(&mut h);
    h.key(KeyCode::F(2), KeyModifiers::NONE);
    let fx = h.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert!(
        fx.is_empty() && !h.app.quit,
        "Ctrl+Q does not quit from inside the picker"
    );
    h.type_text("gpt");
    assert!(
        h.app.prompt.is_empty(),
        "typing filtered the picker, not the prompt"
    );
    h.key(KeyCode::Esc, KeyModifiers::NONE);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.target.label(), "demo:demo");
}

#[test]
fn discovery_results_and_failures_reach_the_picker_and_status_bar() {
    let mut h = Harness::new();
    with_providers(&mut h);
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    h.key(KeyCode::Home, KeyModifiers::NONE);
    let fx = h.key(KeyCode::Char('f'), KeyModifiers::CONTROL);
    assert!(matches!(fx.as_slice(), [Effect::DiscoverModels(p)] if p.name == "mock"));
    h.act(Action::ModelsDiscovered {
        provider: "mock".into(),
        result: Ok(vec!["gpt-4o".into(), "glm-4-plus".into()]),
    });
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!()
    };
    assert!(p.fetching.is_none());
    assert!(
        p.entries()
            .iter()
            .any(|e| e.model.id == "glm-4-plus" && e.discovered)
    );
    assert!(
        h.app
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("2 models, 1 not in the config")
    );
    assert_eq!(
        h.app.discovered,
        vec![(
            "mock".to_string(),
            vec!["gpt-4o".to_string(), "glm-4-plus".to_string()]
        )]
    );
    h.act(Action::ModelsDiscovered {
        provider: "mock".into(),
        result: Err("401 from x".into()),
    });
    let n = h.app.notice.as_ref().unwrap();
    assert!(n.is_error && n.text.contains("401 from x"));
}

#[test]
fn choosing_a_provider_whose_key_is_missing_says_so_at_once() {
    let mut h = Harness::new();
    let ecovai = Provider::builtin_ecovai();
    h.app.providers = vec![ecovai, Provider::builtin_demo()];
    h.app.missing_keys = crate::app::missing_keys(&h.app.providers, &crate::providers::env_of(&[]));
    assert_eq!(h.app.missing_keys.len(), 1, "the demo needs no key");
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!()
    };
    assert_eq!(
        p.no_key,
        [(
            "ecovai".to_string(),
            "no API key: set ECOVAI_API_KEY".to_string()
        )]
    );
    h.key(KeyCode::Esc, KeyModifiers::NONE);
    h.type_text("/model ecovai:deepseek-chat");
    h.key(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(h.app.target.label(), "ecovai:deepseek-chat");
    let notice = h.app.notice.clone().unwrap();
    assert!(notice.is_error);
    assert!(notice.text.contains("ECOVAI_API_KEY"), "{}", notice.text);
    // With the key set, nothing is said against the switch.
    h.app.missing_keys = crate::app::missing_keys(
        &h.app.providers,
        &crate::providers::env_of(&[("ECOVAI_API_KEY", "sk-x")]),
    );
    assert!(h.app.missing_keys.is_empty());
}

#[test]
fn starting_on_a_provider_whose_key_is_missing_says_so_before_any_prompt() {
    let mut h = Harness::new();
    h.app.providers = vec![Provider::builtin_ecovai(), Provider::builtin_demo()];
    h.app.missing_keys = crate::app::missing_keys(&h.app.providers, &crate::providers::env_of(&[]));
    crate::app::note_missing_key(&mut h.app);
    assert!(h.app.notice.is_none(), "the demo needs no key");
    h.app.target = crate::providers::Target {
        provider: Provider::builtin_ecovai(),
        model: ModelSpec::new("gpt-4o"),
    };
    crate::app::note_missing_key(&mut h.app);
    let notice = h.app.notice.clone().unwrap();
    assert!(
        notice.is_error && notice.text.contains("ECOVAI_API_KEY"),
        "{notice:?}"
    );
}

#[test]
fn the_filter_is_a_readline_field() {
    let mut h = Harness::new();
    with_providers(&mut h);
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    h.type_text("xx 星火");
    let query = |h: &Harness| match &h.app.overlay {
        Some(Overlay::Picker(p)) => p.query.clone(),
        other => panic!("{other:?}"),
    };
    h.key(KeyCode::Char('a'), KeyModifiers::CONTROL);
    h.key(KeyCode::Char('d'), KeyModifiers::ALT);
    assert_eq!(query(&h), " 星火");
    h.key(KeyCode::Char('e'), KeyModifiers::CONTROL);
    h.key(KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(query(&h), " ");
    h.key(KeyCode::Char('_'), KeyModifiers::CONTROL);
    assert_eq!(query(&h), " 星火");
    let fx = h.key(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(fx.as_slice(), [Effect::SaveLastModel(l)] if l == "mock:spark-v3"));
}

#[test]
fn a_450k_model_list_is_capped_and_the_status_line_says_how_many_were_left_out() {
    let mut h = Harness::new();
    with_providers(&mut h);
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    let ids: Vec<String> = (0..450_000).map(|i| format!("relay-model-{i}")).collect();
    h.act(Action::ModelsDiscovered {
        provider: "mock".into(),
        result: Ok(ids),
    });
    let max = crate::api::models::MAX_DISCOVERED;
    assert_eq!(h.app.discovered[0].1.len(), max);
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("the picker stays open")
    };
    let discovered = p.entries().iter().filter(|e| e.discovered).count();
    assert_eq!(discovered, max);
    assert_eq!(
        h.app.notice.as_ref().unwrap().text,
        "mock: 450000 models; the first 10000 are listed (10000 not in the config), \
         440000 left out"
    );
    // Reopening builds the entries from the capped list again.
    h.key(KeyCode::Esc, KeyModifiers::NONE);
    h.key(KeyCode::Char('p'), KeyModifiers::CONTROL);
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("open")
    };
    assert_eq!(
        p.entries().len(),
        2 + 2 + max,
        "config, the two demo models and the capped list"
    );
}
