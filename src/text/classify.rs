//! Character classes that decide where a line may break.

/// Han, kana, Hangul, bopomofo, CJK punctuation and full-width forms: a line may break on either
/// side of these without a space.
#[rustfmt::skip]
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'     // Hangul Jamo
        | '\u{2E80}'..='\u{2FFF}'   // CJK radicals, Kangxi radicals, ideographic description
        | '\u{3000}'..='\u{303F}'   // CJK symbols and punctuation
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3100}'..='\u{31FF}'   // Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes
        | '\u{3200}'..='\u{33FF}'   // enclosed CJK letters, CJK compatibility
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{A960}'..='\u{A97F}'   // Hangul Jamo extended-A
        | '\u{AC00}'..='\u{D7FF}'   // Hangul syllables, Jamo extended-B
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}'   // CJK compatibility forms
        | '\u{FF00}'..='\u{FFEF}'   // half-width and full-width forms
        | '\u{1F200}'..='\u{1F2FF}' // enclosed ideographic supplement
        | '\u{20000}'..='\u{3FFFF}' // CJK extensions B.. (planes 2 and 3)
    )
}

/// Punctuation that must not start a line next to CJK text (kinsoku shori: closing brackets,
/// commas, full stops, iteration marks, the prolonged sound mark; ASCII ones for mixed text).
#[rustfmt::skip]
pub(super) fn is_closing(c: char) -> bool {
    matches!(c,
        '，' | '。' | '、' | '！' | '？' | '；' | '：' | '．' | '％'
        | '）' | '］' | '｝' | '」' | '』' | '》' | '〉' | '】' | '〕' | '〗' | '〙' | '〛'
        | '〞' | '〟' | '｡' | '､' | '｣' | '・' | 'ー' | '々' | '〻' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ'
        | '…' | '‥' | '’' | '”'
        | ')' | ']' | '}' | '.' | ',' | ';' | ':' | '!' | '?' | '%'
    )
}

/// Punctuation that must not end a line next to CJK text (opening brackets and quotes).
#[rustfmt::skip]
pub(super) fn is_opening(c: char) -> bool {
    matches!(c,
        '（' | '［' | '｛' | '「' | '『' | '《' | '〈' | '【' | '〔' | '〖' | '〘' | '〚' | '〝' | '｢'
        | '‘' | '“' | '(' | '[' | '{'
    )
}

/// Whitespace that offers a break; no-break spaces do not.
pub(super) fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}')
}
