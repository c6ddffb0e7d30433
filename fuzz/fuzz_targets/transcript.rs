//! Sessions: arbitrary message texts saved, loaded back and written as a Markdown transcript.
#![no_main]

use ecochat::chat::{Message, Role};
use ecochat::store::transcript::{TranscriptMeta, markdown};
use ecochat::store::{NewSession, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(mut store) = Store::open_in_memory() else {
        return;
    };
    let created = chrono::Local::now();
    let Ok(id) = store.create_session(&NewSession {
        title: text.chars().take(40).collect(),
        model: "m".into(),
        created,
    }) else {
        return;
    };
    let messages: Vec<Message> = text
        .split('\u{1e}')
        .enumerate()
        .map(|(i, part)| {
            Message::new(
                i as u64,
                [Role::User, Role::Assistant][i % 2],
                part,
                created,
            )
        })
        .collect();
    store.save_messages(id, "m", &messages).expect("save");
    let loaded = store.load(id).expect("load");
    assert_eq!(loaded.messages.len(), messages.len());
    let md = markdown(
        &TranscriptMeta {
            title: loaded.summary.title.clone(),
            session: Some(id),
            created,
        },
        &loaded.messages,
    );
    assert!(!md.chars().any(|c| c.is_control() && c != '\n'));
});
