use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::api::{Citation, Usage};

fn at(day: u32, h: u32, m: u32) -> DateTime<Local> {
    let naive = NaiveDate::from_ymd_opt(2026, 3, day)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap();
    Local.from_local_datetime(&naive).unwrap()
}

fn msg(id: u64, role: Role, content: &str, when: DateTime<Local>) -> Message {
    let mut m = Message::new(id, role, content, when);
    m.edit(|f| f.created = when);
    m
}

/// A conversation with CJK, code, reasoning, images, a citation and an interrupted reply.
pub(crate) fn sample() -> (TranscriptMeta, Vec<Message>) {
    let mut msgs = vec![msg(
        0,
        Role::User,
        "用 Rust 写一个 hello world",
        at(9, 7, 5),
    )];
    let mut a = msg(
        1,
        Role::Assistant,
        "好的，下面是代码：\n\n```rust\nfn main() {\n    println!(\"你好，世界\");\n}\n```\n",
        at(9, 7, 6),
    );
    a.edit(|f| f.model = Some("mock:deepseek-reasoner".into()));
    a.edit(|f| f.reasoning = "用户想要一个最小的 Rust 程序。\n用 println! 宏即可。".into());
    a.edit(|f| {
        f.usage = Some(Usage {
            cached_tokens: None,
            prompt_tokens: 12,
            completion_tokens: 30,
            total_tokens: 42,
            reasoning_tokens: Some(10),
        })
    });
    msgs.push(a);
    msgs.push(msg(
        2,
        Role::User,
        "画一只猫\u{1b}]0;evil\u{7}",
        at(9, 7, 8),
    ));
    let mut img = msg(
        3,
        Role::Assistant,
        "![cat](https://filesystem.site/cdn/20241101/cat.webp)\n\n[下载1](https://filesystem.site/cdn/download/20241101/cat.webp)\n视频：https://v.example.cn/clip.mp4",
        at(9, 7, 9),
    );
    img.edit(|f| f.model = Some("mock:gpt-4o-all".into()));
    img.edit(|f| {
        f.citations = vec![Citation {
            title: "猫的百科".into(),
            url: "https://baike.example.cn/cat".into(),
        }]
    });
    msgs.push(img);
    msgs.push(msg(4, Role::User, "再来一张", at(10, 8, 0)));
    let mut cut = msg(5, Role::Assistant, "正在生成", at(10, 8, 0));
    cut.edit(|f| f.model = Some("mock:gpt-4o-all".into()));
    cut.edit(|f| f.status = Status::Interrupted("the connection dropped mid-reply".into()));
    msgs.push(cut);
    let meta = TranscriptMeta {
        title: "用 Rust 写一个 hello world".into(),
        session: Some(12),
        created: at(9, 7, 5),
    };
    (meta, msgs)
}

const GOLDEN: &str = "src/store/testdata/transcript.golden.md";

#[test]
fn markdown_matches_the_golden_file() {
    let (meta, msgs) = sample();
    let got = markdown(&meta, &msgs);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        got, want,
        "rerun with UPDATE_GOLDEN=1 after checking the diff"
    );
    assert!(!got.contains('\u{1b}') && !got.contains('\u{7}'));
}

#[test]
fn a_closing_details_tag_in_reasoning_cannot_end_the_fold() {
    let mut m = msg(0, Role::Assistant, "答", at(9, 7, 5));
    m.edit(|f| f.reasoning = "想</details><script>".into());
    let (meta, _) = sample();
    let md = markdown(&meta, &[m]);
    assert_eq!(md.matches("</details>").count(), 1);
}

#[test]
fn json_export_holds_every_field() {
    let (meta, msgs) = sample();
    let session = StoredSession {
        summary: crate::store::SessionSummary {
            id: 12,
            title: meta.title.clone(),
            model: "mock:gpt-4o-all".into(),
            created: meta.created,
            updated: at(10, 8, 0),
            message_count: msgs.len() as u64,
            spend: Vec::new(),
            attachments: 0,
        },
        messages: msgs,
        shown: None,
    };
    let v: Value = serde_json::from_str(&json(&session)).unwrap();
    assert_eq!(v["id"], 12);
    let m = &v["messages"];
    assert_eq!(m.as_array().unwrap().len(), 6);
    assert_eq!(
        m[1]["reasoning"],
        "用户想要一个最小的 Rust 程序。\n用 println! 宏即可。"
    );
    assert_eq!(m[1]["usage"]["reasoning_tokens"], 10);
    assert_eq!(m[3]["media"][0]["kind"], "image");
    assert_eq!(m[5]["status"], "interrupted");
    assert_eq!(m[5]["error"], "the connection dropped mid-reply");
}

#[test]
fn save_picks_a_free_name_then_keeps_rewriting_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("transcripts");
    let first = save(&d, "2026-03-09-0705-猫", "one", None).unwrap();
    assert_eq!(first.file_name().unwrap(), "2026-03-09-0705-猫.md");
    let other = save(&d, "2026-03-09-0705-猫", "two", None).unwrap();
    assert_eq!(other.file_name().unwrap(), "2026-03-09-0705-猫-2.md");
    let again = save(&d, "2026-03-09-0705-猫", "three", Some(&first)).unwrap();
    assert_eq!(again, first);
    assert_eq!(std::fs::read_to_string(&first).unwrap(), "three");
    let names: Vec<_> = std::fs::read_dir(&d).unwrap().flatten().collect();
    assert_eq!(names.len(), 2, "no temporary file is left behind");
}

#[test]
fn media_entries_keep_their_alt_text_without_breaking_the_link() {
    let mut a = msg(
        0,
        Role::Assistant,
        "![一只橘猫](https://x.cn/cat.png) 听 [晚安曲](https://x.cn/n.mp3)",
        at(9, 7, 5),
    );
    a.edit(|f| f.model = Some("mock:m".into()));
    let meta = TranscriptMeta {
        title: "t".into(),
        session: None,
        created: at(9, 7, 5),
    };
    let md = markdown(&meta, &[a]);
    assert!(md.contains("- ![一只橘猫](https://x.cn/cat.png)\n"), "{md}");
    assert!(
        md.contains("- [audio: 晚安曲](https://x.cn/n.mp3)\n"),
        "{md}"
    );
}

#[test]
fn transcripts_are_0600_and_planted_temp_symlinks_are_not_followed() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("transcripts");
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    std::fs::create_dir(&d).unwrap();
    let pid = std::process::id();
    for p in pid.saturating_sub(50)..pid + 50 {
        symlink(&victim, d.join(format!(".猫.md.{p}.tmp"))).unwrap();
    }
    let path = save(&d, "猫", "chat", None).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "chat");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "a transcript is as private as the database"
    );
    let fresh = dir.path().join("made/here");
    save(&fresh, "x", "y", None).unwrap();
    let dir_mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
    assert_eq!(dir_mode & 0o777, 0o700);
}

#[test]
fn transcripts_carry_each_reply_cost_and_the_session_total() {
    use crate::cost::{Currency, Money};
    let (meta, mut msgs) = sample();
    msgs[1].set_cost(Some(Money::new(3_872, Currency::Cny)));
    msgs[3].set_cost(Some(Money::new(100_000, Currency::Cny)));
    let md = markdown(&meta, &msgs);
    assert!(md.contains("- Cost: ¥0.1039\n"), "{md}");
    assert!(md.contains("\n*¥0.0039 · 42 tok*\n"), "{md}");
    assert!(md.contains("\n*¥0.10*\n"), "{md}");
    let session = StoredSession {
        summary: crate::store::SessionSummary {
            id: 1,
            title: meta.title.clone(),
            model: "mock:x".into(),
            created: meta.created,
            updated: meta.created,
            message_count: msgs.len() as u64,
            spend: Vec::new(),
            attachments: 0,
        },
        messages: msgs,
        shown: None,
    };
    let v: Value = serde_json::from_str(&json(&session)).unwrap();
    assert_eq!(v["messages"][1]["cost"]["micros"], 3_872);
    assert_eq!(v["messages"][1]["cost"]["currency"], "CNY");
    assert_eq!(v["messages"][1]["cost"]["amount"], "0.003872");
    assert_eq!(v["messages"][0]["cost"], Value::Null);
    assert_eq!(v["cost"][0]["micros"], 103_872);
}
