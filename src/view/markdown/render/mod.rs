//! One chunk of markdown to styled lines: a single walk over pulldown-cmark's events.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::code;
use super::highlight::HighlightMemo;
use super::inline::{Inline, rescue_strong};
use super::table::TableBuilder;
use super::warm::Syntax;
use crate::text::WrapMemo;
use crate::view::theme::MarkdownTheme;

mod blocks;

pub(super) use blocks::finish_line;

/// The markdown dialect: CommonMark plus GitHub tables, `~~strike~~` and task lists.
/// Subscript is on only so that a single `~` (as in Chinese ranges, `3~5天`) is not read as
/// strikethrough; subscripts are shown with their tildes.
pub(super) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_SUBSCRIPT);

/// Renders sanitized markdown `src` into lines at most `width` columns wide (code is cut, never
/// wrapped). Leading and trailing blank lines are never produced. `memo` carries highlighting
/// over from the last render of the same growing text.
pub(super) fn render(
    src: &str,
    width: usize,
    body: Style,
    md: &MarkdownTheme,
    syntax: &Syntax,
    memo: Option<&mut HighlightMemo>,
) -> Vec<Line<'static>> {
    let r = Renderer::new(width, body, md, syntax, memo, None);
    r.run(src).out
}

/// A render of a streaming reply's unfinished tail, which is rendered again at every frame.
pub(super) struct TailRender {
    /// The lines, but for the first `kept` when `kept` is not 0.
    pub lines: Vec<Line<'static>>,
    /// Lines at the start that are the same as at the start of the last render, left out of
    /// `lines`. Only when the caller said it still has the last render's lines.
    pub kept: usize,
    /// The text starts with a paragraph outside any container, so its first lines can be
    /// kept next time.
    pub keepable: bool,
    /// The text is that paragraph alone.
    pub only_paragraph: bool,
}

/// `render` of a tail, continued from the last: `wraps` holds the last render's wrapped
/// blocks, and with `keep` the caller still has the lines of the last render, which must have
/// been `keepable`.
pub(super) fn render_tail(
    src: &str,
    width: usize,
    theme: (Style, &MarkdownTheme),
    syntax: &Syntax,
    memo: &mut HighlightMemo,
    wraps: &mut Vec<WrapMemo>,
    keep: bool,
) -> TailRender {
    let (body, md) = theme;
    let mut r = Renderer::new(width, body, md, syntax, Some(memo), Some(wraps));
    r.keep = keep;
    let r = r.run(src);
    if let Some(wraps) = r.wraps {
        // A block that is gone is not kept.
        wraps.truncate(r.wrapped);
    }
    TailRender {
        only_paragraph: r.wrapped == 1 && r.paragraph_end == Some(r.out.len()),
        lines: r.out,
        kept: r.kept,
        keepable: r.keepable,
    }
}

/// A block that holds other blocks.
enum Container {
    Quote,
    List {
        next_number: Option<u64>,
        loose: bool,
    },
    Item {
        /// Drawn on the item's first line, then replaced by as many spaces.
        marker: Option<Span<'static>>,
        width: usize,
    },
}

/// The block whose content is being collected.
enum Leaf {
    None,
    Paragraph { implicit: bool },
    Heading,
    Code { lang: String, text: String },
    Html(String),
    Table(TableBuilder),
}

struct Renderer<'a> {
    md: &'a MarkdownTheme,
    syntax: &'a Syntax,
    body: Style,
    width: usize,
    memo: Option<&'a mut HighlightMemo>,
    /// The last render's wraps, one per block wrapped, in order: a growing paragraph is
    /// wrapped again only from where it changed.
    wraps: Option<&'a mut Vec<WrapMemo>>,
    /// Blocks wrapped so far in this render.
    wrapped: usize,
    /// The caller keeps the last render's lines: unchanged first lines are left out.
    keep: bool,
    /// First lines left out (see `TailRender`).
    kept: usize,
    /// The first block wrapped was the first thing drawn, outside any container.
    keepable: bool,
    /// Lines out when that first block was a paragraph and had been drawn.
    paragraph_end: Option<usize>,
    out: Vec<Line<'static>>,
    containers: Vec<Container>,
    /// Inline content of the paragraph, heading or table cell being read, each span marked
    /// when it is source text.
    inline: Inline,
    /// Inline markup styles; the bottom one is the block's own.
    styles: Vec<Style>,
    /// For each open link: its URL and where its text starts in `inline`.
    links: Vec<(String, usize)>,
    leaf: Leaf,
    /// A blank line is due before the next block.
    gap: bool,
}

impl<'a> Renderer<'a> {
    fn new(
        width: usize,
        body: Style,
        md: &'a MarkdownTheme,
        syntax: &'a Syntax,
        memo: Option<&'a mut HighlightMemo>,
        wraps: Option<&'a mut Vec<WrapMemo>>,
    ) -> Self {
        Renderer {
            md,
            syntax,
            body,
            width,
            memo,
            wraps,
            wrapped: 0,
            keep: false,
            kept: 0,
            keepable: false,
            paragraph_end: None,
            out: Vec::new(),
            containers: Vec::new(),
            inline: Vec::new(),
            styles: Vec::new(),
            links: Vec::new(),
            leaf: Leaf::None,
            gap: false,
        }
    }

    fn run(mut self, src: &str) -> Self {
        for event in Parser::new_ext(src, OPTIONS) {
            self.event(event);
        }
        self.end_implicit();
        self
    }
}

impl Renderer<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match &mut self.leaf {
                Leaf::Code { text, .. } => text.push_str(&t),
                Leaf::Html(text) => text.push_str(&t),
                _ => self.source_text(&t),
            },
            Event::Code(t) => self.text(&t, self.style().patch(self.md.inline_code)),
            Event::SoftBreak | Event::HardBreak => self.text("\n", self.style()),
            Event::Html(t) | Event::InlineHtml(t) => match &mut self.leaf {
                Leaf::Html(text) => text.push_str(&t),
                _ if is_line_break_tag(&t) => self.text("\n", self.style()),
                _ => self.text(&t, self.style()),
            },
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t, self.style().patch(self.md.inline_code))
            }
            Event::FootnoteReference(t) => self.text(&format!("[^{t}]"), self.style()),
            Event::TaskListMarker(done) => {
                let mark = if done { "[x] " } else { "[ ] " };
                self.text(mark, self.md.list_marker);
            }
            Event::Rule => {
                self.begin_block();
                let rule = "─".repeat(self.avail());
                self.emit(vec![Span::styled(rule, self.md.rule)]);
                self.gap = true;
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.begin_block();
                self.mark_list_loose();
                self.open_leaf(Leaf::Paragraph { implicit: false }, self.base());
            }
            Tag::Heading { level, .. } => {
                self.begin_block();
                let style = self.base().patch(self.md.heading[heading_rank(level)]);
                self.open_leaf(Leaf::Heading, style);
            }
            Tag::CodeBlock(kind) => {
                self.begin_block();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => fence_language(&info).to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.leaf = Leaf::Code {
                    lang,
                    text: String::new(),
                };
            }
            Tag::HtmlBlock => {
                self.begin_block();
                self.leaf = Leaf::Html(String::new());
            }
            Tag::Table(aligns) => {
                self.begin_block();
                self.leaf = Leaf::Table(TableBuilder::new(aligns));
            }
            Tag::TableHead | Tag::TableRow => {
                if let Leaf::Table(t) = &mut self.leaf {
                    t.start_row(matches!(tag, Tag::TableHead));
                }
            }
            Tag::TableCell => {
                self.inline.clear();
                self.styles = vec![self.body];
            }
            Tag::BlockQuote(_) => {
                self.begin_block();
                self.containers.push(Container::Quote);
            }
            Tag::List(first) => {
                self.begin_block();
                self.containers.push(Container::List {
                    next_number: first,
                    loose: false,
                });
            }
            Tag::Item => self.start_item(),
            Tag::Emphasis => self.push_style(self.md.emphasis),
            Tag::Strong => self.push_style(self.md.strong),
            Tag::Strikethrough => self.push_style(self.md.strikethrough),
            Tag::Subscript | Tag::Superscript => {
                let mark = if matches!(tag, Tag::Subscript) {
                    "~"
                } else {
                    "^"
                };
                self.text(mark, self.style());
                self.push_style(Style::new());
            }
            Tag::Link { dest_url, .. } => {
                self.push_style(self.md.link);
                self.links.push((dest_url.to_string(), self.inline.len()));
            }
            Tag::Image { dest_url, .. } => {
                self.push_style(self.md.link);
                self.text("[image: ", self.style());
                self.links.push((dest_url.to_string(), self.inline.len()));
            }
            // Not enabled in OPTIONS; treated as plain blocks should a parser ever send them.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.begin_block(),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) => self.close_leaf(),
            TagEnd::CodeBlock => {
                if let Leaf::Code { lang, text } = std::mem::replace(&mut self.leaf, Leaf::None) {
                    let width = self.avail();
                    let memo = self.memo.as_deref_mut();
                    for line in code::render(&lang, &text, width, self.md, self.syntax, memo) {
                        self.emit(line);
                    }
                }
                self.gap = true;
            }
            TagEnd::HtmlBlock => {
                if let Leaf::Html(text) = std::mem::replace(&mut self.leaf, Leaf::None) {
                    let spans = [Span::styled(text.trim_end().to_owned(), self.base())];
                    self.emit_wrapped(&spans);
                }
                self.gap = true;
            }
            TagEnd::TableCell => {
                let cell = rescue_strong(std::mem::take(&mut self.inline), self.md.strong);
                if let Leaf::Table(t) = &mut self.leaf {
                    t.push_cell(cell);
                }
            }
            TagEnd::Table => {
                if let Leaf::Table(t) = std::mem::replace(&mut self.leaf, Leaf::None) {
                    for line in t.render(self.avail(), self.md) {
                        self.emit(line);
                    }
                }
                self.gap = true;
            }
            TagEnd::TableHead | TagEnd::TableRow => {}
            TagEnd::BlockQuote(_) | TagEnd::List(_) => {
                self.end_implicit();
                self.containers.pop();
                self.gap = true;
            }
            TagEnd::Item => {
                self.end_implicit();
                let unused = matches!(
                    self.containers.last(),
                    Some(Container::Item {
                        marker: Some(_),
                        ..
                    })
                );
                if unused {
                    // An empty item still shows its bullet.
                    self.begin_block();
                    self.emit(Vec::new());
                }
                self.containers.pop();
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Subscript | TagEnd::Superscript => {
                self.styles.pop();
                let mark = if tag == TagEnd::Subscript { "~" } else { "^" };
                self.text(mark, self.style());
            }
            TagEnd::Link | TagEnd::Image => self.end_link(tag == TagEnd::Image),
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {
                self.end_implicit();
                self.gap = true;
            }
        }
    }
}

fn heading_rank(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 0,
        HeadingLevel::H2 => 1,
        _ => 2,
    }
}

/// The language word of a fence's info string: `rust,ignore` and `python {.x}` give the name.
pub(super) fn fence_language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
}

fn is_line_break_tag(html: &str) -> bool {
    let t = html.trim().to_ascii_lowercase();
    matches!(t.as_str(), "<br>" | "<br/>" | "<br />")
}
