//! Attachments on screen: chips on the input's border while pending, and under the prompt
//! they were sent with.

use std::io::Cursor;

use ecochat::app::Action;
use ecochat::app::attach::AttachMsg;
use ecochat::attach::{self, Limits};

use super::harness::Harness;

fn png() -> attach::Attachment {
    let picture = image::DynamicImage::ImageRgb8(image::RgbImage::new(64, 48));
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    attach::classify(
        "猫.png",
        "猫.png".into(),
        out.into_inner(),
        Limits::default(),
    )
    .expect("image")
}

fn notes() -> attach::Attachment {
    attach::classify(
        "notes.md",
        "notes.md".into(),
        b"# a\n".to_vec(),
        Limits::default(),
    )
    .expect("text")
}

#[test]
fn chips_above_the_input_and_attachments_under_the_sent_prompt() {
    super::snapshot_at_sizes("attachments", |h: &mut Harness| {
        h.app.target.model = ecochat::config::ModelSpec::new("gpt-4o");
        h.act(Action::Attach(AttachMsg::Loaded(Ok(png()))));
        h.send("这是什么？");
        h.content("一只黑猫。").finish(None);
        h.act(Action::Attach(AttachMsg::Loaded(Ok(notes()))));
        h.act(Action::Attach(AttachMsg::Loaded(Ok(png()))));
    });
}
