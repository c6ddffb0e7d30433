//! The two programs under comparison and one run of each: how each is started against the
//! relay, how it shows it is ready, and the measurements taken on it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::measure::{self, flat, sched, wait_idle, wait_screen};
use crate::proxy::Proxy;
use crate::tmux::Tmux;

/// Same window as the e2e bench.
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
/// The mock accepts any key; neither program sends it anywhere but the relay.
const KEY: &str = "sk-bench";
/// What aichat's REPL shows once it reads input (its welcome line, then the prompt).
const AICHAT_READY: &str = "for additional help";

/// A program under comparison.
pub enum Peer {
    Ecochat,
    /// aichat, at this binary.
    Aichat(PathBuf),
}

/// One run of one program.
#[derive(Debug)]
pub struct Run {
    pub startup: Duration,
    pub burst_to_screen: Duration,
    pub burst_cpu: Duration,
    pub paced_lag: Duration,
    pub paced_cpu: Duration,
    pub rss_idle: u64,
    pub rss_after: u64,
}

/// One reply as measured.
struct Reply {
    enter_to_screen: Duration,
    last_byte_to_screen: Duration,
    cpu: Duration,
}

impl Peer {
    pub fn name(&self) -> &'static str {
        match self {
            Peer::Ecochat => "ecochat",
            Peer::Aichat(_) => "aichat 0.30.0",
        }
    }

    /// Start-up and the burst reply in one process, the paced reply in a second.
    pub fn measure(&self, proxy: &Proxy) -> Run {
        let start = Instant::now();
        let t = self.spawn(proxy, measure::LATENCY_MODEL);
        let ready = wait_screen(&t, "the prompt", |s| self.ready(s));
        let startup = ready - start;
        let pid = t.app_pid();
        wait_idle(pid);
        let rss_idle = rss(pid);
        let burst = self.reply(&t, proxy);
        drop(t);

        let t = self.spawn(proxy, measure::PACED_MODEL);
        wait_screen(&t, "the prompt", |s| self.ready(s));
        let paced = self.reply(&t, proxy);
        let rss_after = rss(t.app_pid());
        drop(t);
        // A profiler in front (`ECOCHAT_E2E_WRAP`) writes its report once the program ended.
        std::thread::sleep(Duration::from_millis(300));
        Run {
            startup,
            burst_to_screen: burst.enter_to_screen,
            burst_cpu: burst.cpu,
            paced_lag: paced.last_byte_to_screen,
            paced_cpu: paced.cpu,
            rss_idle,
            rss_after,
        }
    }

    /// The program in a fresh tmux, talking to `model` through the relay.
    fn spawn(&self, proxy: &Proxy, model: &str) -> Tmux {
        match self {
            Peer::Ecochat => measure::spawn_app(proxy, model, None),
            Peer::Aichat(bin) => {
                let mut t = Tmux::new();
                let config = format!(
                    "model: mock:{model}\nstream: true\nsave: false\nhighlight: true\n\
                     clients:\n  - type: openai-compatible\n    name: mock\n    api_base: {}\n    \
                     api_key: {KEY}\n    models:\n      - name: {model}\n",
                    proxy.base_url()
                );
                let dir = t.write_file("aichat/config.yaml", &config);
                let dir = dir.parent().unwrap_or(&dir).display().to_string();
                let bin = bin.display().to_string();
                t.run_argv(&[&bin], &[("AICHAT_CONFIG_DIR", &dir)], WIDTH, HEIGHT);
                t
            }
        }
    }

    fn ready(&self, screen: &str) -> bool {
        match self {
            Peer::Ecochat => screen.contains("╭ Message"),
            Peer::Aichat(_) => screen.contains(AICHAT_READY),
        }
    }

    /// Types a prompt, presses Enter and waits for the last chunk on screen, then for the
    /// program to be idle: the CPU is every thread's from Enter until then.
    fn reply(&self, t: &Tmux, proxy: &Proxy) -> Reply {
        t.type_text("go");
        wait_screen(t, "the typed prompt", |s| s.contains("go"));
        let pid = t.app_pid();
        wait_idle(pid);
        proxy.reset();
        let (before, _) = sched(pid, None);
        let enter = Instant::now();
        t.keys(&["Enter"]);
        let seen = wait_screen(t, "the last chunk", |s| {
            flat(s).contains(measure::LAST_PIECE)
        });
        if let Peer::Ecochat = self {
            wait_screen(t, "the final usage", |s| {
                crate::tmux::status_line(s).contains(measure::DONE_USAGE)
            });
        }
        wait_idle(pid);
        let (after, _) = sched(pid, None);
        let last = proxy.last_byte().unwrap_or(enter);
        Reply {
            enter_to_screen: seen.saturating_duration_since(enter),
            last_byte_to_screen: seen.saturating_duration_since(last),
            cpu: after.saturating_sub(before),
        }
    }
}

/// Resident memory (VmRSS) of `pid` in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}
