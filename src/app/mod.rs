//! Application state and the pure `update` that changes it. No I/O here: effects are returned.

pub mod attach;
mod branch;
pub mod browser;
pub mod compare;
pub mod copy;
pub mod cost;
mod editor;
mod help;
mod keys;
pub mod line_edit;
pub mod media;
mod mouse;
mod notice;
pub mod picker;
mod prompt;
pub mod sessions;
mod shutdown;
pub mod slash;
mod switch;
pub mod tasks;
pub mod turns;
mod update;

pub use notice::expiry as notice_expiry;
pub use prompt::{HISTORY_MAX, Prompt};
pub use switch::{missing_keys, note_missing_key};
pub use update::update;

use std::cell::{Ref, RefCell};
use std::time::Instant;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

use crate::api::client::{ReplyEnd, WireMessage};
use crate::api::{ApiError, StreamEvent, Usage};
use crate::chat::Conversation;
use crate::config::Provider;
use crate::keymap::KeyMap;
use crate::providers::Target;
use crate::view::conversation::{ConversationLayout, LayoutOptions};
use crate::view::layout::{Panes, conversation_text_width};
use crate::view::theme::Theme;

/// Something that happened: a key, a paste, a piece of a reply, a timer.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Keys that queued up while the loop was busy, in order: the same as one `Key` each, but
    /// a run of characters typed into the prompt is inserted (and the prompt wrapped) once.
    Keys(Vec<KeyEvent>),
    Paste(String),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// A piece of the reply being written into message `id`.
    Stream {
        id: u64,
        msg: StreamMsg,
    },
    /// Animation timer; scheduled only while a reply is in flight.
    Tick,
    /// The syntax handle can colour more code than before (its data is decoded, or a
    /// language compiled): code laid out plain is laid out again.
    SyntaxReady,
    /// Code lines drawn plain while they streamed were coloured on a spare thread.
    CodePainted,
    /// A report from the session store's thread.
    Store(crate::store::task::StoreEvent),
    /// A provider's `/models` answer (ids, or the error sentence).
    ModelsDiscovered {
        provider: String,
        result: Result<Vec<String>, String>,
    },
    /// A media fetch, save or generation reports back.
    Media(media::MediaMsg),
    /// The external editor (Ctrl+E) closed: the edited prompt, or why it failed.
    EditorDone(Result<String, String>),
    /// A generation task reports back.
    Task(tasks::TaskMsg),
    /// A terminating signal arrived: save the reply in flight and quit.
    Terminate(crate::signals::Signal),
    /// A balance or price list arrived, or the app started.
    Billing(cost::BillingMsg),
    /// An attachment was read, or a path completed.
    Attach(attach::AttachMsg),
}

/// What a reply task reports.
#[derive(Debug)]
pub enum StreamMsg {
    Event(StreamEvent),
    End(Result<ReplyEnd, ApiError>),
}

/// Work for the edge of the program to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Request a reply into message `reply_id`.
    StartReply {
        reply_id: u64,
        target: Box<Target>,
        history: Vec<WireMessage>,
    },
    /// Stop reading the reply for message `reply_id`.
    CancelReply { reply_id: u64 },
    /// Work for the session store's thread.
    Store(crate::store::task::StoreCmd),
    /// Remember `provider:model` as the model to start with next time.
    SaveLastModel(String),
    /// Fetch this provider's `/models` in the background.
    DiscoverModels(Box<Provider>),
    /// Put `text` on the clipboard with OSC 52 (a chat message, a code block, a media URL).
    Copy { text: String },
    /// Fetch, open, save media, or generate images.
    Media(media::MediaEffect),
    /// Suspend the screen and edit `text` in `$VISUAL`/`$EDITOR`.
    EditPrompt { text: String },
    /// Give the terminal back and stop the process (Ctrl+Z); redraw in full on `fg`.
    Suspend,
    /// Capture the mouse (true) or leave it to the terminal's own selection (false).
    SetMouse(bool),
    /// Ask for a balance or a relay's prices.
    Billing(cost::BillingEffect),
    /// Read attachments, or complete a path.
    Attach(attach::AttachEffect),
    /// Submit or poll a generation task.
    Task(tasks::TaskEffect),
}

/// The reply in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InFlight {
    pub id: u64,
    pub started: Instant,
    pub first_token: Option<Instant>,
    /// Deltas received; one delta is roughly one token.
    pub pieces: u64,
}

/// A short message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

/// Scroll position of the conversation pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scroll {
    /// First visible line when not following.
    pub top: usize,
    /// Stick to the end as the reply grows.
    pub follow: bool,
}

/// A popup over the main screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help,
    /// The session browser (Ctrl+O); its state is in `App::sessions`.
    Sessions,
    /// Boxed: the picker's lists would make every other overlay as large.
    Picker(Box<picker::ModelPicker>),
    /// The selected image, full screen until a key is pressed.
    Image,
}

/// The pane that receives keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Input,
    Conversation,
    /// The media panel (only while it is shown).
    Media,
}

/// The whole state of the app.
pub struct App {
    pub conv: Conversation,
    pub prompt: Prompt,
    pub target: Target,
    /// Every configured provider, for the model picker.
    pub providers: Vec<Provider>,
    /// Model ids found through `/models`, per provider (from the cache, then from fetches).
    pub discovered: Vec<(String, Vec<String>)>,
    pub keymap: KeyMap,
    pub theme: Theme,
    pub in_flight: Option<InFlight>,
    pub last_usage: Option<Usage>,
    pub last_error: Option<String>,
    pub notice: Option<Notice>,
    pub scroll: Scroll,
    pub area: Rect,
    /// Laid-out lines; a memo refreshed on read, so a burst of reply pieces is wrapped once per frame.
    layout: RefCell<ConversationLayout>,
    pub show_reasoning: bool,
    /// The popup drawn over everything, which gets the keys while open.
    pub overlay: Option<Overlay>,
    /// First line of the help overlay shown (it scrolls when the bindings do not fit).
    pub help_scroll: usize,
    /// Which pane gets the keys when no popup is open.
    pub focus: Focus,
    /// Links of the replies, the side panel and its images.
    pub media: media::MediaState,
    pub now: Instant,
    pub quit: bool,
    /// The mouse is captured (clicks and wheel come to us); off, the terminal selects text.
    pub mouse: bool,
    /// The session store's view of the conversation, and the session browser.
    pub sessions: sessions::Sessions,
    /// Id of the message selected in the conversation pane (`[`/`]`), for copying.
    pub selected: Option<u64>,
    /// `d` was pressed once on this message: a second `d` deletes its exchange.
    pub delete_armed: Option<u64>,
    /// Where the config file is read from, for the demo's first screen.
    pub config_path: Option<std::path::PathBuf>,
    /// Providers whose API key is missing, each with the variable that should hold it (read
    /// from the environment at start, so switching can say so at once).
    pub missing_keys: Vec<(String, String)>,
    /// Ctrl+X was pressed: the next key completes a sequence (Ctrl+X Ctrl+E).
    pub pending_ctrl_x: bool,
    /// When the notice on show was set; it goes away a few seconds later.
    pub notice_since: Option<Instant>,
    /// Tab's place in the models `/model PARTIAL` matched.
    pub model_cycle: Option<slash::ModelCycle>,
    /// Generation tasks of this run (their cards are assistant messages).
    pub tasks: tasks::TaskBoard,
    /// The wall clock that dates new messages (`update` is otherwise given the time; tests
    /// set a fixed one).
    pub wall_clock: fn() -> chrono::DateTime<chrono::Local>,
    /// Relay price lists and the balance.
    pub billing: cost::Billing,
    /// Attachments waiting for the next prompt.
    pub attach: attach::AttachState,
    /// The prompt being edited (`e`): sending the prompt starts a new branch in its place.
    pub editing: Option<u64>,
    /// Compare mode (`/compare`) and the comparison on screen.
    pub compare: compare::Compare,
}

impl App {
    /// A fresh app talking to `target`, drawn in `area`.
    pub fn new(target: Target, theme: Theme, area: Rect, now: Instant) -> Self {
        Self {
            conv: Conversation::default(),
            prompt: Prompt::new(&theme),
            providers: vec![target.provider.clone()],
            target,
            discovered: Vec::new(),
            keymap: KeyMap::default(),
            theme,
            in_flight: None,
            last_usage: None,
            last_error: None,
            notice: None,
            scroll: Scroll {
                top: 0,
                follow: true,
            },
            area,
            layout: RefCell::new(ConversationLayout::default()),
            show_reasoning: false,
            overlay: None,
            help_scroll: 0,
            focus: Focus::Input,
            media: media::MediaState::default(),
            now,
            quit: false,
            mouse: true,
            sessions: sessions::Sessions::default(),
            selected: None,
            delete_armed: None,
            config_path: None,
            missing_keys: Vec::new(),
            pending_ctrl_x: false,
            notice_since: None,
            model_cycle: None,
            tasks: tasks::TaskBoard::default(),
            wall_clock: chrono::Local::now,
            billing: cost::Billing::default(),
            attach: attach::AttachState::default(),
            editing: None,
            compare: compare::Compare::default(),
        }
    }

    /// The panes for the current size and input height.
    pub fn panes(&self) -> Option<Panes> {
        Panes::compute(
            self.area,
            self.prompt.visual_lines(
                self.area
                    .width
                    .saturating_sub(crate::view::layout::INPUT_CHROME_WIDTH),
            ),
        )
        .map(|p| {
            if self.media.open {
                p.with_media_panel()
            } else {
                p
            }
        })
    }

    /// Height of the conversation pane in lines.
    pub fn viewport_height(&self) -> usize {
        self.panes()
            .map_or(0, |p| usize::from(p.conversation.height))
    }

    /// Colours code with `syntax` from now on (the TUI's handle warms up in the background).
    pub fn set_syntax(&mut self, syntax: crate::view::markdown::Syntax) {
        *self.layout.get_mut() = ConversationLayout::new(syntax);
    }

    /// The conversation layout, brought up to date with the messages first (cheap when nothing changed).
    pub fn layout(&self) -> Ref<'_, ConversationLayout> {
        let width = self
            .panes()
            .map_or(1, |p| conversation_text_width(p.conversation).max(1));
        let opts = LayoutOptions {
            width,
            show_reasoning: self.show_reasoning,
        };
        // A caller still holding an earlier `Ref` gets the layout as it was rather than a panic.
        if let Ok(mut layout) = self.layout.try_borrow_mut() {
            layout.sync(&self.conv, opts, &self.theme);
            // Only what is on screen needs real lines: a long history loaded at once keeps
            // estimated heights elsewhere. Each round lays out at least one message, so it ends.
            let height = self.viewport_height();
            loop {
                let top = self.top_within(layout.total_lines());
                if !layout.ensure(&self.conv, top, height, &self.theme) {
                    break;
                }
            }
        }
        self.layout.borrow()
    }

    /// First visible line of the conversation, after clamping.
    pub fn scroll_top(&self) -> usize {
        let total = self.layout().total_lines();
        self.top_within(total)
    }

    /// First visible line for a conversation of `total` lines.
    fn top_within(&self, total: usize) -> usize {
        let max_top = total.saturating_sub(self.viewport_height());
        if self.scroll.follow {
            max_top
        } else {
            self.scroll.top.min(max_top)
        }
    }
}

#[cfg(test)]
mod syntax_tests;
#[cfg(test)]
pub(crate) mod test_harness;
#[cfg(test)]
mod tests;
