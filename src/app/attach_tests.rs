use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::app::test_harness::Harness;
use crate::app::{Action, Effect};
use crate::attach::{Body, Limits};
use crate::config::ModelSpec;

fn text_file(name: &str) -> Attachment {
    Attachment {
        name: name.into(),
        body: Body::Text("x".into()),
    }
}

fn image(name: &str) -> Attachment {
    Attachment {
        name: name.into(),
        body: Body::ImageUrl(format!("https://example.com/{name}")),
    }
}

fn loaded(h: &mut Harness, a: Attachment) {
    h.act(Action::Attach(AttachMsg::Loaded(Ok(a))));
}

#[test]
fn attach_asks_the_edge_to_load_the_paths_with_tilde_expanded() {
    let mut h = Harness::new();
    h.app.attach.home = Some("/home/u".into());
    h.type_text("/attach ~/a.png 'b c.txt'");
    let fx = h.enter();
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Attach(AttachEffect::Load { paths, limits })]
                if *paths == [PathBuf::from("/home/u/a.png"), PathBuf::from("b c.txt")]
                    && *limits == Limits::default()
        ),
        "{fx:?}"
    );
    assert!(h.app.prompt.is_empty());
    assert_eq!(h.app.attach.loading, 2);
}

#[test]
fn attach_takes_an_image_link_as_it_is() {
    let mut h = Harness::new();
    h.type_text("/attach https://example.com/a.jpg");
    assert!(h.enter().is_empty(), "nothing to read");
    assert_eq!(
        h.app.attach.pending,
        [Attachment::image_url("https://example.com/a.jpg")]
    );
}

#[test]
fn a_pasted_path_of_an_existing_file_attaches_instead_of_inserting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shot.png");
    std::fs::write(&file, "x").unwrap();
    let mut h = Harness::new();
    let pasted = file.display().to_string();
    // Whether the file exists is asked at the edge, never in update.
    let fx = h.act(Action::Paste(pasted.clone()));
    assert!(
        matches!(fx.as_slice(), [Effect::Attach(AttachEffect::CheckPaste { text, .. })] if *text == pasted),
        "{fx:?}"
    );
    assert!(h.app.prompt.is_empty());
    let paths = crate::attach::pasted_paths(&pasted, None);
    let fx = h.act(Action::Attach(AttachMsg::Pasted {
        text: pasted.clone(),
        paths,
    }));
    assert!(
        matches!(fx.as_slice(), [Effect::Attach(AttachEffect::Load { paths, .. })] if *paths == [file.clone()]),
        "{fx:?}"
    );
    assert!(h.app.prompt.is_empty());
    // Shaped like a path but no file: the edge says so and the text goes in after all.
    h.act(Action::Attach(AttachMsg::Pasted {
        text: "/no/such/file".into(),
        paths: None,
    }));
    assert_eq!(h.app.prompt.text(), "/no/such/file");
    // Text that only mentions a path is pasted as text at once.
    let mut h = Harness::new();
    let fx = h.act(Action::Paste(format!("see {}", file.display())));
    assert!(fx.is_empty());
    assert_eq!(h.app.prompt.text(), format!("see {}", file.display()));
}

#[test]
fn backspace_on_an_empty_prompt_removes_the_last_attachment() {
    let mut h = Harness::new();
    loaded(&mut h, text_file("a.txt"));
    loaded(&mut h, text_file("b.txt"));
    h.type_text("q");
    h.key(KeyCode::Backspace, KeyModifiers::NONE);
    assert_eq!(
        h.app.attach.pending.len(),
        2,
        "the first Backspace deletes the q"
    );
    h.key(KeyCode::Backspace, KeyModifiers::NONE);
    let names: Vec<_> = h
        .app
        .attach
        .pending
        .iter()
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(names, ["a.txt"]);
    assert_eq!(h.notice(), "removed b.txt");
}

#[test]
fn enter_sends_the_attachments_with_the_prompt_and_clears_them() {
    let mut h = Harness::new();
    loaded(&mut h, text_file("notes.md"));
    h.type_text("总结");
    let fx = h.enter();
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(history[0].content, "总结\n\nnotes.md:\n```md\nx\n```");
    assert!(h.app.attach.pending.is_empty());
    let user = &h.app.conv.messages()[0];
    assert_eq!((user.content.as_str(), user.attachments.len()), ("总结", 1));
}

#[test]
fn enter_waits_while_files_are_still_being_read() {
    let mut h = Harness::new();
    h.app.attach.loading = 1;
    h.type_text("q");
    assert!(h.enter().is_empty());
    assert!(h.notice().starts_with("still reading the attachments"));
    h.act(Action::Attach(AttachMsg::Loaded(Err(
        "cannot read x: gone".into(),
    ))));
    assert_eq!(h.notice(), "cannot read x: gone");
    assert!(matches!(h.enter().as_slice(), [Effect::StartReply { .. }]));
}

#[test]
fn an_image_for_a_model_without_vision_warns_once_then_sends() {
    let mut h = Harness::new();
    h.app.target.model = ModelSpec::new("deepseek-chat");
    loaded(&mut h, image("cat.jpg"));
    h.type_text("what is it");
    assert!(h.enter().is_empty());
    assert!(h.notice().contains("deepseek-chat does not take images"));
    assert!(h.notice_is_error());
    let fx = h.enter();
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(history[0].parts.len(), 1, "sent anyway, as the user asked");
}

#[test]
fn tab_after_attach_asks_the_edge_to_complete_and_a_stale_answer_is_dropped() {
    let mut h = Harness::new();
    h.type_text("/attach ~/Do");
    let fx = h.key(KeyCode::Tab, KeyModifiers::NONE);
    assert!(
        matches!(fx.as_slice(), [Effect::Attach(AttachEffect::Complete { input, .. })] if input == "/attach ~/Do"),
        "{fx:?}"
    );
    h.act(Action::Attach(AttachMsg::Completed {
        input: "/attach ~/Do".into(),
        completed: "/attach ~/Documents/".into(),
    }));
    assert_eq!(h.app.prompt.text(), "/attach ~/Documents/");
    h.act(Action::Attach(AttachMsg::Completed {
        input: "/attach ~/Do".into(),
        completed: "/attach ~/Downloads/".into(),
    }));
    assert_eq!(h.app.prompt.text(), "/attach ~/Documents/");
}

#[test]
fn a_sent_image_joins_the_media_panel_marked_as_sent() {
    let mut h = Harness::new();
    let picture = Attachment {
        name: "猫.png".into(),
        body: Body::image("image/png", b"not really a png".to_vec().into(), 4, 3),
    };
    loaded(&mut h, picture);
    assert!(h.app.media.items.is_empty(), "pending is not sent");
    h.type_text("看");
    h.enter();
    let items: Vec<_> = h
        .app
        .media
        .items
        .iter()
        .map(|i| (i.link.label.clone(), i.link.url.clone(), i.reply_no))
        .collect();
    assert_eq!(
        items,
        [(
            Some("sent: 猫.png".into()),
            "data:image/png;base64,bm90IHJlYWxseSBhIHBuZw==".into(),
            1
        )]
    );
    assert!(
        !h.app.media.open,
        "the user's own image does not open the panel"
    );
    h.key(KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert!(h.app.media.items.is_empty(), "a new chat starts empty");
}

#[test]
fn a_pdf_without_text_is_not_sent_to_a_model_that_needs_its_text() {
    let mut h = Harness::new();
    h.app.target.model = ModelSpec::new("deepseek-chat");
    let blank = include_bytes!("../../tests/fixtures/blank.pdf");
    loaded(
        &mut h,
        Attachment {
            name: "扫描.pdf".into(),
            body: Body::pdf("扫描.pdf", blank.to_vec().into(), 1024),
        },
    );
    h.type_text("总结");
    assert!(h.enter().is_empty(), "nothing is sent");
    assert!(h.notice_is_error());
    assert!(
        h.notice()
            .starts_with("扫描.pdf has no text ecochat can read"),
        "{}",
        h.notice()
    );
    assert!(h.enter().is_empty(), "not even on a second Enter");
    assert_eq!(h.app.attach.pending.len(), 1, "kept for another model");
    // A model that reads PDF files gets it as a file.
    h.app.target.model = ModelSpec::new("gpt-4o");
    let fx = h.enter();
    let [Effect::StartReply { history, .. }] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert!(matches!(
        history[0].parts.as_slice(),
        [crate::api::client::Part::Pdf { .. }]
    ));
}

#[test]
fn alt_v_asks_the_edge_for_the_clipboards_image_and_no_display_is_a_notice() {
    let mut h = Harness::new();
    let fx = h.key(KeyCode::Char('v'), KeyModifiers::ALT);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Attach(AttachEffect::Clipboard { .. })]
        ),
        "{fx:?}"
    );
    assert_eq!(h.app.attach.loading, 1);
    assert_eq!(h.app.prompt.text(), "", "nothing is typed");
    h.act(Action::Attach(AttachMsg::Loaded(Err(
        crate::attach::clipboard::NO_DISPLAY.into(),
    ))));
    assert_eq!(h.app.attach.loading, 0);
    assert_eq!(h.notice(), crate::attach::clipboard::NO_DISPLAY);
    assert!(h.notice_is_error());
    assert!(h.app.attach.pending.is_empty());
}
