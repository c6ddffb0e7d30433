//! Terminating signals for the TUI: handed to the event loop as an action, with a deadline.
//!
//! crossterm's event reader loops without returning when the terminal hangs up (a read on a
//! closed pty fails with EIO, which it retries forever), so an event loop polling it at that
//! moment never sees the SIGHUP that comes with the hang-up. The watcher therefore runs as its
//! own task and, if the loop has not ended soon after the signal, restores the terminal and
//! ends the process itself; the reply in flight then keeps what its last checkpoint wrote.
//! A terminal can also go away with no SIGHUP for us (when we do not lead its session, only
//! the leader gets one): the key reader sees the hang-up in its poll(2) and the loop leaves as
//! on SIGHUP. (This watcher used to check the terminal every 500 ms: 15 ms of CPU in ten idle
//! seconds.)

use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Action;
use crate::signals::Signals;

/// How long the event loop gets to save the reply in flight and leave after a signal.
const GRACE: Duration = Duration::from_secs(3);

/// Starts watching for SIGTERM, SIGHUP and SIGINT (needs a tokio runtime).
pub(super) fn watch(tx: mpsc::UnboundedSender<Action>) -> std::io::Result<()> {
    let mut signals = Signals::new()?;
    tokio::spawn(async move {
        let signal = signals.recv().await;
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
