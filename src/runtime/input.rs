//! The key reader: one thread reads terminal events with crossterm's blocking reader and sends
//! them into the app channel, so the event loop never touches the terminal's input.
//!
//! Two things made the old reader (crossterm's `EventStream`, polled by the loop) lose typing:
//! - crossterm's default source waits with edge-triggered epoll but returns after the first
//!   1 KB read that yields an event; the rest of a long burst (2,400 typed characters, an IME
//!   phrase, a paste without paste mode) stayed in the tty with no new edge to wake it, until
//!   more keys came (crossterm-rs/crossterm#1057). The `use-dev-tty` source this crate is built
//!   with waits with level-triggered `poll(2)`, which sees the bytes still waiting.
//! - every `EventStream` poll took the global reader lock with a zero timeout while its helper
//!   thread held it: thousands of `sched_yield` calls on the main thread per reply.
//!
//! The reader can be paused (for the external editor, for a suspend): it then reads nothing
//! until resumed, so keys meant for the editor stay in the terminal for the editor.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crossterm::event::{self, Event, MouseEventKind};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::Action;
use crate::signals::Signal;

/// A quarter of the longest a pause waits for the reader to answer; where there is no wake-up
/// pipe (not unix), also the reader's longest wait for input before it looks at its mode.
const SLICE: Duration = Duration::from_millis(50);
/// How long crossterm is asked for more once input came. Its timed wait rounds down to whole
/// milliseconds and then spins through the rest, so it is used only right after input (the
/// tty source returns nothing for a zero timeout); idle waits poll stdin directly.
const MORE: Duration = Duration::from_millis(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Run,
    PauseAsked,
    Paused,
    Stop,
}

/// The mode, its condition variable, and the wake-up that ends the reader's wait for input.
type Shared = Arc<(Mutex<Mode>, Condvar, Waker)>;

/// A pipe whose read end the idle reader waits on beside stdin, so a pause or a stop reaches it
/// at once and an idle reader needs no timer (it used to wake every 50 ms: 49 ms of CPU in ten
/// idle seconds).
#[cfg(unix)]
struct Waker {
    read: std::os::fd::OwnedFd,
    write: std::os::fd::OwnedFd,
}

#[cfg(unix)]
impl Waker {
    fn new() -> std::io::Result<Self> {
        let (read, write) = rustix::pipe::pipe()?;
        Ok(Self { read, write })
    }

    /// Ends the reader's current wait (a byte a call: the pipe never fills before it drains).
    fn wake(&self) {
        let _ = rustix::io::write(&self.write, &[1]);
    }

    /// Takes the wake-ups that were sent.
    fn drain(&self) {
        let mut buf = [0u8; 64];
        let _ = rustix::io::read(&self.read, &mut buf);
    }
}

/// Elsewhere the reader looks at its mode between timed waits.
#[cfg(not(unix))]
struct Waker;

#[cfg(not(unix))]
impl Waker {
    fn new() -> std::io::Result<Self> {
        Ok(Self)
    }
    fn wake(&self) {}
}

/// The reader thread; dropping it stops the thread within one slice.
pub(super) struct InputReader {
    shared: Shared,
}

fn lock(shared: &Shared) -> MutexGuard<'_, Mode> {
    shared.0.lock().unwrap_or_else(|p| p.into_inner())
}

impl InputReader {
    /// Starts reading; `typed` (keys that arrived before, e.g. during the terminal query) go
    /// first.
    pub(super) fn spawn(tx: UnboundedSender<Action>, typed: Vec<Action>) -> std::io::Result<Self> {
        let shared: Shared = Arc::new((Mutex::new(Mode::Run), Condvar::new(), Waker::new()?));
        let thread_shared = shared.clone();
        std::thread::Builder::new()
            .name("ecochat-input".into())
            .spawn(move || {
                for action in typed {
                    if tx.send(action).is_err() {
                        return;
                    }
                }
                read_loop(&thread_shared, &tx);
            })?;
        Ok(Self { shared })
    }

    /// Stops reading until `resume`; returns once the reader is idle, so nothing typed from
    /// now on is taken from the terminal.
    pub(super) fn pause(&self) {
        let mut mode = lock(&self.shared);
        if *mode != Mode::Run {
            return;
        }
        *mode = Mode::PauseAsked;
        self.shared.2.wake();
        // The reader notices at once; a thread that already ended never answers.
        while *mode == Mode::PauseAsked {
            let (next, timeout) = self
                .shared
                .1
                .wait_timeout(mode, SLICE * 4)
                .unwrap_or_else(|p| p.into_inner());
            mode = next;
            if timeout.timed_out() {
                break;
            }
        }
    }

    /// Reads again after `pause`.
    pub(super) fn resume(&self) {
        let mut mode = lock(&self.shared);
        if matches!(*mode, Mode::PauseAsked | Mode::Paused) {
            *mode = Mode::Run;
            self.shared.1.notify_all();
            self.shared.2.wake();
        }
    }
}

impl Drop for InputReader {
    fn drop(&mut self) {
        *lock(&self.shared) = Mode::Stop;
        self.shared.1.notify_all();
        self.shared.2.wake();
    }
}

fn read_loop(shared: &Shared, tx: &UnboundedSender<Action>) {
    loop {
        {
            let mut mode = lock(shared);
            if *mode == Mode::PauseAsked {
                *mode = Mode::Paused;
                shared.1.notify_all();
            }
            while *mode == Mode::Paused {
                mode = shared.1.wait(mode).unwrap_or_else(|p| p.into_inner());
            }
            if *mode == Mode::Stop {
                return;
            }
        }
        match stdin_ready(&shared.2) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => return gone(tx, &e),
        }
        // Everything crossterm can hand out now, including events it parsed from an earlier
        // read (the tty may be empty while its queue is not).
        loop {
            let ready = match event::poll(MORE) {
                Ok(ready) => ready,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return gone(tx, &e),
            };
            if !ready {
                break;
            }
            match event::read() {
                Ok(ev) => {
                    if let Some(action) = translate(ev)
                        && tx.send(action).is_err()
                    {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return gone(tx, &e),
            }
        }
    }
}

/// Waits for stdin to be readable (or hung up: the read then says so) or for a wake-up; `false`
/// after a wake-up, so the caller looks at its mode again.
#[cfg(unix)]
fn stdin_ready(waker: &Waker) -> std::io::Result<bool> {
    use rustix::event::{PollFd, PollFlags};
    use std::os::fd::AsFd;

    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let mut fds = [
        PollFd::new(&fd, PollFlags::IN),
        PollFd::new(&waker.read, PollFlags::IN),
    ];
    match rustix::event::poll(&mut fds, None) {
        Ok(_) if !fds[1].revents().is_empty() => {
            waker.drain();
            Ok(false)
        }
        // A terminal that went away (no SIGHUP reaches a process that does not lead its
        // session) reports a hang-up here at once; crossterm's reader, which waits for
        // readable input only, would spin on it instead.
        Ok(_) if hung_up(fds[0].revents()) => Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "the terminal hung up",
        )),
        Ok(n) => Ok(n > 0),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// True when poll(2) says the terminal is gone rather than readable.
#[cfg(unix)]
fn hung_up(revents: rustix::event::PollFlags) -> bool {
    use rustix::event::PollFlags;
    revents.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL)
}

#[cfg(not(unix))]
fn stdin_ready(_waker: &Waker) -> std::io::Result<bool> {
    event::poll(SLICE)
}

/// The terminal can no longer be read (it hung up): the app leaves as on SIGHUP.
fn gone(tx: &UnboundedSender<Action>, e: &std::io::Error) {
    tracing::warn!(%e, "cannot read the terminal: leaving");
    let _ = tx.send(Action::Terminate(Signal::Hangup));
}

/// The action for a terminal event, if it is one the app reacts to.
pub(super) fn translate(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => Some(Action::Key(k)),
        Event::Paste(p) => Some(Action::Paste(p)),
        // Mouse capture reports every pointer move; those change nothing, so they must not
        // cost a frame.
        Event::Mouse(m) if matches!(m.kind, MouseEventKind::Moved) => None,
        Event::Mouse(m) => Some(Action::Mouse(m)),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        Event::FocusGained | Event::FocusLost => None,
    }
}

/// Sends a resize on every SIGWINCH (needs a tokio runtime). crossterm notices one only when
/// asked for events, and the reader asks it only once input arrives.
#[cfg(unix)]
pub(super) fn watch_resize(tx: UnboundedSender<Action>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut winch = signal(SignalKind::window_change())?;
    tokio::spawn(async move {
        while winch.recv().await.is_some() {
            match crossterm::terminal::size() {
                Ok((width, height)) => {
                    if tx.send(Action::Resize { width, height }).is_err() {
                        return;
                    }
                }
                Err(e) => tracing::warn!(%e, "cannot read the terminal size"),
            }
        }
    });
    Ok(())
}

/// Elsewhere crossterm's own resize events are all there is.
#[cfg(not(unix))]
pub(super) fn watch_resize(_tx: UnboundedSender<Action>) -> std::io::Result<()> {
    Ok(())
}
