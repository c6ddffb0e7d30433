//! `/v1/models` answers: the OpenAI list, one-api's and new-api's variants.

/// At most this many discovered ids are kept per provider: a relay listing 450,000 ids (7.5 MB)
/// froze the picker, and no one scrolls past ten thousand models.
pub const MAX_DISCOVERED: usize = 10_000;

/// Keeps the first [`MAX_DISCOVERED`] of `ids` (in the server's order) and returns how many were
/// dropped.
pub fn cap_discovered(ids: &mut Vec<String>) -> usize {
    let dropped = ids.len().saturating_sub(MAX_DISCOVERED);
    ids.truncate(MAX_DISCOVERED);
    dropped
}

/// The model ids of a `/models` body, or `None` when it is not a model list (an error body,
/// new-api's `{"success":false,...}`, HTML).
pub fn parse_model_list(body: &[u8]) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    if v.get("success").and_then(serde_json::Value::as_bool) == Some(false) {
        return None;
    }
    // new-api omits `"object":"list"`, so only `data[].id` is relied on.
    let data = v.get("data")?.as_array()?;
    let mut ids: Vec<String> = data
        .iter()
        .filter_map(|m| m.get("id")?.as_str())
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openai_one_api_and_new_api_lists() {
        let openai = br#"{"object":"list","data":[{"id":"gpt-4o","object":"model"},{"id":"gpt-4o-all","owned_by":"custom"}]}"#;
        assert_eq!(parse_model_list(openai).unwrap(), ["gpt-4o", "gpt-4o-all"]);
        let new_api = br#"{"success":true,"data":[{"id":"deepseek-reasoner","supported_endpoint_types":["openai"]},{"id":"deepseek-reasoner"}]}"#;
        assert_eq!(parse_model_list(new_api).unwrap(), ["deepseek-reasoner"]);
    }

    #[test]
    fn a_list_of_450k_ids_is_capped_and_says_how_many_were_dropped() {
        let mut body = String::from(r#"{"data":["#);
        for i in 0..450_000 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&format!(r#"{{"id":"m-{i}"}}"#));
        }
        body.push_str("]}");
        let mut ids = parse_model_list(body.as_bytes()).unwrap();
        assert_eq!(ids.len(), 450_000, "parsing keeps the whole list");
        assert_eq!(cap_discovered(&mut ids), 440_000);
        assert_eq!(ids.len(), MAX_DISCOVERED);
        assert_eq!(ids[0], "m-0", "the server's order is kept");
        assert_eq!(ids.last().unwrap(), "m-9999");
        assert_eq!(cap_discovered(&mut vec!["a".into()]), 0);
    }

    #[test]
    fn error_bodies_are_not_lists() {
        assert!(
            parse_model_list(br#"{"success":false,"message":"get user group failed"}"#).is_none()
        );
        assert!(parse_model_list(br#"{"error":{"message":"bad"}}"#).is_none());
        assert!(parse_model_list(b"<html></html>").is_none());
    }
}
