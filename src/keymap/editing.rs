//! Readline (emacs) editing keys as data: which key asks for which edit, and the table the help
//! and the README list. `app::line_edit` applies the edits to a field.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// An editing operation a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOp {
    Insert(char),
    Home,
    End,
    Back,
    Forward,
    WordBack,
    WordForward,
    DeleteBack,
    DeleteForward,
    /// Ctrl+K: from the cursor to the end of the line, into the kill buffer.
    KillToEnd,
    /// Ctrl+U: from the start of the line to the cursor.
    KillToStart,
    /// Ctrl+W, Alt+Backspace: the word before the cursor.
    KillWordBack,
    /// Alt+D: the word after the cursor.
    KillWordForward,
    /// Ctrl+Y: the last killed text.
    Yank,
    /// Ctrl+_ (also reported as Ctrl+7 or Ctrl+/ by terminals).
    Undo,
}

/// The editing operation of `key`, if it is one.
pub fn decode(key: &KeyEvent) -> Option<EditOp> {
    let m = key.modifiers - KeyModifiers::SHIFT;
    let ctrl = m == KeyModifiers::CONTROL;
    let alt = m == KeyModifiers::ALT;
    let none = m.is_empty();
    let op = match key.code {
        KeyCode::Char(c) if none => EditOp::Insert(c),
        KeyCode::Home if none => EditOp::Home,
        KeyCode::End if none => EditOp::End,
        KeyCode::Left if none => EditOp::Back,
        KeyCode::Right if none => EditOp::Forward,
        KeyCode::Left if ctrl || alt => EditOp::WordBack,
        KeyCode::Right if ctrl || alt => EditOp::WordForward,
        KeyCode::Backspace if none => EditOp::DeleteBack,
        KeyCode::Backspace if alt || ctrl => EditOp::KillWordBack,
        KeyCode::Delete if none => EditOp::DeleteForward,
        KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
            'a' => EditOp::Home,
            'e' => EditOp::End,
            'b' => EditOp::Back,
            'f' => EditOp::Forward,
            'h' => EditOp::DeleteBack,
            'd' => EditOp::DeleteForward,
            'k' => EditOp::KillToEnd,
            'u' => EditOp::KillToStart,
            'w' => EditOp::KillWordBack,
            'y' => EditOp::Yank,
            '_' | '7' | '/' | '-' => EditOp::Undo,
            _ => return None,
        },
        KeyCode::Char(c) if alt => match c.to_ascii_lowercase() {
            'b' => EditOp::WordBack,
            'f' => EditOp::WordForward,
            'd' => EditOp::KillWordForward,
            _ => return None,
        },
        _ => return None,
    };
    Some(op)
}

/// The editing keys for the help overlay and the README: keys, what they do.
pub const EDITING_KEYS: &[(&str, &str)] = &[
    ("Ctrl+A, Home", "start of the line"),
    ("Ctrl+E, End", "end of the line"),
    ("Ctrl+B, Ctrl+F, ←, →", "back / forward one character"),
    ("Alt+B, Alt+F, Ctrl+←, Ctrl+→", "back / forward one word"),
    ("Ctrl+K", "cut to the end of the line"),
    ("Ctrl+U", "cut to the start of the line"),
    ("Ctrl+W, Alt+Backspace", "cut the word before the cursor"),
    ("Alt+D", "cut the word after the cursor"),
    ("Ctrl+Y", "paste what was cut last"),
    ("Ctrl+_", "undo"),
    (
        "Ctrl+X Ctrl+E, Alt+E",
        "edit the prompt in $VISUAL / $EDITOR",
    ),
];

/// The editing keys as a Markdown table, for the README (a test keeps its copy in step).
pub fn markdown_table() -> String {
    let mut out = String::from("| Keys | Action |\n| --- | --- |\n");
    for (keys, what) in EDITING_KEYS {
        let keys: Vec<String> = keys.split(", ").map(|k| format!("`{k}`")).collect();
        out.push_str(&format!("| {} | {what} |\n", keys.join(", ")));
    }
    out
}
