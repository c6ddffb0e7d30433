//! The media panel's state: every link of the conversation's replies, which one is selected,
//! what was fetched, and the image encoded for the terminal. Changed only through `update`.

mod actions;
mod draw;
mod keyed;
mod sent;

pub use actions::{NO_OPENER, on_msg, run, start_generation, toggle};
use draw::refresh_drawn;
pub use draw::{encode, image_area};

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ratatui::layout::Rect;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::Protocol;

use super::{App, Effect, Overlay};
use crate::chat::{Changes, Message, Role};
use crate::config::Provider;
use crate::media::extract::{LinkScanner, settled_links};
use crate::media::fetch::{DecodedImage, Fetched};
use crate::media::{ImageProtocol, MediaKind, MediaLink, is_builtin_url, is_web_url};
use crate::providers::Target;

/// Decoded images kept in memory; older ones are read back from the disk cache when selected.
const KEEP_DECODED: usize = 8;
/// Pixel bytes of decoded images kept in memory (four of the largest kept, 2048x2048 RGBA);
/// the least recently fetched go first, never the one on screen.
pub const DECODED_BUDGET: usize = 64 * 1024 * 1024;
/// Images of one reply fetched without a key press; the rest load when selected.
pub const AUTO_FETCHES_PER_REPLY: usize = 8;
/// Automatic fetches in flight at once.
pub const AUTO_FETCHES_AT_ONCE: usize = 2;

/// Media settings from the config and the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaSettings {
    /// Open the panel the first time a reply carries media.
    pub auto_open: bool,
    /// Where `s` saves files.
    pub downloads_dir: PathBuf,
    /// Where downloaded images are cached by URL hash; `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// How images are drawn.
    pub protocol: ImageProtocol,
    /// Local or private hosts that images may be fetched from without a key press.
    pub allow_hosts: Vec<String>,
    /// The most the media cache keeps on disk.
    pub cache_max_bytes: u64,
    /// A browser or system opener was found at start, so `o` has something to run.
    pub can_open: bool,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            auto_open: true,
            downloads_dir: PathBuf::from("downloads"),
            cache_dir: None,
            protocol: ImageProtocol::Auto,
            allow_hosts: Vec::new(),
            cache_max_bytes: crate::media::fetch::DEFAULT_CACHE_MAX_BYTES,
            can_open: true,
        }
    }
}

impl MediaSettings {
    /// The settings from the config file, its paths, and `--image-protocol` when given.
    pub fn from_config(
        cfg: &crate::config::MediaConfig,
        paths: &crate::config::Paths,
        cli_protocol: Option<ImageProtocol>,
    ) -> Self {
        Self {
            auto_open: cfg.auto_open,
            downloads_dir: cfg
                .downloads_dir
                .clone()
                .unwrap_or_else(|| crate::media::save::default_downloads_dir(&paths.data_dir)),
            cache_dir: Some(paths.cache_dir.join("media")),
            protocol: cli_protocol.unwrap_or(cfg.image_protocol),
            allow_hosts: cfg.allow_hosts.clone(),
            cache_max_bytes: cfg.cache_max_mb * 1024 * 1024,
            // The edge looks for an opener at start and clears this when there is none.
            can_open: true,
        }
    }
}

/// One row of the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaItem {
    pub link: MediaLink,
    /// 1 for the first link of the conversation: numbers stay put as links arrive.
    pub number: usize,
    /// The message the link came from.
    pub message_id: u64,
    /// Which assistant reply that was, counting from 1.
    pub reply_no: usize,
}

/// Where the fetch of one URL stands.
#[derive(Debug, Clone)]
pub enum Load {
    Loading {
        since: Instant,
    },
    Ready(Arc<DecodedImage>),
    /// The server says it is not an image.
    NotImage {
        kind: MediaKind,
        content_type: String,
    },
    Failed(String),
}

/// An image encoded for the terminal at one size.
#[derive(Clone)]
pub struct Drawn {
    pub url: String,
    /// The cells it was encoded for.
    pub area: Rect,
    pub protocol: Protocol,
}

/// An `/image` request in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generating {
    pub message_id: u64,
    pub started: Instant,
}

/// What the edge reports back about media.
#[derive(Debug)]
pub enum MediaMsg {
    Fetched {
        url: String,
        result: Result<Fetched, String>,
    },
    Saved(Result<PathBuf, String>),
    /// A built-in image written out for `y`, whose path goes on the clipboard.
    WrittenOut(PathBuf),
    /// Image URLs for the `/image` answer in `message_id`.
    Generated {
        message_id: u64,
        result: Result<Vec<String>, String>,
    },
    /// Opening or copying failed.
    Failed(String),
}

/// Media work for the edge.
#[derive(Debug, Clone)]
pub enum MediaEffect {
    /// Download (or read from cache) and decode. `provider_host`: the host of the provider's
    /// `base_url`, the one local host a fetch may reach without `media_allow_hosts`.
    Fetch {
        url: String,
        provider_host: Option<String>,
        /// The provider whose key the link may carry (it is on that provider's origin).
        key_from: Option<Box<Provider>>,
    },
    /// Hand to the system opener; a link that needs the key is downloaded for it first.
    Open {
        url: String,
        kind: MediaKind,
        key_from: Option<Box<Provider>>,
    },
    /// Write a built-in image to a file, then report its path with `MediaMsg::WrittenOut`.
    WriteOut { url: String },
    Save {
        url: String,
        kind: MediaKind,
        dir: PathBuf,
        name: String,
        key_from: Option<Box<Provider>>,
    },
    /// `POST {base_url}/images/generations`.
    Generate {
        message_id: u64,
        target: Box<Target>,
        body: serde_json::Value,
    },
}

/// Links of one message as last scanned.
#[derive(Debug, Clone)]
struct Scan {
    revision: u64,
    /// With the revision: ids restart after a new chat, lengths rarely match too.
    len: usize,
    live: bool,
    links: Vec<MediaLink>,
    /// `links[..from_text]` were found in the text (the rest are citations).
    from_text: usize,
    /// Carries the scan of a live reply from piece to piece.
    scanner: LinkScanner,
}

/// The whole media state.
#[derive(Default)]
pub struct MediaState {
    pub settings: MediaSettings,
    /// Oldest first.
    pub items: Vec<MediaItem>,
    /// The panel is shown.
    pub open: bool,
    /// URL of the selected item; `None` follows the newest.
    pub selected: Option<String>,
    pub loads: HashMap<String, Load>,
    /// Encodes images; `None` when drawing is off.
    pub picker: Option<Picker>,
    pub drawn: Option<Drawn>,
    pub generating: Option<Generating>,
    auto_opened: bool,
    scans: HashMap<u64, Scan>,
    /// Kinds learnt from content types, which beat the guess from the URL.
    learnt: HashMap<String, MediaKind>,
    ready_order: VecDeque<String>,
    /// Automatic fetches started for each reply (by message id).
    auto_fetches: HashMap<u64, usize>,
    /// Images sent with prompts.
    sent: sent::Sent,
    /// Times every message was looked at for links (tests count them).
    pub(crate) full_scans: u64,
}

impl MediaState {
    /// The links of the listed items, in the panel's order.
    pub fn urls(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.link.url.as_str()).collect()
    }

    /// The links found in the text of `msg` as it is now, if the panel has scanned it since
    /// it last changed (it scans every reply after each update).
    pub fn text_links(&self, msg: &Message) -> Option<&[MediaLink]> {
        let scan = self.scans.get(&msg.id)?;
        let current = scan.revision == msg.revision()
            && scan.len == msg.content.len()
            && scan.live == msg.status.is_live();
        current.then(|| &scan.links[..scan.from_text])
    }

    /// Items newest first, as the panel lists them.
    pub fn newest_first(&self) -> impl Iterator<Item = &MediaItem> {
        self.items.iter().rev()
    }

    /// Position of the selection in `newest_first` order.
    pub fn selected_index(&self) -> Option<usize> {
        if self.items.is_empty() {
            return None;
        }
        let Some(url) = &self.selected else {
            return Some(0);
        };
        self.newest_first()
            .position(|i| &i.link.url == url)
            .or(Some(0))
    }

    /// The selected item.
    pub fn selected_item(&self) -> Option<&MediaItem> {
        self.newest_first().nth(self.selected_index()?)
    }

    /// The fetch state of `url`.
    pub fn load(&self, url: &str) -> Option<&Load> {
        self.loads.get(url)
    }

    /// True while something is loading or generating: the spinner needs ticks.
    pub fn is_busy(&self) -> bool {
        self.generating.is_some()
            || self
                .loads
                .values()
                .any(|l| matches!(l, Load::Loading { .. }))
    }

    fn remember_ready(&mut self, url: &str, image: DecodedImage) {
        self.loads
            .insert(url.to_string(), Load::Ready(Arc::new(image)));
        self.ready_order.retain(|u| u != url);
        self.ready_order.push_back(url.to_string());
        let shown = self.selected_item().map(|i| i.link.url.clone());
        let mut kept: usize = self.ready_order.iter().map(|u| self.pixel_bytes(u)).sum();
        let mut i = 0;
        while i < self.ready_order.len()
            && (self.ready_order.len() > KEEP_DECODED || kept > DECODED_BUDGET)
        {
            let old = &self.ready_order[i];
            // The image just fetched and the one on screen stay.
            if old == url || shown.as_ref() == Some(old) {
                i += 1;
                continue;
            }
            kept -= self.pixel_bytes(old);
            if let Some(old) = self.ready_order.remove(i) {
                self.loads.remove(&old);
            }
        }
    }

    /// Bytes of the decoded pixels of `url`, when it is ready.
    fn pixel_bytes(&self, url: &str) -> usize {
        match self.loads.get(url) {
            Some(Load::Ready(img)) => img.image.as_bytes().len(),
            _ => 0,
        }
    }

    /// Decoded pixel bytes held for all ready images.
    pub fn decoded_bytes(&self) -> usize {
        self.ready_order.iter().map(|u| self.pixel_bytes(u)).sum()
    }
}

/// Brings the panel up to date after any action: new links, auto-open, the fetch of the
/// selected item, and the encoded image for the current size. `changes`: which messages the
/// action may have changed.
pub fn after_update(app: &mut App, now: Instant, changes: Changes) -> Vec<Effect> {
    // The scans follow the messages alone and were brought up to date after the last change:
    // with none since, looking at every message of a long session again finds nothing.
    let grew = changes != Changes::None && sync_items(app, changes.only());
    let m = &mut app.media;
    // The user's own images are no reason to open the panel.
    let from_reply = |id: u64| {
        app.conv
            .messages()
            .iter()
            .any(|msg| msg.id == id && msg.role == Role::Assistant)
    };
    if grew
        && !m.auto_opened
        && m.settings.auto_open
        && m.items
            .iter()
            .any(|i| i.link.kind.is_media() && from_reply(i.message_id))
    {
        m.auto_opened = true;
        m.open = true;
    }
    let mut effects = Vec::new();
    if let Some((url, auto)) = wanted_fetch(app) {
        let m = &mut app.media;
        if let Some(id) = auto {
            *m.auto_fetches.entry(id).or_default() += 1;
        }
        m.loads.insert(url.clone(), Load::Loading { since: now });
        let provider_host = app
            .target
            .provider
            .base_url
            .as_deref()
            .and_then(crate::media::fetch::guard::base_url_host);
        let writer = app.media.selected_item().map(|i| i.message_id);
        let key_from = keyed::key_holder(app, &url, writer);
        effects.push(Effect::Media(MediaEffect::Fetch {
            url,
            provider_host,
            key_from,
        }));
    }
    refresh_drawn(app);
    effects
}

/// Rescans changed assistant messages; true when a new link appeared. `piece_of`: the action
/// changed this message alone, so with 5,000 messages loaded a piece of a reply still costs
/// one message (and only the line it ends on, see `LinkScanner`).
fn sync_items(app: &mut App, piece_of: Option<u64>) -> bool {
    let mut changed = false;
    if let Some(id) = piece_of {
        match rescan_one(app, id) {
            Some(false) => return false,
            Some(true) => changed = true,
            None => {}
        }
    }
    let m = &mut app.media;
    m.full_scans += 1;
    let mut seen = 0;
    for msg in app
        .conv
        .messages()
        .iter()
        .filter(|m| m.role == Role::Assistant)
    {
        seen += 1;
        changed |= rescan(&mut m.scans, msg);
    }
    if m.scans.len() != seen {
        let ids: std::collections::HashSet<u64> =
            app.conv.messages().iter().map(|m| m.id).collect();
        m.scans.retain(|id, _| ids.contains(id));
        // Ids restart after a new chat: a new reply must not inherit an old one's count.
        m.auto_fetches.retain(|id, _| ids.contains(id));
        changed = true;
    }
    changed |= m.sent.sync(&app.conv);
    if !changed {
        return false;
    }
    let before = m.items.len();
    let mut items: Vec<MediaItem> = Vec::new();
    let mut replies = 0;
    for msg in app.conv.messages() {
        // A sent image counts with the reply to its prompt.
        let (reply_no, links) = match msg.role {
            Role::Assistant => {
                replies += 1;
                (replies, m.scans.get(&msg.id).map(|s| s.links.as_slice()))
            }
            Role::User => (replies + 1, m.sent.get(msg.id)),
            Role::System => continue,
        };
        let Some(links) = links else {
            continue;
        };
        for link in links {
            let dup = items.iter().any(|i| {
                i.link.url == link.url
                    || i.link.download.as_deref() == Some(&link.url)
                    || link.download.as_deref() == Some(&i.link.url)
            });
            if dup {
                continue;
            }
            let mut link = link.clone();
            if let Some(kind) = m.learnt.get(&link.url) {
                link.kind = *kind;
            }
            items.push(MediaItem {
                number: items.len() + 1,
                link,
                message_id: msg.id,
                reply_no,
            });
        }
    }
    m.items = items;
    if m.selected
        .as_ref()
        .is_some_and(|u| !m.items.iter().any(|i| &i.link.url == u))
    {
        m.selected = None;
    }
    m.items.len() > before
}

/// Rescans the reply `id` alone; `None` when it was never scanned (a full sync is due then).
fn rescan_one(app: &mut App, id: u64) -> Option<bool> {
    // The reply is nearly always the last message.
    let msg = app.conv.messages().iter().rev().find(|m| m.id == id)?;
    if msg.role != Role::Assistant || !app.media.scans.contains_key(&id) {
        return None;
    }
    Some(rescan(&mut app.media.scans, msg))
}

/// Brings the scan of `msg` up to date; true when its links changed.
fn rescan(scans: &mut HashMap<u64, Scan>, msg: &Message) -> bool {
    let live = msg.status.is_live();
    let len = msg.content.len();
    let old = scans.get_mut(&msg.id);
    if old
        .as_ref()
        .is_some_and(|s| s.revision == msg.revision() && s.len == len && s.live == live)
    {
        return false;
    }
    // A live reply only grows: its scanner goes on from the last line break it saw, also for
    // the final scan when it ends (a 10 MB reply is not read again).
    let (links, scanner) = match old {
        Some(s) if s.live => {
            let mut scanner = std::mem::take(&mut s.scanner);
            (scanner.scan(&msg.content, live), scanner)
        }
        _ if live => {
            let mut scanner = LinkScanner::default();
            (scanner.scan(&msg.content, true), scanner)
        }
        _ => (settled_links(&msg.content, false), LinkScanner::default()),
    };
    let mut links = links;
    let from_text = links.len();
    // Search references (Metaso `citations`) are links too, though not in the text.
    for c in &msg.citations {
        if !links.iter().any(|l| l.url == c.url) {
            links.push(crate::media::extract::MediaLink {
                url: c.url.clone(),
                download: None,
                kind: crate::media::extract::classify(&c.url, false),
                label: Some(c.title.clone()).filter(|t| !t.is_empty()),
                complete: true,
            });
        }
    }
    let same = scans.get(&msg.id).is_some_and(|s| s.links == links);
    scans.insert(
        msg.id,
        Scan {
            revision: msg.revision(),
            len,
            live,
            links,
            from_text,
            // A finished reply is never continued: its scanner's unfinished line and state
            // would stay with every reply of the session.
            scanner: if live {
                scanner
            } else {
                LinkScanner::default()
            },
        },
    );
    !same
}

/// True when ecochat may fetch `url` itself.
pub fn fetchable(url: &str) -> bool {
    is_web_url(url) || is_builtin_url(url)
}

/// The selected URL when it should be fetched now and is not yet, with the reply it counts
/// against when nobody chose it (`None`: the user selected it, or it is ecochat's own).
/// Only images are fetched: audio and video only when saved, other links never.
fn wanted_fetch(app: &App) -> Option<(String, Option<u64>)> {
    let m = &app.media;
    let visible = app.overlay == Some(Overlay::Image) || (m.open && app.panes()?.media.is_some());
    if !visible || m.picker.is_none() {
        return None;
    }
    let item = m.selected_item()?;
    let url = &item.link.url;
    if item.link.kind != MediaKind::Image || !fetchable(url) || m.loads.contains_key(url) {
        return None;
    }
    let chosen = m.selected.is_some() || app.overlay == Some(Overlay::Image);
    // The demo and generated images are ecochat's own; a `data:` image costs a decode like any.
    if chosen || (is_builtin_url(url) && !url.starts_with("data:")) {
        return Some((url.clone(), None));
    }
    let started = m.auto_fetches.get(&item.message_id).copied().unwrap_or(0);
    let in_flight = m
        .loads
        .values()
        .filter(|l| matches!(l, Load::Loading { .. }))
        .count();
    (started < AUTO_FETCHES_PER_REPLY && in_flight < AUTO_FETCHES_AT_ONCE)
        .then(|| (url.clone(), Some(item.message_id)))
}

#[cfg(test)]
mod tests;
