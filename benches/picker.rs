//! The model picker with a capped discovered list (10,000 ids): one keystroke of filtering must
//! stay well under a millisecond, and merging or rebuilding the list must not freeze the UI.

use divan::Bencher;
use ecochat::api::models::MAX_DISCOVERED;
use ecochat::app::picker::{ModelPicker, entries_for};
use ecochat::config::{ModelSpec, Provider};

fn main() {
    divan::main();
}

fn provider() -> Provider {
    let mut p = Provider::new("relay", Some("http://127.0.0.1:9/v1".into()));
    p.models = ["deepseek-chat", "deepseek-reasoner", "gpt-4o", "glm-4-plus"]
        .into_iter()
        .map(ModelSpec::new)
        .collect();
    p
}

/// Ids shaped like a big relay's: vendor prefixes, versions, dates.
fn discovered() -> Vec<String> {
    let vendors = [
        "deepseek", "gpt", "claude", "qwen", "glm", "moonshot", "gemini",
    ];
    (0..MAX_DISCOVERED)
        .map(|i| {
            format!(
                "{}-{}-{:04}-preview",
                vendors[i % vendors.len()],
                i / 7,
                i % 9973
            )
        })
        .collect()
}

fn picker() -> ModelPicker {
    let p = provider();
    let ids = discovered();
    ModelPicker::new(entries_for(&[p], &[("relay".into(), ids)]), String::new())
}

/// The first keystroke scores every entry (the slowest case of typing).
#[divan::bench(sample_count = 50)]
fn first_keystroke(bencher: Bencher) {
    let base = picker();
    bencher
        .with_inputs(|| base.clone())
        .bench_local_values(|mut p| {
            p.set_query("d".into());
            p
        });
}

/// Backspace widens the query: every entry is scored again.
#[divan::bench(sample_count = 50)]
fn backspace(bencher: Bencher) {
    let mut base = picker();
    base.set_query("deeps 12".into());
    bencher
        .with_inputs(|| base.clone())
        .bench_local_values(|mut p| {
            p.set_query("deeps 1".into());
            p
        });
}

/// Typing on narrows: only what matched is scored again.
#[divan::bench(sample_count = 50)]
fn typing_on(bencher: Bencher) {
    let mut base = picker();
    base.set_query("deeps".into());
    bencher
        .with_inputs(|| base.clone())
        .bench_local_values(|mut p| {
            p.set_query("deeps 1".into());
            p
        });
}

/// Ctrl+P with the capped list cached: building the entries and the picker.
#[divan::bench(sample_count = 20)]
fn open_with_cached_list(bencher: Bencher) {
    let p = [provider()];
    let cached = vec![("relay".to_string(), discovered())];
    bencher.bench_local(|| ModelPicker::new(entries_for(&p, &cached), String::new()));
}

/// A `/models` answer merged into an open picker.
#[divan::bench(sample_count = 20)]
fn merge_discovered(bencher: Bencher) {
    let p = provider();
    let ids = discovered();
    let base = ModelPicker::new(entries_for(std::slice::from_ref(&p), &[]), String::new());
    bencher
        .with_inputs(|| base.clone())
        .bench_local_values(|mut picker| {
            picker.merge_discovered(&p, &ids);
            picker
        });
}
