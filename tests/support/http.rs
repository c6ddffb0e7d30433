//! Hand-rolled HTTP/1.1 for the mock: read requests (keep-alive), write scripted replies.

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::reply::{Framing, Reply, Step, reason_phrase};
use super::{RecordedRequest, State};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Counts a connection as open for as long as this lives.
struct OpenGuard(Arc<State>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves requests on one connection until either side closes it.
pub(super) async fn serve_connection(mut stream: TcpStream, state: Arc<State>) {
    state.open.fetch_add(1, Ordering::SeqCst);
    let _guard = OpenGuard(state.clone());
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let req = match read_request(&mut stream, &mut buf).await {
            Ok(Some(req)) => req,
            Ok(None) | Err(_) => return,
        };
        let client_close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        state.record(req.clone());
        let reply = state.route(&req);
        match send_reply(&mut stream, &reply).await {
            Ok(true) if !client_close => {}
            _ => return,
        }
    }
}

/// Reads one request; `None` when the client closed the connection between requests.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> io::Result<Option<RecordedRequest>> {
    let head_end = loop {
        if let Some(pos) = find(buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::other("request head too large"));
        }
        if !fill(stream, buf).await? {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let path = request_line.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut req = RecordedRequest {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        req.body = read_chunked(stream, buf).await?;
    } else {
        let len: usize = req
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if len > MAX_BODY {
            return Err(io::Error::other("request body too large"));
        }
        while buf.len() < len {
            if !fill(stream, buf).await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        req.body = buf.drain(..len).collect();
    }
    Ok(Some(req))
}

/// Decodes a chunked request body.
async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(pos) = find(buf, b"\r\n") {
                break pos;
            }
            if !fill(stream, buf).await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(io::Error::other)?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Skip trailer lines up to and including the blank line.
            loop {
                match find(buf, b"\r\n") {
                    Some(0) => {
                        buf.drain(..2);
                        return Ok(body);
                    }
                    Some(p) => {
                        buf.drain(..p + 2);
                    }
                    None if !fill(stream, buf).await? => {
                        return Err(io::ErrorKind::UnexpectedEof.into());
                    }
                    None => {}
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(io::Error::other("request body too large"));
        }
        while buf.len() < size + 2 {
            if !fill(stream, buf).await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
}

/// Reads more bytes into `buf`; false on EOF.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Writes one reply; true when the connection can serve another request.
async fn send_reply(stream: &mut TcpStream, reply: &Reply) -> io::Result<bool> {
    for step in &reply.before_head {
        if !run_step(stream, step, None).await? {
            return Ok(false);
        }
    }
    stream.write_all(&head(reply)).await?;
    stream.flush().await?;
    let chunked = reply.framing == Framing::Chunked;
    for step in reply.wire_plan() {
        if !run_step(stream, &step, Some(chunked)).await? {
            return Ok(false);
        }
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n").await?;
        stream.flush().await?;
    }
    let server_close = reply
        .header_value("connection")
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    Ok(!server_close)
}

/// Runs one step; false when the connection is finished. `chunked` is `None` before the head.
async fn run_step(stream: &mut TcpStream, step: &Step, chunked: Option<bool>) -> io::Result<bool> {
    match step {
        Step::Write(bytes) if bytes.is_empty() => {}
        Step::Write(bytes) => {
            if chunked == Some(true) {
                let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
                framed.extend_from_slice(bytes);
                framed.extend_from_slice(b"\r\n");
                stream.write_all(&framed).await?;
            } else {
                stream.write_all(bytes).await?;
            }
            stream.flush().await?;
        }
        Step::Sleep(d) if d.is_zero() => tokio::task::yield_now().await,
        Step::Sleep(d) => tokio::time::sleep(*d).await,
        Step::Close => return Ok(false),
        Step::Hang => {
            wait_until_client_leaves(stream).await;
            return Ok(false);
        }
        Step::Forever(bytes) => {
            let write = Step::Write(bytes.clone());
            // Ends when a write fails: the client has gone.
            loop {
                Box::pin(run_step(stream, &write, chunked)).await?;
            }
        }
    }
    Ok(true)
}

/// Reads and discards until EOF or an error: the socket stays open as long as the client keeps it.
async fn wait_until_client_leaves(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    loop {
        match stream.read(&mut sink).await {
            Ok(0) | Err(_) => return,
            Ok(_) => tokio::time::sleep(Duration::from_millis(1)).await,
        }
    }
}

/// The status line and headers, with the framing header added when the reply did not set it.
fn head(reply: &Reply) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        reply.status,
        reason_phrase(reply.status)
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    match reply.framing {
        Framing::Chunked if reply.header_value("transfer-encoding").is_none() => {
            out.push_str("Transfer-Encoding: chunked\r\n");
        }
        Framing::ContentLength if reply.header_value("content-length").is_none() => {
            out.push_str(&format!("Content-Length: {}\r\n", reply.body_bytes().len()));
        }
        _ => {}
    }
    out.push_str("\r\n");
    out.into_bytes()
}
