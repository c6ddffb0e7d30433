//! ecochat beside a peer (aichat 0.30.0) on the same replies from the same in-repo mock, in the
//! same tmux harness, runs interleaved: start-up, a burst reply, a paced reply (a chunk every
//! 2 ms), the CPU of each reply and the memory held. Prints one table of medians with the ratio
//! ecochat/aichat and the budget of issue 19 beside each ratio.
//!
//! Run it with `benches/peers.sh`, which builds aichat once into a cache dir outside the repo;
//! a plain `cargo bench` skips it. All traffic stays on 127.0.0.1.

#[path = "../../tests/support/mod.rs"]
mod support;
#[path = "../../tests/tmux/mod.rs"]
mod tmux;

#[allow(dead_code)]
#[path = "../e2e/measure.rs"]
mod measure;
#[path = "../e2e/proxy.rs"]
mod proxy;

mod peer;

use std::time::Duration;

use peer::{Peer, Run};
use proxy::Proxy;
use support::MockServer;

/// The aichat binary, set by `benches/peers.sh`; without it `cargo bench` skips this bench.
const AICHAT_ENV: &str = "ECOCHAT_PEERS_AICHAT";
/// Runs per tool (`ECOCHAT_PEERS_RUNS`).
const RUNS_ENV: &str = "ECOCHAT_PEERS_RUNS";
/// `ecochat` measures ecochat alone (for profiling it with `ECOCHAT_E2E_WRAP`).
const ONLY_ENV: &str = "ECOCHAT_PEERS_ONLY";
/// Runs per tool unless told; `measure` reads it too.
const RUNS: usize = 5;
/// Chunks of both replies.
const CHUNKS: usize = 2_000;
/// Pause between two chunks of the paced reply: a fast model.
const PACE: Duration = Duration::from_millis(2);

fn main() {
    let Some(aichat) = std::env::var_os(AICHAT_ENV) else {
        println!("peers: skipped; run benches/peers.sh (needs tmux and aichat 0.30.0)");
        return;
    };
    let runs = std::env::var(RUNS_ENV)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RUNS);
    let server = MockServer::start();
    server.on_model(
        measure::LATENCY_MODEL,
        vec![support::scenarios::big_reply(CHUNKS)],
    );
    server.on_model(measure::PACED_MODEL, vec![paced_reply()]);
    let proxy = Proxy::start(server.addr());
    let mut peers = vec![Peer::Ecochat, Peer::Aichat(aichat.into())];
    if let Ok(only) = std::env::var(ONLY_ENV) {
        peers.retain(|p| p.name().starts_with(only.as_str()));
    }
    let pressure = std::fs::read_to_string("/proc/pressure/cpu").unwrap_or_default();
    println!(
        "peers: CPU pressure at the start: {}",
        pressure.lines().next().unwrap_or("unknown")
    );
    // Interleaved, so a machine that gets busier midway weighs on both alike.
    let mut results: Vec<Vec<Run>> = peers.iter().map(|_| Vec::new()).collect();
    for i in 0..runs {
        for (p, peer) in peers.iter().enumerate() {
            let run = peer.measure(&proxy);
            eprintln!("peers: run {} {}: {run:?}", i + 1, peer.name());
            results[p].push(run);
        }
    }
    if peers.len() == 2 {
        print_table(&peers, &results, runs);
    }
    drop(server);
}

/// The paced reply, its last content chunk and its end (stop, usage, `[DONE]`) in one write:
/// the server's last byte is then the last chunk's, and the lag is measured from it.
fn paced_reply() -> support::Reply {
    let mut reply = support::scenarios::slow_stream(CHUNKS, PACE);
    let end = reply.body.len().saturating_sub(4);
    let tail: Vec<u8> = reply
        .body
        .drain(end..)
        .flat_map(|step| match step {
            support::Step::Write(bytes) => bytes,
            _ => Vec::new(),
        })
        .collect();
    assert!(
        String::from_utf8_lossy(&tail).contains("[DONE]"),
        "the end of the paced reply moved"
    );
    reply.body.push(support::Step::Write(tail));
    reply
}

/// One column of the table: how it is read from a run, and the budget on the ratio.
struct Column {
    name: &'static str,
    get: fn(&Run) -> f64,
    unit: &'static str,
    budget: Option<f64>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn columns() -> Vec<Column> {
    vec![
        Column {
            name: "start-up: spawn -> prompt drawn",
            get: |r| ms(r.startup),
            unit: "ms",
            budget: None,
        },
        Column {
            name: "burst: Enter -> last of 2,000 chunks on screen",
            get: |r| ms(r.burst_to_screen),
            unit: "ms",
            budget: Some(0.5),
        },
        Column {
            name: "burst: CPU of the reply (user+sys)",
            get: |r| ms(r.burst_cpu),
            unit: "ms",
            budget: Some(0.5),
        },
        Column {
            name: "paced 2 ms: server's last byte -> last chunk on screen",
            get: |r| ms(r.paced_lag),
            unit: "ms",
            budget: None,
        },
        Column {
            name: "paced 2 ms: CPU of the reply (user+sys)",
            get: |r| ms(r.paced_cpu),
            unit: "ms",
            budget: Some(0.5),
        },
        Column {
            name: "RSS idle",
            get: |r| mib(r.rss_idle),
            unit: "MiB",
            budget: Some(1.0),
        },
        Column {
            name: "RSS after the paced reply",
            get: |r| mib(r.rss_after),
            unit: "MiB",
            budget: Some(1.0),
        },
    ]
}

/// The median of `v` (the upper one for an even count) and its range.
fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let mid = v.get(v.len() / 2).copied().unwrap_or(0.0);
    let lo = v.first().copied().unwrap_or(0.0);
    let hi = v.last().copied().unwrap_or(0.0);
    (mid, lo, hi)
}

/// Prints the table as Markdown, ready for the README.
fn print_table(peers: &[Peer], results: &[Vec<Run>], runs: usize) {
    println!();
    println!(
        "| measurement (median of {runs}) | {} | {} | ratio | budget | |",
        peers[0].name(),
        peers[1].name()
    );
    println!("|---|---:|---:|---:|---:|---|");
    for c in columns() {
        let (a, a_lo, a_hi) = stats(results[0].iter().map(c.get).collect());
        let (b, b_lo, b_hi) = stats(results[1].iter().map(c.get).collect());
        let ratio = if b > 0.0 { a / b } else { f64::NAN };
        let (budget, verdict) = match c.budget {
            Some(max) => (
                format!("≤ {max:.1}×"),
                if ratio <= max { "ok" } else { "MISS" },
            ),
            None => ("-".to_string(), ""),
        };
        println!(
            "| {} | {a:.1} {u} ({a_lo:.1}–{a_hi:.1}) | {b:.1} {u} ({b_lo:.1}–{b_hi:.1}) | {ratio:.2}× | {budget} | {verdict} |",
            c.name,
            u = c.unit
        );
    }
    // The budget for the paced lag is absolute, not a ratio.
    let lag = stats(results[0].iter().map(|r| ms(r.paced_lag)).collect()).0;
    println!();
    println!(
        "ecochat's paced lag {lag:.1} ms against a budget of 20 ms: {}. Ranges are min–max over \
         the runs; times are read by polling `tmux capture-pane` (a few ms of resolution); CPU \
         is every thread's time on a CPU (/proc/PID/task/*/schedstat) from Enter until the \
         process is idle again.",
        if lag <= 20.0 { "ok" } else { "MISS" }
    );
    let pressure = std::fs::read_to_string("/proc/pressure/cpu").unwrap_or_default();
    if let Some(line) = pressure.lines().next() {
        println!("CPU pressure at the end: {line}");
    }
}
