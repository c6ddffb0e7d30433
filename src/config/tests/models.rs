//! Schema semantics: models, capabilities, defaults, resolution, parameters, keys.

use std::path::Path;

use serde_json::json;

use super::super::{Capability, DEMO_PROVIDER, ModelSpec, Provider, parse_str};
use super::{PATH, env_of, parse, with_model};
use crate::api::ApiError;

const LOCAL: &str = r#"
[[providers]]
name = "local"
base_url = "http://127.0.0.1:11434/v1/"
models = ["qwen2.5:7b", { id = "llama3.1:8b", name = "Llama 3.1", temperature = 0.2 }, "deepseek-r1:14b"]
"#;

#[test]
fn string_and_table_models_mix_in_one_array() {
    let config = parse(LOCAL).unwrap();
    let local = config.provider("local").unwrap();
    let ids: Vec<&str> = local.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["qwen2.5:7b", "llama3.1:8b", "deepseek-r1:14b"]);
    assert_eq!(local.models[0].display_name(), "qwen2.5:7b");
    assert_eq!(local.models[1].display_name(), "Llama 3.1");
    assert_eq!(local.models[1].params.temperature, Some(0.2));
    assert_eq!(local.models[2].kind, Capability::Reasoning);
    assert_eq!(
        local.base_url.as_deref(),
        Some("http://127.0.0.1:11434/v1"),
        "trailing slash trimmed"
    );
    assert_eq!(local.api_key_env, None);
    assert_eq!(local.idle_timeout_secs, 180);
    assert_eq!(local.connect_timeout_secs, 15);
    assert_eq!(local.max_retries, 2);
    assert!(local.include_usage);
}

#[test]
fn array_of_model_tables_reads_every_field() {
    let text = with_model(
        "name = \"讯飞星火 v3\"\nkind = \"search\"\nsystem = \"你是助手\"\nstream = false\ntemperature = 0.5\ntop_p = 0.9\ntop_k = 4\nmax_tokens = 2048\npresence_penalty = 0.1\nfrequency_penalty = -0.1\nstop = \"END\"",
    );
    let config = parse(&text).unwrap();
    let m = &config.provider("p").unwrap().models[0];
    assert_eq!(m.display_name(), "讯飞星火 v3");
    assert_eq!(m.kind, Capability::Search, "explicit kind beats inference");
    assert_eq!(m.system.as_deref(), Some("你是助手"));
    assert_eq!(m.stream, Some(false));
    assert_eq!(
        serde_json::Value::Object(m.request_params()),
        json!({"temperature": 0.5, "top_p": 0.9, "top_k": 4, "max_tokens": 2048,
               "presence_penalty": 0.1, "frequency_penalty": -0.1, "stop": ["END"]})
    );
}

#[test]
fn request_params_only_sends_what_is_set() {
    assert!(ModelSpec::new("gpt-4o").request_params().is_empty());
    let config = parse(&with_model(
        "top_k = 3\nstop = [\"a\", \"b\"]\nsystem = \"s\"\nstream = true",
    ))
    .unwrap();
    let params = config.provider("p").unwrap().models[0].request_params();
    assert_eq!(
        serde_json::Value::Object(params),
        json!({"top_k": 3, "stop": ["a", "b"]})
    );
}

#[test]
fn capability_is_inferred_from_the_id() {
    let cases = [
        ("deepseek-reasoner", Capability::Reasoning),
        ("qwq-32b", Capability::Reasoning),
        ("kimi-k2-thinking", Capability::Reasoning),
        ("o1", Capability::Reasoning),
        ("o3-mini", Capability::Reasoning),
        ("concise", Capability::Search),
        ("research-scholar", Capability::Search),
        ("metaso-pro", Capability::Search),
        ("gpt-4o-search-preview", Capability::Search),
        ("gpt-4o-all", Capability::Image),
        ("gpt-4o-image", Capability::Image),
        ("dall-e-3", Capability::Image),
        ("flux-kontext-pro", Capability::Image),
        ("midjourney", Capability::Image),
        ("mj-chat", Capability::Image),
        ("recraftv3", Capability::Image),
        ("ideogram", Capability::Image),
        ("suno-v3.5", Capability::Music),
        ("luma", Capability::Video),
        ("runway-gen3", Capability::Video),
        ("kling-v1", Capability::Video),
        ("sora-2", Capability::Video),
        ("veo-video", Capability::Video),
        ("deepseek-chat", Capability::Chat),
        ("gpt-4o", Capability::Chat),
        ("moonshot-v1-8k", Capability::Chat),
        ("o4o", Capability::Chat),
        ("detailed-chat", Capability::Chat),
    ];
    for (id, kind) in cases {
        assert_eq!(Capability::infer(id), kind, "{id}");
    }
    for c in Capability::ALL {
        assert_eq!(Capability::from_tag(c.as_str()), Some(c));
        assert_eq!(c.to_string(), c.as_str());
    }
}

#[test]
fn empty_file_means_builtin_providers_and_demo_default() {
    for text in ["", "\n  \n# only a comment\n"] {
        let config = parse(text).unwrap();
        let names: Vec<&str> = config.providers.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ecovai", DEMO_PROVIDER]);
        assert_eq!(config.default_model, "demo:demo");
        assert!(config.provider("demo").unwrap().is_demo());
        assert!(!config.provider("ecovai").unwrap().is_demo());
        assert_eq!(config.provider("ecovai").unwrap().models.len(), 9);
    }
}

#[test]
fn default_model_follows_the_ecovai_key() {
    let path = Path::new(PATH);
    let with_key = parse_str("", path, &env_of(&[("ECOVAI_API_KEY", "sk-test")])).unwrap();
    assert_eq!(with_key.default_model, "ecovai:deepseek-chat");
    let blank_key = parse_str("", path, &env_of(&[("ECOVAI_API_KEY", "  ")])).unwrap();
    assert_eq!(blank_key.default_model, "demo:demo");
    // A file without ecovai falls back to the demo even when the variable is set.
    let no_ecovai = parse_str(LOCAL, path, &env_of(&[("ECOVAI_API_KEY", "sk-test")])).unwrap();
    assert_eq!(no_ecovai.default_model, "demo:demo");
    // An explicit default is kept, and canonicalised to provider:model.
    let explicit = parse_str(
        &format!("default_model = \"qwen2.5:7b\"\n{LOCAL}"),
        path,
        &env_of(&[]),
    )
    .unwrap();
    assert_eq!(explicit.default_model, "local:qwen2.5:7b");
}

#[test]
fn demo_is_appended_once() {
    let config = parse(LOCAL).unwrap();
    let names: Vec<&str> = config.providers.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["local", "demo"]);
    let own_demo = parse("[[providers]]\nname = \"demo\"\n").unwrap();
    assert_eq!(own_demo.providers.len(), 1);
    assert!(own_demo.providers[0].is_demo());
    assert_eq!(own_demo.providers[0].models[0].id, "demo");
    // A `demo` with an address is an ordinary provider that replaces the built-in one.
    let remote =
        parse("[[providers]]\nname = \"demo\"\nbase_url = \"https://demo.test\"\n").unwrap();
    assert_eq!(remote.providers.len(), 1);
    assert!(!remote.providers[0].is_demo());
}

#[test]
fn resolve_splits_at_the_first_colon() {
    let config = parse(LOCAL).unwrap();
    let (p, m) = config.resolve("local:qwen2.5:7b").unwrap();
    assert_eq!((p.name.as_str(), m.id.as_str()), ("local", "qwen2.5:7b"));
    let (p, m) = config.resolve("local:llama3.1:8b").unwrap();
    assert_eq!(
        (p.name.as_str(), m.display_name(), m.params.temperature),
        ("local", "Llama 3.1", Some(0.2))
    );
    // A bare id containing ':' is found although `qwen2.5` is not a provider.
    let (p, m) = config.resolve("qwen2.5:7b").unwrap();
    assert_eq!((p.name.as_str(), m.id.as_str()), ("local", "qwen2.5:7b"));
    let (p, m) = config.resolve("demo").unwrap();
    assert_eq!((p.name.as_str(), m.id.as_str()), ("demo", "demo"));
    // Unlisted models of a known provider are allowed; their kind is inferred.
    let (p, m) = config.resolve("local:qwq:32b").unwrap();
    assert_eq!(
        (p.name.as_str(), m.id.as_str(), m.kind),
        ("local", "qwq:32b", Capability::Reasoning)
    );
    assert_eq!(
        config.resolve("openai:gpt-4o").unwrap_err().to_string(),
        "unknown provider `openai` in `openai:gpt-4o` (configured providers: local, demo)"
    );
    assert_eq!(
        config.resolve("lcoal:qwen2.5:7b").unwrap_err().to_string(),
        "unknown provider `lcoal` in `lcoal:qwen2.5:7b`; did you mean `local`? (configured providers: local, demo)"
    );
    assert_eq!(
        config.resolve("gpt-4o").unwrap_err().to_string(),
        "model `gpt-4o` is not listed by any provider; write it as provider:model (configured providers: local, demo)"
    );
    assert_eq!(
        config.resolve(" ").unwrap_err().to_string(),
        "`` does not name a model (expected provider:model)"
    );
}

#[test]
fn all_models_lists_every_provider_in_order() {
    let config = parse(LOCAL).unwrap();
    let all: Vec<String> = config
        .all_models()
        .iter()
        .map(|(p, m)| format!("{}:{}", p.name, m.id))
        .collect();
    assert_eq!(
        all,
        [
            "local:qwen2.5:7b",
            "local:llama3.1:8b",
            "local:deepseek-r1:14b",
            "demo:demo",
            "demo:demo-brief"
        ]
    );
}

#[test]
fn debug_never_shows_the_key() {
    let text =
        "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\napi_key = \"sk-secret-123\"\n";
    let config = parse(text).unwrap();
    let provider = config.provider("p").unwrap();
    assert!(provider.has_inline_key());
    for shown in [
        format!("{provider:?}"),
        format!("{provider:#?}"),
        format!("{config:?}"),
    ] {
        assert!(!shown.contains("sk-secret-123"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
    let endpoint = provider.endpoint(&env_of(&[])).unwrap();
    assert_eq!(endpoint.api_key.as_deref(), Some("sk-secret-123"));
    assert_eq!(endpoint.key_source, format!("api_key in {PATH}"));
    assert!(!format!("{endpoint:?}").contains("sk-secret-123"));
}

#[test]
fn endpoint_reads_the_env_var_and_names_it_when_missing() {
    let ecovai = Provider::builtin_ecovai();
    let err = ecovai.endpoint(&env_of(&[])).unwrap_err();
    assert_eq!(
        err,
        ApiError::MissingKey {
            provider: "ecovai".to_string(),
            hint: "ECOVAI_API_KEY (export ECOVAI_API_KEY=...) or api_key in the config".to_string(),
        }
    );
    assert_eq!(
        err.to_string(),
        "provider `ecovai` has no API key: set ECOVAI_API_KEY (export ECOVAI_API_KEY=...) or api_key in the config"
    );
    let ep = ecovai
        .endpoint(&env_of(&[("ECOVAI_API_KEY", "sk-env\n")]))
        .unwrap();
    assert_eq!(
        ep.api_key.as_deref(),
        Some("sk-env"),
        "whitespace from `$(cat file)` is trimmed"
    );
    assert_eq!(ep.key_source, "ECOVAI_API_KEY");
    assert_eq!(ep.base_url, "https://api.ecovai.cn/v1");
    assert_eq!(ep.idle_timeout.as_secs(), 180);
    assert_eq!(ep.connect_timeout.as_secs(), 15);
}

#[test]
fn a_provider_without_key_settings_needs_no_key() {
    let text = "[[providers]]\nname = \"local\"\nbase_url = \"http://127.0.0.1:11434/v1\"\nidle_timeout_secs = 600\nconnect_timeout_secs = 3\nmax_retries = 0\ninclude_usage = false\n";
    let config = parse(text).unwrap();
    let ep = config
        .provider("local")
        .unwrap()
        .endpoint(&env_of(&[]))
        .unwrap();
    assert_eq!(ep.api_key, None);
    assert_eq!(
        (
            ep.idle_timeout.as_secs(),
            ep.connect_timeout.as_secs(),
            ep.max_retries
        ),
        (600, 3, 0)
    );
    assert!(!ep.include_usage);
    let demo = config.provider("demo").unwrap();
    assert!(demo.has_key(&env_of(&[])));
    assert_eq!(demo.endpoint(&env_of(&[])).unwrap().base_url, "");
}

#[test]
fn example_file_documents_every_key() {
    let example = include_str!("../../../config.example.toml");
    use super::super::raw::{RawModel, RawProvider, RawTop, fields_of};
    let keys = fields_of::<RawTop>()
        .iter()
        .chain(fields_of::<RawProvider>())
        .chain(fields_of::<RawModel>());
    for key in keys {
        // A key is documented by an assignment (maybe commented out) or as a table header.
        let documented = example
            .lines()
            .map(|l| l.trim_start_matches(['#', ' ']))
            .any(|l| {
                l.starts_with(&format!("{key} ="))
                    || l == format!("[{key}]")
                    || l == format!("[[{key}]]")
                    || l == format!("[[providers.{key}]]")
            });
        assert!(documented, "config.example.toml does not mention `{key} =`");
    }
    for c in Capability::ALL {
        assert!(
            example.contains(&format!("kind = \"{}\"", c.as_str())),
            "no model of kind {c} in the example"
        );
    }
}
