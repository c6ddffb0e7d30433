//! The task client against the mock relay: routes, ids, every era's shapes, honest errors.

mod support;

use ecochat::api::ApiError;
use ecochat::api::tasks::{self, TaskCallError};
use ecochat::tasks::poll::FetchFailure;
use ecochat::tasks::url::{fix_result_url, provider_root};
use ecochat::tasks::{ResultKind, TaskApi, TaskStatus, mj, suno, video};
use support::chat::{TEST_KEY, endpoint};
use support::{MockServer, Reply};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Fetches until the task is final, as the poller would (without waiting between fetches).
async fn run_to_end(
    http: &reqwest::Client,
    ep: &ecochat::api::client::Endpoint,
    api: TaskApi,
    id: &str,
) -> Vec<ecochat::tasks::Snapshot> {
    let mut seen = Vec::new();
    for _ in 0..10 {
        let s = tasks::fetch(http, ep, api, id).await.unwrap();
        let done = s.status().is_terminal();
        seen.push(s);
        if done {
            break;
        }
    }
    seen
}

#[test]
fn midjourney_submit_poll_and_press_u1() {
    let server = MockServer::start();
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let body = mj::imagine_body("pig --v 6.1", &[]);
        let sub = tasks::submit(&http, &ep, TaskApi::Midjourney, &body)
            .await
            .unwrap();
        let seen = run_to_end(&http, &ep, TaskApi::Midjourney, &sub.id).await;
        let statuses: Vec<TaskStatus> = seen.iter().map(|s| s.status()).collect();
        assert_eq!(
            statuses,
            [
                TaskStatus::Queued,
                TaskStatus::Running,
                TaskStatus::Succeeded
            ]
        );
        assert_eq!(seen[1].progress, Some(46));
        let done = seen.last().unwrap();
        // The relay said localhost:3001; the link is moved to the provider (the mock).
        let url = fix_result_url(&done.results[0].url, &provider_root(&ep.base_url));
        assert_eq!(url, server.url(&format!("/mj/image/{}", sub.id)));
        let png = tasks::result_request(&http, &ep, &url)
            .send()
            .await
            .unwrap();
        assert_eq!(png.status(), 200);
        let u1 = mj::find_button(&done.buttons, "U1").unwrap();
        let child = tasks::mj_action(&http, &ep, &u1.custom_id, &sub.id, "pig")
            .await
            .unwrap();
        assert_ne!(child.id, sub.id);
    });
    let reqs = server.requests();
    assert_eq!(
        reqs[0].path, "/mj/submit/imagine",
        "relative to the root, no /v1"
    );
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    assert_eq!(reqs[0].json()["prompt"], "pig --v 6.1");
    assert!(reqs[1].path.starts_with("/mj/task/") && reqs[1].path.ends_with("/fetch"));
    let action = reqs.iter().find(|r| r.path == "/mj/submit/action").unwrap();
    let parent = reqs[0].path.clone();
    let _ = parent;
    let sent = action.json();
    assert!(
        sent["customId"]
            .as_str()
            .unwrap()
            .starts_with("MJ::JOB::upsample::1::")
    );
    let first_id = reqs[1]
        .path
        .trim_start_matches("/mj/task/")
        .trim_end_matches("/fetch");
    assert_eq!(sent["taskId"], first_id);
}

#[test]
fn midjourney_modal_step_is_confirmed() {
    let server = MockServer::start();
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let body = mj::imagine_body("pig", &[]);
        let sub = tasks::submit(&http, &ep, TaskApi::Midjourney, &body)
            .await
            .unwrap();
        run_to_end(&http, &ep, TaskApi::Midjourney, &sub.id).await;
        let zoom = tasks::mj_action(&http, &ep, "MJ::CustomZoom::1::h", &sub.id, "pig")
            .await
            .unwrap();
        assert!(!zoom.needs_modal);
    });
    let modal = server
        .requests()
        .into_iter()
        .find(|r| r.path == "/mj/submit/modal")
        .expect("the modal step was sent");
    assert_eq!(modal.json()["prompt"], "pig --zoom 2");
}

#[test]
fn midjourney_refusals_and_relay_errors_are_short_and_honest() {
    let server = MockServer::start();
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let banned = tasks::submit(
            &http,
            &ep,
            TaskApi::Midjourney,
            &mj::imagine_body("nude body", &[]),
        )
        .await
        .unwrap_err();
        let text = banned.to_string();
        assert!(
            text.contains("可能包含敏感词") && text.contains("nude"),
            "{text}"
        );
        // An unknown id: 400 `task_no_found ` (trailing space) means the relay lost it.
        let lost = tasks::fetch(&http, &ep, TaskApi::Midjourney, "999")
            .await
            .unwrap_err();
        assert!(matches!(lost, TaskCallError::Lost { .. }), "{lost:?}");
        assert_eq!(lost.as_fetch_failure(), FetchFailure::Lost);
        assert!(lost.to_string().contains("lost the task"));
        // An action on a parent that has not finished.
        let sub = tasks::submit(
            &http,
            &ep,
            TaskApi::Midjourney,
            &mj::imagine_body("cat", &[]),
        )
        .await
        .unwrap();
        let early = tasks::mj_action(&http, &ep, "MJ::JOB::upsample::1::h", &sub.id, "cat")
            .await
            .unwrap_err();
        assert_eq!(
            early.to_string(),
            format!("400 from 127.0.0.1: task_status_not_success")
        );
    });
}

#[test]
fn auth_errors_name_the_key_source_and_never_the_key() {
    let server = MockServer::start();
    server.on_path(
        "POST",
        "/mj/submit/imagine",
        vec![Reply::json(
            401,
            include_bytes!("fixtures/tasks/auth_error_2504.json"),
        )],
    );
    server.on_path(
        "POST",
        "/suno/submit/music",
        vec![Reply::json(
            403,
            include_bytes!("fixtures/tasks/suno_error_quota_2608.json"),
        )],
    );
    server.on_path(
        "POST",
        "/v1/video/generations",
        vec![Reply::json(429, br#"{"code":"fail_to_fetch_task","message":"\u5f53\u524d\u5206\u7ec4\u4e0a\u6e38\u8d1f\u8f7d\u5df2\u9971\u548c\uff0c\u8bf7\u7a0d\u540e\u518d\u8bd5","data":null}"#)],
    );
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let e = tasks::submit(
            &http,
            &ep,
            TaskApi::Midjourney,
            &mj::imagine_body("cat", &[]),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(e, TaskCallError::Api(ApiError::Auth { status: 401, .. })),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("无效的令牌") && text.contains("ECOCHAT_TEST_KEY"),
            "{text}"
        );
        assert!(!text.contains(TEST_KEY));
        let e = tasks::submit(
            &http,
            &ep,
            TaskApi::Suno,
            &suno::MusicRequest::from_prompt("夏天").body(),
        )
        .await
        .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("403 from 127.0.0.1: 预扣费额度失败"),
            "{text}"
        );
        assert!(text.contains("ECOCHAT_TEST_KEY"), "{text}");
        let e = tasks::submit(
            &http,
            &ep,
            TaskApi::Video,
            &video::submit_body("kling-v1", "x", None),
        )
        .await
        .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("429")
                && text.contains("负载已饱和")
                && text.contains("try again later")
                && text.contains("ECOCHAT_TEST_KEY"),
            "{text}"
        );
        assert!(matches!(e.as_fetch_failure(), FetchFailure::Transient(_)));
    });
}

#[test]
fn an_html_page_is_named_not_parsed() {
    let server = MockServer::start();
    server.on_path(
        "GET",
        "/mj/task/123/fetch",
        vec![Reply::html(
            502,
            "text/html",
            b"<html><head><title>502 Bad Gateway</title></head></html>",
        )],
    );
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let e = tasks::fetch(&http, &ep, TaskApi::Midjourney, "123")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("502 Bad Gateway"), "{e}");
        assert!(matches!(e.as_fetch_failure(), FetchFailure::Transient(_)));
    });
}

#[test]
fn suno_data_null_then_clips() {
    let server = MockServer::start();
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let body = suno::MusicRequest::from_prompt("一首关于夏天的歌").body();
        let sub = tasks::submit(&http, &ep, TaskApi::Suno, &body)
            .await
            .unwrap();
        assert!(sub.id.starts_with("task_"));
        let seen = run_to_end(&http, &ep, TaskApi::Suno, &sub.id).await;
        assert_eq!(seen[0].status(), TaskStatus::Queued);
        assert_eq!(seen[1].clips.len(), 1);
        let done = seen.last().unwrap();
        assert_eq!(done.status(), TaskStatus::Succeeded);
        assert_eq!(done.clips.len(), 2);
        let audio = done
            .results
            .iter()
            .filter(|r| r.kind == ResultKind::Audio)
            .count();
        assert_eq!(audio, 2);
        let lost = tasks::fetch(&http, &ep, TaskApi::Suno, "task_nope")
            .await
            .unwrap_err();
        assert!(matches!(lost, TaskCallError::Lost { .. }));
    });
    let reqs = server.requests();
    assert_eq!(reqs[0].path, "/suno/submit/music");
    assert_eq!(reqs[0].json()["gpt_description_prompt"], "一首关于夏天的歌");
    assert!(reqs[1].path.starts_with("/suno/fetch/task_"));
}

#[test]
fn video_url_in_each_eras_field_and_the_key_only_for_the_relay() {
    let server = MockServer::start();
    let other = MockServer::start();
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let mut urls = Vec::new();
        for model in ["kling-v1", "luma-ray", "runway-gen3", "sora-2"] {
            let body = video::submit_body(model, "a corgi surfing a wave", None);
            let sub = tasks::submit(&http, &ep, TaskApi::Video, &body)
                .await
                .unwrap();
            let seen = run_to_end(&http, &ep, TaskApi::Video, &sub.id).await;
            assert_eq!(seen[1].progress, Some(30));
            let done = seen.last().unwrap();
            assert_eq!(done.status(), TaskStatus::Succeeded, "{model}");
            urls.push(fix_result_url(
                &done.results[0].url,
                &provider_root(&ep.base_url),
            ));
        }
        assert!(urls[0].ends_with("era-d.mp4"));
        assert!(urls[1].ends_with("xxx.mp4"));
        assert!(
            urls[2].starts_with(&server.url("/v1/videos/task_")),
            "{}",
            urls[2]
        );
        assert!(urls[3].ends_with("openai-shape.mp4"));
        // The relay's own content route gets the key and serves the video…
        let resp = tasks::result_request(&http, &ep, &urls[2])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        // …another host never sees it.
        let elsewhere = other.url("/v1/videos/x/content");
        let _ = tasks::result_request(&http, &ep, &elsewhere).send().await;
    });
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/content")
                && r.header("authorization") == Some(&format!("Bearer {TEST_KEY}")))
    );
    let leaked = other.requests();
    assert_eq!(leaked.len(), 1);
    assert_eq!(leaked[0].header("authorization"), None);
    let submit = &server.requests()[0];
    assert_eq!(submit.path, "/v1/video/generations", "relative to base_url");
    assert_eq!(submit.json()["model"], "kling-v1");
}

#[test]
fn failures_end_with_the_reason() {
    let server = MockServer::start();
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        for (api, body) in [
            (TaskApi::Midjourney, mj::imagine_body("please fail", &[])),
            (
                TaskApi::Suno,
                suno::MusicRequest::from_prompt("please fail").body(),
            ),
            (
                TaskApi::Video,
                video::submit_body("kling-v1", "please fail", None),
            ),
        ] {
            let sub = tasks::submit(&http, &ep, api, &body).await.unwrap();
            let seen = run_to_end(&http, &ep, api, &sub.id).await;
            let last = seen.last().unwrap();
            assert_eq!(last.status(), TaskStatus::Failed, "{api:?}");
            assert!(last.fail_reason.is_some(), "{api:?}");
        }
        let e = tasks::submit(
            &http,
            &ep,
            TaskApi::Video,
            &video::submit_body("kling-v1", " ", None),
        )
        .await
        .unwrap_err();
        assert_eq!(e.to_string(), "400 from 127.0.0.1: prompt is required");
    });
}

#[test]
fn hostile_ids_are_not_put_in_paths() {
    let server = MockServer::start();
    server.on_path(
        "POST",
        "/mj/submit/imagine",
        vec![Reply::json(
            200,
            br#"{"code":1,"description":"ok","result":"../../admin?x=1"}"#,
        )],
    );
    let ep = endpoint(&server);
    rt().block_on(async {
        let http = tasks::http_client(&ep, &Default::default()).unwrap();
        let e = tasks::submit(
            &http,
            &ep,
            TaskApi::Midjourney,
            &mj::imagine_body("cat", &[]),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("unusable task id"), "{e}");
    });
    assert_eq!(server.request_count(), 1);
}
