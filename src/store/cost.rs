//! Replies' token counts and costs as `ecochat usage` reads them, and `--reprice`.

use chrono::{DateTime, Local};
use rusqlite::params;

use super::rows::{cost_from, from_millis};
use super::{SessionId, Store, StoreError};
use crate::api::Usage;
use crate::cost::{Money, Price};

/// One stored reply's model, time, usage and cost.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReply {
    /// The session it belongs to.
    pub session: SessionId,
    /// Its place in the session.
    pub seq: u64,
    /// `provider:model` that wrote it (empty when unknown).
    pub model: String,
    /// When it was written.
    pub created: DateTime<Local>,
    /// What the server reported.
    pub usage: Option<Usage>,
    /// What it cost when it finished (or when last repriced).
    pub cost: Option<Money>,
}

impl Store {
    /// Every reply that reported usage or has a cost, oldest first; only those written at
    /// `since` or later when given.
    pub fn replies_with_usage(
        &self,
        since: Option<DateTime<Local>>,
    ) -> Result<Vec<StoredReply>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT session_id, seq, coalesce(model, ''), created, prompt_tokens,
                    completion_tokens, total_tokens, reasoning_tokens, cached_tokens,
                    cost_micros, cost_currency
             FROM messages
             WHERE role = 'assistant' AND created >= ?1
               AND (prompt_tokens IS NOT NULL OR cost_micros IS NOT NULL)
             ORDER BY created, session_id, seq",
        )?;
        let since = since.map_or(i64::MIN, |t| t.timestamp_millis());
        let rows = stmt.query_map([since], |r| {
            let count = |i: usize| r.get::<_, Option<i64>>(i).map(|n| n.map(|n| n as u64));
            let usage = match (count(4)?, count(5)?) {
                (Some(p), Some(c)) => Some(Usage {
                    prompt_tokens: p,
                    completion_tokens: c,
                    total_tokens: count(6)?.unwrap_or(p.saturating_add(c)),
                    reasoning_tokens: count(7)?,
                    cached_tokens: count(8)?,
                }),
                _ => None,
            };
            Ok(StoredReply {
                session: r.get(0)?,
                seq: r.get::<_, i64>(1)? as u64,
                model: r.get(2)?,
                created: from_millis(r.get(3)?),
                usage,
                cost: cost_from(r.get(9)?, r.get_ref(10)?.as_str_or_null()?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Prices every reply with usage again with `price_of(model)`, in one transaction; replies
    /// of a model without a price now keep the cost they had. Returns how many were repriced.
    pub fn reprice(
        &mut self,
        price_of: &dyn Fn(&str) -> Option<Price>,
    ) -> Result<usize, StoreError> {
        let replies = self.replies_with_usage(None)?;
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut update = tx.prepare(
                "UPDATE messages SET cost_micros = ?3, cost_currency = ?4
                 WHERE session_id = ?1 AND seq = ?2",
            )?;
            for reply in replies {
                let Some(cost) = price_of(&reply.model).and_then(|p| p.cost(reply.usage.as_ref()))
                else {
                    continue;
                };
                update.execute(params![
                    reply.session,
                    reply.seq as i64,
                    cost.micros,
                    cost.currency.code()
                ])?;
                changed += 1;
            }
        }
        tx.commit()?;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Message, MessageFields, Role};
    use crate::cost::Currency;
    use crate::store::NewSession;
    use crate::store::schema::{self, LATEST};

    fn reply(seq: u64, model: &str, prompt: u64, cost: Option<i64>) -> Message {
        let mut m = MessageFields::new(seq, Role::Assistant, "答", Local::now());
        m.model = Some(model.into());
        m.usage = Some(Usage {
            prompt_tokens: prompt,
            completion_tokens: 100,
            total_tokens: prompt + 100,
            cached_tokens: Some(7),
            ..Usage::default()
        });
        m.cost = cost.map(|c| Money::new(c, Currency::Cny));
        Message::from(m)
    }

    fn store_with_replies() -> (Store, SessionId) {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .create_session(&NewSession {
                title: "t".into(),
                model: "p:m".into(),
                created: Local::now(),
            })
            .unwrap();
        let msgs = vec![
            Message::new(0, Role::User, "问", Local::now()),
            reply(1, "p:m", 1_000, Some(12_300)),
            Message::new(2, Role::User, "再问", Local::now()),
            reply(3, "p:free", 50, None),
        ];
        store.save_messages(id, "p:m", &msgs).unwrap();
        (store, id)
    }

    #[test]
    fn costs_and_cached_tokens_survive_a_round_trip() {
        let (store, id) = store_with_replies();
        let loaded = store.load(id).unwrap();
        assert_eq!(
            loaded.messages[1].cost,
            Some(Money::new(12_300, Currency::Cny))
        );
        assert_eq!(loaded.messages[1].usage.unwrap().cached_tokens, Some(7));
        assert_eq!(loaded.messages[3].cost, None);
        assert_eq!(
            loaded.summary.spend,
            vec![Money::new(12_300, Currency::Cny)]
        );
        let replies = store.replies_with_usage(None).unwrap();
        assert_eq!(replies.len(), 2);
        assert_eq!(replies[0].model, "p:m");
        assert_eq!(replies[1].usage.unwrap().total_tokens, 150);
        let later = Local::now() + chrono::Duration::hours(1);
        assert!(store.replies_with_usage(Some(later)).unwrap().is_empty());
    }

    #[test]
    fn repricing_uses_the_new_price_and_keeps_unpriced_models() {
        let (mut store, id) = store_with_replies();
        let price = Price {
            input: Some(10_000_000),
            output: Some(0),
            ..Price::default()
        };
        let n = store
            .reprice(&|model: &str| (model == "p:m").then_some(price))
            .unwrap();
        assert_eq!(n, 1);
        let loaded = store.load(id).unwrap();
        // 1,000 prompt tokens at ¥10 per million.
        assert_eq!(
            loaded.messages[1].cost,
            Some(Money::new(10_000, Currency::Cny))
        );
        assert_eq!(loaded.messages[3].cost, None);
    }

    #[test]
    fn replies_from_before_costs_were_stored_have_none_after_migrating() {
        for v in 1..LATEST {
            let mut conn = rusqlite::Connection::open_in_memory().unwrap();
            schema::migrate_to(&mut conn, v).unwrap();
            conn.execute_batch(
                "INSERT INTO sessions (id, title, model, created, updated)
                     VALUES (3, '旧', 'p:m', 1000, 2000);
                 INSERT INTO messages (session_id, seq, role, content, created, status,
                     prompt_tokens, completion_tokens, total_tokens)
                     VALUES (3, 1, 'assistant', '旧的回答', 1500, 'done', 10, 20, 30);",
            )
            .unwrap();
            schema::migrate(&mut conn).unwrap();
            let mut store = Store::from_connection(conn).unwrap();
            let loaded = store.load(3).unwrap();
            assert_eq!(loaded.messages[0].cost, None, "from v{v}");
            assert_eq!(loaded.messages[0].usage.unwrap().total_tokens, 30);
            assert!(loaded.summary.spend.is_empty());
            let price = Price {
                input: Some(1_000_000),
                output: Some(1_000_000),
                ..Price::default()
            };
            assert_eq!(
                store.reprice(&|_: &str| Some(price)).unwrap(),
                1,
                "from v{v}"
            );
            let loaded = store.load(3).unwrap();
            assert_eq!(loaded.messages[0].cost, Some(Money::new(30, Currency::Cny)));
        }
    }
}
