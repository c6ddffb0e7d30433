//! Terminal setup and teardown: raw mode, alternate screen, paste, mouse; restored on drop and on panic.

use std::io::{self, Stdout, Write};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal while the TUI owns it. Dropping it gives the terminal back as it was.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    /// Mouse capture is on (the `mouse` setting, toggled at run time).
    mouse: bool,
}

impl TerminalGuard {
    /// Takes over the terminal (capturing the mouse if `mouse`) and installs a panic hook that
    /// restores it first.
    pub fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        take_over(mouse)?;
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(Self { terminal, mouse }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Gives the terminal back for a while (to run an editor in it); `resume` takes it again.
    pub fn suspend(&mut self) {
        restore();
    }

    /// Takes the terminal back after `suspend`; the next frame is drawn in full.
    pub fn resume(&mut self) -> io::Result<()> {
        take_over(self.mouse)?;
        // The alternate screen comes back blank while ratatui remembers the last frame: a blank
        // frame makes the two agree. (`Terminal::clear` would ask the terminal for the cursor
        // position, a reply the key reader can swallow.)
        self.terminal.draw(|_| {})?;
        Ok(())
    }

    /// Turns mouse capture on or off.
    pub fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        self.mouse = on;
        if on {
            execute!(io::stdout(), EnableMouseCapture)
        } else {
            execute!(io::stdout(), DisableMouseCapture)
        }
    }

    /// Ctrl+Z: gives the terminal back and stops the process group, as the terminal does for
    /// a program not in raw mode; returns once the shell continues us (`fg`), with the
    /// terminal taken back and the next frame drawn in full.
    pub fn stop_for_job_control(&mut self) -> io::Result<()> {
        self.suspend();
        #[cfg(unix)]
        {
            // Delivered at once; this returns after SIGCONT.
            rustix::process::kill_current_process_group(rustix::process::Signal::TSTP)?;
        }
        self.resume()
    }
}

/// Raw mode, alternate screen, paste, mouse (if `mouse`) and keyboard flags on; all undone on
/// failure.
fn take_over(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    let entered = execute!(stdout, EnterAlternateScreen, EnableBracketedPaste)
        .and_then(|()| {
            if mouse {
                execute!(stdout, EnableMouseCapture)
            } else {
                Ok(())
            }
        })
        .and_then(|()| {
            // Terminals that speak the kitty keyboard protocol then report Shift+Enter; others ignore it.
            execute!(
                stdout,
                PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
            )
        });
    if let Err(e) = entered {
        restore();
        return Err(e);
    }
    Ok(())
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back: idempotent, errors ignored (there is nobody left to tell).
pub fn restore() {
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        PopKeyboardEnhancementFlags,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            tracing::error!(%info, "panic");
            previous(info);
            // A panic in a background task would otherwise leave a UI that no longer works.
            std::process::exit(101);
        }));
    });
}
