//! Content encodings for mock replies: gzip and brotli, flushed after every write so that a
//! compressed stream still arrives event by event, as from a relay behind a compressing proxy.

use std::io::Write;

use super::reply::{Reply, Step};

/// A `Content-Encoding` the client asks for and must undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gzip,
    Brotli,
}

impl Encoding {
    /// The header value.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        }
    }
}

/// A compressor whose output so far can be taken after each flush.
enum Encoder {
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
}

impl Encoder {
    fn new(e: Encoding) -> Self {
        match e {
            Encoding::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::default(),
            )),
            Encoding::Brotli => Encoder::Brotli(Box::new(brotli::CompressorWriter::new(
                Vec::new(),
                4096,
                5,
                22,
            ))),
        }
    }

    /// Compresses `bytes`, flushes, and returns what came out.
    fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Encoder::Gzip(w) => {
                w.write_all(bytes).expect("gzip write");
                w.flush().expect("gzip flush");
                std::mem::take(w.get_mut())
            }
            Encoder::Brotli(w) => {
                w.write_all(bytes).expect("brotli write");
                w.flush().expect("brotli flush");
                std::mem::take(w.get_mut())
            }
        }
    }

    /// The end of the compressed stream.
    fn finish(self) -> Vec<u8> {
        match self {
            Encoder::Gzip(w) => w.finish().expect("gzip finish"),
            Encoder::Brotli(w) => w.into_inner(),
        }
    }
}

impl Reply {
    /// The body's writes compressed with `encoding` (flushed after each write, so events still
    /// stream one by one), with the `Content-Encoding` header. A `Close` or `Hang` in the body
    /// leaves the compressed stream unfinished, as a dying proxy would.
    pub fn encoded(mut self, encoding: Encoding) -> Reply {
        let mut enc = Encoder::new(encoding);
        let mut body = Vec::with_capacity(self.body.len() + 1);
        let mut ended = false;
        for step in std::mem::take(&mut self.body) {
            match step {
                Step::Write(bytes) if !ended => body.push(Step::Write(enc.push(&bytes))),
                s @ (Step::Close | Step::Hang) => {
                    ended = true;
                    body.push(s);
                }
                other => body.push(other),
            }
        }
        if !ended {
            body.push(Step::Write(enc.finish()));
        }
        self.body = body;
        self.header("Content-Encoding", encoding.name())
    }
}
