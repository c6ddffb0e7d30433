//! The session browser (Ctrl+O): its state and keys. Typing searches; Tab moves to the list,
//! where `d` deletes (after y/n), `r` renames and j/k move, as in the conversation pane.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::line_edit::LineEdit;
use super::{App, Effect, Notice};
use crate::keymap::BrowserKey;
use crate::sanitize::sanitize;
use crate::store::SearchHit;
use crate::store::task::{SessionRef, StoreCmd};

/// Which part of the browser gets typed characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrowserFocus {
    /// Characters edit the search.
    #[default]
    Search,
    /// Letters are commands: j/k move, d delete, r rename, `/` back to the search.
    List,
}

/// What the bottom line of the browser is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BrowserMode {
    #[default]
    Browse,
    /// Asking whether to delete the selected session.
    ConfirmDelete,
    /// Editing a new title for the selected session.
    Rename(LineEdit),
}

/// State of the Ctrl+O popup.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionBrowser {
    /// The search field.
    pub query: LineEdit,
    pub hits: Vec<SearchHit>,
    pub selected: usize,
    /// Bumped per search; answers to older searches are dropped.
    pub generation: u64,
    /// A search is on its way.
    pub pending: bool,
    pub focus: BrowserFocus,
    pub mode: BrowserMode,
    /// Why the last search failed.
    pub error: Option<String>,
}

impl SessionBrowser {
    /// The highlighted session.
    pub fn selected_hit(&self) -> Option<&SearchHit> {
        self.hits.get(self.selected)
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.hits.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }
}

/// A search for the current query.
pub fn search(b: &mut SessionBrowser) -> Effect {
    b.generation += 1;
    b.pending = true;
    Effect::Store(StoreCmd::Search {
        query: b.query.text().to_string(),
        generation: b.generation,
    })
}

/// The store's answer to search `generation`.
pub fn on_found(b: &mut SessionBrowser, generation: u64, hits: Result<Vec<SearchHit>, String>) {
    if generation != b.generation {
        return;
    }
    b.pending = false;
    match hits {
        Ok(hits) => {
            b.hits = hits;
            b.error = None;
            b.selected = b.selected.min(b.hits.len().saturating_sub(1));
        }
        Err(e) => b.error = Some(e),
    }
}

/// Pasted text goes into the search (or the title being edited).
pub fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    let b = &mut app.sessions.browser;
    let text = text.replace(['\r', '\n'], " ");
    match &mut b.mode {
        BrowserMode::Rename(title) => {
            title.insert_str(&text);
            Vec::new()
        }
        _ => {
            b.focus = BrowserFocus::Search;
            b.query.insert_str(&text);
            vec![search(b)]
        }
    }
}

/// A key while the browser asks y/n or edits a title; `None` outside those modes.
pub fn modal_key(app: &mut App, key: KeyEvent) -> Option<Vec<Effect>> {
    let typed = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let b = &mut app.sessions.browser;
    match &mut b.mode {
        BrowserMode::ConfirmDelete => {
            b.mode = BrowserMode::Browse;
            Some(match key.code {
                KeyCode::Char('y' | 'Y') if typed => delete_selected(app),
                _ => Vec::new(),
            })
        }
        BrowserMode::Rename(title) => {
            match key.code {
                KeyCode::Enter => return Some(rename_selected(app)),
                KeyCode::Esc => b.mode = BrowserMode::Browse,
                _ => _ = title.input(&key),
            }
            Some(Vec::new())
        }
        BrowserMode::Browse => None,
    }
}

/// True while the list has the focus, so plain letters are commands.
pub fn list_focused(app: &App) -> bool {
    app.sessions.browser.focus == BrowserFocus::List
}

/// Runs a browser command.
pub fn run(app: &mut App, command: BrowserKey) -> Vec<Effect> {
    let page = page(app);
    let b = &mut app.sessions.browser;
    match command {
        BrowserKey::Close => close(app),
        BrowserKey::Open => return open_selected(app),
        BrowserKey::Up => b.move_by(-1),
        BrowserKey::Down => b.move_by(1),
        BrowserKey::PageUp => b.move_by(-page),
        BrowserKey::PageDown => b.move_by(page),
        BrowserKey::First => b.selected = 0,
        BrowserKey::Last => b.move_by(isize::MAX),
        BrowserKey::SwitchFocus => {
            b.focus = match b.focus {
                BrowserFocus::Search => BrowserFocus::List,
                BrowserFocus::List => BrowserFocus::Search,
            }
        }
        BrowserKey::Delete => ask_delete(b),
        BrowserKey::Rename => ask_rename(b),
        BrowserKey::Search => b.focus = BrowserFocus::Search,
    }
    Vec::new()
}

/// A key no command has: it edits the search (a character typed in the list goes back to
/// searching, as typing does in the main view).
pub fn typed(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let b = &mut app.sessions.browser;
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(c) if plain && b.focus == BrowserFocus::List => {
            b.focus = BrowserFocus::Search;
            b.query.apply(super::line_edit::EditOp::Insert(c));
            vec![search(b)]
        }
        _ if b.focus == BrowserFocus::Search && b.query.input(&key) == Some(true) => {
            vec![search(b)]
        }
        _ => Vec::new(),
    }
}

/// Sessions moved by PgUp/PgDn: as many as the list shows, two rows each when they show the
/// line that matched.
fn page(app: &App) -> isize {
    let b = &app.sessions.browser;
    let rows = 1 + usize::from(b.hits.iter().any(|h| h.snippet.is_some()));
    crate::view::popup::browser_page(app.area, rows) as isize
}

fn close(app: &mut App) {
    app.overlay = None;
}

fn ask_delete(b: &mut SessionBrowser) {
    if b.selected_hit().is_some() {
        b.mode = BrowserMode::ConfirmDelete;
    }
}

fn ask_rename(b: &mut SessionBrowser) {
    if let Some(hit) = b.selected_hit() {
        b.mode = BrowserMode::Rename(LineEdit::new(hit.session.title.clone()));
    }
}

fn open_selected(app: &mut App) -> Vec<Effect> {
    let Some((id, hit)) = app
        .sessions
        .browser
        .selected_hit()
        .map(|h| (h.session.id, h.message))
    else {
        return Vec::new();
    };
    close(app);
    if app.sessions.current == SessionRef::Id(id) {
        // The hit may be on a branch not shown.
        if let Some(seq) = hit.filter(|_| !app.replying()) {
            app.conv.show(seq);
        }
        return Vec::new();
    }
    // The session opens on the branch of the message that matched.
    app.sessions.open_at = hit.map(|seq| (id, seq));
    vec![Effect::Store(StoreCmd::Load { id })]
}

fn delete_selected(app: &mut App) -> Vec<Effect> {
    let b = &mut app.sessions.browser;
    let Some(id) = b.selected_hit().map(|h| h.session.id) else {
        return Vec::new();
    };
    b.hits.remove(b.selected);
    b.move_by(0);
    let mut effects = Vec::new();
    if app.sessions.current == SessionRef::Id(id) {
        super::sessions::forget_current(app, &mut effects);
    }
    effects.push(Effect::Store(StoreCmd::Delete { id }));
    effects
}

fn rename_selected(app: &mut App) -> Vec<Effect> {
    let b = &mut app.sessions.browser;
    let BrowserMode::Rename(title) = std::mem::take(&mut b.mode) else {
        return Vec::new();
    };
    let title = sanitize(title.text().trim()).into_owned();
    let Some(hit) = b.hits.get_mut(b.selected) else {
        return Vec::new();
    };
    if title.is_empty() {
        app.notice = Some(Notice {
            text: "a title cannot be empty".into(),
            is_error: true,
        });
        return Vec::new();
    }
    hit.session.title = title.clone();
    let id = hit.session.id;
    if app.sessions.current == SessionRef::Id(id) {
        app.sessions.title = Some(title.clone());
    }
    vec![Effect::Store(StoreCmd::Rename { id, title })]
}
