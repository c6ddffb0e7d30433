//! Comparing models (`/compare`, or marks in the picker): each prompt goes to every model at
//! once, their replies stream side by side, and picking one continues the conversation with it
//! while the others stay as alternatives of that turn.

use std::cell::{Ref, RefCell};
use std::time::Instant;

use super::picker::PickerEntry;
use super::{App, Effect, InFlight, Notice, Scroll, StreamMsg};
use crate::chat::Role;
use crate::keymap::CompareKey;
use crate::providers::Target;
use crate::view::compare::{ColumnLines, areas, body_height, text_width, top_within};
use crate::view::conversation::LayoutOptions;

/// Fewest and most models a comparison takes.
pub const MODELS: std::ops::RangeInclusive<usize> = 2..=4;

/// Compare mode and the comparison on screen.
#[derive(Debug, Default)]
pub struct Compare {
    /// The models each prompt goes to; empty when compare mode is off.
    pub models: Vec<Target>,
    /// The replies of the last compared prompt, on screen until one is picked or the next
    /// prompt is sent.
    pub turn: Option<Turn>,
    /// Each column's reply laid out at its width; a memo refreshed on read, like the
    /// conversation's.
    layout: RefCell<Vec<ColumnLines>>,
}

/// The replies of one compared prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The prompt they answer.
    pub prompt: u64,
    pub columns: Vec<Column>,
    /// The column the keys act on (the one shown on narrow terminals).
    pub focus: usize,
}

/// One model's reply in a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// `provider:model`.
    pub label: String,
    /// The reply's id, when it started, its first token and pieces.
    pub flight: InFlight,
    /// When the reply ended; `None` while it streams.
    pub ended: Option<Instant>,
    pub scroll: Scroll,
}

impl Column {
    /// True while the reply is still arriving.
    pub fn live(&self) -> bool {
        self.ended.is_none()
    }
}

impl Compare {
    /// True when prompts go to several models.
    pub fn is_on(&self) -> bool {
        !self.models.is_empty()
    }

    /// True while any reply of the comparison is still arriving.
    pub fn streaming(&self) -> bool {
        self.turn
            .as_ref()
            .is_some_and(|t| t.columns.iter().any(Column::live))
    }

    /// The models' labels joined for the status bar (`a · b`).
    pub fn summary(&self) -> String {
        self.models
            .iter()
            .map(Target::label)
            .collect::<Vec<_>>()
            .join(" · ")
    }

    fn column_of(&self, id: u64) -> Option<usize> {
        self.turn
            .as_ref()?
            .columns
            .iter()
            .position(|c| c.flight.id == id && c.live())
    }
}

impl App {
    /// True while a reply is arriving: the one in flight, or any of a comparison's.
    pub fn replying(&self) -> bool {
        self.in_flight.is_some() || self.compare.streaming()
    }

    /// True when a comparison's columns take the conversation pane.
    pub fn comparing(&self) -> bool {
        self.compare.turn.is_some()
    }

    /// The comparison's columns laid out, brought up to date first (cheap when nothing
    /// changed); empty without a comparison on screen.
    pub fn compare_layout(&self) -> Ref<'_, Vec<ColumnLines>> {
        if let (Some(turn), Some(panes), Ok(mut layout)) = (
            &self.compare.turn,
            self.panes(),
            self.compare.layout.try_borrow_mut(),
        ) {
            let opts = LayoutOptions {
                width: text_width(panes.conversation, turn.columns.len()),
                show_reasoning: self.show_reasoning,
            };
            // As tabs only the focused reply is drawn: the others catch up when shown.
            let drawn: Vec<usize> = areas(panes.conversation, turn.columns.len(), turn.focus)
                .columns
                .iter()
                .map(|(i, _)| *i)
                .collect();
            let syntax = self
                .layout
                .try_borrow()
                .map(|l| l.syntax().clone())
                .unwrap_or_default();
            layout.resize_with(turn.columns.len(), ColumnLines::default);
            for (i, (lines, col)) in layout.iter_mut().zip(&turn.columns).enumerate() {
                if !drawn.contains(&i) {
                    continue;
                }
                if let Some(msg) = self.conv.get(col.flight.id) {
                    lines.sync(msg, opts, &self.theme, &syntax);
                }
            }
        }
        self.compare.layout.borrow()
    }

    /// The reply of the focused column, while a comparison is on screen (what `y` copies).
    pub fn focused_reply(&self) -> Option<&crate::chat::Message> {
        let turn = self.compare.turn.as_ref()?;
        let col = turn.columns.get(turn.focus)?;
        self.conv.get(col.flight.id)
    }

    /// Rows of a column's body.
    pub fn compare_page(&self) -> usize {
        let n = self.compare.turn.as_ref().map_or(1, |t| t.columns.len());
        self.panes().map_or(0, |p| body_height(p.conversation, n))
    }

    /// First line shown of column `i`, after clamping.
    pub fn column_top(&self, i: usize) -> usize {
        let Some(col) = self.compare.turn.as_ref().and_then(|t| t.columns.get(i)) else {
            return 0;
        };
        let total = self.compare_layout().get(i).map_or(0, ColumnLines::height);
        top_within(
            total,
            self.compare_page(),
            col.scroll.top,
            col.scroll.follow,
        )
    }
}

/// `/compare MODEL MODEL…`: resolves each name as `/model` does and turns compare mode on.
pub(super) fn command(app: &mut App, args: &str) -> Vec<Effect> {
    let names: Vec<&str> = args.split_whitespace().collect();
    if names.is_empty() {
        let text = if app.compare.is_on() {
            format!(
                "compare: {} (/compare off returns to one model)",
                app.compare.summary()
            )
        } else {
            "compare is off: /compare MODEL MODEL [MODEL MODEL], or mark models with Space in \
             the picker (Ctrl+P)"
                .to_string()
        };
        notice(app, text, false);
        app.prompt.take(&app.theme);
        return Vec::new();
    }
    if names == ["off"] {
        let was = app.compare.is_on();
        app.compare.models.clear();
        app.prompt.take(&app.theme);
        let text = if was {
            format!("compare off: prompts go to {}", app.target.label())
        } else {
            "compare was off".to_string()
        };
        notice(app, text, false);
        return Vec::new();
    }
    let mut entries = Vec::new();
    for name in names {
        match super::slash::resolve_model(app, name) {
            Some(entry) => entries.push(entry),
            None => {
                notice(
                    app,
                    format!("/compare: no configured model matches {name:?} (F2 lists them)"),
                    true,
                );
                return Vec::new();
            }
        }
    }
    if set_models(app, &entries) {
        app.prompt.take(&app.theme);
    }
    Vec::new()
}

/// Turns compare mode on with `entries`; false (with why in the status bar) when they are not
/// 2–4 different chat models of configured providers.
pub(super) fn set_models(app: &mut App, entries: &[PickerEntry]) -> bool {
    let mut models: Vec<Target> = Vec::new();
    for e in entries {
        let Some(provider) = app.providers.iter().find(|p| p.name == e.provider) else {
            notice(app, format!("/compare: no provider {}", e.provider), true);
            return false;
        };
        let target = Target {
            provider: provider.clone(),
            model: e.model.clone(),
        };
        if target.model.task_api().is_some() {
            let label = target.label();
            notice(
                app,
                format!("/compare takes chat models: {label} runs generation tasks"),
                true,
            );
            return false;
        }
        if !models.iter().any(|m| m.label() == target.label()) {
            models.push(target);
        }
    }
    if !MODELS.contains(&models.len()) {
        notice(
            app,
            format!(
                "/compare takes 2 to 4 different models, got {}",
                models.len()
            ),
            true,
        );
        return false;
    }
    app.compare.models = models;
    let text = format!(
        "compare: {} · the next prompt goes to each",
        app.compare.summary()
    );
    notice(app, text, false);
    true
}

/// Sends the prompt just added to every model of compare mode: the first reply is shown, the
/// others wait beside it as alternatives, and the columns show them all.
pub(super) fn start(app: &mut App) -> Vec<Effect> {
    let Some(prompt) = app
        .conv
        .messages()
        .last()
        .filter(|m| m.role == Role::User)
        .map(|m| m.id)
    else {
        return Vec::new();
    };
    let history = app.conv.wire_history();
    let mut columns = Vec::new();
    let mut effects = Vec::new();
    for (i, target) in app.compare.models.clone().into_iter().enumerate() {
        let label = target.label();
        let created = (app.wall_clock)();
        let id = if i == 0 {
            app.conv.push_reply(label.clone(), created)
        } else {
            app.conv
                .push_alternative_reply(prompt, label.clone(), created)
        };
        columns.push(Column {
            label,
            flight: InFlight {
                id,
                started: app.now,
                first_token: None,
                pieces: 0,
            },
            ended: None,
            scroll: Scroll {
                top: 0,
                follow: true,
            },
        });
        effects.push(Effect::StartReply {
            reply_id: id,
            target: Box::new(target),
            history: history.clone(),
        });
    }
    app.compare.turn = Some(Turn {
        prompt,
        columns,
        focus: 0,
    });
    app.last_error = None;
    app.notice = None;
    app.scroll.follow = true;
    effects
}

/// True when reply `id` is one of the comparison's, still arriving.
pub(super) fn owns(app: &App, id: u64) -> bool {
    app.compare.column_of(id).is_some()
}

/// A piece of one column's reply.
pub(super) fn on_stream(app: &mut App, id: u64, msg: StreamMsg, now: Instant) {
    let Some(i) = app.compare.column_of(id) else {
        return;
    };
    let Some(mut flight) = app
        .compare
        .turn
        .as_ref()
        .and_then(|t| t.columns.get(i))
        .map(|c| c.flight)
    else {
        return;
    };
    let ended = super::update::stream_into(app, &mut flight, msg, now);
    if let Some(col) = app.compare.turn.as_mut().and_then(|t| t.columns.get_mut(i)) {
        col.flight = flight;
        if ended {
            col.ended = Some(now);
        }
    }
    if ended {
        super::cost::settle(app, id);
    }
}

/// Stops every reply still arriving, keeping their text; their cancellations.
pub(super) fn cancel(app: &mut App) -> Vec<Effect> {
    stop(app, |m| {
        m.cancel();
    })
}

/// Stops every reply still arriving with `end` applied to each message.
pub(super) fn stop(app: &mut App, end: impl Fn(&mut crate::chat::Message)) -> Vec<Effect> {
    let now = app.now;
    let Some(turn) = app.compare.turn.as_mut() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    for col in turn.columns.iter_mut().filter(|c| c.live()) {
        col.ended = Some(now);
        if let Some(m) = app.conv.get_mut(col.flight.id) {
            end(m);
        }
        effects.push(Effect::CancelReply {
            reply_id: col.flight.id,
        });
    }
    effects
}

/// Continues the conversation with column `i`'s reply; the others stay as alternatives. One
/// still arriving goes on as the reply in flight; the others still arriving are stopped.
pub(super) fn pick(app: &mut App, i: usize) -> Vec<Effect> {
    let Some(turn) = app.compare.turn.as_mut() else {
        return Vec::new();
    };
    let Some(chosen) = turn.columns.get(i).cloned() else {
        let n = turn.columns.len();
        notice(app, format!("this comparison has {n} replies"), false);
        return Vec::new();
    };
    // The chosen reply's stream goes on in the main view.
    turn.columns[i].ended = Some(app.now);
    let effects = cancel(app);
    if chosen.live() {
        app.in_flight = Some(chosen.flight);
    }
    app.compare.turn = None;
    app.conv.show(chosen.flight.id);
    app.scroll.follow = true;
    let label = chosen.label;
    notice(
        app,
        format!("continuing with {label}; the other replies are kept as alternatives"),
        false,
    );
    effects
}

/// Before a new prompt: the conversation goes on from the focused column's reply.
pub(super) fn before_prompt(app: &mut App) {
    if let Some(turn) = app.compare.turn.take()
        && let Some(col) = turn.columns.get(turn.focus)
    {
        app.conv.show(col.flight.id);
    }
}

/// After every update: a comparison whose turn left the screen (a new conversation, another
/// session, a retried reply) is put away, and replies of it still arriving are stopped.
pub(super) fn after_update(app: &mut App) -> Vec<Effect> {
    let Some(turn) = &app.compare.turn else {
        return Vec::new();
    };
    let msgs = app.conv.messages();
    let shown = match msgs {
        [.., prompt, reply] => {
            prompt.id == turn.prompt
                && reply.parent == Some(turn.prompt)
                && turn.columns.iter().any(|c| c.flight.id == reply.id)
        }
        _ => false,
    };
    if shown {
        return Vec::new();
    }
    let effects = cancel(app);
    app.compare.turn = None;
    effects
}

/// A key of the comparison's layer; `None` when it does not apply.
pub(super) fn run(app: &mut App, key: CompareKey) -> Option<Vec<Effect>> {
    let turn = app.compare.turn.as_ref()?;
    let n = turn.columns.len();
    let focus = turn.focus;
    let page = app.compare_page().saturating_sub(1).max(1) as isize;
    Some(match key {
        CompareKey::Pick1 => pick(app, 0),
        CompareKey::Pick2 => pick(app, 1),
        CompareKey::Pick3 => pick(app, 2),
        CompareKey::Pick4 => pick(app, 3),
        CompareKey::Pick => pick(app, focus),
        CompareKey::NextColumn => focus_to(app, (focus + 1) % n),
        CompareKey::PrevColumn => focus_to(app, (focus + n - 1) % n),
        CompareKey::ScrollUp => scroll(app, -1),
        CompareKey::ScrollDown => scroll(app, 1),
        CompareKey::PageUp => scroll(app, -page),
        CompareKey::PageDown => scroll(app, page),
    })
}

fn focus_to(app: &mut App, i: usize) -> Vec<Effect> {
    if let Some(turn) = app.compare.turn.as_mut() {
        turn.focus = i;
    }
    Vec::new()
}

/// Scrolls the focused column by `delta` lines; reaching its end follows the reply again.
fn scroll(app: &mut App, delta: isize) -> Vec<Effect> {
    let Some(focus) = app.compare.turn.as_ref().map(|t| t.focus) else {
        return Vec::new();
    };
    let top = app.column_top(focus);
    let total = app
        .compare_layout()
        .get(focus)
        .map_or(0, ColumnLines::height);
    let max_top = total.saturating_sub(app.compare_page());
    let new_top = top.saturating_add_signed(delta).min(max_top);
    if let Some(col) = app
        .compare
        .turn
        .as_mut()
        .and_then(|t| t.columns.get_mut(focus))
    {
        col.scroll = Scroll {
            top: new_top,
            follow: new_top >= max_top,
        };
    }
    Vec::new()
}

/// The wheel (`wheel` lines) or a click at screen column `x` over the comparison: focuses the
/// column there and scrolls it. False when no comparison is on screen.
pub(super) fn mouse(app: &mut App, x: u16, wheel: Option<isize>) -> bool {
    let (Some(turn), Some(panes)) = (&app.compare.turn, app.panes()) else {
        return false;
    };
    let areas = crate::view::compare::areas(panes.conversation, turn.columns.len(), turn.focus);
    let under = areas
        .columns
        .iter()
        .find(|(_, c)| c.body.left() <= x && x < c.body.right())
        .map(|(i, _)| *i);
    if let Some(i) = under {
        focus_to(app, i);
    }
    if let Some(delta) = wheel {
        scroll(app, delta);
    }
    true
}

/// The layout of the columns was made before code could be coloured: lay them out again.
pub(super) fn syntax_ready(app: &mut App) {
    app.compare.layout.get_mut().clear();
}

/// Puts the colours painted on a spare thread into the columns' code.
pub(super) fn apply_painted(app: &mut App) {
    let Some(turn) = &app.compare.turn else {
        return;
    };
    let syntax = app.layout.get_mut().syntax().clone();
    for (lines, col) in app.compare.layout.get_mut().iter_mut().zip(&turn.columns) {
        if let Some(msg) = app.conv.get(col.flight.id) {
            lines.apply_painted(msg, &app.theme, &syntax);
        }
    }
}

fn notice(app: &mut App, text: String, is_error: bool) {
    app.notice = Some(Notice { text, is_error });
}

#[cfg(test)]
mod tests;
