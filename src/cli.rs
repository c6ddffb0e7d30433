//! Command-line interface.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// A fast terminal chat client for OpenAI-compatible API aggregators.
#[derive(Debug, Parser)]
#[command(name = "ecochat", version, about, long_about = None)]
pub struct Cli {
    /// Send this prompt, print the reply to stdout and exit (pipe mode). A prompt on stdin works too.
    #[arg(short, long, value_name = "TEXT")]
    pub prompt: Option<String>,

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

    /// How to draw images: auto, kitty, sixel, iterm2, halfblocks or none (overrides image_protocol).
    #[arg(long, value_name = "PROTOCOL", value_enum)]
    pub image_protocol: Option<crate::media::ImageProtocol>,
    /// Reopen a saved session: the newest, or the one with this ID (`ecochat sessions` lists them).
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "latest")]
    pub resume: Option<String>,

    /// Do not save this conversation in the session store.
    #[arg(long)]
    pub no_save: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
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
}
