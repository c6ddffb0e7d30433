use chrono::Local;

use super::blob_count;
use crate::attach::{Attachment, Body};
use crate::chat::{Message, Role};
use crate::store::{NewSession, SessionId, Store};

fn session(store: &mut Store) -> SessionId {
    store
        .create_session(&NewSession {
            title: "图".into(),
            model: "mock:gpt-4o".into(),
            created: Local::now(),
        })
        .unwrap()
}

fn picture(bytes: &[u8]) -> Attachment {
    Attachment {
        name: "猫.png".into(),
        body: Body::image("image/png", bytes.to_vec().into(), 64, 48),
    }
}

fn prompt(id: u64, attachments: Vec<Attachment>) -> Message {
    let mut m = Message::new(id, Role::User, "看看", Local::now());
    m.attach(attachments);
    m
}

#[test]
fn attachments_round_trip_and_shared_bytes_are_kept_once() {
    let mut store = Store::open_in_memory().unwrap();
    let a = session(&mut store);
    let b = session(&mut store);
    let all = vec![
        picture(b"same bytes"),
        Attachment {
            name: "n.md".into(),
            body: Body::Text("# 标题".into()),
        },
        Attachment {
            name: "p.pdf".into(),
            body: Body::pdf("p.pdf", b"%PDF-1.4".to_vec().into(), 1024),
        },
        Attachment::image_url("https://example.com/x.jpg"),
    ];
    let msgs = vec![
        prompt(0, all.clone()),
        prompt(2, vec![picture(b"same bytes")]),
    ];
    store.save_messages(a, "m", &msgs).unwrap();
    // Saved again (a checkpoint): nothing doubles.
    store.save_messages(a, "m", &msgs).unwrap();
    store
        .save_messages(b, "m", &[prompt(0, vec![picture(b"same bytes")])])
        .unwrap();
    let back: Vec<_> = store
        .load(a)
        .unwrap()
        .messages
        .into_iter()
        .map(|m| m.attachments.clone())
        .collect();
    assert_eq!(back, [all, vec![picture(b"same bytes")]]);
    // The session browser's rows count them.
    assert_eq!(store.load(a).unwrap().summary.attachments, 5);
    let listed = store.search("", 10).unwrap();
    let counts: Vec<(i64, u64)> = listed
        .iter()
        .map(|h| (h.session.id, h.session.attachments))
        .collect();
    assert_eq!(counts, [(b, 1), (a, 5)]);
    assert_eq!(
        blob_count(&store.conn),
        3,
        "picture, text and PDF once each"
    );
}

#[test]
fn deleting_a_session_deletes_only_the_bytes_no_other_session_uses() {
    let mut store = Store::open_in_memory().unwrap();
    let a = session(&mut store);
    let b = session(&mut store);
    store
        .save_messages(
            a,
            "m",
            &[prompt(0, vec![picture(b"shared"), picture(b"only a")])],
        )
        .unwrap();
    store
        .save_messages(b, "m", &[prompt(0, vec![picture(b"shared")])])
        .unwrap();
    assert_eq!(blob_count(&store.conn), 2);
    store.delete_session(a).unwrap();
    assert_eq!(blob_count(&store.conn), 1);
    assert_eq!(store.load(b).unwrap().messages[0].attachments.len(), 1);
    // Deleting the message (d on an exchange) frees the last one.
    store.delete_messages(b, &[0]).unwrap();
    assert_eq!(blob_count(&store.conn), 0);
}
