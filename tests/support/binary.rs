//! The real binary in a temp home: a config for the mock provider, a clean environment, its
//! stdout read while it runs, and the session database checked afterwards.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ecochat::chat::Message;
use ecochat::store::{DB_FILE, Store};

use super::MockServer;
use super::chat::{KEY_ENV, TEST_KEY};

/// A config whose one provider `mock` serves `model` from `base_url`; `extra` lines go into the
/// provider table (timeouts, ...).
pub fn mock_config(base_url: &str, model: &str, extra: &str) -> String {
    format!(
        "default_model = \"mock:{model}\"\n\n[[providers]]\nname = \"mock\"\nbase_url = \"{base_url}\"\n\
         api_key_env = \"{KEY_ENV}\"\nmax_retries = 0\nmodels = [\"{model}\"]\n{extra}"
    )
}

/// Gives `cmd` a clean environment: PATH, HOME and the XDG dirs under `home`, a dumb terminal
/// and the test key (drop it with `env_remove(KEY_ENV)`). Nothing of the user's leaks in.
pub fn isolate<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("TERM", "dumb")
        .env(KEY_ENV, TEST_KEY)
        .stdin(Stdio::null())
}

/// `ecochat` with the environment of [`isolate`] and stdin closed.
pub fn ecochat(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecochat"));
    isolate(&mut cmd, home);
    cmd
}

/// A temp home with a config (`ecochat-test.toml`) whose provider `mock` serves `gpt-4o`
/// from a fresh mock server.
pub struct MockHome {
    pub home: tempfile::TempDir,
    pub config: PathBuf,
    pub server: MockServer,
}

impl MockHome {
    /// Starts the mock and writes the config.
    pub fn new() -> Self {
        Self::with_config(|base_url| mock_config(base_url, "gpt-4o", ""))
    }

    /// Starts the mock and writes the config `config(base_url)` returns.
    pub fn with_config(config: impl FnOnce(&str) -> String) -> Self {
        let server = MockServer::start();
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("ecochat-test.toml");
        std::fs::write(&path, config(&server.base_url())).expect("write config");
        MockHome {
            home,
            config: path,
            server,
        }
    }

    /// `ecochat --config <this config> args…` in the clean environment of [`isolate`].
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = ecochat(self.home.path());
        cmd.arg("--config").arg(&self.config).args(args);
        cmd
    }

    /// Runs [`MockHome::command`] to the end: exit code (-1 for a signal), stdout, stderr.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().expect("run ecochat");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The session database ecochat uses in this home.
    pub fn db(&self) -> PathBuf {
        db_path(self.home.path())
    }

    /// `rel` under the home.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }
}

/// Where ecochat keeps its session database under `home`.
pub fn db_path(home: &Path) -> PathBuf {
    home.join("data/ecochat").join(DB_FILE)
}

/// Opens the database at `db` and checks that SQLite finds it sound.
pub fn open_checked(db: &Path) -> Store {
    let store = Store::open(db).expect("the database opens");
    assert_eq!(store.integrity_check().expect("integrity check"), "ok");
    store
}

/// The newest session's messages, after checking the database is sound.
pub fn latest_messages(db: &Path) -> Vec<Message> {
    let store = open_checked(db);
    let id = store.latest().expect("latest").expect("a session");
    store.load(id).expect("load").messages
}

/// A child's stdout, read on a thread as it comes so a test can act mid-output.
pub struct StdoutCapture {
    seen: Arc<Mutex<String>>,
    reader: JoinHandle<()>,
}

impl StdoutCapture {
    /// Takes the piped stdout of `child` (spawned with `Stdio::piped()`).
    pub fn start(child: &mut Child) -> Self {
        let mut stdout = child.stdout.take().expect("stdout piped");
        let seen = Arc::new(Mutex::new(String::new()));
        let sink = seen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("capture lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        StdoutCapture { seen, reader }
    }

    /// Waits until `needle` was printed; panics after `timeout` (a hang, not a measurement).
    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.seen.lock().expect("capture lock").contains(needle) {
            assert!(Instant::now() < deadline, "never printed {needle:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// All that was printed, once the child closed its stdout.
    pub fn finish(self) -> String {
        self.reader.join().expect("stdout reader");
        let seen = self.seen.lock().expect("capture lock");
        seen.clone()
    }
}

/// Every file under `dir`, recursively (unreadable dirs are skipped).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// True when `secret` occurs anywhere in `bytes`.
pub fn holds(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

/// Something was written under `dir`, and no file there holds `secret`.
pub fn assert_secret_not_under(dir: &Path, secret: &str) {
    let files = files_under(dir);
    assert!(
        !files.is_empty(),
        "nothing was written under {}",
        dir.display()
    );
    for path in &files {
        let bytes = std::fs::read(path).expect("read file");
        assert!(
            !holds(&bytes, secret),
            "the key was written to {}",
            path.display()
        );
    }
}
