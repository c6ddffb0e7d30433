//! A conversation is a tree: each message follows its `parent`, and a retried reply, an edited
//! prompt or the replies of a comparison are siblings. These are the pure rules that choose the
//! path shown (and sent) and number the siblings; `Conversation` keeps the two lists.

use std::collections::HashMap;

use super::{Message, Role};

/// Where a message stands among the alternatives of its turn: `index` of `count`, from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fork {
    pub index: usize,
    pub count: usize,
}

/// Whether `m` takes part in the tree (a system prompt stands apart, always first).
pub(super) fn in_tree(m: &Message) -> bool {
    m.role != Role::System
}

/// The ids, in order, of the path through `focus` (the newest message when `None` or not
/// found): its ancestors, then below it the child that leads to the newest message at each
/// step. Below a branch point the newest child wins, so a session opens on the branch last
/// written to.
pub(super) fn path_through(all: &[&Message], focus: Option<u64>) -> Vec<u64> {
    let by_id: HashMap<u64, &Message> = all
        .iter()
        .filter(|m| in_tree(m))
        .map(|m| (m.id, *m))
        .collect();
    let newest = by_id.keys().copied().max();
    let Some(focus) = focus.filter(|id| by_id.contains_key(id)).or(newest) else {
        return Vec::new();
    };
    // The newest id in each message's subtree: a child leads to it when its own does. A parent
    // is always older than its child (ids only grow), so one pass from the newest settles it.
    let mut ids: Vec<u64> = by_id.keys().copied().collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    let mut newest_below: HashMap<u64, u64> = HashMap::with_capacity(ids.len());
    let mut children: HashMap<Option<u64>, Vec<u64>> = HashMap::new();
    for id in ids {
        let best = *newest_below.entry(id).or_insert(id);
        let parent = by_id.get(&id).and_then(|m| m.parent);
        children.entry(parent).or_default().push(id);
        if let Some(p) = parent {
            let up = newest_below.entry(p).or_insert(p);
            *up = (*up).max(best);
        }
    }
    let mut path = Vec::new();
    let mut at = Some(focus);
    while let Some(id) = at.filter(|_| path.len() <= by_id.len()) {
        path.push(id);
        at = by_id.get(&id).and_then(|m| m.parent);
    }
    path.reverse();
    let mut tail = focus;
    while let Some(next) = children.get(&Some(tail)).and_then(|kids| {
        kids.iter()
            .copied()
            .max_by_key(|k| newest_below.get(k).copied().unwrap_or(*k))
    }) {
        if path.len() > by_id.len() {
            break;
        }
        path.push(next);
        tail = next;
    }
    path
}

/// The siblings of a message: messages with the same parent and role, by id.
pub(super) fn siblings<'a>(all: impl Iterator<Item = &'a Message>, of: &Message) -> Vec<u64> {
    let mut ids: Vec<u64> = all
        .filter(|m| in_tree(m) && m.parent == of.parent && m.role == of.role)
        .map(|m| m.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// The fork of every message in `all` that has siblings.
pub(super) fn forks<'a>(all: impl Iterator<Item = &'a Message>) -> HashMap<u64, Fork> {
    let mut groups: HashMap<(Option<u64>, Role), Vec<u64>> = HashMap::new();
    for m in all.filter(|m| in_tree(m)) {
        groups.entry((m.parent, m.role)).or_default().push(m.id);
    }
    let mut out = HashMap::new();
    for mut ids in groups.into_values().filter(|ids| ids.len() > 1) {
        ids.sort_unstable();
        let count = ids.len();
        for (i, id) in ids.into_iter().enumerate() {
            out.insert(
                id,
                Fork {
                    index: i + 1,
                    count,
                },
            );
        }
    }
    out
}
