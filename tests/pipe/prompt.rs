//! Where the prompt comes from (-p, plain words, stdin or both) and `--resume` in pipe mode.

use super::{M1_TEXT, Sandbox};

/// The messages of the last chat request, as (role, content).
fn sent(sb: &Sandbox) -> Vec<(String, String)> {
    let body = sb.server.last_request().expect("a request").json();
    body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or_default().to_string(),
                m["content"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn user(text: &str) -> (String, String) {
    ("user".into(), text.into())
}

fn assistant(text: &str) -> (String, String) {
    ("assistant".into(), text.into())
}

#[test]
fn prompt_and_stdin_are_sent_together_prompt_first() {
    let sb = Sandbox::new();
    let run = sb.run(&["-p", "总结一下"], Some("第一行\nsecond line\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sent(&sb), vec![user("总结一下\n\n第一行\nsecond line\n")]);
}

#[test]
fn plain_words_are_a_prompt() {
    let sb = Sandbox::new();
    let run = sb.run(&["你好"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end(), M1_TEXT, "{run:?}");
    assert_eq!(sent(&sb), vec![user("你好")]);
    sb.run(&["tell", "me", "a", "joke"], None);
    assert_eq!(sent(&sb), vec![user("tell me a joke")]);
}

#[test]
fn subcommand_names_beat_a_prompt() {
    let sb = Sandbox::new();
    for args in [&["models"][..], &["sessions"], &["sessions", "天气"]] {
        let run = sb.run(args, None);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
    }
    assert_eq!(sb.server.request_count(), 0, "no prompt was sent");
}

#[test]
fn resume_continues_that_session() {
    let sb = Sandbox::new();
    sb.run(&["-p", "第一个问题"], None);
    sb.run(&["-p", "另一个会话"], None);
    let run = sb.run(&["--resume", "1", "-p", "continue"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end(), M1_TEXT, "{run:?}");
    assert_eq!(
        sent(&sb),
        vec![user("第一个问题"), assistant(M1_TEXT), user("continue")]
    );
    let listed = sb.run(&["sessions"], None);
    assert_eq!(
        listed.stdout.lines().count(),
        2,
        "no new session: {listed:?}"
    );
    let export = sb.run(&["export", "1"], None);
    assert_eq!(export.code, 0, "{export:?}");
    let text = export.stdout;
    let first = text.find("第一个问题").expect("the first prompt");
    let again = text
        .find("continue")
        .expect("the new prompt is in session 1");
    assert!(first < again, "{text}");
    assert_eq!(text.matches(M1_TEXT).count(), 2, "both replies: {text}");
    assert!(!sb.run(&["export", "2"], None).stdout.contains("continue"));
}

#[test]
fn resume_of_a_missing_session_exits_2() {
    let sb = Sandbox::new();
    let none_yet = sb.run(&["--resume", "3", "-p", "continue"], None);
    assert_eq!(none_yet.code, 2, "{none_yet:?}");
    assert!(
        none_yet.stderr.contains("no saved sessions"),
        "{none_yet:?}"
    );
    sb.run(&["-p", "第一个问题"], None);
    let run = sb.run(&["--resume", "3", "-p", "continue"], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no session 3"), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    let bad = sb.run(&["--resume", "three", "-p", "continue"], None);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert_eq!(
        sb.server.request_count(),
        1,
        "nothing sent for a missing session"
    );
}
