//! The typed config: providers, their models, model parameters and capability tags.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::api::ApiError;
use crate::api::client::Endpoint;

/// Name of the built-in offline provider.
pub const DEMO_PROVIDER: &str = "demo";
/// Default connect timeout in seconds.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 15;
/// Default idle-read timeout in seconds; media models go quiet for minutes while rendering.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u64 = 180;
/// Default number of retries before the first byte.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// What a model is for; drives icons, the media panel and hints in the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Capability {
    /// Plain conversation.
    #[default]
    Chat,
    /// Streams a chain of thought before the answer.
    Reasoning,
    /// Answers from a web search.
    Search,
    /// Replies with image links.
    Image,
    /// Replies with audio links.
    Music,
    /// Replies with video links.
    Video,
}

impl Capability {
    /// Every capability, in the order they are documented.
    pub const ALL: [Capability; 6] = [
        Capability::Chat,
        Capability::Reasoning,
        Capability::Search,
        Capability::Image,
        Capability::Music,
        Capability::Video,
    ];

    /// The tag as written in the config (`chat`, `reasoning`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Chat => "chat",
            Capability::Reasoning => "reasoning",
            Capability::Search => "search",
            Capability::Image => "image",
            Capability::Music => "music",
            Capability::Video => "video",
        }
    }

    /// Parses a tag as written in the config.
    pub fn from_tag(tag: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.as_str() == tag)
    }

    /// Guesses the capability from a model id, for models listed without `kind`.
    pub fn infer(id: &str) -> Capability {
        let id = id.to_lowercase();
        let id = id.as_str();
        let word = |w: &str| id == w || id.starts_with(&format!("{w}-"));
        if id == "deepseek-reasoner"
            || id.starts_with("deepseek-r1")
            || id.starts_with("qwq")
            || id.contains("thinking")
            || word("o1")
            || word("o3")
        {
            Capability::Reasoning
        } else if word("concise")
            || word("detail")
            || word("research")
            || id.contains("metaso")
            || id.contains("search")
        {
            Capability::Search
        } else if id.ends_with("-all")
            || id.contains("image")
            || id.starts_with("dall-e")
            || id.contains("flux")
            || id.contains("midjourney")
            || word("mj")
            || id.contains("recraft")
            || id.contains("ideogram")
        {
            Capability::Image
        } else if id.contains("suno") {
            Capability::Music
        } else if ["luma", "runway", "kling", "sora", "video"]
            .iter()
            .any(|w| id.contains(w))
        {
            Capability::Video
        } else {
            Capability::Chat
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sampling parameters of one model; `None` means "not sent, the server decides".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelParams {
    /// Sampling temperature, 0..=2.
    pub temperature: Option<f64>,
    /// Nucleus sampling mass, 0..=1.
    pub top_p: Option<f64>,
    /// Sample among the k likeliest tokens (Spark, Qwen, local servers).
    pub top_k: Option<u32>,
    /// Reply length cap in tokens.
    pub max_tokens: Option<u32>,
    /// -2..=2; positive values favour new topics.
    pub presence_penalty: Option<f64>,
    /// -2..=2; positive values discourage repetition.
    pub frequency_penalty: Option<f64>,
    /// Stop sequences (a single string in the file becomes a one-element list).
    pub stop: Option<Vec<String>>,
}

/// One model of a provider, with its display name, capability and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// The id sent as `model` (may contain ':', e.g. `qwen2.5:7b`).
    pub id: String,
    /// Display name shown instead of the id.
    pub name: Option<String>,
    /// What the model produces; from `kind` or inferred from the id.
    pub kind: Capability,
    /// System prompt prepended to every conversation with this model.
    pub system: Option<String>,
    /// Force streaming on or off; `None` streams.
    pub stream: Option<bool>,
    /// Sampling parameters sent with each request.
    pub params: ModelParams,
    /// What a reply costs (`input_price`, `output_price`, ...); empty when unknown.
    /// Boxed: most models have none, and a model is in every picker entry.
    pub price: Box<crate::cost::Price>,
    /// `vision`: whether the model takes images; `None` infers it from the id.
    pub vision: Option<bool>,
    /// Which API Enter uses (`api = ...`): chat, images, or a generation task.
    pub api: super::ModelApi,
    /// First wait between task polls in milliseconds (`poll_secs` × 1000); `None`: 5 s.
    pub poll_ms: Option<std::num::NonZeroU32>,
    /// Stop polling a task after this many seconds (`task_timeout_secs`).
    pub task_timeout_secs: Option<std::num::NonZeroU32>,
}

impl ModelSpec {
    /// A model with only an id; the capability is inferred from it.
    pub fn new(id: impl Into<String>) -> ModelSpec {
        let id = id.into();
        ModelSpec {
            kind: Capability::infer(&id),
            id,
            name: None,
            system: None,
            stream: None,
            params: ModelParams::default(),
            price: Box::default(),
            vision: None,
            api: super::ModelApi::default(),
            poll_ms: None,
            task_timeout_secs: None,
        }
    }

    /// Whether the model takes images: the config's `vision`, else what its id tells;
    /// `None` when nothing is known.
    pub fn takes_images(&self) -> Option<bool> {
        self.vision
            .or_else(|| crate::attach::vision::infer(&self.id))
    }

    /// The display name, or the id when none is set.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The parameters to send at the top level of the request: only those that are set.
    pub fn request_params(&self) -> Map<String, Value> {
        let p = &self.params;
        let mut out = Map::new();
        let floats = [
            ("temperature", p.temperature),
            ("top_p", p.top_p),
            ("presence_penalty", p.presence_penalty),
            ("frequency_penalty", p.frequency_penalty),
        ];
        for (key, value) in floats {
            // Validation rejects NaN and infinities, so from_f64 only fails on values never stored.
            if let Some(n) = value.and_then(serde_json::Number::from_f64) {
                out.insert(key.to_string(), Value::Number(n));
            }
        }
        for (key, value) in [("top_k", p.top_k), ("max_tokens", p.max_tokens)] {
            if let Some(v) = value {
                out.insert(key.to_string(), Value::from(v));
            }
        }
        if let Some(stop) = &p.stop {
            out.insert("stop".to_string(), Value::from(stop.clone()));
        }
        out
    }
}

/// One OpenAI-compatible endpoint (or the offline demo) and the models it serves.
#[derive(Clone, PartialEq)]
pub struct Provider {
    /// Unique name, the part before ':' in `provider:model`.
    pub name: String,
    /// `None` only for the offline demo provider.
    pub base_url: Option<String>,
    /// Inline key from the config file; never printed (Debug is hand-written).
    pub(crate) api_key: Option<String>,
    /// Environment variable holding the key.
    pub api_key_env: Option<String>,
    /// Shell command printing the key (`pass show ecovai`), run once, at first use.
    pub api_key_cmd: Option<String>,
    /// Listed models, in file order (others can still be used as `provider:model`).
    pub models: Vec<ModelSpec>,
    /// Seconds to wait for a connection.
    pub connect_timeout_secs: u64,
    /// Longest silence tolerated between two reads, in seconds.
    pub idle_timeout_secs: u64,
    /// Retries before the first byte of a reply (429, 5xx, connect errors).
    pub max_retries: u32,
    /// Send `stream_options.include_usage` (some relays reject it).
    pub include_usage: bool,
    /// Prices, costs and the balance are in this currency.
    pub currency: crate::cost::Currency,
    /// `pricing = "relay"`: read prices from the relay's `/api/pricing` (config prices win).
    pub relay_pricing: bool,
    /// Show this provider's balance in the status bar.
    pub show_balance: bool,
    /// A balance below this (in `currency`) is highlighted.
    pub low_balance: Option<f64>,
    /// The file an inline key came from, for "check the API key in ..." messages.
    pub(crate) key_file: Option<PathBuf>,
    /// What `api_key_cmd` printed, once it has run; shared by this provider's clones.
    pub(crate) key_cache: super::secret::KeyCache,
}

impl fmt::Debug for Provider {
    // The key must never reach a log line or a panic message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("api_key_env", &self.api_key_env)
            .field("api_key_cmd", &self.api_key_cmd)
            .field("models", &self.models)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("idle_timeout_secs", &self.idle_timeout_secs)
            .field("max_retries", &self.max_retries)
            .field("include_usage", &self.include_usage)
            .field("currency", &self.currency)
            .field("relay_pricing", &self.relay_pricing)
            .field("show_balance", &self.show_balance)
            .field("low_balance", &self.low_balance)
            .finish()
    }
}

impl Provider {
    /// A provider with default timeouts, no key and no models.
    pub fn new(name: impl Into<String>, base_url: Option<String>) -> Provider {
        Provider {
            name: name.into(),
            base_url,
            api_key: None,
            api_key_env: None,
            api_key_cmd: None,
            models: Vec::new(),
            connect_timeout_secs: DEFAULT_CONNECT_TIMEOUT_SECS,
            idle_timeout_secs: DEFAULT_IDLE_TIMEOUT_SECS,
            max_retries: DEFAULT_MAX_RETRIES,
            include_usage: true,
            currency: crate::cost::Currency::default(),
            relay_pricing: false,
            show_balance: false,
            low_balance: None,
            key_file: None,
            key_cache: Default::default(),
        }
    }

    /// Sets an inline key (what `api_key = "..."` does); for tests and embedders.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Provider {
        self.api_key = Some(key.into());
        self
    }

    /// The built-in ecovai aggregator, keyed by `ECOVAI_API_KEY`.
    pub fn builtin_ecovai() -> Provider {
        let mut p = Provider::new("ecovai", Some("https://api.ecovai.cn/v1".to_string()));
        p.api_key_env = Some("ECOVAI_API_KEY".to_string());
        let named = [
            ("deepseek-chat", "DeepSeek V3"),
            ("deepseek-reasoner", "DeepSeek R1 推理"),
            ("gpt-4o", "GPT-4o"),
            ("gpt-4o-mini", "GPT-4o mini"),
            ("gpt-4o-all", "GPT-4o 全能 (图片)"),
            ("kimi", "Kimi 全能版"),
            ("qwen-plus", "通义千问 Plus"),
            ("glm-4-plus", "智谱 GLM-4-Plus"),
            ("generalv3.5", "讯飞星火 v3.5"),
        ];
        p.models = named
            .into_iter()
            .map(|(id, name)| ModelSpec {
                name: Some(name.to_string()),
                ..ModelSpec::new(id)
            })
            .collect();
        p
    }

    /// The built-in offline demo provider: no network, no key.
    pub fn builtin_demo() -> Provider {
        let mut p = Provider::new(DEMO_PROVIDER, None);
        p.models = vec![
            ModelSpec {
                name: Some("Demo (offline)".to_string()),
                ..ModelSpec::new("demo")
            },
            ModelSpec {
                name: Some("Demo, brief (offline; /compare demo demo-brief)".to_string()),
                ..ModelSpec::new(crate::demo::BRIEF_MODEL)
            },
        ];
        p
    }

    /// True for the offline demo provider, which answers without any network.
    pub fn is_demo(&self) -> bool {
        self.name == DEMO_PROVIDER && self.base_url.is_none()
    }

    /// True when the config file itself holds this provider's key.
    pub fn has_inline_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// True when a request could be sent now: the key is inline, in the environment, or not needed.
    /// A key command counts without being run: running it is for the first request.
    pub fn has_key(&self, env: &dyn Fn(&str) -> Option<String>) -> bool {
        self.api_key_cmd.is_some() || self.endpoint(env).is_ok()
    }

    /// True when `endpoint` would have to run `api_key_cmd` (it blocks: call it off the UI).
    pub fn needs_key_command(&self) -> bool {
        self.api_key.is_none()
            && self
                .api_key_cmd
                .as_deref()
                .is_some_and(|_| !self.key_cache.is_filled())
    }

    /// The listed model with this id.
    pub fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    /// Where and how to reach this provider. Fails with `MissingKey` (naming the env var) when
    /// `api_key_env` is set but empty in `env`, and with `KeyCommand` when `api_key_cmd` fails
    /// (running it the first time blocks). The demo provider yields an endpoint with an
    /// empty base URL: callers check `is_demo()` before sending anything.
    pub fn endpoint(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Endpoint, ApiError> {
        let (api_key, key_source) = match (&self.api_key, &self.api_key_env) {
            (Some(key), _) => {
                let file = self
                    .key_file
                    .as_ref()
                    .map_or("the config".to_string(), |p| p.display().to_string());
                (Some(key.clone()), format!("api_key in {file}"))
            }
            (None, Some(var)) => {
                // `export K=$(cat file)` leaves a newline that the server would reject as a bad key.
                match env(var)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                {
                    Some(key) => (Some(key), var.clone()),
                    None => {
                        return Err(ApiError::MissingKey {
                            provider: self.name.clone(),
                            hint: format!("{var} (export {var}=...) or api_key in the config"),
                        });
                    }
                }
            }
            (None, None) => match &self.api_key_cmd {
                Some(cmd) => (
                    Some(super::secret::key_from_command(
                        &self.name,
                        cmd,
                        &self.key_cache,
                    )?),
                    format!("the output of api_key_cmd `{cmd}`"),
                ),
                None => (None, "no key configured".to_string()),
            },
        };
        Ok(Endpoint {
            base_url: self.base_url.clone().unwrap_or_default(),
            api_key,
            key_source,
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            max_retries: self.max_retries,
            include_usage: self.include_usage,
        })
    }
}
