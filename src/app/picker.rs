//! The model picker: every configured (and discovered) model, fuzzy-filtered as the user types.

use std::collections::{HashMap, HashSet};

use crossterm::event::KeyEvent;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config as MatchConfig, Matcher, Utf32String};

use crate::keymap::PickerKey;

use super::line_edit::LineEdit;
use crate::api::models::MAX_DISCOVERED;
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
    /// Per entry, its haystack in the matcher's form: made once, not on every keystroke.
    hay: Vec<Utf32String>,
    /// Per entry, where its group sorts: configured before discovered, then first appearance.
    group_rank: Vec<(bool, usize)>,
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
    /// `provider:model` of the models marked to compare (Space), in the order marked.
    pub marked: Vec<String>,
}

impl ModelPicker {
    /// A picker over `entries` with the current model selected.
    pub fn new(entries: Vec<PickerEntry>, current: String) -> Self {
        let mut p = Self {
            query: String::new(),
            filter: LineEdit::default(),
            entries,
            hay: Vec::new(),
            group_rank: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            current,
            fetching: None,
            no_key: Vec::new(),
            marked: Vec::new(),
        };
        p.reindex();
        p.refilter(false);
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
        // Typing on only narrows: what matches the longer query matched the shorter one (terms
        // are subsequences, lowercased a character at a time), so only those are scored again.
        let narrows = !self.query.is_empty() && query.starts_with(self.query.as_str());
        self.query = query;
        self.refilter(narrows);
        self.selected = 0;
    }

    /// Marks the model under the cursor to compare, or unmarks it; at most four are marked.
    pub fn toggle_mark(&mut self) {
        let Some(label) = self.selected_entry().map(PickerEntry::label) else {
            return;
        };
        if let Some(i) = self.marked.iter().position(|m| *m == label) {
            self.marked.remove(i);
        } else if self.marked.len() < *super::compare::MODELS.end() {
            self.marked.push(label);
        }
    }

    /// Where `label` is among the marked models (1 for the first marked), if marked.
    pub fn mark_of(&self, label: &str) -> Option<usize> {
        self.marked.iter().position(|m| m == label).map(|i| i + 1)
    }

    /// Moves the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Adds the ids a provider's `/models` returned that the config does not list, at most
    /// [`MAX_DISCOVERED`] for the provider.
    pub fn merge_discovered(&mut self, provider: &Provider, ids: &[String]) {
        let keep = self.selected_entry().map(PickerEntry::label);
        let mine = self.entries.iter().filter(|e| e.provider == provider.name);
        let room = MAX_DISCOVERED.saturating_sub(mine.clone().filter(|e| e.discovered).count());
        // A set, not a scan of the entries per id: 60,000 ids took 8.8 s that way.
        let mut known: HashSet<&str> = mine.map(|e| e.model.id.as_str()).collect();
        let new: Vec<PickerEntry> = ids
            .iter()
            .filter(|id| known.insert(id.as_str()))
            .take(room)
            .map(|id| PickerEntry {
                provider: provider.name.clone(),
                model: ModelSpec::new(id.as_str()),
                discovered: true,
            })
            .collect();
        self.entries.extend(new);
        self.reindex();
        self.refilter(false);
        if let Some(label) = keep
            && let Some(i) = self
                .visible
                .iter()
                .position(|&e| self.entries[e].label() == label)
        {
            self.selected = i;
        }
    }

    /// Brings the per-entry haystacks and group ranks up to date after entries were added.
    fn reindex(&mut self) {
        let from = self.hay.len();
        self.hay
            .extend(self.entries[from..].iter().map(|e| e.haystack().into()));
        let mut first: HashMap<String, usize> = HashMap::new();
        self.group_rank = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.discovered, *first.entry(e.group()).or_insert(i)))
            .collect();
    }

    /// Filters and sorts again; `narrow` looks only at the entries visible now.
    fn refilter(&mut self, narrow: bool) {
        let pattern = parse_query(&self.query);
        // One matcher per keystroke: its scratch space is reused across every entry.
        let mut matcher = Matcher::new(MatchConfig::DEFAULT);
        let mut score = |i: usize| {
            pattern
                .score(self.hay[i].slice(..), &mut matcher)
                .map(|s| (i, s))
        };
        let mut scored: Vec<(usize, u32)> = if narrow {
            self.visible.iter().filter_map(|&i| score(i)).collect()
        } else {
            (0..self.entries.len()).filter_map(&mut score).collect()
        };
        // Groups keep their order (config order, discovered after); inside a group the best match
        // comes first, and ties keep config order.
        scored.sort_unstable_by_key(|&(i, s)| (self.group_rank[i], std::cmp::Reverse(s), i));
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
    let mut found = Vec::new();
    {
        // Sets, not a scan per id: a cached list of 450,000 ids froze every Ctrl+P.
        let mut known: HashSet<(&str, &str)> = out
            .iter()
            .map(|e| (e.provider.as_str(), e.model.id.as_str()))
            .collect();
        let configured: HashSet<&str> = providers.iter().map(|p| p.name.as_str()).collect();
        for (name, ids) in discovered {
            if !configured.contains(name.as_str()) {
                continue;
            }
            let new = ids
                .iter()
                .filter(|id| known.insert((name.as_str(), id.as_str())))
                .take(MAX_DISCOVERED)
                .map(|id| PickerEntry {
                    provider: name.clone(),
                    model: ModelSpec::new(id.as_str()),
                    discovered: true,
                });
            found.extend(new);
        }
    }
    out.extend(found);
    out
}

/// Scores `haystack` against `query` with nucleo (helix's matcher): every whitespace-separated
/// term must match, fuzzily and ignoring case, so `ds chat` finds `deepseek-chat` and `星火`
/// finds `讯飞星火`; as in fzf, `'word` matches exactly and `!word` leaves out. Higher is
/// better; `None` means no match. An empty query matches everything equally.
pub fn fuzzy_score(query: &str, haystack: &str) -> Option<u32> {
    Filter::new(query).score(haystack)
}

/// A query ready to score many haystacks with one matcher's scratch space.
pub struct Filter {
    pattern: Pattern,
    matcher: Matcher,
}

impl Filter {
    /// Parses `query` once.
    pub fn new(query: &str) -> Self {
        Self {
            pattern: parse_query(query),
            matcher: Matcher::new(MatchConfig::DEFAULT),
        }
    }

    /// `haystack`'s score, as [`fuzzy_score`] gives it.
    pub fn score(&mut self, haystack: &str) -> Option<u32> {
        let mut buf = Vec::new();
        let hay = nucleo_matcher::Utf32Str::new(haystack, &mut buf);
        self.pattern.score(hay, &mut self.matcher)
    }
}

fn parse_query(query: &str) -> Pattern {
    Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart)
}

/// What a key did in the picker.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerOutcome {
    /// Still open (query or cursor changed, or nothing).
    Stay,
    Close,
    /// Boxed: a model's settings make the entry large beside the other outcomes.
    Choose(Box<PickerEntry>),
    /// Fetch `/models` of this provider.
    Discover(String),
    /// Compare these models (those marked, in order).
    Compare(Vec<PickerEntry>),
}

/// Runs a picker command, or (`None`) gives the key to the filter.
pub fn run(
    p: &mut ModelPicker,
    command: Option<PickerKey>,
    key: KeyEvent,
    page: usize,
) -> PickerOutcome {
    let page = page.max(1) as isize;
    let Some(command) = command else {
        // The filter is a readline field.
        if p.filter.input(&key) == Some(true) {
            p.set_query(p.filter.text().to_string());
        }
        return PickerOutcome::Stay;
    };
    match command {
        PickerKey::Close => return PickerOutcome::Close,
        PickerKey::Choose if !p.marked.is_empty() => return compare_marked(p),
        PickerKey::Mark => p.toggle_mark(),
        PickerKey::Choose => {
            return p
                .selected_entry()
                .cloned()
                .map_or(PickerOutcome::Stay, |e| PickerOutcome::Choose(Box::new(e)));
        }
        PickerKey::Up => p.move_by(-1),
        PickerKey::Down => p.move_by(1),
        PickerKey::PageUp => p.move_by(-page),
        PickerKey::PageDown => p.move_by(page),
        PickerKey::First => p.selected = 0,
        PickerKey::Last => p.move_by(isize::MAX),
        PickerKey::FetchModels => {
            let provider = p
                .selected_entry()
                .map(|e| e.provider.clone())
                .or_else(|| p.current.split_once(':').map(|(a, _)| a.to_string()));
            return provider.map_or(PickerOutcome::Stay, PickerOutcome::Discover);
        }
    }
    PickerOutcome::Stay
}

/// Enter with marks: the marked models, with the one under the cursor when only one is marked
/// and the cursor is elsewhere (mark one, move to another, Enter).
fn compare_marked(p: &ModelPicker) -> PickerOutcome {
    let mut labels = p.marked.clone();
    if labels.len() == 1
        && let Some(e) = p.selected_entry()
        && !labels.contains(&e.label())
    {
        labels.push(e.label());
    }
    let entries: Vec<PickerEntry> = labels
        .iter()
        .filter_map(|l| p.entries.iter().find(|e| e.label() == *l).cloned())
        .collect();
    match entries.as_slice() {
        [one] => PickerOutcome::Choose(Box::new(one.clone())),
        [] => PickerOutcome::Stay,
        _ => PickerOutcome::Compare(entries),
    }
}

/// Applies a key to the picker with the default picker keys.
#[cfg(test)]
pub fn handle_key(p: &mut ModelPicker, key: KeyEvent, page: usize) -> PickerOutcome {
    use crate::keymap::layer::LayerMap;
    let command = LayerMap::<PickerKey>::default().lookup(&key, p.query.is_empty());
    run(p, command, key, page)
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
    fn a_quoted_term_matches_exactly_and_a_bang_leaves_out() {
        let mut p = ModelPicker::new(entries_for(&providers(), &[]), String::new());
        p.set_query("deepseek !reason".into());
        assert_eq!(labels(&p), ["ecovai:deepseek-chat"]);
        p.set_query("'sek".into());
        assert!(labels(&p).is_empty(), "no id holds `sek` in one piece");
        p.set_query("sek".into());
        assert!(!labels(&p).is_empty(), "fuzzily, `sek` is in deepseek");
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

    #[test]
    fn typing_on_narrows_to_the_same_list_as_filtering_afresh() {
        let provs = providers();
        let ids: Vec<String> = [
            "deepseek-v3",
            "DeepSeek-R1",
            "ΣΙΣΥΦΟΣ-σ",
            "glm-4",
            "ds chat",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut typed = ModelPicker::new(entries_for(&provs, &[]), String::new());
        typed.merge_discovered(&provs[0], &ids);
        for query in [
            "d",
            "de",
            "dee",
            "deep ",
            "deep r",
            "σ",
            "σι",
            "σισ",
            "ΣΙΣΥΦΟΣ",
        ] {
            typed.set_query(query.into());
            let mut fresh = ModelPicker::new(entries_for(&provs, &[]), String::new());
            fresh.merge_discovered(&provs[0], &ids);
            fresh.set_query(query.into());
            assert_eq!(labels(&typed), labels(&fresh), "{query}");
        }
    }

    #[test]
    fn merging_skips_repeats_and_stops_at_the_cap() {
        let provs = providers();
        let mut p = ModelPicker::new(entries_for(&provs, &[]), String::new());
        let ids: Vec<String> = (0..MAX_DISCOVERED + 5)
            .map(|i| format!("m{}", i % (MAX_DISCOVERED + 3)))
            .collect();
        p.merge_discovered(&provs[0], &ids);
        p.merge_discovered(&provs[0], &["one-more".into()]);
        let found = p.entries().iter().filter(|e| e.discovered).count();
        assert_eq!(found, MAX_DISCOVERED);
        let cached = entries_for(&provs, &[("ecovai".into(), ids)]);
        assert_eq!(
            cached.iter().filter(|e| e.discovered).count(),
            MAX_DISCOVERED
        );
    }
}
