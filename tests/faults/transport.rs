//! Transport faults: compressed bodies, a redirect to another host, TLS that cannot be trusted.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use super::support::encoding::Encoding;
use super::support::{MockServer, Reply, scenarios};
use super::{Sandbox, content_event};
use ecochat::chat::Status;

#[test]
fn gzip_and_brotli_streams_are_decoded_as_they_arrive() {
    for encoding in [Encoding::Gzip, Encoding::Brotli] {
        let server = MockServer::start();
        let mut payload = content_event("压缩的");
        payload.extend(content_event("回答。"));
        payload.extend_from_slice(b"data: [DONE]\n\n");
        server.on_model("m", vec![Reply::sse(&payload).encoded(encoding)]);
        let sb = Sandbox::new(&server.base_url());
        let run = sb.ask("hi");
        assert_eq!(run.code, 0, "{encoding:?}: {run:?}");
        assert_eq!(run.stdout.trim_end(), "压缩的回答。", "{encoding:?}");
        // Streams are asked for uncompressed (proxies buffer compressed events) ...
        let req = server.last_request().expect("a request");
        assert_eq!(req.header("accept-encoding"), Some("identity"));
    }
}

#[test]
fn a_compressed_stream_is_decoded_piece_by_piece() {
    let server = MockServer::start();
    // ... but one compressed anyway still streams: the first piece shows before the silence.
    let reply = Reply::sse(&content_event("先到的"))
        .hang()
        .encoded(Encoding::Gzip);
    server.on_model("m", vec![reply]);
    let sb = Sandbox::new(&server.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout.trim_end(), "先到的", "{run:?}");
    assert!(run.stderr.contains("mid-reply"), "{run:?}");
}

#[test]
fn a_compressed_json_reply_is_decoded() {
    for encoding in [Encoding::Gzip, Encoding::Brotli] {
        let server = MockServer::start();
        server.on_model("m", vec![scenarios::m3().encoded(encoding)]);
        let sb = Sandbox::new(&server.base_url());
        let out = sb
            .command(&["--no-stream", "-p", "hi"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{encoding:?}: {out:?}");
        assert!(!out.stdout.is_empty(), "{out:?}");
        let req = server.last_request().expect("a request");
        let accept = req.header("accept-encoding").unwrap_or_default();
        assert!(accept.contains(encoding.name()), "{accept}");
    }
}

#[test]
fn a_compressed_stream_cut_mid_way_keeps_what_was_shown() {
    for encoding in [Encoding::Gzip, Encoding::Brotli] {
        let server = MockServer::start();
        let mut payload = content_event("前半，");
        payload.extend(content_event("后半"));
        let reply = Reply::sse(&payload)
            .slow(Duration::from_millis(150))
            .sleep(Duration::from_millis(150))
            .close()
            .encoded(encoding);
        server.on_model("m", vec![reply]);
        let sb = Sandbox::new(&server.base_url());
        let run = sb.ask("hi");
        assert_eq!(run.code, 1, "{encoding:?}: {run:?}");
        assert!(run.stdout.starts_with("前半，"), "{encoding:?}: {run:?}");
        let msgs = sb.stored();
        assert_eq!(msgs[1].content, run.stdout.trim_end(), "stored as shown");
        assert!(matches!(msgs[1].status, Status::Interrupted(_)), "{msgs:?}");
    }
}

#[test]
fn a_redirect_to_another_host_does_not_carry_the_key() {
    let target = MockServer::start();
    target.on_model("m", vec![scenarios::m1()]);
    let relay = MockServer::start();
    // Same machine, another host name and port: to the client it is another origin.
    let location = format!("http://localhost:{}/v1/chat/completions", target.port());
    relay.on_path(
        "POST",
        "/v1/chat/completions",
        vec![Reply::new(307).header("Location", &location)],
    );
    let sb = Sandbox::new(&relay.base_url());
    let run = sb.ask("hi");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.trim_end(), "你好！有什么可以帮你？");

    let first = relay.last_request().expect("the relay was asked");
    assert!(
        first
            .header("authorization")
            .is_some_and(|a| a.contains(super::TEST_KEY)),
        "the provider itself gets the key"
    );
    let followed = target.last_request().expect("the redirect was followed");
    assert_eq!(followed.header("authorization"), None, "{followed:?}");
    for r in target.requests() {
        assert!(
            !format!("{r:?}").contains(super::TEST_KEY),
            "the key reached the other host: {r:?}"
        );
    }
}

/// A TLS server on 127.0.0.1 with a self-signed certificate (for `localhost`, 127.0.0.1),
/// completing no handshake the client does not trust. Stops when dropped.
struct UntrustedTls {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl UntrustedTls {
    fn start() -> Self {
        let cert = include_bytes!("../fixtures/tls/cert.der").to_vec();
        let key = include_bytes!("../fixtures/tls/key.der").to_vec();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(cert)],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
            )
            .expect("the test certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            if let Ok((sock, _)) = accepted {
                                let acceptor = acceptor.clone();
                                tokio::spawn(async move {
                                    // The client refuses the certificate: the handshake fails.
                                    let _ = acceptor.accept(sock).await;
                                });
                            }
                        }
                    }
                }
            });
        });
        UntrustedTls {
            port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for UntrustedTls {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn an_untrusted_certificate_is_reported_never_ignored() {
    let tls = UntrustedTls::start();
    let sb = Sandbox::new(&format!("https://localhost:{}/v1", tls.port));
    let run = sb.ask("hi");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("certificate"), "{run:?}");
    assert!(run.stderr.contains("localhost"), "names the host: {run:?}");
    let msgs = sb.stored();
    assert!(matches!(msgs[1].status, Status::Failed(_)), "{msgs:?}");
}

#[test]
fn a_plain_http_answer_to_a_tls_hello_is_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        // One connection: read the ClientHello, answer as if TLS did not exist.
        if let Ok((mut sock, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf);
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let sb = Sandbox::new(&format!("https://127.0.0.1:{port}/v1"));
    let run = sb.ask("hi");
    server.join().expect("server thread");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    let err = run.stderr.to_lowercase();
    assert!(
        err.contains("tls") || err.contains("corrupt") || err.contains("handshake"),
        "{run:?}"
    );
}
