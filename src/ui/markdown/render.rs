//! One chunk of markdown to styled lines: a single walk over pulldown-cmark's events.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::code;
use super::highlight::HighlightMemo;
use super::table::TableBuilder;
use crate::text::{display_width, wrap_line};
use crate::ui::theme::MarkdownTheme;

/// The markdown dialect: CommonMark plus GitHub tables, `~~strike~~` and task lists.
/// Subscript is on only so that a single `~` (as in Chinese ranges, `3~5天`) is not read as
/// strikethrough; subscripts are shown with their tildes.
pub(super) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_SUBSCRIPT);

const BULLETS: [&str; 3] = ["•", "◦", "▪"];
const QUOTE_BAR: &str = "│ ";

/// Renders sanitized markdown `src` into lines at most `width` columns wide (code is cut, never
/// wrapped). Leading and trailing blank lines are never produced.
pub(super) fn render(
    src: &str,
    width: usize,
    body: Style,
    md: &MarkdownTheme,
    memo: Option<&mut HighlightMemo>,
) -> Vec<Line<'static>> {
    let mut r = Renderer {
        md,
        body,
        width,
        memo,
        out: Vec::new(),
        containers: Vec::new(),
        inline: Vec::new(),
        styles: Vec::new(),
        links: Vec::new(),
        leaf: Leaf::None,
        gap: false,
    };
    for event in Parser::new_ext(src, OPTIONS) {
        r.event(event);
    }
    r.end_implicit();
    r.out
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
    body: Style,
    width: usize,
    memo: Option<&'a mut HighlightMemo>,
    out: Vec<Line<'static>>,
    containers: Vec<Container>,
    /// Inline content of the paragraph, heading or table cell being read.
    inline: Vec<Span<'static>>,
    /// Inline markup styles; the bottom one is the block's own.
    styles: Vec<Style>,
    /// For each open link: its URL and where its text starts in `inline`.
    links: Vec<(String, usize)>,
    leaf: Leaf,
    /// A blank line is due before the next block.
    gap: bool,
}

impl Renderer<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match &mut self.leaf {
                Leaf::Code { text, .. } => text.push_str(&t),
                Leaf::Html(text) => text.push_str(&t),
                _ => self.text(&t, self.style()),
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
                    for line in code::render(&lang, &text, width, self.md, memo) {
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
                let cell = std::mem::take(&mut self.inline);
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

    fn start_item(&mut self) {
        self.end_implicit();
        let depth = self
            .containers
            .iter()
            .filter(|c| matches!(c, Container::List { .. }))
            .count()
            .saturating_sub(1);
        let (text, loose) = match self.containers.last_mut() {
            Some(Container::List { next_number, loose }) => {
                let text = match next_number {
                    Some(n) => {
                        let text = format!("{n}. ");
                        *n += 1;
                        text
                    }
                    None => format!("{} ", BULLETS[depth % BULLETS.len()]),
                };
                (text, *loose)
            }
            _ => ("• ".to_owned(), false),
        };
        if !loose {
            self.gap = false;
        }
        let width = display_width(&text);
        self.containers.push(Container::Item {
            marker: Some(Span::styled(text, self.md.list_marker)),
            width,
        });
    }

    /// A paragraph directly inside a list item makes the list loose: its items get blank lines
    /// between them.
    fn mark_list_loose(&mut self) {
        let n = self.containers.len();
        if n >= 2 && matches!(self.containers[n - 1], Container::Item { .. }) {
            if let Container::List { loose, .. } = &mut self.containers[n - 2] {
                *loose = true;
            }
        }
    }

    fn end_link(&mut self, image: bool) {
        self.styles.pop();
        let Some((url, start)) = self.links.pop() else {
            return;
        };
        if image {
            self.text("]", self.style().patch(self.md.link));
        }
        let text: String = self.inline[start.min(self.inline.len())..]
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        let same = text == url || url.strip_prefix("mailto:") == Some(text.as_str());
        if !url.is_empty() && !same {
            self.text(&format!(" ({url})"), self.md.url);
        }
    }

    /// Inline text; outside any block (a tight list item) it starts an implicit paragraph.
    fn text(&mut self, text: &str, style: Style) {
        if matches!(self.leaf, Leaf::None) {
            self.open_leaf(Leaf::Paragraph { implicit: true }, self.base());
        }
        match self.inline.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(text),
            _ => self.inline.push(Span::styled(text.to_owned(), style)),
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or(self.body)
    }

    fn push_style(&mut self, patch: Style) {
        self.styles.push(self.style().patch(patch));
    }

    /// The text style of a block here: quotes set their own.
    fn base(&self) -> Style {
        let quoted = self
            .containers
            .iter()
            .any(|c| matches!(c, Container::Quote));
        if quoted {
            self.body.patch(self.md.quote_text)
        } else {
            self.body
        }
    }

    fn open_leaf(&mut self, leaf: Leaf, style: Style) {
        self.leaf = leaf;
        self.inline.clear();
        self.styles = vec![style];
        self.links.clear();
    }

    /// Ends the paragraph or heading being read and lays it out.
    fn close_leaf(&mut self) {
        let implicit = matches!(self.leaf, Leaf::Paragraph { implicit: true });
        self.leaf = Leaf::None;
        let inline = std::mem::take(&mut self.inline);
        if !inline.is_empty() {
            self.emit_wrapped(&inline);
        }
        // Text directly in a tight list item is followed by its nested blocks without a gap.
        self.gap = !implicit;
    }

    fn end_implicit(&mut self) {
        if matches!(self.leaf, Leaf::Paragraph { implicit: true }) {
            self.close_leaf();
        }
    }

    /// Called before every block: closes implicit text and puts the due blank line.
    fn begin_block(&mut self) {
        self.end_implicit();
        if self.gap && !self.out.is_empty() {
            let line = self.prefix(false);
            self.push_line(line);
        }
        self.gap = false;
    }

    /// The quote bars and list indentation of the open containers; `consume` draws (and uses
    /// up) the marker of an item's first line.
    fn prefix(&mut self, consume: bool) -> Vec<Span<'static>> {
        let mut prefix = Vec::with_capacity(self.containers.len());
        for c in &mut self.containers {
            match c {
                Container::Quote => prefix.push(Span::styled(QUOTE_BAR, self.md.quote_bar)),
                Container::Item { marker, width } => match marker.take_if(|_| consume) {
                    Some(m) => prefix.push(m),
                    None => prefix.push(Span::raw(" ".repeat(*width))),
                },
                Container::List { .. } => {}
            }
        }
        prefix
    }

    /// Columns left for content inside the open containers.
    fn avail(&self) -> usize {
        let used: usize = self
            .containers
            .iter()
            .map(|c| match c {
                Container::Quote => display_width(QUOTE_BAR),
                Container::Item { width, .. } => *width,
                Container::List { .. } => 0,
            })
            .sum();
        self.width.saturating_sub(used).max(1)
    }

    fn emit_wrapped(&mut self, spans: &[Span<'static>]) {
        for line in wrap_line(spans, self.avail()) {
            self.emit(line.spans);
        }
    }

    /// Puts one line, preceded by the quote bars and list indentation of the open containers.
    fn emit(&mut self, spans: Vec<Span<'static>>) {
        let mut line = self.prefix(true);
        line.extend(spans);
        self.push_line(line);
    }

    /// Pushes a line, dropping trailing blanks so no line ends in invisible padding.
    fn push_line(&mut self, mut spans: Vec<Span<'static>>) {
        while let Some(last) = spans.last_mut() {
            let trimmed = last.content.trim_end();
            if trimmed.is_empty() {
                spans.pop();
            } else {
                if trimmed.len() < last.content.len() {
                    last.content = trimmed.to_owned().into();
                }
                break;
            }
        }
        self.out.push(Line::from(spans));
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
fn fence_language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
}

fn is_line_break_tag(html: &str) -> bool {
    let t = html.trim().to_ascii_lowercase();
    matches!(t.as_str(), "<br>" | "<br/>" | "<br />")
}
