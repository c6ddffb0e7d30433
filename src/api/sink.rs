//! Where a reply's pieces go, and how the consumer slows the reader down.

use std::future::Future;
use std::pin::Pin;

use super::StreamEvent;

/// Where the pieces of a reply go as they arrive.
pub trait ReplySink: Send {
    /// Takes one piece.
    fn event(&mut self, ev: StreamEvent);
    /// Resolves once the consumer has room for more; the reply is not read meanwhile, so a
    /// server sending faster than the pieces are used is slowed down instead of buffered.
    fn room(&mut self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(std::future::ready(()))
    }
}

/// A closure takes every piece at once and never asks the reader to wait.
impl<F: FnMut(StreamEvent) + Send> ReplySink for F {
    fn event(&mut self, ev: StreamEvent) {
        self(ev)
    }
}
