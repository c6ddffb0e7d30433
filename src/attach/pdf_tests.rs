use super::*;

const HELLO: &[u8] = include_bytes!("../../tests/fixtures/hello.pdf");
const BLANK: &[u8] = include_bytes!("../../tests/fixtures/blank.pdf");

#[test]
fn the_text_of_a_pdf_is_read() {
    let text = extract(HELLO, 1024).unwrap();
    assert_eq!(text.trim(), "Hello from a PDF");
}

#[test]
fn a_pdf_without_text_says_so() {
    assert_eq!(extract(BLANK, 1024), Err(PdfTextError::NoText));
    assert_eq!(
        PdfTextError::NoText.to_string(),
        "has no text ecochat can read (a scan?)"
    );
}

#[test]
fn text_over_the_cap_is_refused_and_reading_stops() {
    assert_eq!(
        extract(HELLO, 5),
        Err(PdfTextError::TooMuchText {
            limit: "5 B".into()
        })
    );
}

#[test]
fn broken_and_oversized_pdfs_are_refused_not_panicked_on() {
    assert!(matches!(
        extract(b"%PDF-1.4\nnot really", 1024),
        Err(PdfTextError::Unreadable(_))
    ));
    // A page without a MediaBox makes pdf-extract panic: the guard turns it into an error.
    let no_box = String::from_utf8_lossy(HELLO).replace("/MediaBox [0 0 612 792] ", "");
    assert!(matches!(
        extract(no_box.as_bytes(), 1024),
        Err(PdfTextError::Unreadable(_))
    ));
    let big = vec![b' '; MAX_PDF_TEXT_INPUT + 1];
    assert!(matches!(
        read_text(&big, 1024),
        Err(PdfTextError::TooLarge { .. })
    ));
}

#[test]
fn the_childs_answer_is_decoded() {
    assert_eq!(decode_answer(b"Thi", 10), Ok("hi".into()));
    assert_eq!(decode_answer(b"N", 10), Err(PdfTextError::NoText));
    assert!(matches!(
        decode_answer(b"T0123456789x", 10),
        Err(PdfTextError::TooMuchText { .. })
    ));
    assert_eq!(
        decode_answer(b"Ebad xref", 10),
        Err(PdfTextError::Unreadable("bad xref".into()))
    );
    assert!(matches!(
        decode_answer(b"", 10),
        Err(PdfTextError::Unreadable(_))
    ));
}
