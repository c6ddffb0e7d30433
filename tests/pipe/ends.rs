//! How the end of a reply is reported on stderr.

use super::{Sandbox, scenarios};

#[test]
fn a_spark_reply_ending_with_done_has_no_truncation_warning() {
    let sb = Sandbox::new();
    sb.server.on_model("gpt-4o", vec![scenarios::m9_spark()]);
    let run = sb.run(&["-p", "你好"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end_matches('\n'), "你好！", "{run:?}");
    assert!(!run.stderr.contains("truncated"), "{run:?}");
}

#[test]
fn a_reply_cut_off_before_done_may_be_truncated() {
    let sb = Sandbox::new();
    sb.server
        .on_model("gpt-4o", vec![scenarios::m9_spark_without_done()]);
    let run = sb.run(&["-p", "你好"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("may be truncated"), "{run:?}");
}
