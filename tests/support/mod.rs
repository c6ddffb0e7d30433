//! A mock OpenAI-compatible server (new-api flavoured) for integration tests, on 127.0.0.1.
//!
//! `MockServer::start()` is synchronous: the server runs its own tokio runtime on a background
//! thread, so it works from plain `#[test]` functions and from `#[tokio::test]` alike. Every
//! request is recorded. Routing, in order:
//! 1. routes added with `on_path(method, path, replies)` (the query string is ignored);
//! 2. `POST /v1/chat/completions` by the JSON `model` field, from `on_model(model, replies)`;
//!    an unknown model gets M1 (a normal stream);
//! 3. built-ins: `GET /v1/models` (M10 list), `POST /v1/images/generations` (M10, pointing at
//!    this server's `/img/cat.png`), `GET /img/cat.png` (a real 64x48 PNG), and the relay's
//!    task routes (`/mj/…`, `/suno/…`, `/v1/video/generations…`; see `tasks`);
//! 4. any other path under `/v1/` or `/api/`: new-api's 404 `Invalid URL (METHOD path)` JSON;
//!    anything else: new-api's web UI, a 200 `text/html` page (M6-spa), as the real relay does.
//!
//! A route's replies are served in order and the last one repeats. `billing(relay)` and
//! `pricing(era)` (in `billing`) add a relay's balance, status and pricing routes.
#![allow(dead_code, unused_imports)]

pub mod billing;
pub mod binary;
pub mod chat;
pub mod encoding;
mod http;
pub mod raw;
pub mod reply;
pub mod scenarios;
pub mod tasks;

pub use reply::{Framing, REQUEST_ID, Reply, Step, WriteMode};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as the mock received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target, query string included.
    pub path: String,
    /// Headers in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; panics (this is test code) when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {}", self.body_text()))
    }

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The text of every message of a chat request, in order (empty for non-text content).
    pub fn contents(&self) -> Vec<String> {
        self.json()["messages"]
            .as_array()
            .expect("a chat request has messages")
            .iter()
            .map(|m| m["content"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The path without its query string.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }
}

/// Replies for one route; the last one repeats.
struct Queue {
    replies: Vec<Reply>,
    served: usize,
}

impl Queue {
    fn new(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "a route needs at least one reply");
        Self { replies, served: 0 }
    }

    fn next(&mut self) -> Reply {
        let i = self.served.min(self.replies.len() - 1);
        self.served += 1;
        self.replies[i].clone()
    }
}

#[derive(Default)]
struct Routes {
    models: HashMap<String, Queue>,
    paths: HashMap<(String, String), Queue>,
}

/// What the server thread and the test share.
struct State {
    origin: String,
    requests: Mutex<Vec<RecordedRequest>>,
    routes: Mutex<Routes>,
    tasks: Mutex<tasks::Tasks>,
    open: AtomicUsize,
}

/// Locks even if a test thread panicked while holding the lock: the data is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    fn record(&self, req: RecordedRequest) {
        lock(&self.requests).push(req);
    }

    fn route(&self, req: &RecordedRequest) -> Reply {
        let path = req.path_only();
        let mut routes = lock(&self.routes);
        if let Some(q) = routes
            .paths
            .get_mut(&(req.method.to_ascii_uppercase(), path.to_string()))
        {
            return q.next();
        }
        match (req.method.as_str(), path) {
            ("POST", "/v1/chat/completions") => {
                let model = serde_json::from_slice::<serde_json::Value>(&req.body)
                    .ok()
                    .and_then(|v| v.get("model").and_then(|m| m.as_str()).map(str::to_string))
                    .unwrap_or_default();
                match routes.models.get_mut(&model) {
                    Some(q) => q.next(),
                    None => scenarios::m1(),
                }
            }
            ("GET", "/v1/models") => scenarios::models(),
            ("POST", "/v1/images/generations") => scenarios::images(&self.origin),
            ("GET", "/img/cat.png") => scenarios::cat_png(),
            (method, p) if tasks::handles(p) => lock(&self.tasks).route(
                &self.origin,
                method,
                p,
                &req.body,
                req.header("authorization"),
            ),
            (method, p) if p.starts_with("/v1/") || p.starts_with("/api/") => {
                scenarios::invalid_url(method, p)
            }
            _ => scenarios::m6_spa(),
        }
    }
}

/// The mock server; stops (closing every connection) when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Binds an ephemeral port on 127.0.0.1 and serves from a background thread.
    pub fn start() -> MockServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("set_nonblocking");
        let addr = listener.local_addr().expect("local_addr");
        let state = Arc::new(State {
            origin: format!("http://{addr}"),
            requests: Mutex::new(Vec::new()),
            routes: Mutex::new(Routes::default()),
            tasks: Mutex::default(),
            open: AtomicUsize::new(0),
        });
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        let thread = std::thread::Builder::new()
            .name(format!("mock-server-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("mock runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    loop {
                        tokio::select! {
                            _ = &mut stopped => break,
                            accepted = listener.accept() => {
                                if let Ok((sock, _)) = accepted {
                                    tokio::spawn(http::serve_connection(sock, shared.clone()));
                                }
                            }
                        }
                    }
                });
                // Dropping the runtime drops every connection task, so hanging sockets close too.
                drop(rt);
            })
            .expect("spawn mock server thread");
        MockServer {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/v1`, the base URL a provider would be configured with.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.state.origin)
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.state.origin)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.state.origin
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Chat completions for `model_id` get these replies in order (the last repeats).
    pub fn on_model(&self, model_id: &str, replies: Vec<Reply>) -> &Self {
        lock(&self.state.routes)
            .models
            .insert(model_id.to_string(), Queue::new(replies));
        self
    }

    /// Requests to `method path` get these replies in order (the last repeats); beats every other route.
    pub fn on_path(&self, method: &str, path: &str, replies: Vec<Reply>) -> &Self {
        let key = (method.to_ascii_uppercase(), path.to_string());
        lock(&self.state.routes)
            .paths
            .insert(key, Queue::new(replies));
        self
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The most recent request.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.state.requests).last().cloned()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        lock(&self.state.requests).len()
    }

    /// Connections currently open (a cancelled client shows up as this dropping).
    pub fn open_connections(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests arrived; false on timeout.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, || self.request_count() >= n)
    }

    /// Waits until no connection is open; false on timeout.
    pub fn wait_for_no_connections(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, || self.open_connections() == 0)
    }

    fn wait_until(&self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        done()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
