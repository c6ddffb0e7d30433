//! Terminal setup and teardown: raw mode, alternate screen, paste, mouse; restored on drop and on panic.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

/// Bytes a frame is gathered in before it is written (most full redraws fit).
const FRAME_BUFFER: usize = 256 * 1024;

/// The terminal while the TUI owns it. Dropping it gives the terminal back as it was.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<FrameWriter<BufWriter<Stdout>>>>,
    /// The frame writer's `holding`, shared: ratatui's way to reach a backend's writer
    /// (`writer_mut`) is behind an unstable feature.
    holding: Arc<AtomicBool>,
    /// Mouse capture is on (the `mouse` setting, toggled at run time).
    mouse: bool,
}

impl TerminalGuard {
    /// Takes over the terminal (capturing the mouse if `mouse`) and installs a panic hook that
    /// restores it first.
    pub fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        take_over(mouse)?;
        // Stdout is line-buffered with a 1 KiB buffer: a frame went out in about ten writes.
        // ratatui flushes after every frame, so one write a frame and nothing left behind.
        let holding = Arc::new(AtomicBool::new(false));
        let out = FrameWriter {
            out: BufWriter::with_capacity(FRAME_BUFFER, io::stdout()),
            holding: holding.clone(),
        };
        match fixed_terminal(CrosstermBackend::new(out)) {
            Ok(terminal) => Ok(Self {
                terminal,
                holding,
                mouse,
            }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Draws a frame with `render`, written to the terminal at once.
    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
        draw_in_one_write(&mut self.terminal, &self.holding, render)
    }

    /// Draws the next frames `width` x `height` (from a resize event; a no-op when unchanged).
    pub fn resize(&mut self, width: u16, height: u16) -> io::Result<()> {
        resize_to(&mut self.terminal, width, height)
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
        self.draw(|_| {})
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

/// Stdout, gathered into one write a frame: ratatui flushes after a frame's cells, again after
/// showing the cursor and again after moving it to the caret, which made two or three writes
/// to the terminal (and wake-ups of the terminal) for each frame.
pub struct FrameWriter<W> {
    out: W,
    /// Inside `TerminalGuard::draw`: flushes wait for its end.
    holding: Arc<AtomicBool>,
}

impl<W: Write> Write for FrameWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.holding.load(Ordering::Relaxed) {
            Ok(())
        } else {
            self.out.flush()
        }
    }
}

/// Draws a frame with `render` on a terminal whose writer flushes only when `holding` is off.
fn draw_in_one_write<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<FrameWriter<W>>>,
    holding: &AtomicBool,
    render: impl FnOnce(&mut ratatui::Frame),
) -> io::Result<()> {
    holding.store(true, Ordering::Relaxed);
    let drawn = terminal.draw(render).map(|_| ());
    holding.store(false, Ordering::Relaxed);
    drawn?;
    Write::flush(terminal.backend_mut())
}

/// A terminal drawing on the whole screen whose size changes only through `resize_to`.
///
/// ratatui's full-screen viewport asks the backend for the size before every frame, and
/// crossterm answers by opening `/dev/tty` (open, ioctl, close: three syscalls a frame, 60
/// frames a second while a reply streams); resize events already say the size.
pub fn fixed_terminal<B: Backend>(backend: B) -> Result<Terminal<B>, B::Error> {
    let size = backend.size()?;
    let area = Rect::new(0, 0, size.width, size.height);
    Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
}

/// Resizes a `fixed_terminal` (cleared, then drawn in full) when the size changed.
pub fn resize_to<B: Backend>(
    terminal: &mut Terminal<B>,
    width: u16,
    height: u16,
) -> Result<(), B::Error> {
    let area = Rect::new(0, 0, width, height);
    if terminal.get_frame().area() == area {
        return Ok(());
    }
    terminal.resize(area)
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

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use ratatui::backend::{ClearType, TestBackend, WindowSize};
    use ratatui::buffer::Cell as BufCell;
    use ratatui::layout::{Position, Size};
    use ratatui::widgets::Paragraph;

    use super::*;

    /// A test backend that counts the times it is asked for its size (for crossterm: a
    /// `/dev/tty` open each).
    struct Counting {
        inner: TestBackend,
        asked: Cell<usize>,
    }

    impl Backend for Counting {
        type Error = <TestBackend as Backend>::Error;
        fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
        where
            I: Iterator<Item = (u16, u16, &'a BufCell)>,
        {
            self.inner.draw(content)
        }
        fn hide_cursor(&mut self) -> Result<(), Self::Error> {
            self.inner.hide_cursor()
        }
        fn show_cursor(&mut self) -> Result<(), Self::Error> {
            self.inner.show_cursor()
        }
        fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
            self.inner.get_cursor_position()
        }
        fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> Result<(), Self::Error> {
            self.inner.set_cursor_position(p)
        }
        fn clear(&mut self) -> Result<(), Self::Error> {
            self.inner.clear()
        }
        fn clear_region(&mut self, t: ClearType) -> Result<(), Self::Error> {
            self.inner.clear_region(t)
        }
        fn size(&self) -> Result<Size, Self::Error> {
            self.asked.set(self.asked.get() + 1);
            self.inner.size()
        }
        fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
            self.inner.window_size()
        }
        fn flush(&mut self) -> Result<(), Self::Error> {
            self.inner.flush()
        }
    }

    #[test]
    fn frames_do_not_ask_the_terminal_for_its_size_and_resizes_take_effect() {
        let backend = Counting {
            inner: TestBackend::new(20, 4),
            asked: Cell::new(0),
        };
        let mut t = fixed_terminal(backend).unwrap();
        let asked_at_start = t.backend().asked.get();
        for i in 0..50 {
            t.draw(|f| f.render_widget(Paragraph::new(format!("frame {i}")), f.area()))
                .unwrap();
        }
        assert_eq!(t.backend().asked.get(), asked_at_start, "asked per frame");

        // The window changes first; its resize event comes after.
        t.backend_mut().inner.resize(30, 6);
        resize_to(&mut t, 30, 6).unwrap();
        let frame = t
            .draw(|f| f.render_widget(Paragraph::new("wider"), f.area()))
            .unwrap();
        assert_eq!(frame.area, Rect::new(0, 0, 30, 6));
        t.backend().inner.assert_buffer_lines([
            "wider                         ",
            "                              ",
            "                              ",
            "                              ",
            "                              ",
            "                              ",
        ]);
    }

    /// Counts the writes that reach it: each is a write to the terminal.
    struct Writes(Rc<Cell<usize>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.set(self.0.get() + 1);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_frame_with_the_cursor_at_the_caret_is_one_write() {
        let holding = Arc::new(AtomicBool::new(false));
        let count = Rc::new(Cell::new(0));
        let out = FrameWriter {
            out: BufWriter::with_capacity(FRAME_BUFFER, Writes(count.clone())),
            holding: holding.clone(),
        };
        let mut t = fixed_terminal(CrosstermBackend::new(out)).unwrap();
        let render = |f: &mut ratatui::Frame| {
            f.render_widget(Paragraph::new("你好 caret"), f.area());
            f.set_cursor_position((3, 0));
        };
        draw_in_one_write(&mut t, &holding, render).unwrap();
        assert_eq!(count.get(), 1);
        // ratatui alone writes again to show the cursor and again to move it.
        t.draw(render).unwrap();
        assert!(count.get() >= 3, "{}", count.get());
    }
}
