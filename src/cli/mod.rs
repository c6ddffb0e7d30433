//! Command-line interface.

pub mod balance;
pub mod output;
pub mod usage;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The version `--version` prints: the package version, with the git commit when built from a
/// checkout (set by build.rs).
pub const VERSION: &str = env!("ECOCHAT_VERSION");

/// A fast terminal chat client for OpenAI-compatible API aggregators.
#[derive(Debug, Parser)]
#[command(
    name = "ecochat",
    version = VERSION,
    about,
    long_about = None,
    after_help = "Pipe mode (-p, a bare prompt, or text on stdin) writes the reply to stdout. \
On a terminal, escape sequences in it are removed; into a pipe or a file the model's text is \
written as sent, like curl does. Use --sanitize always for `| less -R` or `| tee`."
)]
pub struct Cli {
    /// Send this prompt, print the reply to stdout and exit (pipe mode). Text piped on stdin is
    /// sent after it, separated by a blank line (`ecochat -p "summarise" < notes.txt`).
    #[arg(short, long, value_name = "TEXT")]
    pub prompt: Option<String>,

    /// A prompt as plain words (`ecochat 你好`), like -p; subcommand names come first.
    #[arg(value_name = "PROMPT", conflicts_with = "prompt")]
    pub words: Vec<String>,

    /// Model to use, as provider:model (e.g. ecovai:deepseek-chat) or a bare model id.
    #[arg(short, long, value_name = "PROVIDER:MODEL")]
    pub model: Option<String>,

    /// Config file (default: $XDG_CONFIG_HOME/ecochat/config.toml; env ECOCHAT_CONFIG).
    #[arg(short, long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Ask for one JSON completion instead of a stream.
    #[arg(long)]
    pub no_stream: bool,

    /// In pipe mode, print the model's reasoning to stdout (default: stderr).
    #[arg(long)]
    pub show_reasoning: bool,

    /// In pipe mode, remove escape sequences from the model's text: always, never, or auto
    /// (only on a terminal).
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = crate::pipe::Sanitize::Auto)]
    pub sanitize: crate::pipe::Sanitize,

    /// How to draw images: auto, kitty, sixel, iterm2, halfblocks or none (overrides image_protocol).
    #[arg(long, value_name = "PROTOCOL", value_enum)]
    pub image_protocol: Option<crate::media::ImageProtocol>,
    /// Reopen a saved session: the newest, or the one with this ID (`ecochat sessions` lists
    /// them). With a prompt, the reply continues that session.
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "latest")]
    pub resume: Option<String>,

    /// Send this file or image with the prompt (repeatable): images are scaled down to
    /// attach_max_side, text files are inlined, an http(s) image URL is sent as a link.
    /// Without a prompt the TUI opens with them attached.
    #[arg(short = 'a', long = "attach", value_name = "FILE")]
    pub attach: Vec<String>,

    /// Do not save this conversation in the session store.
    #[arg(long)]
    pub no_save: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The prompt given on the command line, with -p or as plain words.
    pub fn prompt_text(&self) -> Option<String> {
        self.prompt
            .clone()
            .or_else(|| (!self.words.is_empty()).then(|| self.words.join(" ")))
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the configured models as provider:model.
    Models,
    /// List saved sessions, newest first, or those containing every word of QUERY.
    Sessions {
        /// Words to search for in titles and messages (Chinese works too).
        query: Vec<String>,
    },
    /// Print a saved session as Markdown or JSON, or write it to a file.
    Export {
        /// The session's ID, as `ecochat sessions` shows it.
        id: i64,
        /// Markdown transcript or every stored field as JSON.
        #[arg(long, value_enum, default_value = "md")]
        format: crate::store::commands::ExportFormat,
        /// Write here (atomically) instead of to stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List generation tasks (Midjourney, Suno, video), newest first.
    Tasks {
        /// Every stored field as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script (see the README for where to put it).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `ecochat man | man -l -`.
    Man,
    /// Spend and tokens of saved replies, from the session store (no network).
    Usage {
        /// Only replies from this day on (YYYY-MM-DD, local time).
        #[arg(long, value_name = "DATE", value_parser = usage::parse_date)]
        since: Option<chrono::NaiveDate>,
        /// One line per model, day or provider.
        #[arg(long, value_enum, default_value = "model")]
        by: crate::cost::summary::GroupBy,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Price every saved reply again with the prices configured now.
        #[arg(long)]
        reprice: bool,
    },
    /// Ask a provider (default: the default model's) what is left on its API key.
    Balance {
        /// The provider's name in the config.
        provider: Option<String>,
    },
}
