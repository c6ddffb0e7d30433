//! What the subcommands write to stdout, and what a failed write means for the exit status.

use std::io::{self, Write};

use clap::CommandFactory;

use super::Cli;

/// True when the reader of stdout went away (`ecochat sessions | head -3`): the command
/// stops there quietly and successfully, as `cat` and `ls` do.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    // clap_complete writes with unchecked writes; render to memory to keep the error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ecochat", &mut script);
    out.write_all(&script)?;
    out.flush()
}

/// Writes the manual page as roff.
pub fn man(out: &mut dyn Write) -> io::Result<()> {
    let page = clap_mangen::Man::new(Cli::command());
    let mut text = Vec::new();
    page.render(&mut text)?;
    out.write_all(&text)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_subcommands() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
            clap_complete::Shell::Elvish,
        ] {
            let mut out = Vec::new();
            completions(shell, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for word in [
                "ecochat", "sessions", "export", "resume", "sanitize", "always",
            ] {
                assert!(text.contains(word), "{shell}: no {word}");
            }
        }
    }

    #[test]
    fn the_man_page_is_roff_with_every_option() {
        let mut out = Vec::new();
        man(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(".TH ecochat"), "{text}");
        for word in ["resume", "sanitize", "completions"] {
            assert!(text.contains(word), "no {word}");
        }
    }
}
