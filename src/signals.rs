//! The terminating signals ecochat handles itself (SIGINT, SIGTERM, SIGHUP), so that a reply in
//! flight is saved and the terminal restored instead of the process just dying.

/// A terminating signal that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl+C in a cooked terminal, `kill -INT`).
    Interrupt,
    /// SIGTERM (`kill`, a service manager, a closing desktop session).
    Terminate,
    /// SIGHUP (the terminal went away).
    Hangup,
}

impl Signal {
    /// `SIGINT`, `SIGTERM`, `SIGHUP`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::Hangup => "SIGHUP",
        }
    }

    /// The shell's exit status for a process stopped by this signal (128 + its number).
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
            Signal::Hangup => 129,
        }
    }
}

/// Listens for SIGINT, SIGTERM and SIGHUP from the moment it is created.
pub struct Signals {
    #[cfg(unix)]
    inner: Vec<(Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Installs the handlers (needs a tokio runtime).
    pub fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [
                (Signal::Terminate, SignalKind::terminate()),
                (Signal::Hangup, SignalKind::hangup()),
                (Signal::Interrupt, SignalKind::interrupt()),
            ];
            let inner = kinds
                .into_iter()
                .map(|(s, k)| signal(k).map(|h| (s, h)))
                .collect::<std::io::Result<Vec<_>>>()?;
            Ok(Self { inner })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Waits for the next signal.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            let futures = self
                .inner
                .iter_mut()
                .map(|(s, h)| Box::pin(async move { h.recv().await.map(|_| *s) }));
            match futures_util::future::select_all(futures).await.0 {
                Some(s) => s,
                // A closed signal stream never fires again.
                None => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}
