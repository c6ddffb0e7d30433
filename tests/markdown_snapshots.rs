//! The conversation pane drawing a markdown reply with every element, in English and Chinese,
//! at 60 and 120 columns, through the same layout and widget the app uses.

use chrono::{Local, TimeZone};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use ecochat::chat::{Conversation, MessageFields, Role, Status};
use ecochat::ui::conversation::ConversationView;
use ecochat::view::conversation::{ConversationLayout, LayoutOptions};
use ecochat::view::layout::conversation_text_width;
use ecochat::view::markdown::Syntax;
use ecochat::view::theme::Theme;

const ENGLISH: &str = include_str!("../src/view/markdown/tests/reply_en.md");
const CHINESE: &str = include_str!("../src/view/markdown/tests/reply_zh.md");

/// The pane `width` columns wide and exactly as tall as the reply, drawn once.
fn draw(reply: &str, width: u16, status: Status) -> TestBackend {
    let theme = Theme::default();
    let created = Local
        .with_ymd_and_hms(2026, 1, 2, 9, 30, 0)
        .single()
        .expect("a plain local time");
    let mut msg = MessageFields::new(0, Role::Assistant, reply, created);
    msg.model = Some("ecovai:deepseek-chat".into());
    msg.status = status;
    let conv = Conversation::from_messages(vec![msg.into()]);
    let opts = LayoutOptions {
        width: conversation_text_width(Rect::new(0, 0, width, 1)),
        show_reasoning: false,
    };
    let mut layout = ConversationLayout::default();
    layout.sync(&conv, opts, &theme);
    let height = u16::try_from(layout.total_lines()).expect("fits");
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    term.draw(|f| {
        let view = ConversationView {
            layout: &layout,
            top: 0,
            theme: &theme,
            empty_hint: Vec::new(),
        };
        f.render_widget(view, f.area());
    })
    .expect("draw");
    term.backend().clone()
}

#[test]
fn english_reply_at_60_columns() {
    insta::assert_snapshot!(draw(ENGLISH, 60, Status::Done));
}

#[test]
fn english_reply_at_120_columns() {
    insta::assert_snapshot!(draw(ENGLISH, 120, Status::Done));
}

#[test]
fn chinese_reply_at_60_columns() {
    insta::assert_snapshot!(draw(CHINESE, 60, Status::Done));
}

#[test]
fn chinese_reply_at_120_columns() {
    insta::assert_snapshot!(draw(CHINESE, 120, Status::Done));
}

#[test]
fn a_reply_cut_inside_a_code_fence_shows_the_code_so_far() {
    let cut = CHINESE.find("    print").expect("the sample has code");
    insta::assert_snapshot!(draw(&CHINESE[..cut], 60, Status::Streaming));
}

/// What a pane `height` lines tall following the end of the layout shows.
fn window(layout: &ConversationLayout, width: u16, height: u16) -> TestBackend {
    let theme = Theme::default();
    let top = layout.total_lines().saturating_sub(usize::from(height));
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    term.draw(|f| {
        let view = ConversationView {
            layout,
            top,
            theme: &theme,
            empty_hint: Vec::new(),
        };
        f.render_widget(view, f.area());
    })
    .expect("draw");
    term.backend().clone()
}

#[test]
fn a_streamed_reply_draws_like_a_fresh_one_at_every_cut() {
    let theme = Theme::default();
    // One handle for every layout, as the app has: the syntax data is decoded once.
    let syntax = Syntax::default();
    for reply in [ENGLISH, CHINESE] {
        for width in [24u16, 60] {
            let opts = LayoutOptions {
                width: conversation_text_width(Rect::new(0, 0, width, 1)),
                show_reasoning: false,
            };
            let mut conv = Conversation::default();
            let mut fields = MessageFields::new(0, Role::Assistant, "", Local::now());
            fields.status = Status::Streaming;
            conv.load(vec![fields.into()]);
            let mut done = 0;
            let mut streamed = ConversationLayout::new(syntax.clone());
            let mut cuts: Vec<usize> = reply.char_indices().map(|(i, _)| i).collect();
            cuts.push(reply.len());
            for cut in cuts {
                let msg = conv.get_mut(0).expect("loaded");
                msg.append(&reply[done..cut]);
                done = cut;
                streamed.sync(&conv, opts, &theme);
                let mut fresh = ConversationLayout::new(syntax.clone());
                fresh.sync(&conv, opts, &theme);
                assert_eq!(
                    window(&streamed, width, 12),
                    window(&fresh, width, 12),
                    "width {width}, cut at byte {cut}"
                );
            }
        }
    }
}
