//! A raw HTTP/1.1 client over std `TcpStream`, for tests that must see the wire: chunk sizes,
//! read counts, abrupt closes and silences that a real HTTP client would hide.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::MockServer;

/// A response as seen on the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Headers as sent.
    pub headers: Vec<(String, String)>,
    /// The de-chunked body.
    pub body: Vec<u8>,
    /// Sizes of the HTTP chunks, in order (chunked replies only).
    pub chunks: Vec<usize>,
    /// The body ended properly (terminating chunk or full Content-Length).
    pub complete: bool,
}

impl RawResponse {
    /// A header by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text; panics otherwise.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }
}

/// A keep-alive client connection that counts its reads.
pub struct RawConn {
    /// The socket, for tests that need to change its timeouts.
    pub stream: TcpStream,
    /// Bytes read but not consumed yet.
    pub buf: Vec<u8>,
    /// Successful `read` calls so far.
    pub reads: usize,
    /// The server closed the connection.
    pub eof: bool,
    /// A read hit the socket's read timeout.
    pub timed_out: bool,
}

impl RawConn {
    /// Connects, with a 10 s read timeout.
    pub fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        Self {
            stream,
            buf: Vec::new(),
            reads: 0,
            eof: false,
            timed_out: false,
        }
    }

    /// Writes raw request bytes.
    pub fn send(&mut self, request: &[u8]) {
        self.stream.write_all(request).expect("write request");
    }

    /// Reads more; false on EOF or read timeout.
    pub fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 65536];
        match self.stream.read(&mut chunk) {
            Ok(0) => {
                self.eof = true;
                false
            }
            Ok(n) => {
                self.reads += 1;
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                self.eof = true;
                false
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                self.timed_out = true;
                false
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }

    /// Consumes up to `delim` (returned without it); `None` on EOF or timeout.
    pub fn take_until(&mut self, delim: &[u8]) -> Option<Vec<u8>> {
        loop {
            if let Some(p) = self.buf.windows(delim.len()).position(|w| w == delim) {
                let out: Vec<u8> = self.buf.drain(..p + delim.len()).collect();
                return Some(out[..p].to_vec());
            }
            if !self.fill() {
                return None;
            }
        }
    }

    /// Consumes exactly `n` bytes; `None` on EOF or timeout.
    pub fn take_exact(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill() {
                return None;
            }
        }
        Some(self.buf.drain(..n).collect())
    }

    /// Reads one response; an incomplete body (EOF, timeout) leaves `complete` false.
    pub fn read_response(&mut self) -> RawResponse {
        let head = self.take_until(b"\r\n\r\n").expect("response head");
        let head = String::from_utf8(head).expect("utf-8 head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("status line");
        let status = status_line
            .split(' ')
            .nth(1)
            .expect("status")
            .parse()
            .expect("numeric status");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut resp = RawResponse {
            status,
            headers,
            body: Vec::new(),
            chunks: Vec::new(),
            complete: false,
        };
        if resp.header("transfer-encoding") == Some("chunked") {
            while let Some(size_line) = self.take_until(b"\r\n") {
                let size =
                    usize::from_str_radix(std::str::from_utf8(&size_line).expect("size"), 16)
                        .expect("hex chunk size");
                if size == 0 {
                    resp.complete = self.take_until(b"\r\n").is_some();
                    break;
                }
                let Some(data) = self.take_exact(size + 2) else {
                    break;
                };
                resp.chunks.push(size);
                resp.body.extend_from_slice(&data[..size]);
            }
        } else {
            let len: usize = resp
                .header("content-length")
                .expect("content-length")
                .parse()
                .expect("length");
            if let Some(data) = self.take_exact(len) {
                resp.body = data;
                resp.complete = true;
            }
        }
        resp
    }
}

/// Raw request bytes; a non-empty body is sent as JSON with Content-Length.
pub fn request(method: &str, path: &str, extra_headers: &[&str], body: &str) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for h in extra_headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// A streaming chat request for `model`, with a test key.
pub fn chat(model: &str) -> Vec<u8> {
    let body = format!(
        r#"{{"model":"{model}","messages":[{{"role":"user","content":"你好"}}],"stream":true}}"#
    );
    request(
        "POST",
        "/v1/chat/completions",
        &["Authorization: Bearer sk-test", "Accept: text/event-stream"],
        &body,
    )
}

/// One request on a fresh connection: the response and the number of reads it took.
pub fn exchange(server: &MockServer, req: &[u8]) -> (RawResponse, usize) {
    let mut conn = RawConn::open(server.addr());
    conn.send(req);
    let resp = conn.read_response();
    (resp, conn.reads)
}
