//! `/v1/models` answers: the OpenAI list, one-api's and new-api's variants.

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
    fn error_bodies_are_not_lists() {
        assert!(
            parse_model_list(br#"{"success":false,"message":"get user group failed"}"#).is_none()
        );
        assert!(parse_model_list(br#"{"error":{"message":"bad"}}"#).is_none());
        assert!(parse_model_list(b"<html></html>").is_none());
    }
}
