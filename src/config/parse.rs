//! From TOML text to a validated `Config`: the serde schema in `raw`, then value rules and
//! default-model resolution, every error at `path:line:col`.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use super::error::{ConfigError, did_you_mean};
use super::raw::{ModelItem, RawModel, RawProvider, RawTop};
use super::schema::{
    Capability, DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_IDLE_TIMEOUT_SECS, DEFAULT_MAX_RETRIES,
    DEMO_PROVIDER, ModelParams, ModelSpec, Provider,
};
use super::spans::{Doc, MODELS, PROVIDERS, check_keys, de_error, syntax_error};
use super::{Config, EnvLookup, MediaConfig};

/// Parses and validates config text read from `path`. Pure: the environment is only consulted
/// through `env`, to pick the default model when the file does not set one.
pub fn parse_str(text: &str, path: &Path, env: EnvLookup<'_>) -> Result<Config, ConfigError> {
    // A BOM is invisible in editors; dropping it keeps our columns equal to theirs.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = Doc { text, path };
    let root = DeTable::parse(text).map_err(|e| syntax_error(doc, &e))?;
    check_keys(doc, root.get_ref())?;
    let raw = RawTop::deserialize(toml::de::Deserializer::from(root.clone()))
        .map_err(|e| de_error(doc, root.get_ref(), &e))?;

    let mut providers = match raw.providers {
        // No `providers` key: the file only tweaks other settings, so the built-ins stay.
        None => vec![Provider::builtin_ecovai()],
        Some(items) => read_providers(doc, items.0)?,
    };
    if !providers.iter().any(|p| p.name == DEMO_PROVIDER) {
        providers.push(Provider::builtin_demo());
    }
    let media = MediaConfig {
        auto_open: raw.media_panel_auto_open.is_none_or(|f| f.0),
        downloads_dir: doc
            .non_empty("downloads_dir", raw.downloads_dir)?
            .map(|dir| {
                // `~/Downloads` is what people write; the shell is not there to expand it.
                let dir = dir.into_inner();
                match (dir.strip_prefix("~/"), env("HOME")) {
                    (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
                    _ => std::path::PathBuf::from(dir),
                }
            }),
        image_protocol: match raw.image_protocol {
            Some(v) => v
                .get_ref()
                .0
                .parse()
                .map_err(|msg: String| doc.invalid("image_protocol", &v.span(), msg))?,
            None => crate::media::ImageProtocol::Auto,
        },
        allow_hosts: raw
            .media_allow_hosts
            .map(|l| l.items.into_iter().map(Spanned::into_inner).collect())
            .unwrap_or_default(),
        cache_max_mb: doc
            .int("media_cache_max_mb", raw.media_cache_max_mb, 1, 1 << 20)?
            .map_or(MediaConfig::default().cache_max_mb, |n| n as u64),
    };
    let default_model = doc.non_empty("default_model", raw.default_model)?;
    let mut config = Config {
        default_model: String::new(),
        default_model_explicit: default_model.is_some(),
        providers,
        media,
        transcripts_dir: doc
            .non_empty("transcripts_dir", raw.transcripts_dir)?
            .map(|dir| expand_dir(dir.get_ref(), path, env)),
        theme: super::keys::read_theme(doc, raw.theme)?,
        keymap: super::keys::read_keys(doc, raw.keys)?,
        mouse: raw.mouse.is_none_or(|f| f.0),
        task_bell: raw.task_bell.is_some_and(|f| f.0),
        // Up to 64 GB: a bound that still catches a typo of a few extra digits.
        max_reply_bytes: doc
            .int("max_reply_mb", raw.max_reply_mb, 1, 65_536)?
            .map_or(super::DEFAULT_MAX_REPLY_MB, |n| n as usize)
            << 20,
        attach: crate::attach::Limits {
            max_side: doc
                .int("attach_max_side", raw.attach_max_side, 64, 16_384)?
                .map_or(crate::attach::DEFAULT_MAX_SIDE, |n| n as u32),
            max_text_bytes: doc
                .int("attach_max_text_kb", raw.attach_max_text_kb, 1, 65_536)?
                .map_or(crate::attach::DEFAULT_MAX_TEXT_BYTES, |n| n as usize * 1024),
        },
    };
    config.default_model = match default_model {
        Some(spec) => {
            let (provider, model) = config
                .resolve(spec.get_ref())
                .map_err(|e| doc.invalid("default_model", &spec.span(), e.to_string()))?;
            format!("{}:{}", provider.name, model.id)
        }
        None => fallback_default_model(&config, env),
    };
    Ok(config)
}

/// `~/x` under `$HOME`; a relative path is taken from the config file's directory.
fn expand_dir(dir: &str, config_file: &Path, env: EnvLookup<'_>) -> std::path::PathBuf {
    let home = env("HOME").filter(|h| !h.is_empty());
    match (dir.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => config_file.parent().unwrap_or(Path::new(".")).join(dir),
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
    doc: Doc<'_>,
    items: Vec<Spanned<RawProvider>>,
) -> Result<Vec<Provider>, ConfigError> {
    let mut providers: Vec<(Provider, Range<usize>)> = Vec::new();
    for item in items {
        let start = item.span().start;
        let (provider, name_span) = read_provider(doc, item.into_inner(), start)?;
        if let Some((_, first)) = providers.iter().find(|(p, _)| p.name == provider.name) {
            let first_line = doc.loc(first.start).line;
            let msg = format!(
                "duplicate provider name `{}` (first defined on line {first_line})",
                provider.name
            );
            return Err(doc.invalid("name", &name_span, msg));
        }
        providers.push((provider, name_span));
    }
    Ok(providers.into_iter().map(|(p, _)| p).collect())
}

fn missing(doc: Doc<'_>, key: &'static str, section: &'static str, start: usize) -> ConfigError {
    ConfigError::MissingKey {
        at: doc.loc(start),
        key,
        section,
    }
}

fn read_provider(
    doc: Doc<'_>,
    r: RawProvider,
    start: usize,
) -> Result<(Provider, Range<usize>), ConfigError> {
    let name = r
        .name
        .ok_or_else(|| missing(doc, "name", PROVIDERS, start))?;
    let (name_span, name) = (name.span(), name.into_inner().0);
    if name.trim().is_empty() {
        return Err(doc.invalid("name", &name_span, "provider names must not be empty"));
    }
    if name.contains(':') {
        let msg = format!(
            "provider names must not contain ':' (it separates provider from model), got {name:?}"
        );
        return Err(doc.invalid("name", &name_span, msg));
    }
    let base_url = match r.base_url {
        Some(url) => Some(
            check_base_url(&url.get_ref().0)
                .map_err(|m| doc.invalid("base_url", &url.span(), m))?,
        ),
        // Only the offline demo may go without an address.
        None if name == DEMO_PROVIDER => None,
        None => return Err(missing(doc, "base_url", PROVIDERS, start)),
    };
    let mut p = Provider::new(name, base_url);
    p.api_key = doc
        .non_empty("api_key", r.api_key)?
        .map(Spanned::into_inner);
    if let Some(var) = doc.non_empty("api_key_env", r.api_key_env)? {
        let span = var.span();
        if p.api_key.is_some() {
            let msg = "set either api_key or api_key_env, not both";
            return Err(doc.invalid("api_key_env", &span, msg));
        }
        let var = var.into_inner();
        if var.contains(['=', '\0']) || var.trim() != var {
            let msg = format!("{var:?} is not an environment variable name");
            return Err(doc.invalid("api_key_env", &span, msg));
        }
        p.api_key_env = Some(var);
    }
    if let Some(cmd) = doc.non_empty("api_key_cmd", r.api_key_cmd)? {
        if p.api_key.is_some() || p.api_key_env.is_some() {
            let msg = "set only one of api_key, api_key_env and api_key_cmd";
            return Err(doc.invalid("api_key_cmd", &cmd.span(), msg));
        }
        p.api_key_cmd = Some(cmd.into_inner());
    }
    if p.api_key.is_some() {
        p.key_file = Some(doc.path.to_path_buf());
    }
    // Bounds keep typos like `idle_timeout_secs = 1800000` from silently hanging for weeks.
    p.connect_timeout_secs = doc
        .int("connect_timeout_secs", r.connect_timeout_secs, 1, 600)?
        .map_or(DEFAULT_CONNECT_TIMEOUT_SECS, |n| n as u64);
    p.idle_timeout_secs = doc
        .int("idle_timeout_secs", r.idle_timeout_secs, 1, 3600)?
        .map_or(DEFAULT_IDLE_TIMEOUT_SECS, |n| n as u64);
    p.max_retries = doc
        .int("max_retries", r.max_retries, 0, 10)?
        .map_or(DEFAULT_MAX_RETRIES, |n| n as u32);
    p.include_usage = r.include_usage.is_none_or(|f| f.0);
    super::prices::read_billing(
        doc,
        &mut p,
        r.currency,
        r.pricing,
        r.show_balance,
        r.low_balance,
    )?;
    p.models = match r.models {
        Some(items) => read_models(doc, items.0)?,
        None if p.is_demo() => Provider::builtin_demo().models,
        None => Vec::new(),
    };
    for m in &mut p.models {
        m.price.currency = p.currency;
    }
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
    doc: Doc<'_>,
    items: Vec<Spanned<ModelItem>>,
) -> Result<Vec<ModelSpec>, ConfigError> {
    let mut models: Vec<(ModelSpec, Range<usize>)> = Vec::new();
    for item in items {
        let span = item.span();
        let (model, id_span) = match item.into_inner() {
            ModelItem::Id(id) if id.trim().is_empty() => {
                return Err(doc.invalid("models", &span, "model ids must not be empty"));
            }
            ModelItem::Id(id) => (ModelSpec::new(id), span),
            ModelItem::Table(raw) => read_model(doc, *raw, span.start)?,
        };
        if let Some((_, first)) = models.iter().find(|(m, _)| m.id == model.id) {
            let first_line = doc.loc(first.start).line;
            let msg = format!(
                "duplicate model `{}` (first listed on line {first_line})",
                model.id
            );
            return Err(doc.invalid("id", &id_span, msg));
        }
        models.push((model, id_span));
    }
    Ok(models.into_iter().map(|(m, _)| m).collect())
}

fn read_model(
    doc: Doc<'_>,
    r: RawModel,
    start: usize,
) -> Result<(ModelSpec, Range<usize>), ConfigError> {
    let id = doc
        .non_empty("id", r.id)?
        .ok_or_else(|| missing(doc, "id", MODELS, start))?;
    let id_span = id.span();
    let mut m = ModelSpec::new(id.into_inner());
    m.name = doc.non_empty("name", r.name)?.map(Spanned::into_inner);
    if let Some(tag) = r.kind {
        let tags: Vec<&str> = Capability::ALL.iter().map(|c| c.as_str()).collect();
        let (span, tag) = (tag.span(), tag.into_inner().0);
        m.kind = Capability::from_tag(&tag).ok_or_else(|| {
            let hint = did_you_mean(&tag, &tags)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let msg = format!("{tag:?} is not one of {}{hint}", tags.join(", "));
            doc.invalid("kind", &span, msg)
        })?;
    }
    let prices = [
        r.input_price,
        r.output_price,
        r.cached_input_price,
        r.call_price,
    ];
    m.price = Box::new(super::prices::read_price(doc, prices)?);
    m.system = r.system.map(|s| s.0);
    m.stream = r.stream.map(|f| f.0);
    m.vision = r.vision.map(|f| f.0);
    if let Some(tag) = r.api {
        let (span, tag) = (tag.span(), tag.into_inner().0);
        m.api = super::ModelApi::from_tag(&tag).ok_or_else(|| {
            let names: Vec<&str> = super::ModelApi::ALL.iter().map(|a| a.as_str()).collect();
            let hint = did_you_mean(&tag, &names)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            doc.invalid(
                "api",
                &span,
                format!("{tag:?} is not one of {}{hint}", names.join(", ")),
            )
        })?;
    }
    // Milliseconds keep ModelSpec small (it travels inside picker outcomes).
    m.poll_ms = doc
        .num("poll_secs", r.poll_secs, 0.001, 600.0)?
        .and_then(|s| std::num::NonZeroU32::new((s * 1000.0).round().max(1.0) as u32));
    m.task_timeout_secs = doc
        .int("task_timeout_secs", r.task_timeout_secs, 1, 86_400)?
        .and_then(|n| std::num::NonZeroU32::new(n as u32));
    m.params = ModelParams {
        temperature: doc.num("temperature", r.temperature, 0.0, 2.0)?,
        top_p: doc.num("top_p", r.top_p, 0.0, 1.0)?,
        top_k: doc.u32_at_least("top_k", r.top_k, 1)?,
        max_tokens: doc.u32_at_least("max_tokens", r.max_tokens, 1)?,
        presence_penalty: doc.num("presence_penalty", r.presence_penalty, -2.0, 2.0)?,
        frequency_penalty: doc.num("frequency_penalty", r.frequency_penalty, -2.0, 2.0)?,
        stop: r
            .stop
            .map(|l| l.items.into_iter().map(Spanned::into_inner).collect()),
    };
    Ok((m, id_span))
}
