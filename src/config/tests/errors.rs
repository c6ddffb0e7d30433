//! Every error kind, with the exact `path:line:col: message` text.

use super::super::error::{did_you_mean, line_col};
use super::{error_of, with_model};
use strsim::osa_distance as edit_distance;

#[test]
fn edit_distance_counts_single_edits() {
    assert_eq!(edit_distance("temperature", "temperature"), 0);
    assert_eq!(edit_distance("temprature", "temperature"), 1);
    assert_eq!(edit_distance("top_p", "top_k"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("nmae", "name"), 1);
    assert_eq!(edit_distance("ca", "abc"), 3);
    assert_eq!(edit_distance("星火", "星火v3"), 2);
}

#[test]
fn did_you_mean_picks_the_closest_plausible_key() {
    let keys = ["temperature", "top_p", "top_k", "name", "max_tokens"];
    assert_eq!(did_you_mean("temprature", &keys), Some("temperature"));
    assert_eq!(did_you_mean("Temperature", &keys), Some("temperature"));
    assert_eq!(
        did_you_mean("nmae", &keys),
        Some("name"),
        "a swap of neighbours is one edit"
    );
    assert_eq!(did_you_mean("nam", &keys), Some("name"));
    assert_eq!(did_you_mean("max_token", &keys), Some("max_tokens"));
    assert_eq!(did_you_mean("colour", &keys), None);
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = "a = 1\nname = \"星火\" x";
    let x = text.find('x').unwrap_or_default();
    assert_eq!(line_col(text, x), (2, 13));
    assert_eq!(line_col(text, 0), (1, 1));
    assert_eq!(line_col(text, 10_000), (2, 14));
}

#[test]
fn unknown_model_key_has_location_section_and_hint() {
    let text = with_model("temprature = 0.7");
    assert_eq!(
        error_of(&text),
        "/home/u/.config/ecochat/config.toml:7:1: unknown key `temprature` in [[providers.models]] (did you mean `temperature`?)"
    );
}

#[test]
fn unknown_key_without_close_match_lists_the_known_keys() {
    assert_eq!(
        error_of("default_model = \"demo:demo\"\ncolour = \"blue\"\n"),
        "/home/u/.config/ecochat/config.toml:2:1: unknown key `colour` in the top-level table (known keys: default_model, providers, media_panel_auto_open, downloads_dir, image_protocol, media_allow_hosts, media_cache_max_mb, transcripts_dir, theme, keys, mouse, task_bell, max_reply_mb, attach_max_side, attach_max_text_kb)"
    );
}

#[test]
fn unknown_provider_key_is_reported_in_file_order() {
    // `zz_first` sorts after `base_urll`, but comes first in the file.
    let text = "[[providers]]\nname = \"p\"\nzz_first = 1\nbase_urll = \"https://x.test\"\n";
    assert_eq!(
        error_of(text),
        "/home/u/.config/ecochat/config.toml:3:1: unknown key `zz_first` in [[providers]] (known keys: name, base_url, api_key, api_key_env, api_key_cmd, connect_timeout_secs, idle_timeout_secs, max_retries, include_usage, currency, pricing, show_balance, low_balance, models)"
    );
    let text = "[[providers]]\nname = \"p\"\nbase_urll = \"https://x.test\"\n";
    assert_eq!(
        error_of(text),
        "/home/u/.config/ecochat/config.toml:3:1: unknown key `base_urll` in [[providers]] (did you mean `base_url`?)"
    );
}

#[test]
fn wrong_types_name_key_expected_and_found() {
    assert_eq!(
        error_of(&with_model("temperature = \"hot\"")),
        "/home/u/.config/ecochat/config.toml:7:15: `temperature` must be a number, found a string (\"hot\")"
    );
    assert_eq!(
        error_of(&with_model("stream = \"yes\"")),
        "/home/u/.config/ecochat/config.toml:7:10: `stream` must be true or false, found a string (\"yes\")"
    );
    assert_eq!(
        error_of(&with_model("top_k = 2.5")),
        "/home/u/.config/ecochat/config.toml:7:9: `top_k` must be an integer, found a float (2.5)"
    );
    assert_eq!(
        error_of(&with_model("stop = [\"a\", 3]")),
        "/home/u/.config/ecochat/config.toml:7:14: `stop` must be a string or an array of strings, found an integer (3)"
    );
    assert_eq!(
        error_of("[providers]\nname = \"p\"\n"),
        "/home/u/.config/ecochat/config.toml:1:1: `providers` must be an array of tables ([[providers]]), found a table"
    );
    assert_eq!(
        error_of("[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\nmodels = \"m\"\n"),
        "/home/u/.config/ecochat/config.toml:4:10: `models` must be an array of model ids or tables, found a string (\"m\")"
    );
}

#[test]
fn syntax_errors_have_line_and_column() {
    assert_eq!(
        error_of("default_model = \"demo:demo\"\ntemperature = \n"),
        "/home/u/.config/ecochat/config.toml:2:15: invalid TOML: string values must be quoted, expected literal string"
    );
    assert_eq!(
        error_of("[[providers]]\nname = \"a\"\nname = \"b\"\n"),
        "/home/u/.config/ecochat/config.toml:3:1: invalid TOML: duplicate key: `name`"
    );
}

#[test]
fn out_of_range_values_show_the_rule_and_the_written_value() {
    let cases = [
        ("top_k = 0", "7:9: `top_k` must be at least 1, got 0"),
        (
            "max_tokens = -5",
            "7:14: `max_tokens` must be at least 1, got -5",
        ),
        (
            "temperature = 2.5",
            "7:15: `temperature` must be between 0 and 2, got 2.5",
        ),
        (
            "temperature = nan",
            "7:15: `temperature` must be between 0 and 2, got nan",
        ),
        (
            "top_p = 1.01",
            "7:9: `top_p` must be between 0 and 1, got 1.01",
        ),
        (
            "presence_penalty = -2.5",
            "7:20: `presence_penalty` must be between -2 and 2, got -2.5",
        ),
        (
            "frequency_penalty = 3",
            "7:21: `frequency_penalty` must be between -2 and 2, got 3",
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(
            error_of(&with_model(line)),
            format!("/home/u/.config/ecochat/config.toml:{expected}"),
            "{line}"
        );
    }
    let provider = "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\n";
    assert_eq!(
        error_of(&format!("{provider}idle_timeout_secs = 0\n")),
        "/home/u/.config/ecochat/config.toml:4:21: `idle_timeout_secs` must be between 1 and 3600, got 0"
    );
    assert_eq!(
        error_of(&format!("{provider}max_retries = 11\n")),
        "/home/u/.config/ecochat/config.toml:4:15: `max_retries` must be between 0 and 10, got 11"
    );
}

#[test]
fn boundary_values_are_accepted() {
    let text = with_model(
        "temperature = 0\ntop_p = 1\ntop_k = 1\nmax_tokens = 1\npresence_penalty = -2\nfrequency_penalty = 2.0",
    );
    assert!(super::parse(&text).is_ok(), "{:?}", super::parse(&text));
}

#[test]
fn unknown_kind_suggests_a_capability() {
    assert_eq!(
        error_of(&with_model("kind = \"imgae\"")),
        "/home/u/.config/ecochat/config.toml:7:8: `kind`: \"imgae\" is not one of chat, reasoning, search, image, music, video (did you mean `image`?)"
    );
}

#[test]
fn provider_names_must_be_non_empty_unique_and_colon_free() {
    assert_eq!(
        error_of("[[providers]]\nname = \"a:b\"\nbase_url = \"https://x.test\"\n"),
        "/home/u/.config/ecochat/config.toml:2:8: `name`: provider names must not contain ':' (it separates provider from model), got \"a:b\""
    );
    assert_eq!(
        error_of("[[providers]]\nname = \" \"\nbase_url = \"https://x.test\"\n"),
        "/home/u/.config/ecochat/config.toml:2:8: `name`: provider names must not be empty"
    );
    let twice = "[[providers]]\nname = \"a\"\nbase_url = \"https://x.test\"\n\n[[providers]]\nname = \"a\"\nbase_url = \"https://y.test\"\n";
    assert_eq!(
        error_of(twice),
        "/home/u/.config/ecochat/config.toml:6:8: `name`: duplicate provider name `a` (first defined on line 2)"
    );
    assert_eq!(
        error_of("\n[[providers]]\nbase_url = \"https://x.test\"\n"),
        "/home/u/.config/ecochat/config.toml:2:1: missing key `name` in [[providers]]"
    );
}

#[test]
fn models_need_ids_and_ids_are_unique_per_provider() {
    assert_eq!(
        error_of(
            "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\nmodels = [\"a\", { id = \"a\" }]\n"
        ),
        "/home/u/.config/ecochat/config.toml:4:23: `id`: duplicate model `a` (first listed on line 4)"
    );
    assert_eq!(
        error_of(
            "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\n[[providers.models]]\nname = \"nameless\"\n"
        ),
        "/home/u/.config/ecochat/config.toml:4:1: missing key `id` in [[providers.models]]"
    );
    assert_eq!(
        error_of("[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\nmodels = [\"\"]\n"),
        "/home/u/.config/ecochat/config.toml:4:11: `models`: model ids must not be empty"
    );
}

#[test]
fn base_url_must_be_http_or_https() {
    let with_url = |url: &str| format!("[[providers]]\nname = \"p\"\nbase_url = \"{url}\"\n");
    assert_eq!(
        error_of(&with_url("ftp://x.test/v1")),
        "/home/u/.config/ecochat/config.toml:3:12: `base_url`: \"ftp://x.test/v1\" must be an http:// or https:// URL such as \"https://api.ecovai.cn/v1\""
    );
    assert_eq!(
        error_of(&with_url("api.ecovai.cn/v1")),
        "/home/u/.config/ecochat/config.toml:3:12: `base_url`: \"api.ecovai.cn/v1\" is not a valid URL (relative URL without a base)"
    );
    assert_eq!(
        error_of("[[providers]]\nname = \"p\"\n"),
        "/home/u/.config/ecochat/config.toml:1:1: missing key `base_url` in [[providers]]"
    );
}

#[test]
fn api_key_and_api_key_env_are_exclusive() {
    let text = "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\napi_key = \"sk-1\"\napi_key_env = \"P_KEY\"\n";
    assert_eq!(
        error_of(text),
        "/home/u/.config/ecochat/config.toml:5:15: `api_key_env`: set either api_key or api_key_env, not both"
    );
}

#[test]
fn default_model_must_name_a_configured_provider() {
    assert_eq!(
        error_of("default_model = \"openai:gpt-4o\"\n"),
        "/home/u/.config/ecochat/config.toml:1:17: `default_model`: unknown provider `openai` in `openai:gpt-4o` (configured providers: ecovai, demo)"
    );
    assert_eq!(
        error_of("default_model = \"gpt-5\"\n"),
        "/home/u/.config/ecochat/config.toml:1:17: `default_model`: model `gpt-5` is not listed by any provider; write it as provider:model (configured providers: ecovai, demo)"
    );
    assert_eq!(
        error_of("default_model = \"ecovai:\"\n"),
        "/home/u/.config/ecochat/config.toml:1:17: `default_model`: `ecovai:` does not name a model (expected provider:model)"
    );
}

#[test]
fn items_of_the_wrong_type_are_named_by_their_array_key() {
    assert_eq!(
        error_of("providers = [1]\n"),
        "/home/u/.config/ecochat/config.toml:1:14: `providers` must be an array of tables ([[providers]]), found an integer (1)"
    );
    assert_eq!(
        error_of(
            "[[providers]]\nname = \"p\"\nbase_url = \"https://x.test\"\nmodels = [\"a\", 2024-01-01]\n"
        ),
        "/home/u/.config/ecochat/config.toml:4:16: `models` must be an array of model ids or tables, found a date-time (2024-01-01)"
    );
    assert_eq!(
        error_of(&with_model("system = [\"a\"]")),
        "/home/u/.config/ecochat/config.toml:7:10: `system` must be a string, found an array"
    );
    assert_eq!(
        error_of("media_allow_hosts = [\"nas.local\", true]\n"),
        "/home/u/.config/ecochat/config.toml:1:35: `media_allow_hosts` must be a string or an array of strings, found a boolean (true)"
    );
}
