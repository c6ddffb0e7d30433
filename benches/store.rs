//! Reading a stored 5,000-message session, as `ecochat --resume` does before its first frame.

use divan::Bencher;
use ecochat::dev::synthetic;
use ecochat::store::{NewSession, Store};

const MESSAGES: usize = 5_000;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn load_5000(bencher: Bencher) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ecochat.db");
    let mut store = Store::open(&path).expect("new database");
    let id = store
        .create_session(&NewSession {
            title: "bench".into(),
            model: "mock:gpt-4o".into(),
            created: chrono::Local::now(),
        })
        .expect("session");
    let conv = synthetic::conversation(MESSAGES);
    store
        .save_messages(id, "mock:gpt-4o", conv.messages())
        .expect("messages saved");
    bencher.bench_local(|| store.load(id).expect("loaded").messages.len());
}
