//! A `chat::Message` to a `messages` row and back.

use chrono::{DateTime, Local, TimeZone};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, ToSql, params};

use crate::api::Usage;
use crate::chat::{Message, MessageFields, Role, Status};

/// What a reply that was still arriving when ecochat stopped is shown as.
pub const STOPPED_MID_REPLY: &str = "ecochat stopped before the reply finished";

/// Most bytes of one part of a long message's text.
pub const PART_BYTES: usize = 256 * 1024;

/// Inserts or updates one message row, with all of its text (parts written before are dropped).
pub fn upsert(conn: &Connection, session: i64, m: &Message) -> rusqlite::Result<()> {
    delete_parts(conn, session, m.id)?;
    let state = state_values(m, super::plan::media_json(m, None));
    conn.execute(
        "INSERT INTO messages (session_id, seq, role, content, reasoning, model, created, status,
             error, finish_reason, truncated, prompt_tokens, completion_tokens, total_tokens,
             reasoning_tokens, citations, media, cached_tokens, cost_micros, cost_currency,
             parent, task)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22)
         ON CONFLICT (session_id, seq) DO UPDATE SET
             role = excluded.role, content = excluded.content, reasoning = excluded.reasoning,
             model = excluded.model, status = excluded.status, error = excluded.error,
             finish_reason = excluded.finish_reason, truncated = excluded.truncated,
             prompt_tokens = excluded.prompt_tokens,
             completion_tokens = excluded.completion_tokens,
             total_tokens = excluded.total_tokens, reasoning_tokens = excluded.reasoning_tokens,
             citations = excluded.citations, media = excluded.media,
             cached_tokens = excluded.cached_tokens, cost_micros = excluded.cost_micros,
             cost_currency = excluded.cost_currency, parent = excluded.parent,
             task = excluded.task",
        rusqlite::params_from_iter(
            [
                &session as &dyn ToSql,
                &(m.id as i64),
                &m.role.as_str(),
                &m.content,
                &m.reasoning,
                &m.model,
                &m.created.timestamp_millis(),
            ]
            .into_iter()
            .chain(state.iter().map(|v| v as &dyn ToSql)),
        ),
    )?;
    super::attachments::save(conn, session, m)
}

/// Drops the parts of message `seq`.
pub fn delete_parts(conn: &Connection, session: i64, seq: u64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM message_parts WHERE session_id = ?1 AND seq = ?2",
        params![session, seq as i64],
    )?;
    Ok(())
}

/// Appends `content` and `reasoning` to message `seq` as parts of at most `PART_BYTES` each.
pub fn append_parts(
    conn: &Connection,
    session: i64,
    seq: u64,
    content: &str,
    reasoning: &str,
) -> rusqlite::Result<()> {
    let next: i64 = conn.query_row(
        "SELECT COALESCE(MAX(part) + 1, 0) FROM message_parts WHERE session_id = ?1 AND seq = ?2",
        params![session, seq as i64],
        |r| r.get(0),
    )?;
    let (mut content, mut reasoning) = (content, reasoning);
    let mut part = next;
    while !content.is_empty() || !reasoning.is_empty() {
        let (c, c_rest) = content.split_at(cut(content, PART_BYTES));
        let (r, r_rest) = reasoning.split_at(cut(reasoning, PART_BYTES));
        conn.execute(
            "INSERT INTO message_parts (session_id, seq, part, content, reasoning)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![session, seq as i64, part, c, r],
        )?;
        (content, reasoning, part) = (c_rest, r_rest, part + 1);
    }
    Ok(())
}

/// The largest char boundary of `s` at most `max` bytes in, but at least one char.
fn cut(s: &str, max: usize) -> usize {
    match crate::text::floor_char_boundary(s, max) {
        0 => s.chars().next().map_or(0, char::len_utf8),
        at => at,
    }
}

/// Writes the final state of a message whose text is in parts: everything but the text.
pub fn finish_parted(
    conn: &Connection,
    session: i64,
    m: &Message,
    media: &str,
) -> rusqlite::Result<()> {
    let state = state_values(m, media.to_string());
    conn.execute(
        "UPDATE messages SET model = ?3, status = ?4, error = ?5, finish_reason = ?6,
             truncated = ?7, prompt_tokens = ?8, completion_tokens = ?9, total_tokens = ?10,
             reasoning_tokens = ?11, citations = ?12, media = ?13, cached_tokens = ?14,
             cost_micros = ?15, cost_currency = ?16, parent = ?17, task = ?18
         WHERE session_id = ?1 AND seq = ?2",
        rusqlite::params_from_iter(
            [&session as &dyn ToSql, &(m.id as i64), &m.model]
                .into_iter()
                .chain(state.iter().map(|v| v as &dyn ToSql)),
        ),
    )?;
    Ok(())
}

/// A message's columns from `status` to `media`, then those migrations 5, 8 and 9 added, in
/// table order.
fn state_values(m: &Message, media: String) -> [Value; 15] {
    let (status, error) = status_text(&m.status);
    let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_string()));
    let int = |n: Option<u64>| n.map_or(Value::Null, |n| Value::Integer(n as i64));
    let u = m.usage;
    [
        Value::Text(status.to_string()),
        text(error),
        text(m.finish_reason.as_deref()),
        Value::Integer(i64::from(m.truncated)),
        int(u.map(|u| u.prompt_tokens)),
        int(u.map(|u| u.completion_tokens)),
        int(u.map(|u| u.total_tokens)),
        int(u.and_then(|u| u.reasoning_tokens)),
        Value::Text(serde_json::to_string(&m.citations).unwrap_or_else(|_| "[]".into())),
        Value::Text(media),
        int(u.and_then(|u| u.cached_tokens)),
        m.cost.map_or(Value::Null, |c| Value::Integer(c.micros)),
        text(m.cost.map(|c| c.currency.code())),
        int(m.parent),
        Value::Integer(i64::from(m.task)),
    ]
}

/// Every message of `session`, oldest first.
pub fn messages(conn: &Connection, session: i64) -> rusqlite::Result<Vec<Message>> {
    let mut stmt = conn.prepare(
        "SELECT seq, role, content, reasoning, model, created, status, error, finish_reason,
                truncated, prompt_tokens, completion_tokens, total_tokens, reasoning_tokens,
                citations, cached_tokens, cost_micros, cost_currency, parent, task
         FROM messages WHERE session_id = ?1 ORDER BY seq",
    )?;
    let mut clock = LocalClock::default();
    let mut messages: Vec<MessageFields> = stmt
        .query_map([session], |r| message(r, &mut clock))?
        .collect::<rusqlite::Result<_>>()?;
    // A long message's text goes on in its parts.
    let mut parts = conn.prepare(
        "SELECT seq, content, reasoning FROM message_parts WHERE session_id = ?1
         ORDER BY seq, part",
    )?;
    let mut rows = parts.query([session])?;
    let mut at = 0;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        // Both lists are in seq order: walk forward to the message.
        while messages.get(at).is_some_and(|m| m.id < seq) {
            at += 1;
        }
        if let Some(m) = messages.get_mut(at).filter(|m| m.id == seq) {
            m.content.push_str(row.get_ref(1)?.as_str()?);
            m.reasoning.push_str(row.get_ref(2)?.as_str()?);
        }
    }
    super::attachments::load_into(conn, session, &mut messages)?;
    Ok(messages.into_iter().map(Message::from).collect())
}

/// Unix milliseconds to local time for rows in time order. Asking chrono for the local offset
/// of every row was a tenth of reading a 5,000-message session; offsets change only at
/// quarter-hour instants, so one lookup serves every row of the same quarter hour.
#[derive(Default)]
struct LocalClock {
    last: Option<(i64, chrono::FixedOffset)>,
}

impl LocalClock {
    const QUARTER_HOUR_MS: i64 = 15 * 60 * 1000;

    fn at(&mut self, ms: i64) -> DateTime<Local> {
        let Some(utc) = DateTime::from_timestamp_millis(ms) else {
            return from_millis(ms);
        };
        let bucket = ms.div_euclid(Self::QUARTER_HOUR_MS);
        let offset = match self.last {
            Some((b, offset)) if b == bucket => offset,
            _ => {
                let offset = *from_millis(ms).offset();
                self.last = Some((bucket, offset));
                offset
            }
        };
        DateTime::from_naive_utc_and_offset(utc.naive_utc(), offset)
    }
}

fn message(r: &Row<'_>, clock: &mut LocalClock) -> rusqlite::Result<MessageFields> {
    let role = match r.get_ref(1)?.as_str().unwrap_or("user") {
        "assistant" => Role::Assistant,
        "system" => Role::System,
        _ => Role::User,
    };
    let status_name: String = r.get(6)?;
    let error: Option<String> = r.get(7)?;
    let usage = match (r.get::<_, Option<i64>>(10)?, r.get::<_, Option<i64>>(11)?) {
        (Some(p), Some(c)) => Some(Usage {
            cached_tokens: r.get::<_, Option<i64>>(15)?.map(|n| n as u64),
            prompt_tokens: p as u64,
            completion_tokens: c as u64,
            total_tokens: r.get::<_, Option<i64>>(12)?.unwrap_or(p.saturating_add(c)) as u64,
            reasoning_tokens: r.get::<_, Option<i64>>(13)?.map(|n| n as u64),
        }),
        _ => None,
    };
    let citations = r.get_ref(14)?.as_str().unwrap_or("[]");
    Ok(MessageFields {
        id: r.get::<_, i64>(0)? as u64,
        role,
        content: r.get(2)?,
        reasoning: r.get(3)?,
        model: r.get(4)?,
        created: clock.at(r.get(5)?),
        status: status_from(&status_name, error),
        usage,
        cost: cost_from(r.get(16)?, r.get_ref(17)?.as_str_or_null()?),
        finish_reason: r.get(8)?,
        citations: match citations {
            "[]" | "" => Vec::new(),
            json => serde_json::from_str(json).unwrap_or_default(),
        },
        truncated: r.get(9)?,
        attachments: Vec::new(),
        parent: r.get::<_, Option<i64>>(18)?.map(|n| n as u64),
        fork: None,
        task: r.get(19)?,
    })
}

/// A stored cost; `None` when there is none or its currency is unknown to this build.
pub fn cost_from(micros: Option<i64>, currency: Option<&str>) -> Option<crate::cost::Money> {
    let currency = crate::cost::Currency::parse(currency?)?;
    Some(crate::cost::Money::new(micros?, currency))
}

/// The `status` and `error` columns for a status.
pub fn status_text(s: &Status) -> (&'static str, Option<&str>) {
    match s {
        Status::Done => ("done", None),
        Status::Waiting => ("waiting", None),
        Status::Streaming => ("streaming", None),
        Status::Cancelled => ("cancelled", None),
        Status::Interrupted(e) => ("interrupted", Some(e)),
        Status::Failed(e) => ("failed", Some(e)),
    }
}

/// A stored status; a reply saved while still live was cut off by ecochat stopping.
fn status_from(name: &str, error: Option<String>) -> Status {
    let error = || error.clone().unwrap_or_default();
    match name {
        "cancelled" => Status::Cancelled,
        "interrupted" => Status::Interrupted(error()),
        "failed" => Status::Failed(error()),
        "waiting" | "streaming" => Status::Interrupted(STOPPED_MID_REPLY.into()),
        _ => Status::Done,
    }
}

/// Unix milliseconds as local time (the epoch for values chrono cannot represent).
pub fn from_millis(ms: i64) -> DateTime<Local> {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| DateTime::UNIX_EPOCH.with_timezone(&Local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quarter_hour_clock_agrees_with_chrono_across_years() {
        let mut clock = LocalClock::default();
        // 2020..2027 in steps of 7 minutes 13 seconds, so every bucket is entered at odd offsets,
        // plus the extremes chrono cannot place.
        let mut ms = 1_577_836_800_000_i64;
        while ms < 1_798_761_600_000 {
            assert_eq!(clock.at(ms), from_millis(ms), "{ms}");
            ms += 433_000;
        }
        for ms in [i64::MIN, -1, 0, i64::MAX] {
            assert_eq!(clock.at(ms), from_millis(ms), "{ms}");
        }
    }
}
