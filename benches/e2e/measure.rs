//! The measurements themselves, each on a fresh ecochat in its own tmux server, and the table.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::proxy::Proxy;
use crate::tmux::Tmux;

/// Model whose reply is the 2,000-chunk stream.
pub const LATENCY_MODEL: &str = "big2000";
/// Model whose reply is the 10 MB stream.
pub const MEMORY_MODEL: &str = "big10mb";
/// Model whose reply is the 2,000-chunk stream paced at a chunk every 2 ms (`benches/peers`).
pub const PACED_MODEL: &str = "paced2000";
/// Model whose reply is the short reply of the soak (`benches/soak.sh`).
pub const SOAK_MODEL: &str = "soak20";
/// The text of the last content chunk of `big_reply(2000)`.
pub const LAST_PIECE: &str = "第1999段，";
/// What the status bar shows once the synthetic reply's usage arrived (completion tokens).
pub const DONE_USAGE: &str = "↓42 tok";
const KEY_ENV: &str = "ECOCHAT_BENCH_KEY";
/// Optional: a command put in front of ecochat in the stream and memory runs, for profiling.
const WRAP_ENV: &str = "ECOCHAT_E2E_WRAP";
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
/// Longest wait for anything on screen.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Pause between two screen captures; each capture itself takes a few milliseconds.
const POLL: Duration = Duration::from_millis(1);

/// Runs `f` `n` times.
pub fn repeat<T>(n: usize, mut f: impl FnMut() -> T) -> Vec<T> {
    (0..n).map(|_| f()).collect()
}

/// The median (the upper one for an even count).
pub fn median(runs: impl IntoIterator<Item = Duration>) -> Duration {
    let mut v: Vec<Duration> = runs.into_iter().collect();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// One streamed reply.
pub struct Stream {
    pub enter_to_screen: Duration,
    /// From the first byte of the answer: the stream's own cost, without the request upload.
    pub first_byte_to_screen: Duration,
    pub last_byte_to_screen: Duration,
    /// Until the status bar shows the reply finished (its usage): what a scrolled-up pane,
    /// which cannot show the last chunk, is timed by.
    pub last_byte_to_done: Duration,
    /// ecochat's threads' time waiting for a CPU between Enter and the screen showing the end.
    pub waited: Duration,
}

/// A copy of ecochat's data dir holding one stored session of `n` messages: ecochat started
/// once with the hidden preload saves them to its session store and finishes writing on quit.
pub fn stored_session(n: usize) -> tempfile::TempDir {
    let mut t = Tmux::new();
    let count = n.to_string();
    t.run(
        &[],
        &[(ecochat::dev::synthetic::HISTORY_ENV, count.as_str())],
        WIDTH,
        HEIGHT,
    );
    t.wait_ready();
    t.keys(&["C-q"]);
    t.wait_exit(TIMEOUT);
    let data = t.path("data/ecochat");
    let db = data.join(ecochat::store::DB_FILE);
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    assert!(size > 1 << 20, "{} holds {size} bytes", db.display());
    let copy = tempfile::tempdir().expect("temp dir");
    copy_files(&data, copy.path());
    copy
}

/// Copies the files of `from` (not its subdirectories) into `to`.
fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the data dir");
    for entry in std::fs::read_dir(from)
        .expect("read the data dir")
        .flatten()
    {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a store file");
        }
    }
}

/// Puts the stored session into `t`'s data dir and returns the arguments that resume it.
fn resume_args(t: &Tmux, stored: Option<&Path>) -> Vec<&'static str> {
    match stored {
        Some(dir) => {
            copy_files(dir, &t.path("data/ecochat"));
            vec!["--resume"]
        }
        None => Vec::new(),
    }
}

/// ecochat with a config pointing at the relay, optionally resuming a stored session.
fn app(proxy: &Proxy, model: &str, stored: Option<&Path>) -> Tmux {
    let t = spawn_app(proxy, model, stored);
    t.wait_ready();
    t
}

/// `app` without waiting for the first frame: start-up is timed from here.
pub fn spawn_app(proxy: &Proxy, model: &str, stored: Option<&Path>) -> Tmux {
    let mut t = Tmux::new();
    let cfg = format!(
        "default_model = \"mock:{model}\"\n\n[[providers]]\nname = \"mock\"\nbase_url = \"{}\"\n\
         api_key_env = \"{KEY_ENV}\"\nmax_retries = 0\nmodels = [\"{LATENCY_MODEL}\", \"{MEMORY_MODEL}\", \"{PACED_MODEL}\", \"{SOAK_MODEL}\"]\n",
        proxy.base_url()
    );
    let path = t.write_file("ecochat.toml", &cfg).display().to_string();
    let mut args = vec!["--config", path.as_str()];
    args.extend(resume_args(&t, stored));
    // A resumed session keeps its own model: `-m` picks the mock's again.
    let model_arg = format!("mock:{model}");
    args.extend(["-m", model_arg.as_str()]);
    let env = [(KEY_ENV, "sk-bench")];
    match std::env::var(WRAP_ENV) {
        // A profiler in front of ecochat (`heaptrack -o FILE`, `perf record -g -o FILE`).
        Ok(wrap) if !wrap.trim().is_empty() => {
            let bin = crate::tmux::bin().display().to_string();
            let mut argv: Vec<&str> = wrap.split_whitespace().collect();
            argv.push(&bin);
            argv.extend(&args);
            t.run_argv(&argv, &env, WIDTH, HEIGHT);
        }
        _ => t.run(&args, &env, WIDTH, HEIGHT),
    }
    t
}

/// Polls the screen until `pred` holds; the time is taken when the capture that saw it began.
pub fn wait_screen(t: &Tmux, what: &str, pred: impl Fn(&str) -> bool) -> Instant {
    let start = Instant::now();
    loop {
        let at = Instant::now();
        let screen = t.screen();
        if pred(&screen) {
            return at;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "timed out waiting for {what}; screen:\n{screen}"
        );
        std::thread::sleep(POLL);
    }
}

/// The screen without whitespace and scrollbar cells, so wrapped text reads as one string.
pub fn flat(screen: &str) -> String {
    screen
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '║' | '█' | '│'))
        .collect()
}

/// Enter -> the 2,000-chunk reply complete on screen. Following the reply, completion is its
/// last chunk on screen; scrolled up (PgUp right after Enter) the text is out of view, so it is
/// the status bar's final usage, drawn in the same frame as the last chunk.
pub fn stream(proxy: &Proxy, stored: Option<&Path>, scrolled_up: bool) -> Stream {
    let t = app(proxy, LATENCY_MODEL, stored);
    t.type_text("go");
    wait_screen(&t, "the typed prompt", |s| s.contains("go"));
    proxy.reset();
    let pid = t.app_pid();
    // Start-up work on spare threads (syntax data, the patterns of the history's code) is
    // done before the clock starts: the budget is about the stream, not a race with it.
    wait_idle(pid);
    let (_, wait_before) = sched(pid, None);
    let enter = Instant::now();
    if scrolled_up {
        t.keys(&["Enter", "PPage"]);
    } else {
        t.keys(&["Enter"]);
    }
    let done = |s: &str| crate::tmux::status_line(s).contains(DONE_USAGE);
    let (seen, done_at) = if scrolled_up {
        let at = wait_screen(&t, "the final usage", done);
        (at, at)
    } else {
        let seen = wait_screen(&t, "the last chunk", |s| flat(s).contains(LAST_PIECE));
        (seen, wait_screen(&t, "the final usage", done))
    };
    let (_, wait_after) = sched(pid, None);
    if scrolled_up {
        let screen = t.screen();
        assert!(
            !flat(&screen).contains(LAST_PIECE),
            "the pane did not stay scrolled up:\n{screen}"
        );
    }
    let first = proxy.first_byte().unwrap_or(enter);
    let last = proxy.last_byte().unwrap_or(enter);
    Stream {
        enter_to_screen: seen.saturating_duration_since(enter),
        first_byte_to_screen: seen.saturating_duration_since(first),
        last_byte_to_screen: seen.saturating_duration_since(last),
        last_byte_to_done: done_at.saturating_duration_since(last),
        waited: wait_after.saturating_sub(wait_before),
    }
}

/// Waits (at most `TIMEOUT`) until ecochat used no CPU for 200 ms.
pub fn wait_idle(pid: u32) {
    let start = Instant::now();
    let mut last = sched(pid, None).0;
    while start.elapsed() < TIMEOUT {
        std::thread::sleep(Duration::from_millis(200));
        let now = sched(pid, None).0;
        if now == last {
            return;
        }
        last = now;
    }
}

/// One start-up.
pub struct Startup {
    pub wall: Duration,
    /// The main thread's time on a CPU until the frame was seen (it draws the frame).
    pub main_cpu: Duration,
    /// The main thread's time waiting for a CPU meanwhile.
    pub main_wait: Duration,
}

/// Spawn -> the input box drawn, without a config (demo model), maybe resuming a stored session:
/// then also its newest reply (`last_reply`) must be on screen.
pub fn startup(stored: Option<&Path>, last_reply: &str) -> Startup {
    let mut t = Tmux::new();
    let args = resume_args(&t, stored);
    let start = Instant::now();
    t.run(&args, &[], WIDTH, HEIGHT);
    let pid = t.app_pid();
    let seen = wait_screen(&t, "the first frame", |s| {
        s.contains("╭ Message") && s.contains(last_reply)
    });
    let (main_cpu, main_wait) = sched(pid, Some(pid));
    Startup {
        wall: seen - start,
        main_cpu,
        main_wait,
    }
}

/// The same spawn and poll for a program that prints the text at once: the harness's share.
pub fn harness_baseline() -> Duration {
    let t = Tmux::new();
    let start = Instant::now();
    t_launch_printf(&t);
    let seen = wait_screen(&t, "printf", |s| s.contains("╭ Message"));
    seen - start
}

fn t_launch_printf(t: &Tmux) {
    let out = t.tmux(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        "-s",
        "e2e",
        "printf '╭ Message\\n'; sleep 30",
    ]);
    assert!(out.status.success(), "tmux new-session failed");
}

/// CPU time (all threads, from /proc/PID/task/*/schedstat) used by an idle ecochat in `span`.
pub fn idle_cpu(span: Duration) -> Duration {
    let mut t = Tmux::new();
    t.run(&[], &[], WIDTH, HEIGHT);
    t.wait_ready();
    std::thread::sleep(Duration::from_secs(1));
    let pid = t.app_pid();
    let before = cpu_time(pid);
    std::thread::sleep(span);
    let after = cpu_time(pid);
    let (utime, stime) = ticks(pid);
    assert!(before > Duration::ZERO, "no CPU time read for pid {pid}");
    eprintln!(
        "e2e: idle ecochat: {:.1} ms CPU since its start ({utime}+{stime} ticks utime+stime), \
         {:.3} ms of it in the idle window",
        after.as_secs_f64() * 1000.0,
        after.saturating_sub(before).as_secs_f64() * 1000.0
    );
    after.saturating_sub(before)
}

/// Total time on CPU of every thread of `pid`.
fn cpu_time(pid: u32) -> Duration {
    sched(pid, None).0
}

/// Time on a CPU and time waiting in a run queue for one (ready but not running: the machine
/// was busy), from /proc/PID/task/*/schedstat, of thread `tid` or of every thread.
pub fn sched(pid: u32, tid: Option<u32>) -> (Duration, Duration) {
    let (mut run, mut wait) = (0u64, 0u64);
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in dir.flatten() {
            if tid.is_some_and(|t| task.file_name().to_str() != Some(&t.to_string())) {
                continue;
            }
            let text = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            let mut fields = text
                .split_whitespace()
                .map(|n| n.parse::<u64>().unwrap_or(0));
            run += fields.next().unwrap_or(0);
            wait += fields.next().unwrap_or(0);
        }
    }
    (Duration::from_nanos(run), Duration::from_nanos(wait))
}

/// utime and stime of `pid` in clock ticks, from /proc/PID/stat.
fn ticks(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<u64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .map(|f| f.parse().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default();
    (
        fields.get(11).copied().unwrap_or(0),
        fields.get(12).copied().unwrap_or(0),
    )
}

/// VmHWM after the 10 MB reply finished, and how long the reply took.
pub fn peak_rss(proxy: &Proxy) -> (u64, Duration) {
    let t = app(proxy, MEMORY_MODEL, None);
    t.type_text("big");
    wait_screen(&t, "the typed prompt", |s| s.contains("big"));
    let start = Instant::now();
    t.keys(&["Enter"]);
    let done = wait_screen(&t, "the end of the 10 MB reply", |s| {
        crate::tmux::status_line(s).contains(DONE_USAGE)
    });
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", t.app_pid())).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    (kb * 1024, done - start)
}

/// One line of the table.
pub struct Row {
    name: String,
    value: String,
    budget: String,
    verdict: &'static str,
}

impl Row {
    /// A number without a budget of its own.
    pub fn info(name: impl Into<String>, d: Duration) -> Row {
        Row {
            name: name.into(),
            value: ms(d),
            budget: "-".into(),
            verdict: "",
        }
    }

    /// A time and its budget.
    pub fn budget(name: impl Into<String>, d: Duration, budget: Duration) -> Row {
        Row {
            name: name.into(),
            value: ms(d),
            budget: format!("< {}", ms(budget)),
            verdict: if d <= budget { "ok" } else { "MISS" },
        }
    }

    /// The same row without its budget.
    pub fn info_only(mut self) -> Row {
        self.budget = "-".into();
        self.verdict = "";
        self
    }

    /// A count before and after, which must not grow.
    pub fn count(name: impl Into<String>, before: usize, after: usize) -> Row {
        Row {
            name: name.into(),
            value: format!("{before} -> {after}"),
            budget: "no growth".into(),
            verdict: if after <= before { "ok" } else { "MISS" },
        }
    }

    /// A size and its budget.
    pub fn bytes(name: impl Into<String>, b: u64, budget: u64) -> Row {
        Row {
            name: name.into(),
            value: mib(b),
            budget: format!("< {}", mib(budget)),
            verdict: if b <= budget { "ok" } else { "MISS" },
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

/// Prints the table as Markdown, ready for the README.
pub fn print_table(rows: &[Row], baseline: &[Duration]) {
    println!();
    println!("| measurement | median | budget | |");
    println!("|---|---:|---:|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} |",
            r.name, r.value, r.budget, r.verdict
        );
    }
    let spread: Vec<String> = baseline.iter().map(|d| ms(*d)).collect();
    println!();
    println!(
        "Times are medians of {} runs, read by polling `tmux capture-pane` (resolution: one \
         capture, a few ms); start-up includes the tmux overhead above (runs: {}).",
        crate::RUNS,
        spread.join(", ")
    );
    let pressure = std::fs::read_to_string("/proc/pressure/cpu").unwrap_or_default();
    if let Some(line) = pressure.lines().next() {
        println!("CPU pressure at the end: {line}");
    }
}
