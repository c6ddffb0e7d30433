//! (s) A long session: 500 short replies one after another in one ecochat, memory, open files,
//! threads and the CPU of one reply compared between reply 50 and reply 500.

use std::time::{Duration, Instant};

use crate::measure::{self, Row, sched, wait_screen};
use crate::proxy::Proxy;
use crate::support::MockServer;

/// Chunks of the soak reply.
pub const SOAK_CHUNKS: usize = 20;
/// Replies in the session, and the one the last is compared with.
const REPLIES: usize = 500;
const EARLY: usize = 50;
/// Before a sample: tokio's blocking threads (store writes, state saves) end after 10 s idle,
/// so a sample taken sooner counts whichever happened to be alive.
const SETTLE: Duration = Duration::from_secs(11);
/// Longest wait for one reply.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What /proc says about the process after a reply.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    rss: u64,
    fds: usize,
    threads: usize,
    /// Every thread's CPU from Enter until the reply was done and drawn.
    reply_cpu: Duration,
}

fn sample(pid: u32, reply_cpu: Duration) -> Sample {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024;
    let count = |dir: &str| {
        std::fs::read_dir(format!("/proc/{pid}/{dir}")).map_or(0, |d| d.flatten().count())
    };
    Sample {
        rss,
        fds: count("fd"),
        threads: count("task"),
        reply_cpu,
    }
}

/// Runs the session and returns its rows: RSS, fds, threads and reply CPU at 50 and 500.
pub fn soak(proxy: &Proxy, server: &MockServer) -> Vec<Row> {
    let t = measure::spawn_app(proxy, measure::SOAK_MODEL, None);
    t.wait_ready();
    let pid = t.app_pid();
    let first_request = server.request_count();
    let mut early = Sample::default();
    let mut late = Sample::default();
    let start = Instant::now();
    for i in 1..=REPLIES {
        let tag = format!("soak{i}x");
        t.type_text(&tag);
        wait_screen(&t, "the typed prompt", |s| s.contains(&tag));
        let (before, _) = sched(pid, None);
        t.keys(&["Enter"]);
        assert!(
            server.wait_for_requests(first_request + i, TIMEOUT),
            "request {i} never came"
        );
        // The prompt in the conversation and nothing in flight: the reply is done and drawn.
        wait_screen(&t, "the reply done", |s| {
            crate::tmux::conversation_text(s).contains(&tag) && crate::tmux::is_idle(s)
        });
        let (after, _) = sched(pid, None);
        let cpu = after.saturating_sub(before);
        if i == EARLY {
            std::thread::sleep(SETTLE);
            early = sample(pid, cpu);
        }
        if i == REPLIES {
            std::thread::sleep(SETTLE);
            late = sample(pid, cpu);
        }
    }
    eprintln!(
        "e2e: soak of {REPLIES} replies took {:.1} s; after reply {EARLY}: {early:?}; \
         after reply {REPLIES}: {late:?}",
        start.elapsed().as_secs_f64()
    );
    vec![
        Row::bytes(format!("(s) RSS after reply {EARLY}"), early.rss, u64::MAX).info_only(),
        Row::bytes(
            format!("(s) RSS after reply {REPLIES} (budget: reply {EARLY} + 10%)"),
            late.rss,
            early.rss + early.rss / 10,
        ),
        Row::count(
            format!("(s) open fds after reply {EARLY} -> {REPLIES}"),
            early.fds,
            late.fds,
        ),
        Row::count(
            format!("(s) threads after reply {EARLY} -> {REPLIES}"),
            early.threads,
            late.threads,
        ),
        Row::info(format!("(s) CPU of reply {EARLY}"), early.reply_cpu),
        Row::info(format!("(s) CPU of reply {REPLIES}"), late.reply_cpu),
    ]
}
