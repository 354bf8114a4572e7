//! The endpoint's accept loop, made to outlast a flood from another local user:
//! - the soft limit on open files is raised to the hard one when serving starts;
//! - past a few open connections, a new one whose socket belongs to another user (the owner
//!   the kernel lists in `/proc/net/tcp`) is closed at once, so strangers can hold only a few
//!   descriptors, each for at most the head timeout, and this user's programs are still served;
//! - connections of this user are capped too, so the control socket always has descriptors;
//! - an accept error (out of descriptors) backs off instead of spinning;
//! - the accepting thread waits in `accept` itself, and a request whose head is there is
//!   answered on it (`fast`): the endpoint answers like a plain server, not a round through an
//!   event loop.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};

use super::answer::{into_response, respond, Check};
use crate::domain::serving::Served;

/// A client that sends no complete request head within this time is dropped.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Up to this many open connections, nobody's owner is looked up (the common case costs
/// nothing); past it, only this user's connections are kept.
const UNCHECKED: usize = 8;
/// While fewer connections than this are open, a new one's head is waited for briefly.
const FEW: usize = 4;
/// Connections open at once, at most.
const MAX_OPEN: usize = 256;
/// A connection is closed after this long, whatever it does.
const MAX_LIFETIME: Duration = Duration::from_secs(60);
/// The longest pause after an accept error.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Raises the soft limit on open files to the hard limit (best effort).
pub fn raise_fd_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let _ = setrlimit(
            Resource::Nofile,
            rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        );
    }
}

/// The accepting thread of an endpoint; stopped by [`Acceptor::stop`] (also when dropped).
pub struct Acceptor {
    stop: Arc<AtomicBool>,
    local: Option<SocketAddr>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Acceptor {
    /// Stops accepting: the flag is set, and a connection wakes the thread out of `accept`.
    /// The listening socket itself is left alone (a holder may take it over).
    pub fn stop(&mut self) {
        if !self.stop.swap(true, Ordering::SeqCst) {
            if let Some(local) = self.local {
                let _ = std::net::TcpStream::connect_timeout(&local, Duration::from_secs(1));
            }
            // Gone before anyone else (a holder) accepts on the socket.
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Serves `listener` from a thread of its own that waits in `accept` as a plain server does
/// (no round through the event loop for a request that is answered at once); connections that
/// need more go to hyper on `runtime`.
pub fn serve(
    listener: std::net::TcpListener,
    check: Arc<Check>,
    state: Arc<RwLock<Served>>,
    runtime: tokio::runtime::Handle,
) -> std::io::Result<Acceptor> {
    listener.set_nonblocking(false)?;
    let stop = Arc::new(AtomicBool::new(false));
    let local = listener.local_addr().ok();
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("xrole-endpoint".into())
        .spawn(move || accept_loop(&listener, &check, &state, &runtime, &flag))?;
    Ok(Acceptor {
        stop,
        local,
        thread: Some(thread),
    })
}

fn accept_loop(
    listener: &std::net::TcpListener,
    check: &Arc<Check>,
    state: &Arc<RwLock<Served>>,
    runtime: &tokio::runtime::Handle,
    stop: &AtomicBool,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let local = listener.local_addr().ok();
    let mut owners = Owners::default();
    let mut backoff = Duration::ZERO;
    while !stop.load(Ordering::SeqCst) {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            Err(_) => {
                // EMFILE and friends: the pending connection stays queued; wait, then retry.
                backoff = (backoff * 2).clamp(Duration::from_millis(5), MAX_BACKOFF);
                std::thread::sleep(backoff);
                continue;
            }
        };
        if stop.load(Ordering::SeqCst) || !peer.ip().is_loopback() {
            continue; // the wake-up of stop, or not loopback (bound to it; refused all the same)
        }
        let busy = open.load(Ordering::Relaxed);
        if busy >= MAX_OPEN || (busy >= UNCHECKED && local.is_none_or(|l| !owners.ours(peer, l))) {
            continue; // dropped: closed at once
        }
        let Some(stream) = super::fast::try_answer(stream, peer, check, state, busy < FEW) else {
            continue;
        };
        if stream.set_nonblocking(true).is_err() {
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let (check, state, open) = (Arc::clone(check), Arc::clone(state), Arc::clone(&open));
        runtime.spawn(async move {
            if let Ok(stream) = tokio::net::TcpStream::from_std(stream) {
                let service = hyper::service::service_fn(move |req| {
                    let answer = into_response(respond(&req, peer, &check, &state));
                    async move { Ok::<_, Infallible>(answer) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEAD_TIMEOUT)
                    .max_buf_size(16 * 1024)
                    .serve_connection(TokioIo::new(stream), service);
                // Bounded whatever the client does (hyper's head timeout covers a head that
                // is coming, this an idle connection kept between requests).
                let _ = tokio::time::timeout(MAX_LIFETIME, connection).await;
            }
            open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// The owners of the connections to the endpoint, read from `/proc/net/tcp` once for a whole
/// burst of them: a flood of a thousand connections costs a few reads of the table, not one
/// each. A connection not in the table is looked up again once the table is [`STALE`] old.
#[derive(Default)]
struct Owners {
    table: String,
    read_at: Option<std::time::Instant>,
}

/// How old the table may be before a connection missing from it reads it again.
const STALE: Duration = Duration::from_millis(20);

impl Owners {
    /// Whether `peer`'s socket (connected to `local`) is this user's.
    fn ours(&mut self, peer: SocketAddr, local: SocketAddr) -> bool {
        let uid = rustix::process::getuid().as_raw();
        if let Some(found) = owner(&self.table, peer, local) {
            return found == uid;
        }
        if self.read_at.is_some_and(|t| t.elapsed() < STALE) {
            return false; // not there a moment ago, and too soon to read again: dropped
        }
        self.table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        self.read_at = Some(std::time::Instant::now());
        owner(&self.table, peer, local) == Some(uid)
    }
}

/// Whether the client socket `peer` (connected to `local`) belongs to this user.
#[cfg(test)]
fn same_user(peer: SocketAddr, local: SocketAddr) -> bool {
    let uid = rustix::process::getuid().as_raw();
    std::fs::read_to_string("/proc/net/tcp")
        .is_ok_and(|table| owner(&table, peer, local) == Some(uid))
}

/// The owner of the socket whose local address is `peer` and remote address is `local`, in
/// a `/proc/net/tcp` table (addresses in hex, the IPv4 address in host byte order).
fn owner(table: &str, peer: SocketAddr, local: SocketAddr) -> Option<u32> {
    let hex = |a: SocketAddr| match a {
        SocketAddr::V4(v4) => Some(format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(v4.ip().octets()),
            v4.port()
        )),
        SocketAddr::V6(_) => None,
    };
    let (want_local, want_remote) = (hex(peer)?, hex(local)?);
    // Most lines are other sockets: a substring test passes them by before any split.
    table
        .lines()
        .skip(1)
        .filter(|line| line.contains(want_local.as_str()))
        .find_map(|line| {
            let mut fields = line.split_whitespace().skip(1);
            let (l, r) = (fields.next()?, fields.next()?);
            (l == want_local && r == want_remote)
                .then(|| fields.nth(4)?.parse().ok())
                .flatten()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_client_socket_is_found_with_its_owner() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_server, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        assert_eq!(
            owner(&table, peer, listener.local_addr().unwrap()),
            Some(rustix::process::getuid().as_raw())
        );
        assert!(same_user(peer, listener.local_addr().unwrap()));
    }
}
