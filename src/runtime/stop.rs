//! Terminating signals for the TUI: handed to the event loop as an action, with a deadline.
//!
//! crossterm's event reader loops without returning when the terminal hangs up (a read on a
//! closed pty fails with EIO, which it retries forever), so an event loop polling it at that
//! moment never sees the SIGHUP that comes with the hang-up. The watcher therefore runs as its
//! own task and, if the loop has not ended soon after the signal, restores the terminal and
//! ends the process itself; the reply in flight then keeps what its last checkpoint wrote.
//! A terminal can also go away with no SIGHUP for us (when we do not lead its session, only
//! the leader gets one): the watcher notices the terminal is gone and treats that as SIGHUP.

use std::io::IsTerminal;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Action;
use crate::signals::{Signal, Signals};

/// How long the event loop gets to save the reply in flight and leave after a signal.
const GRACE: Duration = Duration::from_secs(3);
/// How often the watcher checks that the terminal is still there.
const TERMINAL_CHECK: Duration = Duration::from_millis(500);

/// Starts watching for SIGTERM, SIGHUP and SIGINT (needs a tokio runtime).
pub(super) fn watch(tx: mpsc::UnboundedSender<Action>) -> std::io::Result<()> {
    let mut signals = Signals::new()?;
    tokio::spawn(async move {
        let signal = tokio::select! {
            s = signals.recv() => s,
            () = terminal_gone() => Signal::Hangup,
        };
        tracing::info!(signal = signal.name(), "terminating signal: leaving");
        let _ = tx.send(Action::Terminate(signal));
        tokio::time::sleep(GRACE).await;
        tracing::warn!(
            signal = signal.name(),
            "the event loop did not stop: ending the process"
        );
        super::terminal::restore();
        std::process::exit(signal.exit_code());
    });
    Ok(())
}

/// Resolves once stdin (the TUI only runs on a terminal) is no longer a terminal: a hung-up
/// tty fails the `tcgetattr` behind `is_terminal`.
async fn terminal_gone() {
    let mut every = tokio::time::interval(TERMINAL_CHECK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if !std::io::stdin().is_terminal() {
            return;
        }
    }
}
