//! `POST {base_url}/images/generations` (OpenAI images API as new-api relays it, api-notes §5).

use serde_json::{Value, json};

use super::ApiError;
use super::client::{Endpoint, content_type, request_id};
use super::error::{ErrorContext, classify_response};

/// Model asked for when neither `--model` nor an image model is selected.
pub const DEFAULT_IMAGE_MODEL: &str = "dall-e-3";
/// Longest error body read.
const MAX_ERROR_BODY: usize = 1024 * 1024;
/// Base64 answers are large; past this the answer is refused.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// What `/image` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRequest {
    pub prompt: String,
    /// `--model`; `None` picks the selected model when it makes images, else `DEFAULT_IMAGE_MODEL`.
    pub model: Option<String>,
    /// `--size WxH`; the server's default (1024x1024) when absent.
    pub size: Option<String>,
    /// `--n`; one image when absent.
    pub n: Option<u32>,
}

impl ImageRequest {
    /// The JSON body for `model`. Optional fields the user did not give are not sent: relays
    /// re-serialize the request and apply their own defaults.
    pub fn body(&self, model: &str) -> Value {
        let mut body = json!({"model": model, "prompt": self.prompt});
        if let Some(size) = &self.size {
            body["size"] = json!(size);
        }
        if let Some(n) = self.n {
            body["n"] = json!(n);
        }
        body
    }
}

/// Why an images answer holds no image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// The server's own error message.
    #[error("{0}")]
    Server(String),
    /// A chat completion (JSON or a stream) where images were expected: the relay handed the
    /// request to a chat model. `said` is the start of its text, when it had any.
    #[error(
        "it answered with a chat completion instead of images: this relay does not serve the \
         images API for this model (a chat-style image model takes the prompt as a chat \
         message){}",
        said.as_deref().map(|s| format!("; it said: {s}")).unwrap_or_default()
    )]
    ChatCompletion { said: Option<String> },
    /// Not JSON, or JSON without images.
    #[error("{0}")]
    NoImage(String),
}

/// One image of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeneratedImage {
    Url(String),
    /// The `b64_json` payload, still encoded.
    Base64(String),
}

/// The images of an answer: `data[].url` or `data[].b64_json` (an empty string is absent),
/// else a top-level `image` list (recraft). An answer without any is an error.
pub fn parse_response(body: &[u8]) -> Result<Vec<GeneratedImage>, AnswerError> {
    let text = String::from_utf8_lossy(body);
    if text.trim_start().starts_with("data:") {
        return Err(chat_stream(&text));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        let snippet = crate::api::error::truncate_chars(&text, 120);
        AnswerError::NoImage(format!("the images answer is not JSON ({e}): {snippet}"))
    })?;
    if let Some(message) = crate::api::error::error_message(&v) {
        return Err(AnswerError::Server(crate::api::error::cap_message(
            &message,
        )));
    }
    if v["choices"].is_array()
        || v["object"]
            .as_str()
            .is_some_and(|o| o.starts_with("chat.completion"))
    {
        let said = v["choices"][0]["message"]["content"].as_str();
        return Err(AnswerError::ChatCompletion {
            said: said.and_then(snippet),
        });
    }
    let non_empty = |x: Option<&Value>| {
        x.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut out = Vec::new();
    for item in v["data"].as_array().map(Vec::as_slice).unwrap_or_default() {
        if let Some(url) = non_empty(item.get("url")) {
            out.push(GeneratedImage::Url(url));
        } else if let Some(b64) = non_empty(item.get("b64_json")) {
            out.push(GeneratedImage::Base64(b64));
        }
    }
    if out.is_empty() {
        for url in v["image"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(url) = non_empty(Some(url)) {
                out.push(GeneratedImage::Url(url));
            }
        }
    }
    if out.is_empty() {
        return Err(AnswerError::NoImage(
            "the images answer has no image".into(),
        ));
    }
    Ok(out)
}

/// A chat stream where images were expected, with the start of the text it streamed.
fn chat_stream(text: &str) -> AnswerError {
    let mut said = String::new();
    for line in text.lines() {
        let Some(data) = line.trim().strip_prefix("data:") else {
            continue;
        };
        if let Ok(v) = serde_json::from_str::<Value>(data.trim())
            && let Some(piece) = v["choices"][0]["delta"]["content"].as_str()
        {
            said.push_str(piece);
        }
        if said.chars().count() > 120 {
            break;
        }
    }
    AnswerError::ChatCompletion {
        said: snippet(&said),
    }
}

/// The first words of a model's text, on one line and cleaned for the screen.
fn snippet(text: &str) -> Option<String> {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean = crate::sanitize::sanitize(&one_line);
    (!clean.is_empty()).then(|| crate::api::error::truncate_chars(&clean, 120))
}

/// Sends the request to `ep` (with its key: this goes to the provider, not to a media host).
pub async fn generate(
    http: &reqwest::Client,
    ep: &Endpoint,
    body: &Value,
) -> Result<Vec<GeneratedImage>, ApiError> {
    let host = ep.host();
    let ctx = ErrorContext {
        host: &host,
        key_source: &ep.key_source,
    };
    let url = format!("{}/images/generations", ep.base_url.trim_end_matches('/'));
    let mut rb = http.post(url).json(body);
    if let Some(key) = &ep.api_key {
        rb = rb.bearer_auth(key);
    }
    // Images take long and the endpoint does not stream: the whole answer gets the idle budget.
    let budget = ep.connect_timeout + ep.idle_timeout;
    let work = async {
        let resp = rb.send().await.map_err(|e| ApiError::Connect {
            host: host.clone(),
            detail: e.to_string(),
        })?;
        let status = resp.status().as_u16();
        let ct = content_type(&resp);
        let rid = request_id(&resp);
        let ok = (200..300).contains(&status);
        let cap = if ok { MAX_BODY } else { MAX_ERROR_BODY };
        let bytes =
            super::read_body_capped(resp, cap)
                .await
                .map_err(|detail| ApiError::Decode {
                    host: host.clone(),
                    detail,
                })?;
        if !ok {
            return Err(classify_response(
                status,
                ct.as_deref(),
                &bytes,
                rid.as_deref(),
                &ctx,
            ));
        }
        parse_response(&bytes).map_err(|e| match e {
            AnswerError::Server(message) => ApiError::Body {
                host: host.clone(),
                message,
            },
            // Not an error the server reported: saying it "answered with an error" would mislead.
            other => ApiError::Decode {
                host: host.clone(),
                detail: other.to_string(),
            },
        })
    };
    tokio::time::timeout(budget, work)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::Timeout {
                host: host.clone(),
                secs: budget.as_secs(),
                phase: "waiting for the images",
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_sends_only_what_was_given() {
        let req = ImageRequest {
            prompt: "a cat".into(),
            model: None,
            size: Some("1024x1792".into()),
            n: None,
        };
        assert_eq!(
            req.body("flux"),
            json!({"model":"flux","prompt":"a cat","size":"1024x1792"})
        );
    }

    #[test]
    fn new_api_answer_with_empty_strings() {
        let body = br#"{"created":1730702305,"data":[{"url":"https://x.example/a.png","b64_json":"","revised_prompt":""},{"url":"","b64_json":"iVBORw0KGgo="}]}"#;
        assert_eq!(
            parse_response(body).unwrap(),
            [
                GeneratedImage::Url("https://x.example/a.png".into()),
                GeneratedImage::Base64("iVBORw0KGgo=".into())
            ]
        );
    }

    #[test]
    fn recraft_top_level_image_list() {
        let body = br#"{"created":1,"data":[{}],"image":["https://sfile.chatglm.cn/a.png"],"metadata":{"credits":1}}"#;
        assert_eq!(
            parse_response(body).unwrap(),
            [GeneratedImage::Url("https://sfile.chatglm.cn/a.png".into())]
        );
    }

    #[test]
    fn errors_and_empty_answers() {
        let err = br#"{"error":{"message":"size ... please use 'x' instead of the multiplication sign","type":"new_api_error","code":"invalid_image_request"}}"#;
        assert!(matches!(
            parse_response(err),
            Err(AnswerError::Server(m)) if m.contains("please use 'x'")
        ));
        assert!(parse_response(br#"{"data":[]}"#).is_err());
        assert!(parse_response(b"<html>").is_err());
    }

    #[test]
    fn a_chat_completion_instead_of_images_is_named_as_such() {
        let json = r#"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"我无法生成图片，\u001b[31m但可以描述一只猫。"},"finish_reason":"stop"}]}"#;
        let e = parse_response(json.as_bytes()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("chat completion instead of images"), "{text}");
        assert!(text.contains("我无法生成图片"), "{text}");
        assert!(!text.contains('\u{1b}'), "model text is cleaned: {text:?}");
        let sse = b"data: {\"choices\":[{\"delta\":{\"content\":\"Sure, \"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"a cat\"}}]}\n\ndata: [DONE]\n\n";
        assert_eq!(
            parse_response(sse),
            Err(AnswerError::ChatCompletion {
                said: Some("Sure, a cat".into())
            })
        );
    }
}
