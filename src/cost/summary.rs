//! Spend and tokens of stored replies, grouped by model, day or provider (`ecochat usage`).

use std::collections::BTreeMap;

use chrono::{DateTime, Local};
use serde::Serialize;

use super::{Currency, Money};

/// One stored reply as `ecochat usage` sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    /// When the reply was written.
    pub created: DateTime<Local>,
    /// `provider:model` that wrote it.
    pub model: String,
    /// Tokens the server reported (0 when it reported none).
    pub tokens: u64,
    /// What it cost, when its price was known.
    pub cost: Option<Money>,
}

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GroupBy {
    /// One line per `provider:model`.
    #[default]
    Model,
    /// One line per local calendar day.
    Day,
    /// One line per provider.
    Provider,
}

/// The totals of one group (or of everything).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Bucket {
    /// The model, day or provider; `total` for the total line.
    pub key: String,
    /// Replies counted.
    pub replies: u64,
    /// Tokens reported.
    pub tokens: u64,
    /// Spend per currency code, in micro-units (a provider in USD is not converted).
    #[serde(skip)]
    pub spend: BTreeMap<Currency, i64>,
    /// Replies without a known cost (no price configured, or no usage reported).
    pub unpriced: u64,
}

impl Bucket {
    fn add(&mut self, row: &UsageRow) {
        self.replies += 1;
        self.tokens += row.tokens;
        match row.cost {
            Some(c) => *self.spend.entry(c.currency).or_default() += c.micros,
            None => self.unpriced += 1,
        }
    }

    /// The spend as amounts, one per currency, CNY first.
    pub fn amounts(&self) -> Vec<Money> {
        self.spend.iter().map(|(c, m)| Money::new(*m, *c)).collect()
    }

    /// The spend written for a table: `¥1.23`, `¥1.23 + $0.40`, or `-` when nothing was priced.
    pub fn spend_text(&self) -> String {
        let parts: Vec<String> = self.amounts().iter().map(|m| m.display()).collect();
        if parts.is_empty() {
            "-".to_string()
        } else {
            parts.join(" + ")
        }
    }
}

/// The group a row falls in.
fn key(row: &UsageRow, by: GroupBy) -> String {
    match by {
        GroupBy::Model => row.model.clone(),
        GroupBy::Day => row.created.format("%Y-%m-%d").to_string(),
        GroupBy::Provider => row
            .model
            .split_once(':')
            .map_or(row.model.as_str(), |(p, _)| p)
            .to_string(),
    }
}

/// The groups in key order (days oldest first) and the total over every row.
pub fn summarize(rows: &[UsageRow], by: GroupBy) -> (Vec<Bucket>, Bucket) {
    let mut groups: BTreeMap<String, Bucket> = BTreeMap::new();
    let mut total = Bucket {
        key: "total".to_string(),
        ..Bucket::default()
    };
    for row in rows {
        let k = key(row, by);
        groups
            .entry(k.clone())
            .or_insert_with(|| Bucket {
                key: k,
                ..Bucket::default()
            })
            .add(row);
        total.add(row);
    }
    (groups.into_values().collect(), total)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn row(day: u32, model: &str, tokens: u64, cost: Option<(i64, Currency)>) -> UsageRow {
        UsageRow {
            created: Local.with_ymd_and_hms(2026, 12, day, 12, 0, 0).unwrap(),
            model: model.to_string(),
            tokens,
            cost: cost.map(|(m, c)| Money::new(m, c)),
        }
    }

    fn rows() -> Vec<UsageRow> {
        vec![
            row(
                1,
                "ecovai:deepseek-chat",
                1_000,
                Some((12_300, Currency::Cny)),
            ),
            row(1, "ecovai:gpt-4o", 500, Some((20_000, Currency::Cny))),
            row(
                2,
                "ecovai:deepseek-chat",
                2_000,
                Some((24_600, Currency::Cny)),
            ),
            row(2, "openai:gpt-4o", 300, Some((3_000, Currency::Usd))),
            row(3, "local:qwen", 50, None),
        ]
    }

    #[test]
    fn groups_by_model_with_a_total() {
        let (groups, total) = summarize(&rows(), GroupBy::Model);
        let keys: Vec<&str> = groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "ecovai:deepseek-chat",
                "ecovai:gpt-4o",
                "local:qwen",
                "openai:gpt-4o"
            ]
        );
        assert_eq!(groups[0].spend_text(), "¥0.0369");
        assert_eq!(groups[0].replies, 2);
        assert_eq!(groups[2].spend_text(), "-");
        assert_eq!((total.replies, total.tokens, total.unpriced), (5, 3_850, 1));
        assert_eq!(total.spend_text(), "¥0.0569 + $0.003");
    }

    #[test]
    fn groups_by_day_and_provider() {
        let (days, _) = summarize(&rows(), GroupBy::Day);
        let keys: Vec<&str> = days.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["2026-12-01", "2026-12-02", "2026-12-03"]);
        assert_eq!(days[0].spend_text(), "¥0.0323");
        let (providers, _) = summarize(&rows(), GroupBy::Provider);
        let keys: Vec<&str> = providers.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["ecovai", "local", "openai"]);
        assert_eq!(providers[0].tokens, 3_500);
    }
}
