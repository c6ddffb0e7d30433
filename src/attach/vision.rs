//! Whether a model takes images, inferred from well-known ids when the config does not say
//! (relay notes §5.5).

/// `Some(false)` for ids known to take no images, `Some(true)` for known vision models,
/// `None` when the id says nothing either way.
pub fn infer(id: &str) -> Option<bool> {
    let id = id.to_ascii_lowercase();
    let id = id.rsplit('/').next().unwrap_or(&id);
    let has = |s: &str| id.contains(s);
    let starts = |s: &str| id.starts_with(s);
    if starts("deepseek")
        || starts("spark")
        || starts("generalv")
        || id == "4.0ultra"
        || matches!(id, "concise" | "detail" | "research")
    {
        return Some(false);
    }
    if starts("moonshot-v1-") {
        return Some(has("-vision"));
    }
    if starts("qwen") || starts("qvq") {
        return Some(has("vl") || has("omni") || has("qvq"));
    }
    if has("vision")
        || has("-vl")
        || starts("glm-4v")
        || starts("glm-4.1v")
        || starts("glm-4.5v")
        || starts("gpt-4o")
        || starts("gpt-4.1")
        || starts("gpt-5")
        || starts("o3")
        || starts("o4")
        || starts("claude")
        || starts("gemini")
        || starts("kimi-k2.5")
        || starts("kimi-latest")
    {
        return Some(true);
    }
    None
}

/// True for an OpenAI model, which reads a PDF sent as a `file` part (relay notes §5.5);
/// other models get the PDF's text. The reverse "-all" models take files only as links.
pub fn reads_files(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    let id = id.rsplit('/').next().unwrap_or(&id);
    let openai = [
        "gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-",
    ]
    .iter()
    .any(|p| id.starts_with(p));
    openai && !id.ends_with("-all")
}

/// Why the prompt cannot go to `model`: a PDF whose text it would need has none (the text
/// names the file). Nothing is sent then.
pub fn unsendable_pdf(
    attachments: &[super::Attachment],
    model: &crate::config::ModelSpec,
) -> Option<String> {
    if reads_files(&model.id) {
        return None;
    }
    attachments.iter().find_map(|a| match &a.body {
        super::Body::Pdf(super::Pdf { text: Err(why), .. }) => Some(format!(
            "{} {why}; {} reads PDFs only as text, so nothing was sent",
            a.name, model.id
        )),
        _ => None,
    })
}

/// A warning when `attachments` hold an image and `model` is known to take no images (a
/// PDF goes to such a model as its text).
pub fn warning(
    attachments: &[super::Attachment],
    model: &crate::config::ModelSpec,
) -> Option<String> {
    let id = model.id.to_ascii_lowercase();
    let links = attachments
        .iter()
        .any(|a| matches!(a.body, super::Body::ImageUrl(_)));
    if links && (id.contains("moonshot") || id.contains("kimi")) {
        // Moonshot answers 400 to an http(s) image URL (relay notes §5.1).
        return Some(format!(
            "{} takes images only as data, not as links: save the image and attach the file",
            model.id
        ));
    }
    if !attachments.iter().any(|a| a.is_image()) {
        return None;
    }
    (model.takes_images() == Some(false)).then(|| {
        format!(
            "{} does not take images (set vision = true for it if it does); it may refuse the request",
            model.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::infer;

    #[test]
    fn well_known_ids_say_whether_they_take_images() {
        for id in [
            "deepseek-chat",
            "deepseek-reasoner",
            "SparkDesk-v3.5",
            "generalv3.5",
            "4.0Ultra",
            "concise",
            "moonshot-v1-8k",
            "qwen-plus",
        ] {
            assert_eq!(infer(id), Some(false), "{id}");
        }
        for id in [
            "gpt-4o",
            "gpt-4o-all",
            "moonshot-v1-8k-vision-preview",
            "qwen-vl-max",
            "qwen2.5-omni-7b",
            "glm-4v-plus",
            "Qwen/Qwen2.5-VL-72B-Instruct",
        ] {
            assert_eq!(infer(id), Some(true), "{id}");
        }
        assert_eq!(infer("glm-4-plus"), None);
        let link = super::super::Attachment::image_url("https://x.cn/a.png");
        let kimi = crate::config::ModelSpec::new("moonshot-v1-8k-vision-preview");
        assert!(
            super::warning(std::slice::from_ref(&link), &kimi)
                .is_some_and(|w| w.contains("only as data, not as links"))
        );
        assert_eq!(
            super::warning(&[link], &crate::config::ModelSpec::new("gpt-4o")),
            None
        );
        assert_eq!(infer("llama3"), None);
    }

    #[test]
    fn openai_models_read_pdf_files_and_the_others_need_the_text() {
        for id in [
            "gpt-4o",
            "gpt-4o-mini",
            "openai/gpt-4.1",
            "o3-mini",
            "GPT-5",
        ] {
            assert!(super::reads_files(id), "{id}");
        }
        for id in [
            "gpt-4o-all",
            "deepseek-chat",
            "glm-4-plus",
            "claude-3-5-sonnet",
            "qwen-max",
        ] {
            assert!(!super::reads_files(id), "{id}");
        }
        let scan = super::super::Attachment {
            name: "扫描.pdf".into(),
            body: super::super::Body::Pdf(super::super::Pdf {
                bytes: b"%PDF-".to_vec().into(),
                data_url: "data:application/pdf;base64,JVBERi0=".into(),
                text: Err("has no text ecochat can read (a scan?)".into()),
            }),
        };
        let deepseek = crate::config::ModelSpec::new("deepseek-chat");
        assert_eq!(
            super::unsendable_pdf(std::slice::from_ref(&scan), &deepseek).as_deref(),
            Some(
                "扫描.pdf has no text ecochat can read (a scan?); deepseek-chat reads PDFs only as text, so nothing was sent"
            )
        );
        assert_eq!(super::warning(std::slice::from_ref(&scan), &deepseek), None);
        let gpt = crate::config::ModelSpec::new("gpt-4o");
        assert_eq!(super::unsendable_pdf(&[scan], &gpt), None);
    }
}
