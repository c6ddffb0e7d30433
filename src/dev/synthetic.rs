//! Deterministic synthetic conversations and replies, for the benchmarks and the hidden
//! `ECOCHAT_BENCH_HISTORY` preload (the e2e bench starts ecochat with it once, so the session
//! store saves a long conversation it can then `--resume`).

use crate::chat::{Conversation, MessageFields, Role};

/// Environment variable: start the TUI with this many synthetic messages (benchmarks only).
pub const HISTORY_ENV: &str = "ECOCHAT_BENCH_HISTORY";

/// Most messages the preload accepts, so a typo cannot exhaust memory.
const MAX_HISTORY: usize = 100_000;

/// The number of messages `HISTORY_ENV` asks for, if it is set to a sane number.
pub fn history_len(env: &dyn Fn(&str) -> Option<String>) -> Option<usize> {
    env(HISTORY_ENV)?
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_HISTORY).contains(n))
}

/// A finished conversation of `n` messages, alternating user prompts and markdown replies.
pub fn conversation(n: usize) -> Conversation {
    let created = chrono::Local::now();
    let messages = (0..n)
        .map(|i| {
            let id = i as u64;
            if i % 2 == 0 {
                MessageFields::new(id, Role::User, prompt(i / 2), created).into()
            } else {
                let mut m = MessageFields::new(id, Role::Assistant, reply(i / 2), created);
                m.model = Some("mock:gpt-4o".into());
                m.into()
            }
        })
        .collect();
    Conversation::from_messages(messages)
}

/// The prompt of turn `i`.
pub fn prompt(i: usize) -> String {
    match i % 3 {
        0 => format!("第{i}个问题：用 Rust 怎么读一个文件？"),
        1 => format!("Question {i}: what is the difference between a thread and a task?"),
        _ => format!("请把下面这段话翻译成英文，并解释第{i}个要点。\n保持原意。"),
    }
}

/// The reply of turn `i`: paragraphs, a list, and every third reply a code block or a table.
pub fn reply(i: usize) -> String {
    let mut s = format!(
        "好的，第{i}个回答。下面分几点说明，**重点**在第二点，`inline code` 也会出现。\n\n\
         - 第一点：读取文件可以用 `std::fs::read_to_string`，它一次读完整个文件。\n\
         - Second point: a task is scheduled by the runtime, a thread by the operating system.\n\
         - 第三点：注意错误处理，不要在生产代码里使用 unwrap。\n\n\
         A longer paragraph follows so that wrapping has some work to do at every width: \
         the quick brown fox jumps over the lazy dog while 中文字符和 English words alternate \
         in one line that is much wider than the terminal.\n"
    );
    match i % 3 {
        0 => s.push_str(
            "\n```rust\nuse std::fs;\n\nfn main() -> std::io::Result<()> {\n    \
             let text = fs::read_to_string(\"hello.txt\")?;\n    println!(\"{text}\");\n    \
             Ok(())\n}\n```\n",
        ),
        1 => s.push_str(
            "\n| 名称 | 说明 |\n|---|---|\n| thread | 操作系统调度 |\n| task | 运行时调度 |\n",
        ),
        _ => s.push_str("\n> 引用：简单胜于复杂。\n"),
    }
    s
}

/// A markdown reply of at least `bytes` bytes, made of whole replies.
pub fn long_reply(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&reply(i));
        s.push('\n');
        i += 1;
    }
    s
}

/// A reply of at least `bytes` bytes with an image, a download link or a bare URL every few
/// lines, in the shapes relays send them.
pub fn reply_with_links(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&reply(i));
        match i % 4 {
            0 => s.push_str(&format!(
                "\n![image_{i}](https://filesystem.site/cdn/20250330/img{i}.png)\n\
                 [下载⏬](https://filesystem.site/cdn/download/20250330/img{i}.png)\n\n"
            )),
            1 => s.push_str(&format!(
                "\n参考 https://example.com/docs/page{i}.html 。\n\n"
            )),
            2 => s.push_str(&format!(
                "\n视频：<https://cdn.example.net/v/{i}/clip.mp4>\n\n"
            )),
            _ => s.push('\n'),
        }
        i += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Status;

    #[test]
    fn history_len_reads_only_sane_numbers() {
        let env = |v: &'static str| move |k: &str| (k == HISTORY_ENV).then(|| v.to_string());
        assert_eq!(history_len(&env("5000")), Some(5000));
        assert_eq!(history_len(&env(" 12 ")), Some(12));
        assert_eq!(history_len(&env("0")), None);
        assert_eq!(history_len(&env("many")), None);
        assert_eq!(history_len(&env("100000000")), None);
        assert_eq!(history_len(&|_: &str| None), None);
    }

    #[test]
    fn conversation_alternates_finished_turns() {
        let conv = conversation(5);
        let roles: Vec<Role> = conv.messages().iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                Role::User,
                Role::Assistant,
                Role::User,
                Role::Assistant,
                Role::User
            ]
        );
        assert!(conv.messages().iter().all(|m| m.status == Status::Done));
        assert!(conv.messages()[1].content.contains("```rust"));
        assert!(conv.messages()[3].content.contains("| 名称 |"));
    }

    #[test]
    fn generated_texts_reach_their_size() {
        assert!(long_reply(100_000).len() >= 100_000);
        let linked = reply_with_links(20_000);
        assert!(linked.len() >= 20_000);
        assert!(linked.contains("![image_0](https://"));
        assert!(linked.contains("<https://cdn.example.net/v/2/clip.mp4>"));
    }
}
