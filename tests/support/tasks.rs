//! The relay's task routes (relay-tasks.md §1–§3), replaying the notes' payloads with the ids
//! this mock hands out. A task advances one step per fetch (not per second), so tests are fast:
//!
//! - Midjourney: `status:""` 0% → `IN_PROGRESS` 46% with a preview → `SUCCESS` with nine
//!   buttons and an `imageUrl` on `localhost:3001` (the misconfigured relay of §1.6; the client
//!   must move it here). A prompt containing `fail` ends in `FAILURE`; `nude` is refused at
//!   submit (code 24). `GET /mj/image/{id}` serves the cat picture without auth.
//! - Suno: `data:null` → a streaming clip → `SUCCESS` with two clips (`fail` → `FAILURE`).
//! - Video (`POST /v1/video/generations`): `NOT_START` → `IN_PROGRESS` 30% → `SUCCESS` with the
//!   URL where the model's era puts it: `kling*` in `result_url` (era D), `luma*` in
//!   `fail_reason` (era B), `runway*` in `url` on `localhost:3000/v1/videos/{id}/content`
//!   (realtime envelope; served here only with the bearer key), anything else in
//!   `metadata.url` (OpenAI object).
//! - Unknown ids: the relay's own errors, trailing space included (`task_no_found `).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::reply::Reply;
use super::scenarios;

/// The key the mock's `/v1/videos/{id}/content` wants: the key the tests configure.
pub const CONTENT_KEY: &str = super::chat::TEST_KEY;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/tasks/", $name))
    };
}

fn load(text: &str) -> Value {
    serde_json::from_str(text).expect("task fixture is JSON")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mj,
    Suno,
    Video,
}

#[derive(Debug, Clone)]
struct Task {
    kind: Kind,
    prompt: String,
    model: String,
    fetches: usize,
    fail: bool,
}

/// Every task the mock was asked to run.
#[derive(Default)]
pub(super) struct Tasks {
    next: u64,
    tasks: HashMap<String, Task>,
}

/// Whether `path` is one of the task routes.
pub(super) fn handles(path: &str) -> bool {
    path.starts_with("/mj/")
        || path.starts_with("/suno/")
        || path.starts_with("/v1/video/generations")
        || (path.starts_with("/v1/videos/") && path.ends_with("/content"))
}

fn json_reply(status: u16, v: &Value) -> Reply {
    Reply::json(status, v.to_string().as_bytes())
}

fn body_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

fn field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Tasks {
    fn create(&mut self, kind: Kind, prompt: &str, model: &str) -> String {
        self.next += 1;
        let id = match kind {
            Kind::Mj => format!("{}", 1730621826053455 + self.next),
            Kind::Suno | Kind::Video => format!("task_mock{:024}", self.next),
        };
        self.tasks.insert(
            id.clone(),
            Task {
                kind,
                prompt: prompt.to_string(),
                model: model.to_string(),
                fetches: 0,
                fail: prompt.contains("fail"),
            },
        );
        id
    }

    /// The reply for a task route.
    pub(super) fn route(
        &mut self,
        origin: &str,
        method: &str,
        path: &str,
        body: &[u8],
        auth: Option<&str>,
    ) -> Reply {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, segs.as_slice()) {
            ("POST", ["mj", "submit", "imagine"]) => self.mj_imagine(&body_of(body)),
            ("POST", ["mj", "submit", "action"]) => self.mj_action(&body_of(body)),
            ("POST", ["mj", "submit", "modal"]) => {
                let id = field(&body_of(body), "taskId");
                json_reply(
                    200,
                    &json!({"code":1,"description":"Submit success","result":id}),
                )
            }
            ("GET", ["mj", "task", id, "fetch"]) => self.mj_fetch(id),
            ("GET", ["mj", "image", _]) => scenarios::cat_png(),
            ("POST", ["suno", "submit", "music"]) => self.suno_submit(&body_of(body)),
            ("GET", ["suno", "fetch", id]) => self.suno_fetch(id),
            ("POST", ["v1", "video", "generations"]) => self.video_submit(&body_of(body)),
            ("GET", ["v1", "video", "generations", id]) => self.video_fetch(origin, id),
            ("GET", ["v1", "videos", id, "content"]) => {
                if auth != Some(&format!("Bearer {CONTENT_KEY}")) {
                    return json_reply(
                        401,
                        &json!({"error":{"message":"Invalid token (request id: mock)","type":"new_api_error","code":""}}),
                    );
                }
                match self.tasks.get(*id) {
                    Some(_) => Reply::new(200)
                        .header("Content-Type", "video/mp4")
                        .write(b"\x00\x00\x00\x18ftypmp42mock video"),
                    None => json_reply(
                        404,
                        &json!({"error":{"message":"Task not found","type":"invalid_request_error"}}),
                    ),
                }
            }
            _ => scenarios::invalid_url(method, path),
        }
    }

    fn mj_imagine(&mut self, req: &Value) -> Reply {
        let prompt = field(req, "prompt");
        if prompt.trim().is_empty() {
            return json_reply(
                400,
                &json!({"description":"prompt_is_required ","type":"upstream_error","code":4}),
            );
        }
        if prompt.contains("nude") {
            return json_reply(200, &load(fixture!("mj_submit_banned.json")));
        }
        let id = self.create(Kind::Mj, &prompt, "mj_imagine");
        let mut v = load(fixture!("mj_submit_ok.json"));
        v["result"] = json!(id);
        json_reply(200, &v)
    }

    fn mj_action(&mut self, req: &Value) -> Reply {
        let parent = field(req, "taskId");
        let custom = field(req, "customId");
        let Some(p) = self.tasks.get(&parent).cloned() else {
            return json_reply(
                400,
                &json!({"description":"task_not_found ","type":"upstream_error","code":4}),
            );
        };
        if p.fetches < 3 || p.fail {
            return json_reply(400, &load(fixture!("mj_error_not_success.json")));
        }
        if custom.contains("animate") {
            return json_reply(
                400,
                &json!({"error":{"message":format!("Invalid request, unknown_action:{custom}"),"type":"new_api_error"}}),
            );
        }
        let id = self.create(Kind::Mj, &p.prompt, &custom);
        let mut v = load(fixture!("mj_submit_ok.json"));
        v["result"] = json!(id);
        if custom.contains("CustomZoom") {
            v = json!({"code":21,"description":"Waiting for window confirm","result":id,
                       "properties":{"finalPrompt":format!("{} --zoom 2", p.prompt),"remix":true}});
        }
        json_reply(200, &v)
    }

    fn step(&mut self, id: &str, kind: Kind) -> Option<(usize, Task)> {
        let t = self.tasks.get_mut(id).filter(|t| t.kind == kind)?;
        t.fetches += 1;
        Some((t.fetches, t.clone()))
    }

    fn mj_fetch(&mut self, id: &str) -> Reply {
        let Some((n, t)) = self.step(id, Kind::Mj) else {
            return json_reply(400, &load(fixture!("mj_error_task_no_found.json")));
        };
        let mut v = match (n, t.fail) {
            (1, _) => load(fixture!("mj_fetch_queued.json")),
            (2, _) => load(fixture!("mj_fetch_progress.json")),
            (_, true) => load(fixture!("mj_fetch_failure.json")),
            _ => {
                let mut v = load(fixture!("mj_fetch_success.json"));
                let text = v["buttons"]
                    .to_string()
                    .replace("3785da15-4f70-4034-9128-f3ff1ac634fa", id);
                v["buttons"] = serde_json::from_str(&text).expect("buttons");
                v["imageUrl"] = json!(format!("http://localhost:3001/mj/image/{id}"));
                v
            }
        };
        v["id"] = json!(id);
        v["prompt"] = json!(t.prompt);
        if n == 2 {
            v["imageUrl"] = json!(format!("http://localhost:3001/mj/image/{id}?rand=46"));
        }
        json_reply(200, &v)
    }

    fn suno_submit(&mut self, req: &Value) -> Reply {
        let prompt = [field(req, "gpt_description_prompt"), field(req, "prompt")].concat();
        if prompt.trim().is_empty() {
            return json_reply(400, &load(fixture!("suno_error_prompt_empty.json")));
        }
        let id = self.create(Kind::Suno, &prompt, "suno_music");
        let mut v = load(fixture!("suno_submit_d.json"));
        v["data"] = json!(id);
        json_reply(200, &v)
    }

    fn suno_fetch(&mut self, id: &str) -> Reply {
        let Some((n, t)) = self.step(id, Kind::Suno) else {
            return json_reply(400, &load(fixture!("suno_error_not_exist.json")));
        };
        let mut v = match (n, t.fail) {
            (1, _) => load(fixture!("suno_fetch_null.json")),
            (2, _) => {
                let mut v = load(fixture!("suno_fetch_batch_progress.json"));
                // The single-task route answers an object, not the batch route's array.
                v["data"] = v["data"][0].take();
                v
            }
            (_, true) => load(fixture!("suno_fetch_failure.json")),
            _ => {
                let mut v = load(fixture!("suno_fetch_success.json"));
                let first = v["data"]["data"][0].clone();
                let second: Value = serde_json::from_str(
                    &first
                        .to_string()
                        .replace(
                            "3435e194-50e7-4edc-9442-bffe072fccfc",
                            "5a5e194b-second-clip",
                        )
                        .replace("快乐周末", "快乐周末 (2)"),
                )
                .expect("clip");
                v["data"]["data"] = json!([first, second]);
                v
            }
        };
        v["data"]["task_id"] = json!(id);
        json_reply(200, &v)
    }

    fn video_submit(&mut self, req: &Value) -> Reply {
        let prompt = field(req, "prompt");
        if prompt.trim().is_empty() {
            return json_reply(400, &load(fixture!("video_error_prompt.json")));
        }
        let model = field(req, "model");
        let id = self.create(Kind::Video, &prompt, &model);
        let mut v = load(fixture!("video_submit_d.json"));
        v["id"] = json!(id);
        v["task_id"] = json!(id);
        v["model"] = json!(model);
        json_reply(200, &v)
    }

    fn video_fetch(&mut self, origin: &str, id: &str) -> Reply {
        let _ = origin;
        let Some((n, t)) = self.step(id, Kind::Video) else {
            return json_reply(400, &load(fixture!("suno_error_not_exist.json")));
        };
        let mut v = match (n, t.fail) {
            (1, _) => {
                let mut v = load(fixture!("video_fetch_progress_d.json"));
                v["data"]["status"] = json!("NOT_START");
                v["data"]["progress"] = json!("0%");
                v
            }
            (2, _) => load(fixture!("video_fetch_progress_d.json")),
            (_, true) => load(fixture!("video_fetch_failure.json")),
            _ if t.model.starts_with("kling") => load(fixture!("video_fetch_success_d.json")),
            _ if t.model.starts_with("luma") => load(fixture!("video_fetch_success_b.json")),
            _ if t.model.starts_with("runway") => {
                let mut v = load(fixture!("video_fetch_realtime.json"));
                v["data"]["url"] = json!(format!("http://localhost:3000/v1/videos/{id}/content"));
                v
            }
            _ => load(fixture!("video_fetch_openai.json")),
        };
        if v.get("data").is_some_and(Value::is_object) {
            v["data"]["task_id"] = json!(id);
        } else {
            v["id"] = json!(id);
        }
        json_reply(200, &v)
    }
}
