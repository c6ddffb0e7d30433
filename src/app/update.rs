//! `update`: every change of state happens here, as a function of the action and the time.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{Action, App, Effect, Focus, InFlight, Notice, Overlay, StreamMsg, switch};
use crate::api::StreamEvent;
use crate::chat::Role;
use crate::keymap::Command;

/// Applies `action` to `app` at time `now` and returns the effects to run.
pub fn update(app: &mut App, action: Action, now: Instant) -> Vec<Effect> {
    if let Action::Keys(keys) = action {
        return typed(app, keys, now);
    }
    app.now = now;
    super::notice::expire(app, now);
    let notice_before = app.notice.clone();
    let armed = app.delete_armed;
    let pressed = matches!(&action, Action::Key(k) if k.kind != KeyEventKind::Release);
    let mut effects = apply(app, action, now);
    super::notice::after_update(app, notice_before, now);
    // Deleting asks for a second `d` right away: any other key lets go of the first.
    if pressed && app.delete_armed == armed {
        app.delete_armed = None;
    }
    // A selection is for the focused conversation; elsewhere `y` and `Y` mean the last reply.
    if app.focus != Focus::Conversation {
        app.selected = None;
    }
    // The caches that follow the conversation catch up here, after every update: the media
    // panel rescans replies, the store is handed what changed. Each compares message revisions
    // with what it last saw; `changes` only narrows where they look (a reply piece touches one
    // message, so with 5,000 loaded it costs that one). The layout catches up on read instead
    // (`App::layout`), once per frame however many updates came in between.
    effects.extend(super::compare::after_update(app));
    let changes = app.conv.take_changes();
    effects.extend(super::media::after_update(app, now, changes));
    super::sessions::persist(app, now, changes, &mut effects);
    effects
}

/// A run of keys: characters bound for the prompt go in as one string, since the editor
/// re-wraps all of its text on every insert (5,000 typed characters were 5,000 re-wraps of up
/// to 5,000 characters); every other key is a full update of its own, in order.
fn typed(app: &mut App, keys: Vec<KeyEvent>, now: Instant) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut run = String::new();
    for key in keys {
        if let KeyCode::Char(c) = key.code
            && key.kind != KeyEventKind::Release
            && (key.modifiers - KeyModifiers::SHIFT).is_empty()
            && !c.is_control()
            && app.overlay.is_none()
            && app.focus == Focus::Input
            && !app.pending_ctrl_x
            && super::keys::types_into_prompt(app, &key, run.is_empty())
        {
            run.push(c);
            continue;
        }
        flush_typed(app, &mut run, now, &mut effects);
        effects.extend(update(app, Action::Key(key), now));
    }
    flush_typed(app, &mut run, now, &mut effects);
    effects
}

/// Inserts the characters gathered by `typed`, with what follows any update.
fn flush_typed(app: &mut App, run: &mut String, now: Instant, effects: &mut Vec<Effect>) {
    if run.is_empty() {
        return;
    }
    app.prompt.editor.insert_str(std::mem::take(run));
    // A tick changes nothing itself: it runs the rest of an update (media, store) for the insert.
    effects.extend(update(app, Action::Tick, now));
}

fn apply(app: &mut App, action: Action, now: Instant) -> Vec<Effect> {
    match action {
        Action::Key(key) => super::keys::on_key(app, key),
        // Split up by `update` before it gets here.
        Action::Keys(keys) => keys
            .into_iter()
            .flat_map(|k| super::keys::on_key(app, k))
            .collect(),
        Action::Paste(text) if app.overlay == Some(Overlay::Sessions) => {
            super::browser::paste(app, &text)
        }
        Action::Paste(text) => {
            if let Some(effects) = super::attach::paste(app, &text) {
                return effects;
            }
            app.prompt.paste(&text);
            Vec::new()
        }
        Action::Mouse(m) => {
            super::mouse::on_mouse(app, m);
            Vec::new()
        }
        Action::Resize { width, height } => {
            app.area = ratatui::layout::Rect::new(0, 0, width, height);
            Vec::new()
        }
        Action::Stream { id, msg } => {
            on_stream(app, id, msg, now);
            super::cost::after_stream(app, now)
        }
        Action::Tick => Vec::new(),
        Action::SyntaxReady => {
            app.layout.get_mut().syntax_ready();
            super::compare::syntax_ready(app);
            Vec::new()
        }
        Action::CodePainted => {
            let layout = app.layout.get_mut();
            layout.syntax().painted_lines_seen();
            layout.apply_painted(&app.conv, &app.theme);
            super::compare::apply_painted(app);
            Vec::new()
        }
        Action::ModelsDiscovered { provider, result } => {
            switch::on_models_discovered(app, provider, result);
            Vec::new()
        }
        Action::Media(msg) => super::media::on_msg(app, msg),
        Action::Task(msg) => super::tasks::on_msg(app, msg, now),
        Action::Store(event) => super::sessions::on_store(app, event, now),
        Action::EditorDone(result) => {
            super::editor::done(app, result);
            Vec::new()
        }
        Action::Terminate(signal) => super::shutdown::on_signal(app, signal),
        Action::Billing(msg) => super::cost::on_msg(app, msg, now),
        Action::Attach(msg) => super::attach::on_msg(app, msg),
    }
}

/// Runs one keymap command.
pub(super) fn run_command(app: &mut App, command: Command) -> Vec<Effect> {
    match command {
        Command::Send => submit(app),
        Command::Newline => {
            app.prompt.newline();
            Vec::new()
        }
        Command::CancelReply => {
            let effects = cancel_reply(app);
            if effects.is_empty() {
                super::branch::stop_editing(app);
            }
            effects
        }
        Command::Interrupt => {
            let effects = cancel_reply(app);
            if !effects.is_empty() {
                effects
            } else if !app.prompt.is_empty() {
                clear_prompt(app)
            } else {
                app.quit = true;
                Vec::new()
            }
        }
        Command::Quit => {
            let effects = cancel_reply(app);
            // The event loop ends on this flag: quitting needs no work at the edge.
            app.quit = true;
            effects
        }
        Command::NewChat => {
            let mut effects = cancel_reply(app);
            super::sessions::leave(app, &mut effects);
            app.conv.clear();
            app.selected = None;
            app.editing = None;
            app.scroll.follow = true;
            app.last_error = None;
            app.notice = Some(Notice {
                text: "new conversation".into(),
                is_error: false,
            });
            effects
        }
        Command::Regenerate => regenerate(app),
        Command::ScrollUp => scroll_by(app, -1),
        Command::ScrollDown => scroll_by(app, 1),
        Command::PageUp => scroll_by(app, -page(app)),
        Command::PageDown => scroll_by(app, page(app)),
        Command::ScrollTop => {
            app.scroll.follow = false;
            app.scroll.top = 0;
            Vec::new()
        }
        Command::ScrollBottom => {
            app.scroll.follow = true;
            Vec::new()
        }
        Command::ToggleReasoning => {
            app.show_reasoning = !app.show_reasoning;
            Vec::new()
        }
        Command::FocusNext => {
            app.focus = match app.focus {
                Focus::Input => Focus::Conversation,
                Focus::Conversation if app.panes().is_some_and(|p| p.media.is_some()) => {
                    Focus::Media
                }
                Focus::Conversation | Focus::Media => Focus::Input,
            };
            Vec::new()
        }
        Command::ModelPicker => switch::open_picker(app),
        Command::ToggleMedia => {
            super::media::toggle(app);
            Vec::new()
        }
        Command::Help => {
            app.overlay = Some(Overlay::Help);
            app.help_scroll = 0;
            Vec::new()
        }
        Command::Sessions => super::sessions::open_browser(app),
        Command::SaveTranscript => super::sessions::save_transcript(app),
        Command::SelectPrev => super::copy::select(app, -1),
        Command::SelectNext => super::copy::select(app, 1),
        Command::CopyMessage => super::copy::copy_message(app),
        Command::CopyCode => super::copy::copy_code(app),
        Command::DeleteExchange => super::turns::delete_selected(app),
        Command::ExternalEditor => super::editor::open(app),
        Command::Suspend => vec![Effect::Suspend],
        Command::PasteImage => super::attach::paste_image(app),
        Command::ToggleMouse => {
            app.mouse = !app.mouse;
            let text = if app.mouse {
                "mouse captured: Shift+drag selects text in most terminals"
            } else {
                "mouse released: drag selects text; the wheel and clicks go to the terminal"
            };
            app.notice = Some(Notice {
                text: text.into(),
                is_error: false,
            });
            vec![Effect::SetMouse(app.mouse)]
        }
    }
}

/// Ctrl+C on a draft: as in a shell, the line goes, but into the history, where Up finds it.
fn clear_prompt(app: &mut App) -> Vec<Effect> {
    let text = app.prompt.take(&app.theme);
    app.notice = Some(Notice {
        text: format!(
            "prompt cleared ({}): Up brings it back",
            super::copy::size(&text)
        ),
        is_error: false,
    });
    Vec::new()
}

fn page(app: &App) -> isize {
    app.viewport_height().saturating_sub(2).max(1) as isize
}

pub(super) fn scroll_by(app: &mut App, delta: isize) -> Vec<Effect> {
    let top = app.scroll_top();
    let max_top = app
        .layout()
        .total_lines()
        .saturating_sub(app.viewport_height());
    let new_top = top.saturating_add_signed(delta).min(max_top);
    app.scroll.top = new_top;
    // Reaching the bottom resumes following; any move up stops it.
    app.scroll.follow = new_top >= max_top;
    Vec::new()
}

fn submit(app: &mut App) -> Vec<Effect> {
    if app.prompt.text().trim().is_empty() {
        return Vec::new();
    }
    let command = super::slash::parse(&app.prompt.text());
    let generates = matches!(command, Some(Ok(super::slash::SlashCommand::Image(_))));
    if app.replying() && (command.is_none() || generates) {
        app.notice = Some(Notice {
            text: super::notice::STILL_STREAMING.into(),
            is_error: false,
        });
        return Vec::new();
    }
    match command {
        Some(Ok(command)) => return super::slash::run(app, command),
        Some(Err(message)) => {
            app.notice = Some(Notice {
                text: message,
                is_error: true,
            });
            return Vec::new();
        }
        None => {}
    }
    if let Some(effects) = super::tasks::enter_images(app) {
        return effects;
    }
    // Compare mode sends to its own (chat) models, whatever the current one is.
    let task = app.target.model.task_api().filter(|_| !app.compare.is_on());
    let attachments = match task {
        Some(api) => super::attach::take_for_task(app, crate::tasks::takes_images(api)),
        None => super::attach::take_for_send(app),
    };
    let Some(attachments) = attachments else {
        return Vec::new();
    };
    let text = app.prompt.take(&app.theme);
    // `//` is how a text starting with `/` gets past the commands.
    let text = match text.trim_start().strip_prefix("//") {
        Some(rest) => format!("/{rest}"),
        None => text,
    };
    // A comparison on screen goes on from its focused reply; then an edited prompt's branch
    // is set aside (in this order, or showing the reply would bring the branch back).
    super::compare::before_prompt(app);
    super::branch::before_send(app);
    if task.is_some() {
        return super::tasks::submit(app, text, attachments);
    }
    let id = app.conv.push(Role::User, text, (app.wall_clock)());
    if let Some(m) = app.conv.get_mut(id) {
        m.attach(attachments);
    }
    if app.compare.is_on() {
        return super::compare::start(app);
    }
    start_reply(app)
}

/// Adds an empty assistant message and asks for a reply into it.
fn start_reply(app: &mut App) -> Vec<Effect> {
    let history = app.conv.wire_history();
    let reply_id = app.conv.push_reply(app.target.label(), (app.wall_clock)());
    app.in_flight = Some(InFlight {
        id: reply_id,
        started: app.now,
        first_token: None,
        pieces: 0,
    });
    app.last_error = None;
    app.notice = None;
    app.scroll.follow = true;
    vec![Effect::StartReply {
        reply_id,
        target: Box::new(app.target.clone()),
        history,
    }]
}

fn regenerate(app: &mut App) -> Vec<Effect> {
    if app.replying() {
        app.notice = Some(Notice {
            text: super::notice::STILL_STREAMING.into(),
            is_error: false,
        });
        return Vec::new();
    }
    if let Some(card) = app.conv.messages().last().filter(|m| m.is_task_card()) {
        // Regenerating would send the `/image` line or the task's prompt to the chat model.
        let text = if card.is_image_generation() {
            "the last turn made images: send the /image line again (↑ recalls it)"
        } else {
            "the last turn is a generation task: send its prompt again (↑ recalls it) or press a card button (b)"
        };
        app.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
        return Vec::new();
    }
    app.conv.set_aside_replies();
    if app
        .conv
        .messages()
        .last()
        .is_some_and(|m| m.role == Role::User)
    {
        start_reply(app)
    } else {
        app.notice = Some(Notice {
            text: "nothing to regenerate".into(),
            is_error: false,
        });
        Vec::new()
    }
}

/// Stops the replies arriving (the one in flight, a comparison's), keeping their text; their
/// cancellations (none when nothing was arriving).
pub(super) fn cancel_reply(app: &mut App) -> Vec<Effect> {
    let mut effects = super::compare::cancel(app);
    if let Some(flight) = app.in_flight.take() {
        if let Some(msg) = app.conv.get_mut(flight.id) {
            msg.cancel();
        }
        effects.push(Effect::CancelReply {
            reply_id: flight.id,
        });
    }
    effects
}

fn on_stream(app: &mut App, id: u64, msg: StreamMsg, now: Instant) {
    if super::compare::owns(app, id) {
        return super::compare::on_stream(app, id, msg, now);
    }
    // Pieces of a cancelled or replaced reply may still be queued: drop them.
    let Some(mut flight) = app.in_flight.filter(|f| f.id == id) else {
        return;
    };
    let ended = stream_into(app, &mut flight, msg, now);
    app.in_flight = (!ended).then_some(flight);
    if ended {
        super::cost::settle(app, id);
    }
}

/// Applies a piece of the reply `flight` tracks to its message and counts it; true when the
/// reply ended (or its message is gone).
pub(super) fn stream_into(
    app: &mut App,
    flight: &mut InFlight,
    msg: StreamMsg,
    now: Instant,
) -> bool {
    let Some(message) = app.conv.get_mut(flight.id) else {
        return true;
    };
    match msg {
        StreamMsg::Event(StreamEvent::Error(e)) => {
            // The client turns these into End(Err); handle a stray one the same way.
            message.interrupt(e.to_string());
            app.last_error = Some(e.to_string());
            true
        }
        StreamMsg::Event(event) => {
            message.receive(&event);
            match event {
                StreamEvent::Content(_) | StreamEvent::Reasoning(_) => flight.pieces += 1,
                StreamEvent::Usage(u) => app.last_usage = Some(u),
                _ => {}
            }
            if message.start_streaming() {
                flight.first_token = Some(now);
            }
            false
        }
        StreamMsg::End(Ok(end)) => {
            message.finish(&end);
            if let Some(u) = end.usage {
                app.last_usage = Some(u);
            }
            true
        }
        StreamMsg::End(Err(e)) => {
            let text = e.to_string();
            message.fail(text.clone());
            app.last_error = Some(text);
            true
        }
    }
}
