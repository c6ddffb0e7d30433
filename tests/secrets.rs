//! The API key from `api_key_cmd` reaches the provider and nothing else: not the logs, the
//! sessions database, transcripts, the cache or state files, not a media host, not the target
//! of a redirect to another host. The command runs once per process, before the TUI starts.

mod support;
mod tmux;

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use support::binary;
use support::chat::KEY_ENV;
use support::{MockServer, Reply, scenarios};
use tmux::{Tmux, WAIT, is_idle};

/// Not a valid key anywhere; long and unusual so that a match is never an accident.
const KEY: &str = "sk-cmd-4b1d7e0c9a-kept-in-memory-only";

fn contains_key(bytes: &[u8]) -> bool {
    binary::holds(bytes, KEY)
}

#[test]
fn a_key_from_api_key_cmd_goes_to_the_provider_and_nowhere_else() {
    // The provider, and a second server on another host name: media and redirects go there.
    let provider = MockServer::start();
    let other = MockServer::start();
    let image = format!("http://localhost:{}/img/cat.png", other.port());
    let mut payload = Vec::new();
    for text in ["这是一只猫：\n\n", &format!("![猫]({image})\n")] {
        let chunk = json!({"choices": [{"index": 0, "delta": {"content": text}}]});
        payload.extend(format!("data: {chunk}\n\n").into_bytes());
    }
    payload.extend_from_slice(b"data: [DONE]\n\n");
    provider.on_model("m", vec![Reply::sse(&payload)]);
    let elsewhere = format!("http://localhost:{}/v1/chat/completions", other.port());
    other.on_model("m", vec![scenarios::m1()]);

    // The key lives outside the home that is scanned; the command counts its runs.
    let vault = tempfile::tempdir().unwrap();
    std::fs::write(vault.path().join("key"), format!("{KEY}\nuser: me\n")).unwrap();
    let runs = vault.path().join("runs");
    let cmd = format!(
        "echo run >> '{}'; cat '{}'",
        runs.display(),
        vault.path().join("key").display()
    );
    let config = |base: &str| {
        format!(
            // `localhost` is another host than the provider's 127.0.0.1: allowed for media here,
            // so that the image request is made and can be checked for the key.
            "default_model = \"mock:m\"\nmedia_allow_hosts = [\"localhost\"]\n\n[[providers]]\nname = \"mock\"\nbase_url = \"{base}\"\n\
             api_key_cmd = \"{}\"\nmax_retries = 0\nmodels = [\"m\"]\n",
            cmd.replace('\\', "\\\\").replace('"', "\\\"")
        )
    };

    let mut t = Tmux::new();
    let cfg = t.write_file("ecochat.toml", &config(&provider.base_url()));
    let cfg = cfg.display().to_string();
    t.run(&["--config", &cfg], &[("ECOCHAT_LOG", "trace")], 120, 40);
    t.wait_ready();
    let count = || {
        std::fs::read_to_string(&runs)
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(
        count(),
        1,
        "the command ran before the TUI, before any request"
    );

    t.type_text("画一只猫");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.contains("Media 1") && is_idle(s),
        WAIT,
        "the reply and the media panel",
    );
    assert!(
        other.wait_for_requests(1, WAIT),
        "the image was fetched from the other host"
    );
    t.type_text("再来一次");
    t.keys(&["Enter"]);
    t.wait_until(
        |s| s.matches("这是一只猫").count() >= 2 && is_idle(s),
        WAIT,
        "the second reply",
    );
    t.keys(&["C-s"]);
    t.wait_for("saved", WAIT);
    t.keys(&["C-q"]);
    assert_eq!(t.wait_exit(WAIT), "status 0");
    assert_eq!(count(), 1, "one run per process, however many requests");

    // Pipe mode through a relay that redirects to the other host.
    // A relay whose chat endpoint redirects to the other host.
    let redirect_base = format!("{}/redirect/v1", provider.origin());
    provider.on_path(
        "POST",
        "/redirect/v1/chat/completions",
        vec![Reply::new(307).header("Location", &elsewhere)],
    );
    let pipe_cfg = t.write_file("pipe.toml", &config(&redirect_base));
    // No key in the environment: it comes from `api_key_cmd` only.
    let out = binary::ecochat(t.home.path())
        .env_remove(KEY_ENV)
        .env("ECOCHAT_LOG", "trace")
        .args(["--config", pipe_cfg.to_str().unwrap(), "-p", "hi"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "你好！有什么可以帮你？"
    );
    assert!(!contains_key(&out.stdout) && !contains_key(&out.stderr));
    assert_eq!(count(), 2, "the pipe run ran the command once more");

    // The provider got the key on every request ...
    let sent = provider.requests();
    assert!(sent.len() >= 3, "{sent:?}");
    for r in &sent {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str()),
            "{} {}",
            r.method,
            r.path
        );
    }
    // ... and the other host never did, in any header, path or body.
    let elsewhere_requests = other.requests();
    assert!(
        elsewhere_requests.iter().any(|r| r.path == "/img/cat.png")
            && elsewhere_requests
                .iter()
                .any(|r| r.path == "/v1/chat/completions"),
        "{elsewhere_requests:?}"
    );
    for r in &elsewhere_requests {
        assert!(!format!("{r:?}").contains(KEY), "the key reached {r:?}");
    }

    // Nothing written under the home holds the key: logs, sessions, transcripts, caches.
    std::thread::sleep(Duration::from_millis(100));
    let files = binary::files_under(t.home.path());
    for want in ["ecochat.log", "ecochat.db"] {
        assert!(
            files
                .iter()
                .any(|f| f.file_name().is_some_and(|n| n == want)),
            "{want} was written: {files:?}"
        );
    }
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "md")),
        "a transcript was written: {files:?}"
    );
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        assert!(
            !contains_key(&bytes),
            "the key was written to {}",
            f.display()
        );
    }
}

#[test]
fn a_failing_api_key_cmd_names_the_provider_and_its_first_stderr_line() {
    let server = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("ecochat.toml");
    std::fs::write(
        &config,
        format!(
            "default_model = \"mock:m\"\n\n[[providers]]\nname = \"mock\"\nbase_url = \"{}\"\n\
             api_key_cmd = \"echo 'gpg: decryption failed: No secret key' >&2; exit 2\"\n\
             models = [\"m\"]\n",
            server.base_url()
        ),
    )
    .unwrap();
    let out = binary::ecochat(home.path())
        .env_remove(KEY_ENV)
        .args(["--config", config.to_str().unwrap(), "-p", "hi"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "ecochat: provider `mock`: api_key_cmd `echo 'gpg: decryption failed: No secret key' >&2; \
         exit 2` failed (exit status 2): gpg: decryption failed: No secret key"
    );
    assert_eq!(server.request_count(), 0, "nothing is sent without a key");
}

#[test]
fn api_key_cmd_with_another_key_setting_is_a_config_error() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("ecochat.toml");
    std::fs::write(
        &config,
        "[[providers]]\nname = \"p\"\nbase_url = \"http://127.0.0.1:9/v1\"\n\
         api_key_env = \"K\"\napi_key_cmd = \"pass show p\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecochat"))
        .env_clear()
        .env("HOME", home.path())
        .args(["--config", config.to_str().unwrap(), "-p", "hi"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(":5:")
            && stderr.contains("set only one of api_key, api_key_env and api_key_cmd"),
        "{stderr}"
    );
}
