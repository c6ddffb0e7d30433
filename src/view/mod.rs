//! What both `update` and drawing need to agree on: pane and popup rectangles, page sizes, image
//! areas, the conversation and markdown layout with their caches, and the theme.
//!
//! It depends on the chat, store and text modules only, never on `app` or `ui`: what it needs
//! from the app's state comes in as plain values.

pub mod attachments;
pub mod compare;
pub mod conversation;
pub mod help;
pub mod layout;
pub mod markdown;
pub mod media;
pub mod packed;
pub mod popup;
pub mod theme;
