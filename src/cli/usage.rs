//! `ecochat usage`: spend and tokens of saved replies, from the session store alone.

use std::io::Write;

use chrono::{DateTime, Local, NaiveDate, TimeZone};
use serde_json::{Value, json};

use crate::config::Provider;
use crate::cost::book::{RelayPrices, price_of};
use crate::cost::money::group_thousands;
use crate::cost::summary::{Bucket, GroupBy, UsageRow, summarize};
use crate::sanitize::sanitize;
use crate::store::commands::CommandError;
use crate::store::{Store, StoreError};
use crate::text::display_width;

/// What `ecochat usage` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageArgs {
    /// Only replies from this local day on.
    pub since: Option<NaiveDate>,
    /// How to group the lines.
    pub by: GroupBy,
    /// JSON instead of a table.
    pub json: bool,
    /// Price every stored reply again with today's prices first.
    pub reprice: bool,
}

/// `2026-12-01` as a date; the error is a sentence for the user.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date like 2026-12-01"))
}

/// Midnight at the start of `day`, local time.
fn start_of(day: NaiveDate) -> Option<DateTime<Local>> {
    Local
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()
}

/// Runs `ecochat usage` on the store at `db`; `repriced` hears how many replies were repriced.
/// Returns how many replies were counted.
pub fn run(
    db: &std::path::Path,
    providers: &[Provider],
    relay: &RelayPrices,
    args: &UsageArgs,
    out: &mut dyn Write,
    repriced: &mut dyn FnMut(usize),
) -> Result<usize, CommandError> {
    let mut store = Store::open_existing(db)?;
    if args.reprice {
        let n = store.reprice(&|label: &str| price_of(providers, relay, label))?;
        repriced(n);
    }
    let since = args.since.and_then(start_of);
    let rows: Vec<UsageRow> = store
        .replies_with_usage(since)?
        .into_iter()
        .map(|r| UsageRow {
            created: r.created,
            model: sanitize(&r.model).into_owned(),
            tokens: r.usage.map_or(0, |u| u.total_tokens),
            cost: r.cost,
        })
        .collect();
    let (groups, total) = summarize(&rows, args.by);
    if args.json {
        let doc = json!({
            "by": by_name(args.by),
            "since": args.since.map(|d| d.to_string()),
            "groups": groups.iter().map(bucket_json).collect::<Vec<_>>(),
            "total": bucket_json(&total),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )?;
    } else {
        table(&groups, &total, args.by, out)?;
    }
    Ok(rows.len())
}

fn by_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Model => "model",
        GroupBy::Day => "day",
        GroupBy::Provider => "provider",
    }
}

fn bucket_json(b: &Bucket) -> Value {
    json!({
        "key": b.key,
        "replies": b.replies,
        "tokens": b.tokens,
        "unpriced": b.unpriced,
        "cost": b.amounts().iter().map(|m| json!({
            "micros": m.micros,
            "currency": m.currency.code(),
            "amount": crate::cost::money::decimal(m.micros, 6),
        })).collect::<Vec<_>>(),
    })
}

/// Columns: group, replies, tokens, cost; the total line last.
fn table(
    groups: &[Bucket],
    total: &Bucket,
    by: GroupBy,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let head = by_name(by).to_uppercase();
    let key_w = groups
        .iter()
        .chain([total])
        .map(|b| display_width(&b.key))
        .chain([display_width(&head)])
        .max()
        .unwrap_or(5);
    let line = |out: &mut dyn Write, key: &str, replies: &str, tokens: &str, cost: &str| {
        let pad = " ".repeat(key_w.saturating_sub(display_width(key)));
        writeln!(out, "{key}{pad}  {replies:>7}  {tokens:>12}  {cost}")
    };
    line(out, &head, "REPLIES", "TOKENS", "COST")?;
    for b in groups {
        let cost = b.spend_text();
        line(
            out,
            &b.key,
            &b.replies.to_string(),
            &group_thousands(b.tokens),
            &cost,
        )?;
    }
    let mut cost = total.spend_text();
    if total.unpriced > 0 {
        let word = if total.unpriced == 1 {
            "reply"
        } else {
            "replies"
        };
        cost.push_str(&format!(" ({} {word} without a price)", total.unpriced));
    }
    line(
        out,
        &total.key,
        &total.replies.to_string(),
        &group_thousands(total.tokens),
        &cost,
    )?;
    out.flush()
}

/// True when `e` means there is nothing saved yet (not an error for `usage`).
pub fn is_empty_store(e: &CommandError) -> bool {
    matches!(e, CommandError::Store(StoreError::Missing { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Usage;
    use crate::chat::{Message, MessageFields, Role};
    use crate::cost::{Currency, Money, Price};
    use crate::store::NewSession;

    fn db_with_replies(dir: &std::path::Path) -> std::path::PathBuf {
        let db = dir.join("ecochat.db");
        let mut store = Store::open(&db).unwrap();
        let id = store
            .create_session(&NewSession {
                title: "t".into(),
                model: "p:m".into(),
                created: Local::now(),
            })
            .unwrap();
        let reply = |seq: u64, model: &str, cost: Option<i64>| {
            let mut m = MessageFields::new(seq, Role::Assistant, "答", Local::now());
            m.model = Some(model.into());
            m.usage = Some(Usage {
                prompt_tokens: 1_000,
                completion_tokens: 234,
                total_tokens: 1_234,
                ..Usage::default()
            });
            m.cost = cost.map(|c| Money::new(c, Currency::Cny));
            Message::from(m)
        };
        let msgs = vec![
            Message::new(0, Role::User, "问", Local::now()),
            reply(1, "p:m", Some(12_300)),
            Message::new(2, Role::User, "问", Local::now()),
            reply(3, "p:m", Some(12_300)),
            Message::new(4, Role::User, "问", Local::now()),
            reply(5, "q:free", None),
        ];
        store.save_messages(id, "p:m", &msgs).unwrap();
        db
    }

    fn run_text(db: &std::path::Path, providers: &[Provider], args: &UsageArgs) -> String {
        let mut out = Vec::new();
        run(
            db,
            providers,
            &RelayPrices::new(),
            args,
            &mut out,
            &mut |_| {},
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn args() -> UsageArgs {
        UsageArgs {
            since: None,
            by: GroupBy::Model,
            json: false,
            reprice: false,
        }
    }

    #[test]
    fn a_table_per_model_with_a_total_line() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_with_replies(dir.path());
        let text = run_text(&db, &[], &args());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("MODEL "), "{text}");
        assert!(
            lines[1].starts_with("p:m ") && lines[1].ends_with("2         2,468  ¥0.0246"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("q:free") && lines[2].ends_with("  -"),
            "{text}"
        );
        assert!(
            lines[3].starts_with("total")
                && lines[3].ends_with("¥0.0246 (1 reply without a price)"),
            "{text}"
        );
    }

    #[test]
    fn json_since_and_reprice() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_with_replies(dir.path());
        let tomorrow = Local::now().date_naive().succ_opt().unwrap();
        let later = UsageArgs {
            since: Some(tomorrow),
            json: true,
            ..args()
        };
        let v: Value = serde_json::from_str(&run_text(&db, &[], &later)).unwrap();
        assert_eq!(v["total"]["replies"], 0);
        let mut q = Provider::new("q", Some("https://q.test/v1".into()));
        let mut m = crate::config::ModelSpec::new("free");
        *m.price = Price {
            input: Some(1_000_000),
            output: Some(1_000_000),
            ..Price::default()
        };
        q.models = vec![m];
        let reprice = UsageArgs {
            json: true,
            reprice: true,
            by: GroupBy::Provider,
            ..args()
        };
        let mut out = Vec::new();
        let mut count = 0;
        run(
            &db,
            &[q],
            &RelayPrices::new(),
            &reprice,
            &mut out,
            &mut |n| count = n,
        )
        .unwrap();
        assert_eq!(count, 1);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["by"], "provider");
        // The p:m replies keep their stored cost; q:free is now ¥0.001234.
        assert_eq!(v["total"]["cost"][0]["micros"], 24_600 + 1_234);
        assert_eq!(v["total"]["unpriced"], 0);
    }

    #[test]
    fn dates_are_days() {
        assert_eq!(
            parse_date("2026-12-01").unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert!(parse_date("yesterday").unwrap_err().contains("2026-12-01"));
    }
}
