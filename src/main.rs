//! The `ecochat` binary: parses the command line, loads the config, then runs pipe mode or the TUI.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use ecochat::api::client::Client;
use ecochat::app::App;
use ecochat::app::sessions::{self, Sessions};
use ecochat::cli::{Cli, Command, output};
use ecochat::config::{self, Paths};
use ecochat::pipe::{self, PipeOptions};
use ecochat::providers::{self, Target};
use ecochat::store::commands::{self, CommandError};
use ecochat::store::state_file::{ModelCache, RememberedState};
use ecochat::store::{self, StoreError, StoredSession};
use ecochat::view::theme::Theme;
use ecochat::{logging, runtime};

/// Exit code for a usage or configuration error, before anything else happens.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    // The PDF reader child (src/attach/pdf.rs): no config, no log, no terminal.
    let mut args = std::env::args_os().skip(1);
    if args
        .next()
        .is_some_and(|a| a == ecochat::attach::pdf::WORKER_ARG)
    {
        let max_text = args.next().and_then(|a| a.into_string().ok());
        return ExitCode::from(ecochat::attach::pdf::worker_main(max_text.as_deref()));
    }
    tune_malloc();
    let cli = Cli::parse();
    // These need no config: they work before one is written, and with a broken one.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            return written(output::completions(*shell, &mut std::io::stdout()));
        }
        Some(Command::Man) => return written(output::man(&mut std::io::stdout())),
        _ => {}
    }
    let paths = match Paths::discover(cli.config.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(EXIT_CONFIG, &e),
    };
    let loaded = match config::load(&paths) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_CONFIG, &e),
    };
    let secured = paths.secure_dirs();
    // Without a private log file ecochat runs on and logs nowhere.
    let _ = logging::init(&paths.state_dir);
    if let Err(e) = secured {
        tracing::warn!(%e, "cannot make ecochat's directories private");
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), config = ?loaded.source, "start");
    let cfg = loaded.config;

    let db = paths.data_dir.join(store::DB_FILE);
    match &cli.command {
        Some(Command::Models) => {
            let mut out = std::io::stdout().lock();
            let listed = cfg
                .all_models()
                .into_iter()
                .try_for_each(|(provider, model)| writeln!(out, "{}:{}", provider.name, model.id))
                .and_then(|()| out.flush());
            return written(listed);
        }
        Some(Command::Sessions { query }) => {
            let out = &mut std::io::stdout();
            return match commands::list(&db, &query.join(" "), out) {
                // On stderr, so `ecochat sessions | wc -l` still counts sessions.
                Ok(0) if !query.is_empty() => {
                    eprintln!("ecochat: no session contains every word of the query");
                    ExitCode::SUCCESS
                }
                Ok(0) | Err(CommandError::Store(StoreError::Missing { .. })) => {
                    eprintln!("ecochat: no saved sessions yet");
                    ExitCode::SUCCESS
                }
                Ok(_) => written(out.flush()),
                Err(e) => command_failed(e),
            };
        }
        Some(Command::Usage {
            since,
            by,
            json,
            reprice,
        }) => {
            let args = ecochat::cli::usage::UsageArgs {
                since: *since,
                by: *by,
                json: *json,
                reprice: *reprice,
            };
            return usage(&db, &cfg, &paths, &args);
        }
        Some(Command::Balance { provider }) => return balance(&cfg, provider.as_deref()),
        Some(Command::Tasks { json }) => {
            let out = &mut std::io::stdout();
            return match ecochat::task_pipe::list(&db, *json, out) {
                Ok(0) if !*json => {
                    eprintln!("ecochat: no generation tasks yet");
                    ExitCode::SUCCESS
                }
                Ok(_) => written(out.flush()),
                Err(e) => command_failed(e),
            };
        }
        Some(Command::Export { id, format, output }) => {
            let out = &mut std::io::stdout();
            return match commands::export(&db, *id, *format, output.as_deref(), out) {
                Ok(()) => written(out.flush()),
                Err(e) => command_failed(e),
            };
        }
        _ => {}
    }
    // A long session takes milliseconds to read: read it while the rest starts up.
    let resumed = cli.resume.clone().map(|which| {
        let db = db.clone();
        std::thread::spawn(move || {
            let read = commands::resume(&db, &which);
            tracing::debug!("session read");
            read
        })
    });

    let remembered = RememberedState::load(&paths.state_dir);
    let spec =
        providers::starting_model(cli.model.as_deref(), &cfg, remembered.last_model.as_deref());
    let target = match cfg.resolve(&spec) {
        Ok((provider, model)) => Target {
            provider: provider.clone(),
            model,
        },
        Err(e) => return fail(EXIT_CONFIG, &e),
    };

    let stdin_piped = !std::io::stdin().is_terminal();
    let cli_prompt = cli.prompt_text();
    if cli_prompt.is_some() || stdin_piped {
        for w in &loaded.warnings {
            eprintln!("ecochat: warning: {w}");
        }
        let mut piped = String::new();
        if stdin_piped && let Err(e) = std::io::stdin().read_to_string(&mut piped) {
            return fail(1, &format!("cannot read the prompt from stdin: {e}"));
        }
        let prompt = pipe::combined_prompt(cli_prompt.as_deref(), &piped);
        if prompt.trim().is_empty() {
            return fail(
                EXIT_CONFIG,
                &"no prompt: pass -p TEXT or pipe one in on stdin",
            );
        }
        let attachments = match cli_attachments(&cli.attach, cfg.attach) {
            Ok(a) => a,
            Err(e) => return fail(EXIT_CONFIG, &e),
        };
        let mut target = target;
        let resume = match resumed.map(join_resumed).transpose() {
            Ok(r) => r,
            Err(code) => return code,
        };
        if let Some(stored) = &resume
            && cli.model.is_none()
        {
            // As in the TUI: the session goes on with its own model, unless -m says otherwise.
            let model = &stored.summary.model;
            match cfg.resolve(model) {
                Ok((provider, spec)) => {
                    target = Target {
                        provider: provider.clone(),
                        model: spec,
                    }
                }
                Err(_) if *model != target.label() => eprintln!(
                    "ecochat: warning: session {} used {}, which is not configured; using {}",
                    stored.summary.id,
                    ecochat::sanitize::sanitize(model),
                    target.label()
                ),
                Err(_) => {}
            }
        }
        if target.provider.relay_pricing {
            // The day's list as the TUI cached it; pipe mode never waits for the relay.
            let relay = ecochat::cost::cache::RelayPriceCache::load(&paths.cache_dir).prices();
            ecochat::cost::book::fill_from_relay(&mut target.provider, &target.model.id, &relay);
        }
        if target.model.api == ecochat::config::ModelApi::Images {
            return match tokio_runtime() {
                Ok(rt) => ExitCode::from(
                    rt.block_on(ecochat::task_pipe::run_images(&target, &prompt)) as u8,
                ),
                Err(e) => fail(1, &e),
            };
        }
        if target.model.task_api().is_some() {
            let save_to = (!cli.no_save).then(|| db.clone());
            let images = ecochat::attach::image_refs(&attachments);
            return match tokio_runtime() {
                Ok(rt) => ExitCode::from(
                    rt.block_on(ecochat::task_pipe::run(&target, &prompt, &images, save_to)) as u8,
                ),
                Err(e) => fail(1, &e),
            };
        }
        let opts = PipeOptions {
            prompt,
            no_stream: cli.no_stream,
            show_reasoning: cli.show_reasoning,
            save_to: (!cli.no_save).then(|| db.clone()),
            sanitize: cli.sanitize,
            resume,
            max_reply_bytes: cfg.max_reply_bytes,
            attachments,
        };
        if let Some(why) = ecochat::attach::vision::unsendable_pdf(&opts.attachments, &target.model)
        {
            return fail(EXIT_CONFIG, &why);
        }
        if let Some(w) = ecochat::attach::vision::warning(&opts.attachments, &target.model) {
            eprintln!("ecochat: warning: {w}");
        }
        return match tokio_runtime() {
            Ok(rt) => ExitCode::from(rt.block_on(pipe::run(&target, &opts)) as u8),
            Err(e) => fail(1, &e),
        };
    }

    let mut media_settings =
        ecochat::app::media::MediaSettings::from_config(&cfg.media, &paths, cli.image_protocol);
    media_settings.can_open = ecochat::media::opener::available(&ecochat::providers::process_env);
    let picker = runtime::media::pick_protocol(media_settings.protocol);
    let client = match Client::new() {
        Ok(c) => c.with_reply_cap(cfg.max_reply_bytes),
        Err(e) => return fail(1, &e),
    };
    let theme = Theme::resolve(cfg.theme, std::env::var("NO_COLOR").ok().as_deref());
    let mut app = App::new(
        target.clone(),
        theme,
        ratatui::layout::Rect::default(),
        Instant::now(),
    );
    app.providers = cfg.providers.clone();
    app.missing_keys = ecochat::app::missing_keys(&app.providers, &providers::process_env);
    app.config_path = Some(paths.config_file.clone());
    app.keymap = cfg.keymap.clone();
    app.mouse = cfg.mouse;
    app.attach.limits = cfg.attach;
    app.attach.home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    // `ecochat -a shot.png` opens the TUI with the files waiting as chips.
    match cli_attachments(&cli.attach, cfg.attach) {
        Ok(pending) => app.attach.pending = pending,
        Err(e) => return fail(EXIT_CONFIG, &e),
    }
    app.tasks.bell = cfg.task_bell;
    app.discovered = ModelCache::load(&paths.cache_dir)
        .providers
        .into_iter()
        .map(|(name, cached)| (name, cached.ids))
        .collect();
    app.media.settings = media_settings;
    app.prompt
        .set_history(ecochat::store::history_file::load(&paths.state_dir));
    // Benchmarks only: a long conversation, which the store saves for `--resume` runs.
    if let Some(n) = ecochat::dev::synthetic::history_len(&providers::process_env) {
        app.conv = ecochat::dev::synthetic::conversation(n);
    }
    let transcripts = cfg.transcripts_dir.clone();
    app.sessions = Sessions::new(
        (!cli.no_save).then(|| db.clone()),
        Some(transcripts.unwrap_or_else(|| paths.data_dir.join("transcripts"))),
        Some(cfg.clone()),
    );
    if let Some(reading) = resumed {
        match join_resumed(reading) {
            Ok(stored) => {
                sessions::restore(&mut app, stored);
                // An explicit -m beats the model the session was using.
                if cli.model.is_some() {
                    app.target = target;
                }
            }
            Err(code) => return code,
        }
    }
    if let Some(w) = loaded.warnings.first() {
        app.notice = Some(ecochat::app::Notice {
            text: format!("warning: {w}"),
            is_error: true,
        });
    }
    ecochat::app::note_missing_key(&mut app);
    if app.target.provider.needs_key_command() {
        // While the terminal is still cooked, so a passphrase prompt (pinentry) can use it.
        if let Err(e) = app.target.provider.endpoint(&providers::process_env) {
            app.notice = Some(ecochat::app::Notice {
                text: e.to_string(),
                is_error: true,
            });
        }
    }
    let rt = match tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(1, &e),
    };
    match rt.block_on(runtime::run(app, client, paths, picker)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("{e:#}")),
    }
}

/// `ecochat usage`: the table or JSON on stdout, "repriced N" on stderr.
fn usage(
    db: &std::path::Path,
    cfg: &config::Config,
    paths: &Paths,
    args: &ecochat::cli::usage::UsageArgs,
) -> ExitCode {
    let relay = ecochat::cost::cache::RelayPriceCache::load(&paths.cache_dir).prices();
    let out = &mut std::io::stdout();
    let mut repriced = |n: usize| eprintln!("ecochat: repriced {n} replies with today's prices");
    match ecochat::cli::usage::run(db, &cfg.providers, &relay, args, out, &mut repriced) {
        Ok(_) => written(out.flush()),
        Err(e) if ecochat::cli::usage::is_empty_store(&e) => {
            eprintln!("ecochat: no saved sessions yet");
            ExitCode::SUCCESS
        }
        Err(e) => command_failed(e),
    }
}

/// `ecochat balance`: one line on stdout, or one sentence on stderr and exit 1.
fn balance(cfg: &config::Config, name: Option<&str>) -> ExitCode {
    use ecochat::cli::balance;
    let provider = match balance::pick(cfg, name) {
        Ok(p) => p,
        Err(e) => return fail(EXIT_CONFIG, &e),
    };
    let rt = match tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(1, &e),
    };
    let tls = ecochat::api::tls::SharedTls::default();
    match rt.block_on(providers::balance(provider, &providers::process_env, &tls)) {
        Ok(b) => written(balance::write(provider, &b, &mut std::io::stdout())),
        Err(e) => fail(1, &e),
    }
}

/// glibc raises its mmap threshold each time a large block is freed, after which the big buffers
/// of a long reply (its text and laid-out lines, re-laid out when colours arrive) come from the
/// heap, where freed space is seldom returned: the peak after a 10 MB reply varied from 64 to
/// 71 MiB; with a fixed threshold (every block over 1 MB in its own mapping) it is 61.5 MiB.
///
/// glibc also gives each thread that allocates its own heap (arena), and each arena keeps the
/// space its thread freed: the reply task's worker, the store and the key reader each held a few
/// hundred kilobytes that the main thread could not reuse. One arena for all: the threads
/// allocate little beside the main one, and each keeps a small cache of its own (tcache), so they
/// seldom wait for its lock; after a paced reply the heap is ~0.4 MiB smaller.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// One thread runs the event loop and the I/O tasks (a streaming reply and its connection);
/// blocking work goes to tokio's blocking pool. A paced reply wakes the process once per
/// chunk either way, and with a worker thread beside the loop every frame woke a second
/// thread as well, for no parallel work.
fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// The session `--resume` read, or the exit code for why it could not be: 2 for a session
/// that does not exist (a usage error, like a bad flag), 1 for a database that failed.
fn join_resumed(
    reading: std::thread::JoinHandle<Result<StoredSession, CommandError>>,
) -> Result<StoredSession, ExitCode> {
    let read = reading.join();
    tracing::debug!("session handed over");
    match read {
        Ok(Ok(stored)) => Ok(stored),
        Ok(Err(e)) => {
            let code = match &e {
                CommandError::BadId(_)
                | CommandError::Store(
                    StoreError::NotFound(_) | StoreError::NoSessions | StoreError::Missing { .. },
                ) => EXIT_CONFIG,
                _ => 1,
            };
            Err(fail(code, &e))
        }
        Err(_) => Err(fail(1, &"reading the session failed")),
    }
}

/// The `-a` files read and prepared, or why one cannot be sent (naming it), before any request.
fn cli_attachments(
    args: &[String],
    limits: ecochat::attach::Limits,
) -> Result<Vec<ecochat::attach::Attachment>, String> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    args.iter()
        .map(|arg| {
            if ecochat::attach::is_url(arg) {
                return Ok(ecochat::attach::Attachment::image_url(arg));
            }
            let path = ecochat::attach::expand_tilde(arg, home.as_deref());
            ecochat::attach::load(&path, limits).map_err(|e| e.to_string())
        })
        .collect()
}

/// The exit status after a subcommand wrote its output: a reader that went away is no failure.
fn written(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("cannot write: {e}")),
    }
}

/// The exit status for a failed `sessions` or `export`.
fn command_failed(e: CommandError) -> ExitCode {
    match e {
        CommandError::Io(e) => written(Err(e)),
        e => fail(1, &e),
    }
}

fn fail(code: u8, err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("ecochat: {err}");
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn replies_run_on_the_event_loops_thread() {
        let rt = super::tokio_runtime().expect("runtime");
        assert_eq!(
            rt.handle().runtime_flavor(),
            tokio::runtime::RuntimeFlavor::CurrentThread
        );
    }
}
