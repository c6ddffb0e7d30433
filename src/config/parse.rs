//! From TOML text to a validated `Config`: schema walk, value rules, default-model resolution.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, did_you_mean};
use super::reader::{Doc, Span, TableReader};
use super::schema::{
    Capability, DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_IDLE_TIMEOUT_SECS, DEFAULT_MAX_RETRIES,
    DEMO_PROVIDER, ModelParams, ModelSpec, Provider,
};
use super::{Config, EnvLookup, MediaConfig};

/// Keys allowed at the top level.
pub(super) const TOP_KEYS: &[&str] = &[
    "default_model",
    "providers",
    "media_panel_auto_open",
    "downloads_dir",
    "image_protocol",
    "media_allow_hosts",
    "media_cache_max_mb",
    "transcripts_dir",
    "theme",
    "keys",
    "mouse",
    "max_reply_mb",
];
/// Keys allowed in a `[[providers]]` table.
pub(super) const PROVIDER_KEYS: &[&str] = &[
    "name",
    "base_url",
    "api_key",
    "api_key_env",
    "api_key_cmd",
    "connect_timeout_secs",
    "idle_timeout_secs",
    "max_retries",
    "include_usage",
    "models",
];
/// Keys allowed in a `[[providers.models]]` table.
pub(super) const MODEL_KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "system",
    "stream",
];

const TOP: &str = "the top-level table";
const PROVIDERS: &str = "[[providers]]";
const MODELS: &str = "[[providers.models]]";

/// Parses and validates config text read from `path`. Pure: the environment is only consulted
/// through `env`, to pick the default model when the file does not set one.
pub fn parse_str(text: &str, path: &Path, env: EnvLookup<'_>) -> Result<Config, ConfigError> {
    // A BOM is invisible in editors; dropping it keeps our columns equal to theirs.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = Doc { text, path };
    let root = DeTable::parse(text).map_err(|e| syntax_error(doc, &e))?;
    let top = TableReader::new(doc, root.get_ref(), TOP, 0, TOP_KEYS)?;

    let mut providers = match top.get("providers") {
        // No `providers` key: the file only tweaks other settings, so the built-ins stay.
        None => vec![Provider::builtin_ecovai()],
        Some(value) => read_providers(&top, value)?,
    };
    if !providers.iter().any(|p| p.name == DEMO_PROVIDER) {
        providers.push(Provider::builtin_demo());
    }
    let mut config = Config {
        default_model: String::new(),
        default_model_explicit: false,
        providers,
        media: read_media(&top, env)?,
        transcripts_dir: top
            .non_empty_string("transcripts_dir")?
            .map(|(dir, _)| expand_dir(&dir, path, env)),
        theme: super::keys::read_theme(&top)?,
        keymap: super::keys::read_keys(&top)?,
        mouse: top.bool("mouse")?.unwrap_or(true),
        // Up to 64 GB: a bound that still catches a typo of a few extra digits.
        max_reply_bytes: top
            .int("max_reply_mb", 1, 65_536)?
            .map_or(super::DEFAULT_MAX_REPLY_MB, |n| n as usize)
            << 20,
    };
    config.default_model = match top.non_empty_string("default_model")? {
        Some((spec, span)) => {
            let (provider, model) = config
                .resolve(&spec)
                .map_err(|e| top.invalid("default_model", &span, e.to_string()))?;
            format!("{}:{}", provider.name, model.id)
        }
        None => fallback_default_model(&config, env),
    };
    config.default_model_explicit = top.get("default_model").is_some();
    Ok(config)
}

fn read_media(top: &TableReader<'_, '_>, env: EnvLookup<'_>) -> Result<MediaConfig, ConfigError> {
    let mut media = MediaConfig::default();
    if let Some(auto_open) = top.bool("media_panel_auto_open")? {
        media.auto_open = auto_open;
    }
    media.downloads_dir = top.non_empty_string("downloads_dir")?.map(|(dir, _)| {
        // `~/Downloads` is what people write; the shell is not there to expand it.
        match (dir.strip_prefix("~/"), env("HOME")) {
            (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
            _ => std::path::PathBuf::from(dir),
        }
    });
    if let Some((name, span)) = top.string("image_protocol")? {
        media.image_protocol = name
            .parse()
            .map_err(|msg: String| top.invalid("image_protocol", &span, msg))?;
    }
    if let Some(hosts) = top.string_or_list("media_allow_hosts")? {
        media.allow_hosts = hosts;
    }
    if let Some(mb) = top.int("media_cache_max_mb", 1, 1 << 20)? {
        media.cache_max_mb = mb as u64;
    }
    Ok(media)
}

/// `~/x` under `$HOME`; a relative path is taken from the config file's directory.
fn expand_dir(dir: &str, config_file: &Path, env: EnvLookup<'_>) -> std::path::PathBuf {
    let home = env("HOME").filter(|h| !h.is_empty());
    match (dir.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => config_file.parent().unwrap_or(Path::new(".")).join(dir),
    }
}

/// toml's message, plus the offending text when it is short (`duplicate key` alone does not
/// say which key).
fn syntax_error(doc: Doc<'_>, e: &toml::de::Error) -> ConfigError {
    let span = e.span().unwrap_or(0..0);
    let mut message = e.message().trim().to_string();
    match doc.text.get(span.clone()).map(str::trim) {
        Some(snippet)
            if !snippet.is_empty() && snippet.chars().count() <= 40 && !snippet.contains('\n') =>
        {
            message.push_str(&format!(": `{snippet}`"));
        }
        _ => {}
    }
    ConfigError::Syntax {
        at: doc.loc(span.start),
        message,
    }
}

/// `ecovai:deepseek-chat` when ecovai is configured and has a key, else the offline demo.
pub(super) fn fallback_default_model(config: &Config, env: EnvLookup<'_>) -> String {
    match config.providers.iter().find(|p| p.name == "ecovai") {
        Some(p) if p.has_key(env) => "ecovai:deepseek-chat".to_string(),
        _ => format!("{DEMO_PROVIDER}:demo"),
    }
}

fn read_providers(
    top: &TableReader<'_, '_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<Provider>, ConfigError> {
    let DeValue::Array(items) = value.get_ref() else {
        return Err(top.wrong_type("providers", value, "an array of tables ([[providers]])"));
    };
    let mut providers: Vec<Span<Provider>> = Vec::new();
    for item in items.iter() {
        let DeValue::Table(table) = item.get_ref() else {
            return Err(top.wrong_type("providers", item, "an array of tables ([[providers]])"));
        };
        let reader = TableReader::new(
            top.doc(),
            table,
            PROVIDERS,
            item.span().start,
            PROVIDER_KEYS,
        )?;
        let (provider, name_span) = read_provider(&reader)?;
        if let Some((_, first)) = providers.iter().find(|(p, _)| p.name == provider.name) {
            let first_line = top.doc().loc(first.start).line;
            let msg = format!(
                "duplicate provider name `{}` (first defined on line {first_line})",
                provider.name
            );
            return Err(reader.invalid("name", &name_span, msg));
        }
        providers.push((provider, name_span));
    }
    Ok(providers.into_iter().map(|(p, _)| p).collect())
}

fn read_provider(r: &TableReader<'_, '_>) -> Result<Span<Provider>, ConfigError> {
    let (name, name_span) = r.string("name")?.ok_or_else(|| r.missing("name"))?;
    if name.trim().is_empty() {
        return Err(r.invalid("name", &name_span, "provider names must not be empty"));
    }
    if name.contains(':') {
        let msg = format!(
            "provider names must not contain ':' (it separates provider from model), got {name:?}"
        );
        return Err(r.invalid("name", &name_span, msg));
    }
    let base_url = match r.string("base_url")? {
        Some((url, span)) => {
            Some(check_base_url(&url).map_err(|m| r.invalid("base_url", &span, m))?)
        }
        // Only the offline demo may go without an address.
        None if name == DEMO_PROVIDER => None,
        None => return Err(r.missing("base_url")),
    };
    let mut p = Provider::new(name, base_url);
    p.api_key = r.non_empty_string("api_key")?.map(|(k, _)| k);
    if let Some((var, span)) = r.non_empty_string("api_key_env")? {
        if p.api_key.is_some() {
            return Err(r.invalid(
                "api_key_env",
                &span,
                "set either api_key or api_key_env, not both",
            ));
        }
        if var.contains(['=', '\0']) || var.trim() != var {
            return Err(r.invalid(
                "api_key_env",
                &span,
                format!("{var:?} is not an environment variable name"),
            ));
        }
        p.api_key_env = Some(var);
    }
    if let Some((cmd, span)) = r.non_empty_string("api_key_cmd")? {
        if p.api_key.is_some() || p.api_key_env.is_some() {
            return Err(r.invalid(
                "api_key_cmd",
                &span,
                "set only one of api_key, api_key_env and api_key_cmd",
            ));
        }
        p.api_key_cmd = Some(cmd);
    }
    if p.api_key.is_some() {
        p.key_file = Some(r.doc().path.to_path_buf());
    }
    // Bounds keep typos like `idle_timeout_secs = 1800000` from silently hanging for weeks.
    p.connect_timeout_secs = r
        .int("connect_timeout_secs", 1, 600)?
        .map_or(DEFAULT_CONNECT_TIMEOUT_SECS, |n| n as u64);
    p.idle_timeout_secs = r
        .int("idle_timeout_secs", 1, 3600)?
        .map_or(DEFAULT_IDLE_TIMEOUT_SECS, |n| n as u64);
    p.max_retries = r
        .int("max_retries", 0, 10)?
        .map_or(DEFAULT_MAX_RETRIES, |n| n as u32);
    p.include_usage = r.bool("include_usage")?.unwrap_or(true);
    p.models = match r.get("models") {
        Some(value) => read_models(r, value)?,
        None if p.is_demo() => Provider::builtin_demo().models,
        None => Vec::new(),
    };
    Ok((p, name_span))
}

/// `http(s)://host[...]`, returned without a trailing slash so paths can be appended.
fn check_base_url(url: &str) -> Result<String, String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a valid URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "{url:?} must be an http:// or https:// URL such as \"https://api.ecovai.cn/v1\""
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn read_models(
    r: &TableReader<'_, '_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<ModelSpec>, ConfigError> {
    const EXPECTED: &str = "an array of model ids or tables";
    let DeValue::Array(items) = value.get_ref() else {
        return Err(r.wrong_type("models", value, EXPECTED));
    };
    let mut models: Vec<Span<ModelSpec>> = Vec::new();
    for item in items.iter() {
        let (model, id_span) = match item.get_ref() {
            DeValue::String(id) if id.trim().is_empty() => {
                return Err(r.invalid("models", &item.span(), "model ids must not be empty"));
            }
            DeValue::String(id) => (ModelSpec::new(id.as_ref()), item.span()),
            DeValue::Table(table) => {
                let reader =
                    TableReader::new(r.doc(), table, MODELS, item.span().start, MODEL_KEYS)?;
                read_model(&reader)?
            }
            _ => return Err(r.wrong_type("models", item, EXPECTED)),
        };
        if let Some((_, first)) = models.iter().find(|(m, _)| m.id == model.id) {
            let first_line = r.doc().loc(first.start).line;
            let msg = format!(
                "duplicate model `{}` (first listed on line {first_line})",
                model.id
            );
            return Err(r.invalid("id", &id_span, msg));
        }
        models.push((model, id_span));
    }
    Ok(models.into_iter().map(|(m, _)| m).collect())
}

fn read_model(r: &TableReader<'_, '_>) -> Result<Span<ModelSpec>, ConfigError> {
    let (id, id_span) = r.non_empty_string("id")?.ok_or_else(|| r.missing("id"))?;
    let mut m = ModelSpec::new(id);
    m.name = r.non_empty_string("name")?.map(|(n, _)| n);
    if let Some((tag, span)) = r.string("kind")? {
        let tags: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();
        m.kind = Capability::from_tag(&tag).ok_or_else(|| {
            let hint = did_you_mean(&tag, &tags)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            r.invalid(
                "kind",
                &span,
                format!("{tag:?} is not one of {}{hint}", tags.join(", ")),
            )
        })?;
    }
    m.system = r.string("system")?.map(|(s, _)| s);
    m.stream = r.bool("stream")?;
    m.params = ModelParams {
        temperature: r.float("temperature", 0.0, 2.0)?,
        top_p: r.float("top_p", 0.0, 1.0)?,
        top_k: r.u32_at_least("top_k", 1)?,
        max_tokens: r.u32_at_least("max_tokens", 1)?,
        presence_penalty: r.float("presence_penalty", -2.0, 2.0)?,
        frequency_penalty: r.float("frequency_penalty", -2.0, 2.0)?,
        stop: r.string_or_list("stop")?,
    };
    Ok((m, id_span))
}
