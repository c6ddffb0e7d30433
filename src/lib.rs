//! ecochat: a terminal chat client for OpenAI-compatible API aggregators.

pub mod api;
pub mod config;
pub mod sanitize;
pub mod text;
