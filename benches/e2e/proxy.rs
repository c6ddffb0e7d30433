//! A byte-for-byte TCP relay in front of the mock that notes when the server last sent a byte,
//! so a latency can be measured from the server's last byte rather than from the key press.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The relay; its threads end with their sockets, the accept thread with the process.
pub struct Proxy {
    addr: SocketAddr,
    /// First and last server-to-client write since the last `reset`.
    down: Arc<Mutex<Stamps>>,
}

/// When the server sent its first and last bytes.
#[derive(Debug, Default, Clone, Copy)]
struct Stamps {
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Proxy {
    /// Listens on 127.0.0.1 and relays every connection to `upstream`.
    pub fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let addr = listener.local_addr().expect("relay address");
        let down = Arc::new(Mutex::new(Stamps::default()));
        let stamp = down.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                relay(client, server, stamp.clone());
            }
        });
        Proxy { addr, down }
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Forgets the bytes seen, before a new measurement.
    pub fn reset(&self) {
        *lock(&self.down) = Stamps::default();
    }

    /// When the server first sent a byte to the client since the last `reset`.
    pub fn first_byte(&self) -> Option<Instant> {
        lock(&self.down).first
    }

    /// When the server last sent a byte to the client.
    pub fn last_byte(&self) -> Option<Instant> {
        lock(&self.down).last
    }
}

fn lock(m: &Mutex<Stamps>) -> std::sync::MutexGuard<'_, Stamps> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn relay(client: TcpStream, server: TcpStream, stamp: Arc<Mutex<Stamps>>) {
    let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || pump(client, server, None));
    std::thread::spawn(move || pump(server2, client2, Some(stamp)));
}

/// Copies `from` to `to` until either side closes; stamps every write when asked to.
fn pump(mut from: TcpStream, mut to: TcpStream, stamp: Option<Arc<Mutex<Stamps>>>) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if let Some(s) = &stamp {
            let now = Instant::now();
            let mut s = lock(s);
            s.first.get_or_insert(now);
            s.last = Some(now);
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}
