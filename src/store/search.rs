//! Listing and searching sessions: FTS5 trigram for words of three or more characters, LIKE for
//! shorter ones (the trigram index cannot answer `天气`), titles by LIKE.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};

use super::rows::from_millis;
use super::{SessionId, SessionSummary, StoreError};
use crate::sanitize::sanitize;

/// Longest snippet kept, in characters, before the UI cuts it to the screen.
const SNIPPET_CHARS: usize = 120;
/// Characters kept before the match when a long line has to be cut.
const LEAD_CHARS: usize = 24;

/// A session found by a search, with the line that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub session: SessionSummary,
    /// The matching line of a message; `None` for a title match or a plain listing.
    pub snippet: Option<String>,
    /// The sequence number of the message that matched (the session opens on its branch).
    pub message: Option<u64>,
}

const SUMMARY_COLUMNS: &str = "s.id, s.title, s.model, s.created, s.updated,
    (SELECT count(*) FROM messages c WHERE c.session_id = s.id),
    (SELECT sum(cost_micros) FROM messages c WHERE c.session_id = s.id
        AND c.cost_currency = 'CNY'),
    (SELECT sum(cost_micros) FROM messages c WHERE c.session_id = s.id
        AND c.cost_currency = 'USD'),
    (SELECT count(*) FROM message_attachments a WHERE a.session_id = s.id)";

/// How many columns `SUMMARY_COLUMNS` selects; a query's own columns come after them.
const SUMMARY_LEN: usize = 9;

fn summary_row(r: &Row<'_>) -> rusqlite::Result<SessionSummary> {
    Ok(SessionSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        model: r.get(2)?,
        created: from_millis(r.get(3)?),
        updated: from_millis(r.get(4)?),
        message_count: r.get::<_, i64>(5)? as u64,
        spend: [(6, "CNY"), (7, "USD")]
            .into_iter()
            .filter_map(|(i, code)| super::rows::cost_from(r.get(i).ok()?, Some(code)))
            .collect(),
        attachments: r.get::<_, i64>(8)? as u64,
    })
}

/// The newest sessions.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<SessionSummary>, StoreError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM sessions s ORDER BY s.updated DESC, s.id DESC LIMIT ?1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([limit as i64], summary_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One session's summary.
pub fn summary(conn: &Connection, id: SessionId) -> Result<Option<SessionSummary>, StoreError> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM sessions s WHERE s.id = ?1");
    Ok(conn.query_row(&sql, [id], summary_row).optional()?)
}

/// Sessions whose title, or one of whose messages, holds every word of `query`.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
    let terms: Vec<&str> = query.split_whitespace().collect();
    if terms.is_empty() {
        let sessions = recent(conn, limit)?;
        return Ok(sessions
            .into_iter()
            .map(|session| SearchHit {
                session,
                snippet: None,
                message: None,
            })
            .collect());
    }
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: String| {
        args.push(Value::Text(v));
        format!("?{}", args.len())
    };
    // Every term must be in the message: in its row (through the index for three characters
    // or more, which the trigram tokenizer needs) or in the parts of a long reply (by LIKE:
    // only long replies have parts, so this reads little).
    let mut message_conds = Vec::new();
    for t in &terms {
        let p = arg(like_pattern(t));
        let in_row = if t.chars().count() >= 3 {
            let phrase = format!("\"{}\"", t.replace('"', "\"\""));
            format!(
                "m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH {})",
                arg(phrase)
            )
        } else {
            format!("(m.content LIKE {p} ESCAPE '\\' OR m.reasoning LIKE {p} ESCAPE '\\')")
        };
        message_conds.push(format!(
            "({in_row} OR EXISTS (SELECT 1 FROM message_parts p
                 WHERE p.session_id = m.session_id AND p.seq = m.seq
                   AND (p.content LIKE {p} ESCAPE '\\' OR p.reasoning LIKE {p} ESCAPE '\\')))"
        ));
    }
    let title_conds: Vec<String> = terms
        .iter()
        .map(|t| format!("s.title LIKE {} ESCAPE '\\'", arg(like_pattern(t))))
        .collect();
    let limit_arg = {
        args.push(Value::Integer(limit as i64));
        format!("?{}", args.len())
    };
    let sql = format!(
        "SELECT * FROM (
             SELECT {SUMMARY_COLUMNS},
                 (SELECT m.id FROM messages m WHERE m.session_id = s.id AND {}
                  ORDER BY m.seq LIMIT 1) AS hit,
                 ({}) AS title_hit
             FROM sessions s)
         WHERE hit IS NOT NULL OR title_hit
         ORDER BY updated DESC, id DESC LIMIT {limit_arg}",
        message_conds.join(" AND "),
        title_conds.join(" AND "),
    );
    let mut stmt = conn.prepare(&sql)?;
    let found = stmt
        .query_map(params_from_iter(args.iter()), |r| {
            Ok((summary_row(r)?, r.get::<_, Option<i64>>(SUMMARY_LEN)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut text = conn.prepare("SELECT content, reasoning, seq FROM messages WHERE id = ?1")?;
    let mut parts = conn.prepare(
        "SELECT p.content, p.reasoning FROM message_parts p
         JOIN messages m ON p.session_id = m.session_id AND p.seq = m.seq
         WHERE m.id = ?1 ORDER BY p.part",
    )?;
    let mut hits = Vec::with_capacity(found.len());
    for (session, hit) in found {
        let (snippet, message) = match hit {
            Some(id) => {
                let (content, reasoning, seq): (String, String, i64) =
                    text.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                let line = match matching_line(&content, &terms)
                    .or_else(|| matching_line(&reasoning, &terms))
                {
                    Some(line) => Some(line),
                    None => part_line(&mut parts, id, &terms)?,
                };
                (line, Some(seq as u64))
            }
            None => (None, None),
        };
        hits.push(SearchHit {
            session,
            snippet,
            message,
        });
    }
    Ok(hits)
}

/// The first line of a long reply's parts that matches, read a part at a time.
fn part_line(
    parts: &mut rusqlite::Statement<'_>,
    message: i64,
    terms: &[&str],
) -> Result<Option<String>, StoreError> {
    let mut rows = parts.query([message])?;
    while let Some(row) = rows.next()? {
        for col in 0..2 {
            let text = row.get_ref(col)?.as_str().map_err(rusqlite::Error::from)?;
            if let Some(line) = matching_line(text, terms) {
                return Ok(Some(line));
            }
        }
    }
    Ok(None)
}

/// `%term%` with LIKE's own wildcards escaped.
fn like_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The first line of `text` holding one of `terms` (case-insensitively), cut around the match
/// and made safe for a terminal.
pub fn matching_line(text: &str, terms: &[&str]) -> Option<String> {
    let lowered: Vec<String> = terms.iter().map(|t| t.to_lowercase()).collect();
    text.lines().find_map(|line| {
        let lower = line.to_lowercase();
        let at = lowered.iter().find_map(|t| lower.find(t.as_str()))?;
        // Byte offsets in the lowercased line may differ from the original: count characters.
        let lead = lower[..at].chars().count();
        let skip = lead.saturating_sub(LEAD_CHARS);
        let cut: String = line.chars().skip(skip).take(SNIPPET_CHARS).collect();
        let cut = cut.trim();
        let clean = sanitize(cut);
        Some(if skip > 0 {
            format!("…{clean}")
        } else {
            clean.into_owned()
        })
    })
}
