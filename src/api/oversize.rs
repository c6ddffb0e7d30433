//! A request refused for its size: a 413, or a proxy's HTML error page after a large body
//! (nginx answers `413 Request Entity Too Large` as HTML long before the relay sees it).

use super::ApiError;

/// Bodies from this size on make an HTML error page likely to be about the size.
const LARGE_BODY: usize = 1024 * 1024;

/// `err` explained as a refusal of a `body_bytes` request when it looks like one.
pub fn explain(err: ApiError, body_bytes: usize) -> ApiError {
    let (status, host) = match &err {
        ApiError::Status {
            status: 413, host, ..
        }
        | ApiError::Html {
            status: 413, host, ..
        } => (413, host.clone()),
        ApiError::Html { status, host, .. } if *status != 200 && body_bytes >= LARGE_BODY => {
            (*status, host.clone())
        }
        _ => return err,
    };
    ApiError::Status {
        status,
        host,
        message: format!(
            "the relay refused a request of {:.1} MB",
            body_bytes as f64 / 1_048_576.0
        ),
        hint: Some("send fewer or smaller attachments".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_413_or_an_html_page_after_a_large_body_names_the_size() {
        let html = |status| ApiError::Html {
            status,
            host: "relay".into(),
            title: "Request Entity Too Large".into(),
        };
        assert_eq!(
            explain(html(413), 3 << 20).to_string(),
            "413 from relay: the relay refused a request of 3.0 MB (send fewer or smaller attachments)"
        );
        assert!(explain(html(502), 12 << 20).to_string().contains("12.0 MB"));
        // A small request's 502 page is about something else.
        assert_eq!(explain(html(502), 900), html(502));
    }
}
