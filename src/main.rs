//! The `ecochat` binary: parses the command line, loads the config, then runs pipe mode or the TUI.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use ecochat::api::client::Client;
use ecochat::app::App;
use ecochat::app::sessions::{self, Sessions};
use ecochat::backend::{self, Target};
use ecochat::cli::{Cli, Command};
use ecochat::config::{self, Paths};
use ecochat::pipe::{self, PipeOptions};
use ecochat::state_file::{ModelCache, RememberedState};
use ecochat::store::{self, commands};
use ecochat::ui::theme::Theme;
use ecochat::{logging, runtime};

/// Exit code for a usage or configuration error, before anything else happens.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    fixed_mmap_threshold();
    let cli = Cli::parse();
    let paths = match Paths::discover(cli.config.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(EXIT_CONFIG, &e),
    };
    let loaded = match config::load(&paths) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_CONFIG, &e),
    };
    let _log_guard = logging::init(&paths.state_dir);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), config = ?loaded.source, "start");
    let cfg = loaded.config;

    if let Some(Command::Models) = cli.command {
        for (provider, model) in cfg.all_models() {
            println!("{}:{}", provider.name, model.id);
        }
        return ExitCode::SUCCESS;
    }
    let db = paths.data_dir.join(store::DB_FILE);
    match &cli.command {
        Some(Command::Sessions { query }) => {
            return match commands::list(&db, &query.join(" "), &mut std::io::stdout()) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(1, &e),
            };
        }
        Some(Command::Export { id, format, output }) => {
            let out = &mut std::io::stdout();
            return match commands::export(&db, *id, *format, output.as_deref(), out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(1, &e),
            };
        }
        _ => {}
    }
    // A long session takes milliseconds to read: read it while the rest starts up.
    let resumed = cli.resume.clone().map(|which| {
        let db = db.clone();
        std::thread::spawn(move || {
            let read = commands::resume(&db, &which).map_err(|e| e.to_string());
            tracing::debug!("session read");
            read
        })
    });

    let remembered = RememberedState::load(&paths.state_dir);
    let spec =
        backend::starting_model(cli.model.as_deref(), &cfg, remembered.last_model.as_deref());
    let target = match cfg.resolve(&spec) {
        Ok((provider, model)) => Target {
            provider: provider.clone(),
            model,
        },
        Err(e) => return fail(EXIT_CONFIG, &e),
    };

    let stdin_piped = !std::io::stdin().is_terminal();
    if cli.prompt.is_some() || stdin_piped {
        for w in &loaded.warnings {
            eprintln!("ecochat: warning: {w}");
        }
        let prompt = match cli.prompt.clone() {
            Some(p) => p,
            None => {
                let mut s = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                    return fail(1, &format!("cannot read the prompt from stdin: {e}"));
                }
                s
            }
        };
        if prompt.trim().is_empty() {
            return fail(
                EXIT_CONFIG,
                &"no prompt: pass -p TEXT or pipe one in on stdin",
            );
        }
        let opts = PipeOptions {
            prompt,
            no_stream: cli.no_stream,
            show_reasoning: cli.show_reasoning,
            save_to: (!cli.no_save).then(|| db.clone()),
            max_reply_bytes: cfg.max_reply_bytes,
        };
        return match tokio_runtime() {
            Ok(rt) => ExitCode::from(rt.block_on(pipe::run(&target, &opts)) as u8),
            Err(e) => fail(1, &e),
        };
    }

    let media_settings =
        ecochat::app::media::MediaSettings::from_config(&cfg.media, &paths, cli.image_protocol);
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
    app.keymap = cfg.keymap.clone();
    app.mouse = cfg.mouse;
    app.discovered = ModelCache::load(&paths.cache_dir)
        .providers
        .into_iter()
        .map(|(name, cached)| (name, cached.ids))
        .collect();
    app.media.settings = media_settings;
    // Benchmarks only: a long conversation, which the store saves for `--resume` runs.
    if let Some(n) = ecochat::synthetic::history_len(&backend::process_env) {
        app.conv = ecochat::synthetic::conversation(n);
    }
    let transcripts = cfg.transcripts_dir.clone();
    app.sessions = Sessions::new(
        (!cli.no_save).then(|| db.clone()),
        Some(transcripts.unwrap_or_else(|| paths.data_dir.join("transcripts"))),
        Some(cfg.clone()),
    );
    if let Some(reading) = resumed {
        let read = reading
            .join()
            .unwrap_or_else(|_| Err("reading the session failed".to_string()));
        tracing::debug!("session handed over");
        match read {
            Ok(stored) => {
                sessions::restore(&mut app, stored);
                // An explicit -m beats the model the session was using.
                if cli.model.is_some() {
                    app.target = target;
                }
            }
            Err(e) => return fail(1, &e),
        }
    }
    if let Some(w) = loaded.warnings.first() {
        app.notice = Some(ecochat::app::Notice {
            text: format!("warning: {w}"),
            is_error: true,
        });
    }
    if app.target.provider.needs_key_command() {
        // While the terminal is still cooked, so a passphrase prompt (pinentry) can use it.
        if let Err(e) = app.target.provider.endpoint(&backend::process_env) {
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

/// glibc raises its mmap threshold each time a large block is freed, after which the big buffers
/// of a long reply (its text and laid-out lines, re-laid out when colours arrive) come from the
/// heap, where freed space is seldom returned: the peak after a 10 MB reply varied from 64 to
/// 71 MiB; with a fixed threshold (every block over 1 MB in its own mapping) it is 61.5 MiB.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

fn fail(code: u8, err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("ecochat: {err}");
    ExitCode::from(code)
}
