//! ecochat: a terminal chat client for OpenAI-compatible API aggregators.

pub mod api;
pub mod app;
pub mod attach;
pub mod chat;
pub mod cli;
pub mod config;
pub mod cost;
pub mod demo;
pub mod dev;
pub mod files;
pub mod keymap;
pub mod logging;
pub mod media;
pub mod pipe;
pub mod providers;
pub mod runtime;
pub mod sanitize;
pub mod signals;
pub mod store;
pub mod task_pipe;
pub mod tasks;
pub mod text;
pub mod ui;
pub mod view;
