//! (s) A long session: 500 short replies one after another in one ecochat, memory, open files,
//! threads and the CPU of one reply compared between reply 50 and reply 500.

use std::time::{Duration, Instant};

use crate::measure::{self, Row, median, sched, wait_screen};
use crate::proxy::Proxy;
use crate::support::MockServer;

/// Chunks of the soak reply.
pub const SOAK_CHUNKS: usize = 20;
/// Replies in the session, and the one the last is compared with.
const REPLIES: usize = 500;
const EARLY: usize = 50;
/// Optional: another number of replies (at least `EARLY`), e.g. to profile a shorter session
/// beside a longer one and see what grows with it (`ECOCHAT_E2E_WRAP` puts a profiler in front).
const REPLIES_ENV: &str = "ECOCHAT_SOAK_REPLIES";
/// Replies whose CPU is taken together (median) at each end: one reply's CPU is a few
/// milliseconds, and a single sample moves by a millisecond from run to run (the median of
/// ten still moved by one between runs).
const CPU_WINDOW: usize = 30;
/// Optional: a directory where `perf record` profiles ecochat over the replies of each window
/// (`early.data`, `late.data`), to see what a reply costs more of late in the session.
const PERF_ENV: &str = "ECOCHAT_SOAK_PERF";
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
    /// Every thread's CPU from Enter until the reply was done and drawn: the median of the
    /// last `CPU_WINDOW` replies.
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

/// `perf record` of process `pid` into `out`, with call graphs.
fn profile(pid: u32, out: &std::path::Path) -> Option<std::process::Child> {
    let child = std::process::Command::new("perf")
        .args([
            "record",
            "-q",
            "-e",
            "cpu-clock",
            "-F",
            "4000",
            "--call-graph",
            "dwarf",
        ])
        .arg("-p")
        .arg(pid.to_string())
        .arg("-o")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    // perf needs a moment to attach.
    std::thread::sleep(Duration::from_millis(500));
    Some(child)
}

/// Ends a `perf record` started by `profile`, letting it write its file.
fn stop(child: Option<std::process::Child>) {
    let Some(mut child) = child else { return };
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Runs the session and returns its rows: RSS, fds, threads and reply CPU at 50 and 500.
pub fn soak(proxy: &Proxy, server: &MockServer) -> Vec<Row> {
    let replies = std::env::var(REPLIES_ENV)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(REPLIES, |n| n.max(EARLY));
    let t = measure::spawn_app(proxy, measure::SOAK_MODEL, None);
    t.wait_ready();
    let pid = t.app_pid();
    let first_request = server.request_count();
    let mut early = Sample::default();
    let mut late = Sample::default();
    let start = Instant::now();
    let mut cpus = Vec::with_capacity(replies);
    let perf_dir = std::env::var_os(PERF_ENV).map(std::path::PathBuf::from);
    let mut perf = None;
    for i in 1..=replies {
        if let Some(dir) = &perf_dir
            && (i + CPU_WINDOW == EARLY + 1 || i + CPU_WINDOW == replies + 1)
        {
            let name = if i <= EARLY {
                "early.data"
            } else {
                "late.data"
            };
            perf = profile(pid, &dir.join(name));
        }
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
        cpus.push(after.saturating_sub(before));
        if i == EARLY || i == replies {
            stop(perf.take());
        }
        let cpu = || {
            median(
                cpus[cpus.len().saturating_sub(CPU_WINDOW)..]
                    .iter()
                    .copied(),
            )
        };
        if i == EARLY {
            std::thread::sleep(SETTLE);
            early = sample(pid, cpu());
        }
        if i == replies {
            std::thread::sleep(SETTLE);
            late = sample(pid, cpu());
        }
    }
    eprintln!(
        "e2e: soak of {replies} replies took {:.1} s; after reply {EARLY}: {early:?}; \
         after reply {replies}: {late:?}",
        start.elapsed().as_secs_f64()
    );
    vec![
        Row::bytes(format!("(s) RSS after reply {EARLY}"), early.rss, u64::MAX).info_only(),
        Row::bytes(
            format!("(s) RSS after reply {replies} (budget: reply {EARLY} + 10%)"),
            late.rss,
            early.rss + early.rss / 10,
        ),
        Row::count(
            format!("(s) open fds after reply {EARLY} -> {replies}"),
            early.fds,
            late.fds,
        ),
        Row::count(
            format!("(s) threads after reply {EARLY} -> {replies}"),
            early.threads,
            late.threads,
        ),
        Row::info(
            format!("(s) CPU of a reply, median of {CPU_WINDOW} to reply {EARLY}"),
            early.reply_cpu,
        ),
        Row::info(
            format!("(s) CPU of a reply, median of {CPU_WINDOW} to reply {replies}"),
            late.reply_cpu,
        ),
    ]
}
