//! Runs media effects: downloads and decodes, the system opener, OSC 52 copies, saves and
//! `/image` requests. Each reports back as an `Action::Media` on the app channel.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use tokio::sync::mpsc::UnboundedSender;

use crate::api::images::{self as images_api, GeneratedImage};
use crate::api::tls::SharedTls;
use crate::app::media::{MediaEffect, MediaMsg, MediaSettings, NO_OPENER};
use crate::app::{Action, App};
use crate::demo;
use crate::media::fetch::Fetcher;
use crate::media::opener::{self, OpenError};
use crate::media::{ImageProtocol, is_web_url, protocol};
use crate::providers::{Target, process_env};
use ratatui_image::picker::Picker;

/// Chooses how images are drawn, from the settings, the environment and (for `auto`) what the
/// terminal said about itself, and gives the app its picker.
pub fn install_picker(app: &mut App, pending: PendingPicker, report: &protocol::TerminalReport) {
    let choice = app.media.settings.protocol;
    app.media.picker = match pending.join() {
        Ok(picker) => picker,
        // The thread panicked (the hook has logged it): choose here instead.
        Err(_) => pick(choice),
    };
    if choice == ImageProtocol::Auto {
        // The spare thread guessed from the environment alone; the answer may overrule it.
        let decided = protocol::decide(&process_env, report);
        if app.media.picker.as_ref().map(|p| p.protocol_type()) != Some(decided) {
            app.media.picker = Some(protocol::picker(decided, protocol::font_size()));
        }
    }
    tracing::info!(
        setting = %choice,
        ?report,
        protocol = ?app.media.picker.as_ref().map(|p| p.protocol_type()),
        "image protocol"
    );
}

/// The image protocol being chosen on a spare thread.
pub type PendingPicker = std::thread::JoinHandle<Option<Picker>>;

/// Starts choosing how images are drawn. Inside tmux, ratatui-image runs
/// `tmux set -p allow-passthrough on` and waits for it: about 10 ms that start-up spends on
/// other work meanwhile.
pub fn pick_protocol(choice: ImageProtocol) -> PendingPicker {
    std::thread::spawn(move || pick(choice))
}

fn pick(choice: ImageProtocol) -> Option<Picker> {
    choice
        .resolve(&process_env)
        .map(|p| protocol::picker(p, protocol::font_size()))
}

/// The edge's media worker.
#[derive(Clone)]
pub struct MediaRunner {
    fetcher: Option<Fetcher>,
    /// The images API client, built when the first image is asked for: building one reads
    /// the root certificates, which an idle session should not hold.
    api: Arc<OnceLock<Option<reqwest::Client>>>,
    tls: SharedTls,
}

impl MediaRunner {
    /// A runner caching into the settings' cache dir.
    /// A runner caching into the settings' cache dir, its clients sharing `tls`.
    pub fn new(settings: &MediaSettings, tls: SharedTls) -> Self {
        let fetcher = Fetcher::new(settings.cache_dir.clone())
            .map(|f| {
                f.with_allowed_hosts(settings.allow_hosts.clone())
                    .with_cache_max_bytes(settings.cache_max_bytes)
                    .with_tls(tls.clone())
            })
            .inspect_err(|e| tracing::warn!(error = %e, "media downloads disabled"))
            .ok();
        Self {
            fetcher,
            api: Arc::default(),
            tls,
        }
    }

    /// The images API client, built on first use.
    fn api(&self) -> Option<reqwest::Client> {
        self.api
            .get_or_init(|| {
                self.tls
                    .apply(reqwest::Client::builder())
                    .connect_timeout(Duration::from_secs(
                        crate::config::DEFAULT_CONNECT_TIMEOUT_SECS,
                    ))
                    .user_agent(concat!("ecochat/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .ok()
            })
            .clone()
    }

    /// Starts `effect` in the background; the result comes back on `tx`.
    pub fn run(&self, effect: MediaEffect, tx: &UnboundedSender<Action>) {
        let send = {
            let tx = tx.clone();
            move |msg: MediaMsg| {
                let _ = tx.send(Action::Media(msg));
            }
        };
        let Some(fetcher) = self.fetcher.clone() else {
            send(MediaMsg::Failed("media downloads are unavailable".into()));
            return;
        };
        match effect {
            MediaEffect::Fetch {
                url,
                provider_host,
                key_from,
            } => {
                tokio::spawn(async move {
                    let key = key_for(key_from.as_deref(), &url).await;
                    let result = fetcher
                        .fetch_keyed(&url, provider_host.as_deref(), key.as_deref())
                        .await
                        .map_err(|e| e.to_string());
                    send(MediaMsg::Fetched { url, result });
                });
            }
            MediaEffect::WriteOut { url } => {
                tokio::spawn(async move {
                    match fetcher.local_file(&url).await {
                        Ok(path) => send(MediaMsg::WrittenOut(path)),
                        Err(e) => send(MediaMsg::Failed(format!(
                            "a built-in image has no URL to copy, and writing it out failed: {e}"
                        ))),
                    }
                });
            }
            MediaEffect::Open {
                url,
                kind,
                key_from,
            } => {
                tokio::spawn(async move {
                    let key = key_for(key_from.as_deref(), &url).await;
                    if let Err(e) = open(&fetcher, &url, kind, key.as_deref()).await {
                        send(MediaMsg::Failed(e));
                    }
                });
            }
            MediaEffect::Save {
                url,
                kind,
                dir,
                name,
                key_from,
            } => {
                tokio::spawn(async move {
                    let key = key_for(key_from.as_deref(), &url).await;
                    let result = fetcher
                        .save_keyed(&url, kind, &dir, &name, key.as_deref())
                        .await
                        .map_err(|e| e.to_string());
                    send(MediaMsg::Saved(result));
                });
            }
            MediaEffect::Generate {
                message_id,
                target,
                body,
            } => {
                let runner = self.clone();
                tokio::spawn(async move {
                    // Off the event loop: the first build reads the root certificates.
                    let api = tokio::task::spawn_blocking(move || runner.api())
                        .await
                        .ok()
                        .flatten();
                    let result = generate(api, &fetcher, &target, &body).await;
                    send(MediaMsg::Generated { message_id, result });
                });
            }
        }
    }
}

/// The key of `provider` for `url`, read here at the edge (a key command runs off the loop),
/// and only when `url` is on the provider's own origin: update chose the provider, and the
/// origin is checked again against the endpoint actually used.
async fn key_for(provider: Option<&crate::config::Provider>, url: &str) -> Option<String> {
    if !crate::tasks::url::is_keyed_content(url) {
        return None;
    }
    let ep = crate::providers::endpoint(provider?).await.ok()?;
    crate::tasks::url::may_send_key(url, &ep.base_url)
        .then_some(ep.api_key)
        .flatten()
}

async fn open(
    fetcher: &Fetcher,
    url: &str,
    kind: crate::media::MediaKind,
    key: Option<&str>,
) -> Result<(), String> {
    // Web links go to the opener as they are, but one that needs the key (which a browser
    // cannot send) and built-in files are written to a file first.
    let target = if key.is_some() {
        let path = fetcher
            .save_for_open(url, kind, key)
            .await
            .map_err(|e| format!("downloading it to open failed: {e}"))?;
        path.display().to_string()
    } else if is_web_url(url) {
        url.to_string()
    } else {
        let path: PathBuf = fetcher.local_file(url).await.map_err(|e| e.to_string())?;
        path.display().to_string()
    };
    let browser = process_env("BROWSER");
    // Launching waits a moment for a quick failure: on a blocking thread, not the loop's.
    let result = tokio::task::spawn_blocking(move || opener::open(&target, browser.as_deref()))
        .await
        .map_err(|e| format!("opening failed: {e}"))?;
    match result {
        Ok(()) => Ok(()),
        Err(OpenError::NoOpener) => Err(NO_OPENER.into()),
        Err(e) => Err(format!("{e}; y copies the URL")),
    }
}

async fn generate(
    api: Option<reqwest::Client>,
    fetcher: &Fetcher,
    target: &Target,
    body: &serde_json::Value,
) -> Result<Vec<String>, String> {
    if target.provider.is_demo() {
        // The offline demo answers with its built-in picture, after a moment of "work".
        tokio::time::sleep(Duration::from_millis(300)).await;
        return Ok(vec![demo::DEMO_IMAGE_URL.to_string()]);
    }
    let api = api.ok_or("the HTTP client could not be built")?;
    let ep = crate::providers::endpoint(&target.provider)
        .await
        .map_err(|e| e.to_string())?;
    let images = images_api::generate(&api, &ep, body)
        .await
        .map_err(|e| e.to_string())?;
    let mut urls = Vec::with_capacity(images.len());
    for image in images {
        match image {
            GeneratedImage::Url(url) => urls.push(url),
            GeneratedImage::Base64(b64) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|e| format!("the image's base64 is invalid: {e}"))?;
                urls.push(
                    fetcher
                        .store_generated(&bytes)
                        .await
                        .map_err(|e| e.to_string())?,
                );
            }
        }
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::key_for;
    use crate::config::Provider;

    #[tokio::test]
    async fn the_key_goes_only_to_the_origin_of_the_endpoint_in_use() {
        let relay =
            Provider::new("relay", Some("http://127.0.0.1:4000/v1".into())).with_api_key("sk-test");
        let own = "http://127.0.0.1:4000/v1/videos/t/content";
        assert_eq!(key_for(Some(&relay), own).await.as_deref(), Some("sk-test"));
        for other in [
            // The relay's own origin, but not the route that needs the key.
            "http://127.0.0.1:4000/img/cat.png",
            "http://127.0.0.1:4001/v1/videos/t/content",
            "https://127.0.0.1:4000/v1/videos/t/content",
            "http://localhost:4000/v1/videos/t/content",
        ] {
            assert_eq!(key_for(Some(&relay), other).await, None, "{other}");
        }
        assert_eq!(key_for(None, own).await, None);
    }
}
