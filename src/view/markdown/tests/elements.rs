//! One element at a time: exact lines.

use super::*;

#[test]
fn cjk_table_cells_are_aligned_by_display_width() {
    let md =
        "| 名字 | Score | 城市 |\n|---|--:|:-:|\n| 张三丰 | 9 | 北京 |\n| Bob | 100 | 上海市 |";
    assert_eq!(
        render_text(md, 60),
        [
            "名字   │ Score │  城市",
            "───────┼───────┼───────",
            "张三丰 │     9 │  北京",
            "Bob    │   100 │ 上海市",
        ]
    );
}

#[test]
fn every_row_of_a_grid_is_equally_wide_up_to_the_last_column() {
    let md = "| 名 | b |\n|---|---|\n| 一二三四五六七八九十一二三 | x |\n| y | 长长长长长长长长长长长长长长长长长长长长 |";
    for width in [20, 30, 80] {
        let lines = render_text(md, width);
        let bar = |l: &String| display_width(&l[..l.find(['│', '┼']).unwrap_or(l.len())]);
        let first = bar(&lines[0]);
        for line in &lines {
            assert!(display_width(line) <= width, "{width}: {line}");
            assert_eq!(bar(line), first, "{width}: {lines:#?}");
        }
    }
}

#[test]
fn a_table_too_wide_wraps_inside_narrowed_columns() {
    let md =
        "| key | description |\n|---|---|\n| a | the first letter of the alphabet, used widely |";
    assert_eq!(
        render_text(md, 30),
        [
            "key │ description",
            "────┼─────────────────────────",
            "a   │ the first letter of the",
            "    │ alphabet, used widely",
        ]
    );
}

#[test]
fn a_table_that_cannot_fit_as_a_grid_becomes_records() {
    let md = "| 名字 | 城市 | 邮箱 | 电话 |\n|---|---|---|---|\n| 张三 | 北京市海淀区 | zs@example.com | 13800000000 |\n| 李四 | 上海 | ls@example.com | 139 |";
    assert_eq!(
        render_text(md, 16),
        [
            "名字: 张三",
            "城市: 北京市海淀",
            "区",
            "邮箱:",
            "zs@example.com",
            "电话:",
            "13800000000",
            "",
            "名字: 李四",
            "城市: 上海",
            "邮箱:",
            "ls@example.com",
            "电话: 139",
        ]
    );
}

#[test]
fn nested_and_numbered_lists_indent_under_their_markers() {
    let md = "1. one\n2. two\n   - a\n   - b\n     1. deep\n10. ten wraps here\n- x\n  - y\n    - z\n      - w";
    assert_eq!(
        render_text(md, 14),
        [
            "1. one",
            "2. two",
            "   ◦ a",
            "   ◦ b",
            "     1. deep",
            "3. ten wraps",
            "   here",
            "",
            "• x",
            "  ◦ y",
            "    ▪ z",
            "      • w",
        ]
    );
}

#[test]
fn loose_lists_keep_blank_lines_between_items() {
    let md = "- a\n\n  second para\n- b\n- [x] done\n- [ ] todo\n-";
    assert_eq!(
        render_text(md, 30),
        [
            "• a",
            "",
            "  second para",
            "",
            "• b",
            "",
            "• [x] done",
            "",
            "• [ ] todo",
            "",
            "•",
        ]
    );
}

#[test]
fn an_unclosed_fence_renders_as_code_until_it_closes() {
    let open = "Look:\n\n```python\nx = 1\n\n# not a heading\n";
    assert_eq!(
        render_text(open, 30),
        [
            "Look:",
            "",
            "╭─ python",
            "│ x = 1",
            "│",
            "│ # not a heading",
            "╰─"
        ]
    );
    let closed = format!("{open}```\n# heading");
    let lines = render_text(&closed, 30);
    assert_eq!(lines[lines.len() - 3..], ["╰─", "", "heading"]);
}

#[test]
fn code_is_cut_at_the_edge_with_a_marker_never_wrapped() {
    let md = "```\nabcdefghij\n\tx\n中文中文中文\n```";
    assert_eq!(
        render_text(md, 9),
        ["╭─", "│ abcdef→", "│     x", "│ 中文中→", "╰─"]
    );
}

#[test]
fn quotes_nest_and_keep_their_bar_on_blank_lines() {
    let md = "> a\n>\n> b\n> > c\n\nafter";
    assert_eq!(
        render_text(md, 30),
        ["│ a", "│", "│ b", "│", "│ │ c", "", "after"]
    );
}

#[test]
fn headings_rules_links_and_breaks() {
    let md = "# H1\n## H2\n#### H4\n\n***\n\n[t](http://u) <http://v> [same](same) ![cat](c.png)\nline two";
    assert_eq!(
        render_text(md, 20),
        [
            "H1",
            "",
            "H2",
            "",
            "H4",
            "",
            "────────────────────",
            "",
            "t (http://u)",
            "http://v same",
            "[image: cat] (c.png)",
            "line two",
        ]
    );
}

#[test]
fn a_single_tilde_is_text_and_a_double_one_strikes() {
    let lines = render_markdown("3~5天 ~~旧~~ 1~2", 40, &Theme::dark(), &Syntax::default());
    assert_eq!(text_of(&lines), ["3~5天 旧 1~2"]);
    let struck = lines[0].spans.iter().find(|s| s.content == "旧");
    assert!(struck.is_some_and(|s| s.style.add_modifier.contains(Modifier::CROSSED_OUT)));
}

#[test]
fn chinese_paragraphs_wrap_by_display_width_without_leading_punctuation() {
    let lines = render_text("这是一个很长的句子，用来测试中文换行。", 10);
    assert_eq!(
        lines,
        ["这是一个很", "长的句子，", "用来测试中", "文换行。"]
    );
}
