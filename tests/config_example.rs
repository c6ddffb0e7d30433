//! `config.example.toml` must parse cleanly, and hold the models it claims to hold.

use std::path::Path;

use ecochat::api::ApiError;
use ecochat::config::{Capability, Config, parse_str};

const EXAMPLE: &str = include_str!("../config.example.toml");

fn parse_example(env: &[(&str, &str)]) -> Config {
    let lookup = |name: &str| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    match parse_str(EXAMPLE, Path::new("config.example.toml"), &lookup) {
        Ok(config) => config,
        Err(e) => panic!("config.example.toml does not parse: {e}"),
    }
}

/// Models as written in the text: one per uncommented `id = ` line, plus the string entries of
/// uncommented one-line `models = [...]` arrays. Independent of the config parser.
fn models_written_in_text() -> usize {
    let mut count = 0;
    for line in EXAMPLE.lines().map(str::trim) {
        if line.starts_with("id = ") {
            count += 1;
        } else if let Some(list) = line.strip_prefix("models = [") {
            // Inline tables carry their own `id = `; plain entries are quoted strings outside braces.
            let mut depth = 0;
            let mut in_string = false;
            for c in list.chars() {
                match c {
                    '{' if !in_string => depth += 1,
                    '}' if !in_string => depth -= 1,
                    '"' => {
                        in_string = !in_string;
                        if in_string && depth == 0 {
                            count += 1;
                        }
                    }
                    _ => {}
                }
            }
            count += list.matches("id = ").count();
        }
    }
    count
}

#[test]
fn example_parses_and_counts_match_the_text() {
    let config = parse_example(&[]);
    let written = models_written_in_text();
    let parsed = config
        .all_models()
        .iter()
        .filter(|(p, _)| !p.is_demo())
        .count();
    assert_eq!(parsed, written);
    assert_eq!(
        parsed, 53,
        "update this when models are added to or removed from the example"
    );

    let names: Vec<&str> = config.providers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ecovai", "theturbo", "local", "demo"]);
    let per_provider: Vec<usize> = config.providers.iter().map(|p| p.models.len()).collect();
    assert_eq!(per_provider, [44, 6, 3, 2], "the demo has two models");
    // Shipped commented out: an explicit one would override the picker's choice at every start.
    assert!(!config.default_model_explicit);
    assert_eq!(config.default_model, "demo:demo", "no key: the demo");
    let keyed = parse_example(&[("ECOVAI_API_KEY", "sk-test")]);
    assert_eq!(keyed.default_model, "ecovai:deepseek-chat");
}

#[test]
fn example_covers_every_family_and_capability() {
    let config = parse_example(&[]);
    let ecovai = config.provider("ecovai").expect("ecovai provider");
    for id in [
        "gpt-4o",
        "gpt-4o-mini",
        "o3-mini",
        "gpt-4o-all",
        "gpt-4o-image",
        "kimi",
        "moonshot-v1-8k",
        "moonshot-v1-32k",
        "moonshot-v1-128k",
        "kimi-k2-0905-preview",
        "qwen-turbo",
        "qwen-plus",
        "qwen-max",
        "qwq-32b",
        "glm-4-plus",
        "glm-4-flash",
        "glm-4.6",
        "concise",
        "detail",
        "research",
        "spark-v2",
        "spark-v3",
        "SparkDesk-v4.0",
        "generalv3.5",
        "4.0Ultra",
        "abab6.5s-chat",
        "MiniMax-Text-01",
        "deepseek-chat",
        "deepseek-reasoner",
        "suno-v3.5",
        "midjourney",
        "mj-chat",
        "flux",
        "recraftv3",
        "ideogram",
        "luma",
        "runway",
        "kling",
        "mj_imagine",
        "suno_music",
        "kling-v1",
        "luma-video",
        "runway-video",
    ] {
        assert!(ecovai.model(id).is_some(), "ecovai lacks {id}");
    }
    for id in [
        "spark-v2",
        "spark-v3",
        "SparkDesk-v4.0",
        "generalv3.5",
        "4.0Ultra",
    ] {
        let spark = ecovai.model(id).expect("spark model");
        assert!(spark.params.top_k.is_some(), "{id} should show top_k");
        assert!(
            spark
                .name
                .as_deref()
                .is_some_and(|n| n.contains("讯飞星火")),
            "{id}"
        );
    }
    let kind_of = |id: &str| ecovai.model(id).map(|m| m.kind);
    assert_eq!(kind_of("suno-v3.5"), Some(Capability::Music));
    assert_eq!(kind_of("kling"), Some(Capability::Video));
    assert_eq!(kind_of("gpt-4o-all"), Some(Capability::Image));
    assert_eq!(kind_of("research"), Some(Capability::Search));
    assert_eq!(kind_of("deepseek-reasoner"), Some(Capability::Reasoning));
    for kind in Capability::ALL {
        assert!(
            config.all_models().iter().any(|(_, m)| m.kind == kind),
            "no {kind} model"
        );
    }
    // Every ecovai model has a display name.
    assert!(ecovai.models.iter().all(|m| m.name.is_some()));
}

#[test]
fn example_providers_resolve_and_report_missing_keys() {
    let config = parse_example(&[]);
    let (local, model) = config.resolve("local:qwen2.5:7b").expect("local model");
    assert_eq!(model.id, "qwen2.5:7b");
    let endpoint = local.endpoint(&|_| None).expect("local needs no key");
    assert_eq!(endpoint.api_key, None);
    assert_eq!(endpoint.base_url, "http://127.0.0.1:11434/v1");

    let (turbo, model) = config
        .resolve("theturbo:deepseek-reasoner")
        .expect("theturbo model");
    assert_eq!(model.kind, Capability::Reasoning);
    match turbo.endpoint(&|_| None) {
        Err(ApiError::MissingKey { provider, hint }) => {
            assert_eq!(provider, "theturbo");
            assert!(hint.starts_with("THETURBO_API_KEY"), "{hint}");
        }
        other => panic!("expected MissingKey, got {other:?}"),
    }
    let keyed = turbo.endpoint(&|name| (name == "THETURBO_API_KEY").then(|| "sk-t".to_string()));
    assert_eq!(keyed.map(|e| e.api_key), Ok(Some("sk-t".to_string())));
}

#[test]
fn example_task_presets_use_the_task_apis() {
    use ecochat::config::ModelApi;
    use ecochat::tasks::TaskApi;
    let config = parse_example(&[]);
    let ecovai = config.provider("ecovai").expect("ecovai provider");
    let api = |id: &str| ecovai.model(id).map(|m| m.api);
    assert_eq!(api("mj_imagine"), Some(ModelApi::Task(TaskApi::Midjourney)));
    assert_eq!(api("suno_music"), Some(ModelApi::Task(TaskApi::Suno)));
    for id in ["kling-v1", "luma-video", "runway-video"] {
        assert_eq!(api(id), Some(ModelApi::Task(TaskApi::Video)), "{id}");
    }
    // The chat wrappers of the same services stay chat.
    assert_eq!(api("midjourney"), Some(ModelApi::Chat));
    assert_eq!(api("suno-v3.5"), Some(ModelApi::Chat));
}
