//! `-a/--attach` in pipe mode: images and text files sent with the prompt, refusals before
//! any request.

use std::io::Cursor;

use base64::Engine;
use serde_json::json;

use super::Sandbox;

fn write_png(sb: &Sandbox, name: &str) -> (String, Vec<u8>) {
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::new(6, 5));
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    let bytes = out.into_inner();
    let path = sb.dir.path().join(name);
    std::fs::write(&path, &bytes).expect("write png");
    (path.display().to_string(), bytes)
}

#[test]
fn an_image_and_a_text_file_go_with_the_prompt() {
    let sb = Sandbox::new();
    let (png, bytes) = write_png(&sb, "shot.png");
    let notes = sb.dir.path().join("笔记.txt");
    std::fs::write(&notes, "第一行\n").expect("write notes");
    let notes = notes.display().to_string();
    let run = sb.run(&["-a", &png, "--attach", &notes, "-p", "看看"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let body = sb.server.last_request().expect("a request").json();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [
            {"type": "text", "text": "看看\n\n笔记.txt:\n```txt\n第一行\n```"},
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{b64}")}},
        ]}])
    );
}

#[test]
fn an_image_url_is_sent_as_a_link() {
    let sb = Sandbox::new();
    let run = sb.run(&["-a", "https://example.com/a.jpg", "describe"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let body = sb.server.last_request().expect("a request").json();
    assert_eq!(
        body["messages"][0]["content"][1],
        json!({"type": "image_url", "image_url": {"url": "https://example.com/a.jpg"}})
    );
}

#[test]
fn a_missing_or_binary_attachment_exits_2_before_any_request() {
    let sb = Sandbox::new();
    let run = sb.run(&["-a", "/no/such/file.png", "-p", "hi"], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("cannot read /no/such/file.png"),
        "{run:?}"
    );
    let blob = sb.dir.path().join("blob.bin");
    std::fs::write(&blob, [0u8, 159, 146, 150]).expect("write blob");
    let run = sb.run(&["-a", &blob.display().to_string(), "-p", "hi"], None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("blob.bin is a binary file"), "{run:?}");
    assert_eq!(sb.server.request_count(), 0);
}

#[test]
fn an_image_for_a_model_without_vision_warns_and_is_sent() {
    let sb = Sandbox::new();
    let (png, _) = write_png(&sb, "a.png");
    let run = sb.run(&["-m", "mock:deepseek-reasoner", "-a", &png, "hi"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("deepseek-reasoner does not take images"),
        "{run:?}"
    );
    assert_eq!(sb.server.request_count(), 1);
}

#[test]
fn resume_sends_the_stored_attachments_again() {
    let sb = Sandbox::new();
    let (png, bytes) = write_png(&sb, "keep.png");
    let run = sb.run(&["-a", &png, "-p", "记住这张图"], None);
    assert_eq!(run.code, 0, "{run:?}");
    std::fs::remove_file(&png).expect("remove the original");
    let run = sb.run(&["--resume", "-p", "它是什么颜色？"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let body = sb.server.last_request().expect("a request").json();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    assert_eq!(
        body["messages"][0]["content"][1]["image_url"]["url"],
        json!(format!("data:image/png;base64,{b64}"))
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "user", "content": "它是什么颜色？"})
    );
}

/// Copies a PDF fixture into the sandbox; its path.
fn write_pdf(sb: &Sandbox, fixture: &str, name: &str) -> String {
    let bytes = std::fs::read(format!("tests/fixtures/{fixture}")).expect("fixture");
    let path = sb.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write pdf");
    path.display().to_string()
}

#[test]
fn a_pdf_goes_as_its_text_to_a_model_that_reads_no_files_and_as_a_file_to_openai() {
    let sb = Sandbox::new();
    let pdf = write_pdf(&sb, "hello.pdf", "报告.pdf");
    let run = sb.run(
        &["-m", "mock:deepseek-chat", "-a", &pdf, "-p", "总结"],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let body = sb.server.last_request().expect("a request").json();
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": "总结\n\n报告.pdf:\n```pdf\nHello from a PDF\n```"}])
    );
    assert!(!run.stderr.contains("does not take"), "{run:?}");

    let run = sb.run(&["-m", "mock:gpt-4o", "-a", &pdf, "-p", "总结"], None);
    assert_eq!(run.code, 0, "{run:?}");
    let body = sb.server.last_request().expect("a request").json();
    let b64 = base64::engine::general_purpose::STANDARD
        .encode(std::fs::read("tests/fixtures/hello.pdf").expect("fixture"));
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [
            {"type": "text", "text": "总结"},
            {"type": "file", "file": {
                "filename": "报告.pdf",
                "file_data": format!("data:application/pdf;base64,{b64}"),
            }},
        ]}])
    );
}

#[test]
fn a_pdf_without_text_or_that_cannot_be_read_is_named_and_nothing_is_sent() {
    let sb = Sandbox::new();
    let blank = write_pdf(&sb, "blank.pdf", "scan.pdf");
    let run = sb.run(
        &["-m", "mock:deepseek-chat", "-a", &blank, "-p", "hi"],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("scan.pdf has no text ecochat can read (a scan?); deepseek-chat reads PDFs only as text, so nothing was sent"),
        "{run:?}"
    );
    // A form that draws itself recurses in the PDF reader until its stack runs out: the
    // reading child dies, ecochat says the file cannot be read.
    let hostile = write_pdf(&sb, "loop.pdf", "loop.pdf");
    let run = sb.run(
        &["-m", "mock:deepseek-chat", "-a", &hostile, "-p", "hi"],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("loop.pdf cannot be read"), "{run:?}");
    assert_eq!(sb.server.request_count(), 0);
}
