//! The README's key table is the key map's own `markdown_table`, so the two cannot drift. When
//! they differ, the test prints the table to paste between the markers.

const BEGIN: &str =
    "<!-- keys:begin (generated from the key map; tests/readme_keys.rs checks it) -->\n";
const END: &str = "<!-- keys:end -->";

#[test]
fn the_readme_key_table_is_the_generated_one() {
    let readme = include_str!("../README.md");
    let expected = ecochat::keymap::KeyMap::default().markdown_table();
    let start = readme
        .find(BEGIN)
        .unwrap_or_else(|| panic!("README.md lacks the line {BEGIN:?}"))
        + BEGIN.len();
    let len = readme[start..]
        .find(END)
        .unwrap_or_else(|| panic!("README.md lacks {END:?} after the table"));
    let found = &readme[start..start + len];
    assert!(
        found == expected,
        "README.md's key table is stale; put this between the markers:\n\n{expected}"
    );
}

const EDIT_BEGIN: &str =
    "<!-- editing-keys:begin (generated from app::line_edit; tests/readme_keys.rs checks it) -->\n";
const EDIT_END: &str = "<!-- editing-keys:end -->";

#[test]
fn the_readme_editing_key_table_is_the_generated_one() {
    let readme = include_str!("../README.md");
    let expected = ecochat::app::line_edit::markdown_table();
    let start = readme
        .find(EDIT_BEGIN)
        .unwrap_or_else(|| panic!("README.md lacks the line {EDIT_BEGIN:?}"))
        + EDIT_BEGIN.len();
    let len = readme[start..]
        .find(EDIT_END)
        .unwrap_or_else(|| panic!("README.md lacks {EDIT_END:?} after the table"));
    let found = &readme[start..start + len];
    assert!(
        found == expected,
        "README.md's editing key table is stale; put this between the markers:\n\n{expected}"
    );
}
