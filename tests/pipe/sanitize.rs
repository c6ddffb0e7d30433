//! `--sanitize`: model text into a pipe is raw by default (like curl), clean on request.

use serde_json::json;

use super::Sandbox;
use super::support::Reply;

/// Escape sequences and C1 controls, each cut in two across deltas, in the reply and its
/// reasoning.
fn hostile_reply() -> Reply {
    let nasty = [
        "\u{1b}]52;c;cHduZWQ=\u{7}",
        "\u{1b}]0;PWNED\u{1b}\\",
        "\u{1b}[2J\u{1b}[31m",
        "\u{9b}2J",
        "\u{9d}52;c;eA==\u{9c}",
        "\u{85}\u{8d}\u{9a}",
    ];
    let mut payload = Vec::new();
    let mut push = |field: &str, text: &str| {
        let chunk = json!({"choices": [{"index": 0, "delta": {field: text}}]});
        payload.extend(format!("data: {chunk}\n\n").into_bytes());
    };
    push("reasoning_content", &format!("THINK {}", nasty.concat()));
    push("content", "BEGIN ");
    for seq in nasty {
        let chars: Vec<char> = seq.chars().collect();
        let (a, b) = chars.split_at(chars.len() / 2);
        push("content", &a.iter().collect::<String>());
        push("content", &format!("{}中文", b.iter().collect::<String>()));
    }
    push("content", " END");
    payload.extend_from_slice(b"data: [DONE]\n\n");
    Reply::sse(&payload)
}

/// True when `text` holds ESC or any C1 control.
fn has_controls(text: &str) -> bool {
    text.chars()
        .any(|c| c == '\u{1b}' || ('\u{80}'..='\u{9f}').contains(&c))
}

#[test]
fn sanitize_always_cleans_a_hostile_reply_into_a_pipe() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o", vec![hostile_reply()]);
    let run = sb.run(&["--sanitize", "always", "-p", "hi"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!has_controls(&run.stdout), "{:?}", run.stdout);
    assert!(!has_controls(&run.stderr), "{:?}", run.stderr);
    assert!(run.stdout.starts_with("BEGIN "), "{:?}", run.stdout);
    assert!(run.stdout.trim_end().ends_with(" END"), "{:?}", run.stdout);
    assert_eq!(run.stdout.matches("中文").count(), 6, "{:?}", run.stdout);
    assert!(run.stderr.contains("THINK"), "{:?}", run.stderr);
}

#[test]
fn a_pipe_gets_the_text_as_sent_by_default_and_with_never() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o", vec![hostile_reply()]);
    for args in [&["-p", "hi"][..], &["--sanitize", "never", "-p", "hi"]] {
        let run = sb.run(args, None);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stdout.contains("\u{1b}]52;c;cHduZWQ=\u{7}"),
            "{args:?}: {:?}",
            run.stdout
        );
    }
}

#[test]
fn help_says_a_pipe_gets_raw_text() {
    let sb = Sandbox::new();
    let run = sb.run(&["--help"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("--sanitize"), "{}", run.stdout);
    assert!(run.stdout.contains("written as sent"), "{}", run.stdout);
}
