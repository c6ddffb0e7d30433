//! End-to-end measurements of the release binary in tmux against the in-repo mock server:
//! stream latency, the same scrolled up over a long history, start-up, idle CPU and peak memory.
//! Prints one table with the budget of issue 8 beside each number.
//!
//! Run it with `benches/e2e.sh`; a plain `cargo bench` skips it (it needs tmux and ~2 minutes).
//! All traffic stays on 127.0.0.1; every wait has a timeout.

#[path = "../../tests/support/mod.rs"]
mod support;
#[path = "../../tests/tmux/mod.rs"]
mod tmux;

mod measure;
mod proxy;
mod soak;

use std::time::Duration;

use measure::{Row, median, repeat};
use proxy::Proxy;
use support::{MockServer, Reply};

/// Set by `benches/e2e.sh`; without it `cargo bench` does not run this bench.
const ENABLE_ENV: &str = "ECOCHAT_E2E_BENCH";
/// Chunks of the latency reply (issue 8: "a 2,000-chunk reply").
const CHUNKS: usize = 2_000;
/// Size of the memory reply.
const BIG_REPLY: usize = 10 * 1024 * 1024;
/// Messages of the long conversation ("a 5,000-message conversation").
const HISTORY: usize = 5_000;
/// Repetitions of each timed measurement; the median is reported.
const RUNS: usize = 5;
/// Optional: the measurements to run, as letters (`ECOCHAT_E2E_ONLY=ce`); all but the soak
/// (`s`, a few minutes: `benches/soak.sh`) by default.
const ONLY_ENV: &str = "ECOCHAT_E2E_ONLY";

fn main() {
    if std::env::var_os(ENABLE_ENV).is_none() {
        println!("e2e: skipped; run benches/e2e.sh (needs tmux)");
        return;
    }
    let server = MockServer::start();
    server.on_model(
        measure::LATENCY_MODEL,
        vec![support::scenarios::big_reply(CHUNKS)],
    );
    server.on_model(measure::MEMORY_MODEL, vec![big_reply(BIG_REPLY)]);
    server.on_model(
        measure::SOAK_MODEL,
        vec![support::scenarios::big_reply(soak::SOAK_CHUNKS)],
    );
    let proxy = Proxy::start(server.addr());
    // A real stored session, resumed with `--resume` as a user would.
    let stored = measure::stored_session(HISTORY);
    let history = Some(stored.path());

    let mut rows = Vec::new();
    let pressure = std::fs::read_to_string("/proc/pressure/cpu").unwrap_or_default();
    println!(
        "e2e: CPU pressure at the start: {}",
        pressure.lines().next().unwrap_or("unknown")
    );
    let base = repeat(RUNS, measure::harness_baseline);
    rows.push(Row::info(
        "tmux + capture overhead (printf to screen)",
        median(base.iter().copied()),
    ));

    let only = std::env::var(ONLY_ENV).unwrap_or_else(|_| "abcde".into());
    let wanted = |letter: char| only.contains(letter);
    // (b)'s budget is relative to (a): asking for (b) runs (a) too.
    // A pane scrolled up cannot show the last chunk: (b) is timed until the status bar says the
    // reply is done, and compared with (a) timed the same way.
    let mut a_done = Duration::ZERO;
    if wanted('a') || wanted('b') {
        let a = repeat(RUNS, || measure::stream(&proxy, None, false));
        let a_last = median(a.iter().map(|s| s.last_byte_to_screen));
        a_done = median(a.iter().map(|s| s.last_byte_to_done));
        rows.push(Row::info(
            "(a) Enter -> last of 2,000 chunks on screen",
            median(a.iter().map(|s| s.enter_to_screen)),
        ));
        rows.push(Row::info(
            "(a) server's first byte -> last chunk on screen",
            median(a.iter().map(|s| s.first_byte_to_screen)),
        ));
        rows.push(Row::budget(
            "(a) server's last byte -> last chunk on screen",
            a_last,
            Duration::from_millis(50),
        ));
        rows.push(Row::info(
            "(a) server's last byte -> reply done (status bar)",
            a_done,
        ));
        rows.push(Row::info(
            "(a) ... ecochat waiting for a busy CPU meanwhile",
            median(a.iter().map(|s| s.waited)),
        ));
    }
    if wanted('b') {
        // Enter -> done also holds uploading the 5,000-message history (about 3 MB of JSON) to the mock,
        // so the stream is compared from the server's bytes, as (a)'s budget is.
        let b = repeat(RUNS, || measure::stream(&proxy, history, true));
        rows.push(Row::info(
            "(b) scrolled up, 5,000 msgs: Enter -> reply done",
            median(b.iter().map(|s| s.enter_to_screen)),
        ));
        rows.push(Row::info(
            "(b) scrolled up, 5,000 msgs: first byte -> done",
            median(b.iter().map(|s| s.first_byte_to_screen)),
        ));
        rows.push(Row::budget(
            "(b) scrolled up, 5,000 msgs: last byte -> done",
            median(b.iter().map(|s| s.last_byte_to_done)),
            a_done.mul_f64(1.2),
        ));
        rows.push(Row::info(
            "(b) ... ecochat waiting for a busy CPU meanwhile",
            median(b.iter().map(|s| s.waited)),
        ));
    }
    if wanted('c') {
        // The tmux spawn and the capture are not ecochat's: the budget applies to what is left.
        let overhead = median(base.iter().copied());
        let c1 = repeat(RUNS, || measure::startup(None, ""));
        startup_rows(
            &mut rows,
            "no config",
            &c1,
            overhead,
            Duration::from_millis(30),
        );
        // The conversation itself must be on screen, not only the input box.
        let newest = format!("第{}个回答", (HISTORY - 1) / 2);
        let c2 = repeat(RUNS, || measure::startup(history, &newest));
        startup_rows(
            &mut rows,
            "5,000 msgs resumed",
            &c2,
            overhead,
            Duration::from_millis(60),
        );
    }
    if wanted('d') {
        let idle = measure::idle_cpu(Duration::from_secs(10));
        rows.push(Row::budget(
            "(d) CPU over 10 s idle (all threads)",
            idle,
            Duration::from_millis(20),
        ));
    }
    if wanted('e') {
        let (hwm, took) = measure::peak_rss(&proxy);
        rows.push(Row::info("(e) 10 MB reply streamed in", took));
        rows.push(Row::bytes(
            "(e) peak RSS (VmHWM) after a 10 MB reply",
            hwm,
            4 * BIG_REPLY as u64 + 30 * 1024 * 1024,
        ));
    }

    if wanted('s') {
        rows.extend(soak::soak(&proxy, &server));
    }

    measure::print_table(&rows, &base);
    drop(server);
}

/// Start-up rows: wall time, less the harness, and the main thread's CPU and CPU wait.
fn startup_rows(
    rows: &mut Vec<Row>,
    what: &str,
    runs: &[measure::Startup],
    overhead: Duration,
    budget: Duration,
) {
    let wall = median(runs.iter().map(|s| s.wall));
    let name = |s: &str| format!("(c) {what}: {s}");
    rows.push(Row::info(name("spawn -> first frame, raw"), wall));
    rows.push(Row::budget(
        name("... minus the tmux overhead"),
        wall.saturating_sub(overhead),
        budget,
    ));
    rows.push(Row::info(
        name("main thread on a CPU until then"),
        median(runs.iter().map(|s| s.main_cpu)),
    ));
    rows.push(Row::info(
        name("main thread waiting for a busy CPU"),
        median(runs.iter().map(|s| s.main_wait)),
    ));
}

/// One SSE reply of at least `bytes` bytes of markdown text in ~4 KiB content chunks.
fn big_reply(bytes: usize) -> Reply {
    let text = ecochat::dev::synthetic::long_reply(bytes);
    let mut payload = Vec::with_capacity(text.len() * 11 / 10);
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let mut cut = rest.len().min(4096);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        let event = serde_json::json!({
            "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1743318000,
            "model": "mock-model",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]
        });
        payload.extend(format!("data: {event}\n\n").into_bytes());
    }
    let stop = serde_json::json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1743318000,
        "model": "mock-model",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 42, "total_tokens": 47}
    });
    payload.extend(format!("data: {stop}\n\ndata: [DONE]\n\n").into_bytes());
    Reply::sse(&payload)
}
