//! Reading ecochat's screen as captured by tmux: status bar, input box, conversation text.

/// The last non-blank line: the status bar while ecochat runs.
pub fn status_line(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// True when the status bar says nothing is in flight.
pub fn is_idle(screen: &str) -> bool {
    status_line(screen).contains(" idle ")
}

/// The screen with all whitespace removed, so text can be found however it was wrapped.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The rows of the input box's text, (row index, text without the padding), top to bottom.
pub fn input_rows(screen: &str) -> Vec<(usize, String)> {
    input_inner_rows(screen)
        .into_iter()
        .map(|(i, inner)| (i, inner.trim().to_string()))
        .collect()
}

/// The screen column where the input box's text starts: after the border and the padding.
pub fn input_text_column(screen: &str) -> Option<usize> {
    input_inner_rows(screen).into_iter().find_map(|(_, inner)| {
        let pad = inner.len() - inner.trim_start_matches(' ').len();
        (pad < inner.len()).then_some(1 + pad)
    })
}

/// The input box's rows between its side borders, untrimmed on the left.
fn input_inner_rows(screen: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(bottom) = lines.iter().rposition(|l| l.starts_with('╰')) else {
        return Vec::new();
    };
    let Some(top) = lines[..bottom].iter().rposition(|l| l.starts_with('╭')) else {
        return Vec::new();
    };
    (top + 1..bottom)
        .map(|i| {
            let inner = lines[i]
                .trim_end()
                .strip_prefix('│')
                .unwrap_or(lines[i])
                .trim_end_matches('│')
                .trim_end();
            (i, inner.to_string())
        })
        .collect()
}

/// The conversation text, whitespace and the scrollbar removed, so wrapped text reads as one run.
pub fn conversation_text(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| l.starts_with('╭'))
        .unwrap_or(lines.len());
    let mut out = String::new();
    for line in &lines[..end] {
        let line = line.trim_end();
        // The scrollbar (track `║`, thumb `█`) is the last column when the text overflows.
        let line = line.strip_suffix(['║', '█']).unwrap_or(line);
        out.push_str(&squash(line));
    }
    out
}
