//! The model picker: every configured (and discovered) model, fuzzy-filtered as the user types.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::line_edit::LineEdit;
use crate::config::{ModelSpec, Provider};

/// One model the picker can switch to.
#[derive(Debug, Clone, PartialEq)]
pub struct PickerEntry {
    pub provider: String,
    pub model: ModelSpec,
    /// Found through `/models`, not listed in the config.
    pub discovered: bool,
}

impl PickerEntry {
    /// `provider:model`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.provider, self.model.id)
    }

    /// The text the filter matches against.
    pub fn haystack(&self) -> String {
        format!(
            "{} {} {} {}",
            self.provider,
            self.model.id,
            self.model.name.as_deref().unwrap_or(""),
            self.model.kind.as_str()
        )
    }

    /// The group heading this entry sits under.
    pub fn group(&self) -> String {
        if self.discovered {
            format!("{} · discovered", self.provider)
        } else {
            self.provider.clone()
        }
    }
}

/// The picker popup's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPicker {
    pub query: String,
    /// The filter field being edited; `query` is its text.
    pub filter: LineEdit,
    entries: Vec<PickerEntry>,
    /// Indices into `entries` that match the query, in display order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// `provider:model` in use when the picker opened.
    pub current: String,
    /// Provider whose `/models` is being fetched.
    pub fetching: Option<String>,
    /// Providers whose API key is missing, with what their heading says about it.
    pub no_key: Vec<(String, String)>,
}

impl ModelPicker {
    /// A picker over `entries` with the current model selected.
    pub fn new(entries: Vec<PickerEntry>, current: String) -> Self {
        let mut p = Self {
            query: String::new(),
            filter: LineEdit::default(),
            entries,
            visible: Vec::new(),
            selected: 0,
            current,
            fetching: None,
            no_key: Vec::new(),
        };
        p.refilter();
        if let Some(i) = p
            .visible
            .iter()
            .position(|&e| p.entries[e].label() == p.current)
        {
            p.selected = i;
        }
        p
    }

    /// Every entry, matching or not.
    pub fn entries(&self) -> &[PickerEntry] {
        &self.entries
    }

    /// The entry under the cursor.
    pub fn selected_entry(&self) -> Option<&PickerEntry> {
        self.visible.get(self.selected).map(|&i| &self.entries[i])
    }

    /// Replaces the query and filters again.
    pub fn set_query(&mut self, query: String) {
        if self.filter.text() != query {
            self.filter.set(query.as_str());
        }
        self.query = query;
        self.refilter();
        self.selected = 0;
    }

    /// Moves the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Adds the ids a provider's `/models` returned that the config does not list.
    pub fn merge_discovered(&mut self, provider: &Provider, ids: &[String]) {
        let keep = self.selected_entry().map(PickerEntry::label);
        for id in ids {
            let known = self
                .entries
                .iter()
                .any(|e| e.provider == provider.name && e.model.id == *id);
            if !known {
                self.entries.push(PickerEntry {
                    provider: provider.name.clone(),
                    model: ModelSpec::new(id.as_str()),
                    discovered: true,
                });
            }
        }
        self.refilter();
        if let Some(label) = keep
            && let Some(i) = self
                .visible
                .iter()
                .position(|&e| self.entries[e].label() == label)
        {
            self.selected = i;
        }
    }

    fn refilter(&mut self) {
        let mut scored: Vec<(usize, i64)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| fuzzy_score(&self.query, &e.haystack()).map(|s| (i, s)))
            .collect();
        // Groups keep their order (config order, discovered after); inside a group the best match
        // comes first, and ties keep config order.
        let group_rank = |i: usize| {
            let e = &self.entries[i];
            let first = self
                .entries
                .iter()
                .position(|o| o.group() == e.group())
                .unwrap_or(i);
            (e.discovered, first)
        };
        scored.sort_by_key(|&(i, s)| (group_rank(i), std::cmp::Reverse(s), i));
        self.visible = scored.into_iter().map(|(i, _)| i).collect();
    }
}

/// Builds the picker's entries from the providers and any cached discovered ids.
pub fn entries_for(
    providers: &[Provider],
    discovered: &[(String, Vec<String>)],
) -> Vec<PickerEntry> {
    let mut out: Vec<PickerEntry> = providers
        .iter()
        .flat_map(|p| {
            p.models.iter().map(move |m| PickerEntry {
                provider: p.name.clone(),
                model: m.clone(),
                discovered: false,
            })
        })
        .collect();
    for (name, ids) in discovered {
        for id in ids {
            if !out.iter().any(|e| &e.provider == name && e.model.id == *id)
                && providers.iter().any(|p| &p.name == name)
            {
                out.push(PickerEntry {
                    provider: name.clone(),
                    model: ModelSpec::new(id.as_str()),
                    discovered: true,
                });
            }
        }
    }
    out
}

/// Scores `haystack` against `query`: every whitespace-separated term must appear as an ordered
/// subsequence (case-insensitive, so `ds chat` finds `deepseek-chat` and `星火` finds `讯飞星火`).
/// Higher is better; `None` means no match. An empty query matches everything equally.
pub fn fuzzy_score(query: &str, haystack: &str) -> Option<i64> {
    let hay: Vec<char> = haystack.to_lowercase().chars().collect();
    let mut total = 0;
    for term in query.split_whitespace() {
        total += term_score(&term.to_lowercase().chars().collect::<Vec<_>>(), &hay)?;
    }
    Some(total)
}

fn term_score(term: &[char], hay: &[char]) -> Option<i64> {
    // Greedy from every possible start; the best start wins. Terms are short, so this is cheap.
    let mut best: Option<i64> = None;
    for start in 0..hay.len() {
        if hay[start] != term[0] {
            continue;
        }
        let mut score = 0i64;
        let mut pos = start;
        let mut prev: Option<usize> = None;
        let mut ok = true;
        for &c in term {
            match hay[pos..].iter().position(|&h| h == c) {
                Some(off) => {
                    let at = pos + off;
                    score += 1;
                    if prev.is_some_and(|p| p + 1 == at) {
                        score += 5; // contiguous run
                    } else if let Some(p) = prev {
                        score -= (at - p - 1).min(10) as i64; // gap
                    }
                    if at == 0 || !hay[at - 1].is_alphanumeric() {
                        score += 3; // word start
                    }
                    prev = Some(at);
                    pos = at + 1;
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            best = Some(best.map_or(score, |b| b.max(score)));
        }
    }
    if term.is_empty() { Some(0) } else { best }
}

/// What a key did in the picker.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerOutcome {
    /// Still open (query or cursor changed, or nothing).
    Stay,
    Close,
    Choose(PickerEntry),
    /// Fetch `/models` of this provider.
    Discover(String),
}

/// Applies a key to the picker.
pub fn handle_key(p: &mut ModelPicker, key: KeyEvent, page: usize) -> PickerOutcome {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let page = page.max(1) as isize;
    match key.code {
        KeyCode::Esc => return PickerOutcome::Close,
        KeyCode::Enter => {
            return p
                .selected_entry()
                .cloned()
                .map_or(PickerOutcome::Stay, PickerOutcome::Choose);
        }
        KeyCode::Up => p.move_by(-1),
        KeyCode::Down => p.move_by(1),
        KeyCode::PageUp => p.move_by(-page),
        KeyCode::PageDown => p.move_by(page),
        KeyCode::Home if ctrl || p.query.is_empty() => p.selected = 0,
        KeyCode::End if ctrl || p.query.is_empty() => p.move_by(isize::MAX),
        KeyCode::Char('f') if ctrl => {
            let provider = p
                .selected_entry()
                .map(|e| e.provider.clone())
                .or_else(|| p.current.split_once(':').map(|(a, _)| a.to_string()));
            return provider.map_or(PickerOutcome::Stay, PickerOutcome::Discover);
        }
        KeyCode::Char('p') if ctrl => return PickerOutcome::Close,
        KeyCode::Char('n') if ctrl => p.move_by(1),
        // The filter is a readline field (Ctrl+F excepted: it fetches, above).
        _ => {
            if p.filter.input(&key) == Some(true) {
                p.set_query(p.filter.text().to_string());
            }
        }
    }
    PickerOutcome::Stay
}

#[cfg(test)]
mod tests {
    use super::*;

    fn providers() -> Vec<Provider> {
        let mut a = Provider::new("ecovai", Some("https://api.ecovai.cn/v1".into()));
        a.models = vec![
            ModelSpec::new("deepseek-chat"),
            ModelSpec::new("deepseek-reasoner"),
            ModelSpec {
                name: Some("讯飞星火 v3".into()),
                ..ModelSpec::new("spark-v3")
            },
            ModelSpec::new("gpt-4o-all"),
        ];
        let mut b = Provider::new("local", Some("http://127.0.0.1:11434/v1".into()));
        b.models = vec![ModelSpec::new("qwen2.5:7b")];
        vec![a, b]
    }

    fn labels(p: &ModelPicker) -> Vec<String> {
        p.visible.iter().map(|&i| p.entries()[i].label()).collect()
    }

    #[test]
    fn empty_query_lists_everything_in_config_order_with_the_current_selected() {
        let p = ModelPicker::new(entries_for(&providers(), &[]), "ecovai:spark-v3".into());
        assert_eq!(
            labels(&p),
            [
                "ecovai:deepseek-chat",
                "ecovai:deepseek-reasoner",
                "ecovai:spark-v3",
                "ecovai:gpt-4o-all",
                "local:qwen2.5:7b"
            ]
        );
        assert_eq!(p.selected_entry().unwrap().label(), "ecovai:spark-v3");
    }

    #[test]
    fn fuzzy_terms_case_insensitive_and_chinese() {
        let mut p = ModelPicker::new(entries_for(&providers(), &[]), String::new());
        p.set_query("DS chat".into());
        assert_eq!(labels(&p)[0], "ecovai:deepseek-chat");
        assert!(!labels(&p).contains(&"ecovai:gpt-4o-all".to_string()));
        p.set_query("星火".into());
        assert_eq!(labels(&p), ["ecovai:spark-v3"]);
        p.set_query("image".into());
        assert_eq!(
            labels(&p),
            ["ecovai:gpt-4o-all"],
            "capability tags are searchable"
        );
        p.set_query("zzz".into());
        assert!(labels(&p).is_empty());
        assert!(p.selected_entry().is_none());
    }

    #[test]
    fn contiguous_matches_rank_first() {
        assert!(
            fuzzy_score("chat", "deepseek-chat").unwrap() > fuzzy_score("chat", "c-h-a-t").unwrap()
        );
        assert_eq!(fuzzy_score("", "anything"), Some(0));
        assert_eq!(fuzzy_score("ab", "ba"), None);
    }

    #[test]
    fn keys_type_filter_move_and_choose() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut p = ModelPicker::new(entries_for(&providers(), &[]), String::new());
        for c in "reason".chars() {
            assert_eq!(
                handle_key(&mut p, k(KeyCode::Char(c)), 10),
                PickerOutcome::Stay
            );
        }
        assert_eq!(labels(&p)[0], "ecovai:deepseek-reasoner");
        handle_key(&mut p, k(KeyCode::Backspace), 10);
        assert_eq!(p.query, "reaso");
        let PickerOutcome::Choose(e) = handle_key(&mut p, k(KeyCode::Enter), 10) else {
            panic!()
        };
        assert_eq!(e.label(), "ecovai:deepseek-reasoner");
        let ctrl_f = KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL);
        assert_eq!(
            handle_key(&mut p, ctrl_f, 10),
            PickerOutcome::Discover("ecovai".into())
        );
        assert_eq!(
            handle_key(&mut p, k(KeyCode::Esc), 10),
            PickerOutcome::Close
        );
    }

    #[test]
    fn moving_is_clamped() {
        let mut p = ModelPicker::new(entries_for(&providers(), &[]), String::new());
        p.move_by(-5);
        assert_eq!(p.selected, 0);
        p.move_by(100);
        assert_eq!(p.selected, 4);
    }

    #[test]
    fn discovered_ids_join_a_group_of_their_own_without_duplicates() {
        let provs = providers();
        let mut p = ModelPicker::new(entries_for(&provs, &[]), "ecovai:deepseek-chat".into());
        p.merge_discovered(&provs[0], &["deepseek-chat".into(), "glm-4-plus".into()]);
        let l = labels(&p);
        assert_eq!(l.iter().filter(|x| *x == "ecovai:deepseek-chat").count(), 1);
        assert_eq!(l.last().unwrap(), "ecovai:glm-4-plus");
        let e = p
            .entries()
            .iter()
            .find(|e| e.model.id == "glm-4-plus")
            .unwrap();
        assert!(e.discovered);
        assert_eq!(e.group(), "ecovai · discovered");
        assert_eq!(
            p.selected_entry().unwrap().label(),
            "ecovai:deepseek-chat",
            "selection kept"
        );
    }

    #[test]
    fn cached_discoveries_for_unknown_providers_are_dropped() {
        let e = entries_for(
            &providers(),
            &[
                ("gone".into(), vec!["x".into()]),
                ("local".into(), vec!["llama3".into()]),
            ],
        );
        assert!(
            e.iter()
                .any(|e| e.label() == "local:llama3" && e.discovered)
        );
        assert!(!e.iter().any(|e| e.provider == "gone"));
    }
}
