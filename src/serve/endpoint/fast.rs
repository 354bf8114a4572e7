//! The endpoint's fast path. An SDK connects and sends its whole request at once, so the head
//! arrives microseconds after the connection is accepted. When nothing else is being served,
//! the head is waited for briefly ([`SHORT_WAIT`]), read (peeked, parsed by `httparse`, the
//! parser hyper uses) and answered by the same checks as every request: no task, no round
//! through the event loop. The connection then goes to hyper like any other, for a client that
//! keeps it for another request.
//! Anything else (a head still arriving, a body, a head too large or malformed) goes to hyper,
//! with its timeouts, untouched.

use std::net::SocketAddr;
use std::sync::RwLock;

use bytes::Bytes;
use hyper::{HeaderMap, Request, StatusCode};
use rustix::net::{RecvFlags, SendFlags};
use std::net::TcpStream;

use super::answer::{respond, Check};
use crate::domain::serving::Served;

/// The largest head handled here (an SDK's is a few hundred bytes).
const MAX_HEAD: usize = 4096;
/// How long the head is waited for, at most, when nothing else is served. A client that
/// connects and sends nothing costs this once; while hyper serves any connection, no wait.
const SHORT_WAIT: rustix::event::Timespec = rustix::event::Timespec {
    tv_sec: 0,
    tv_nsec: 2_000_000,
};
/// The most header fields handled here.
const MAX_FIELDS: usize = 32;

/// Answers the first request of `stream` now when it is all there; the stream goes on to
/// hyper either way (`None` when it is done with: an answer could not be sent whole).
pub fn try_answer(
    stream: TcpStream,
    peer: SocketAddr,
    check: &Check,
    state: &RwLock<Served>,
    may_wait: bool,
) -> Option<TcpStream> {
    if may_wait {
        let mut fds = [rustix::event::PollFd::new(
            &stream,
            rustix::event::PollFlags::IN,
        )];
        let _ = rustix::event::poll(&mut fds, Some(&SHORT_WAIT));
    }
    let mut buf = [0u8; MAX_HEAD];
    let Ok((_, got)) =
        rustix::net::recv(&stream, &mut buf[..], RecvFlags::PEEK | RecvFlags::DONTWAIT)
    else {
        return Some(stream);
    };
    let Some((req, head_len)) = parse(&buf[..got]) else {
        return Some(stream);
    };
    // Only a head with nothing after it: closing with unread bytes would reset the connection.
    if head_len != got {
        return Some(stream);
    }
    let (status, body) = respond(&req, peer, check, state);
    // Taken off the socket: hyper reads what comes after it.
    let mut sink = [0u8; MAX_HEAD];
    let taken = rustix::net::recv(&stream, &mut sink[..head_len], RecvFlags::DONTWAIT);
    if !matches!(taken, Ok((_, n)) if n == head_len) {
        return None;
    }
    // A client that asked to close gets the close it asked for; one that may ask again keeps
    // its connection, which goes on to hyper.
    let close = wants_close(&req);
    let bytes = encode(status, &body, close);
    match rustix::net::send(&stream, &bytes, SendFlags::DONTWAIT | SendFlags::NOSIGNAL) {
        Ok(n) if n == bytes.len() && !close => Some(stream),
        _ => None, // closed: asked for, or half an answer (the client asks again)
    }
}

/// The request a complete head describes, and the head's length.
fn parse(bytes: &[u8]) -> Option<(Request<()>, usize)> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
    let mut head = httparse::Request::new(&mut fields);
    let httparse::Status::Complete(len) = head.parse(bytes).ok()? else {
        return None;
    };
    if head.version != Some(1) {
        return None;
    }
    let mut headers = HeaderMap::new();
    for f in head.headers.iter() {
        let name = hyper::header::HeaderName::from_bytes(f.name.as_bytes()).ok()?;
        let value = hyper::header::HeaderValue::from_bytes(f.value).ok()?;
        if name == hyper::header::CONTENT_LENGTH || name == hyper::header::TRANSFER_ENCODING {
            return None; // a body: hyper's
        }
        headers.append(name, value);
    }
    let mut req = Request::builder()
        .method(head.method?)
        .uri(head.path?)
        .body(())
        .ok()?;
    *req.headers_mut() = headers;
    Some((req, len))
}

/// Whether the request's `Connection` field asks to close after the answer.
fn wants_close(req: &Request<()>) -> bool {
    req.headers()
        .get_all(hyper::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("close"))
}

fn encode(status: StatusCode, body: &Bytes, close: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + body.len());
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            body.len(),
            if close { "connection: close\r\n" } else { "" }
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_head_is_parsed_with_every_host_field_and_a_body_is_left_to_hyper() {
        let head =
            b"GET /credentials HTTP/1.1\r\nHost: a:1\r\nHost: b:2\r\nAuthorization: t\r\n\r\n";
        let (req, len) = parse(head).unwrap();
        assert_eq!(len, head.len());
        assert_eq!(req.headers().get_all("host").iter().count(), 2);
        assert_eq!(req.uri().path(), "/credentials");
        assert!(
            parse(b"GET /credentials HTTP/1.1\r\nHost: a\r\n").is_none(),
            "incomplete"
        );
        assert!(parse(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").is_none());
        assert!(
            parse(b"GET / HTTP/1.0\r\n\r\n").is_none(),
            "1.0 goes to hyper"
        );
        let (abs, _) =
            parse(b"GET http://evil.example/credentials HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert_eq!(
            abs.uri().authority().map(|a| a.as_str()),
            Some("evil.example")
        );
        let out = encode(StatusCode::OK, &Bytes::from_static(b"{}"), true);
        assert!(
            out.starts_with(b"HTTP/1.1 200 OK\r\n")
                && out.ends_with(b"connection: close\r\n\r\n{}")
        );
        let (closing, _) =
            parse(b"GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n").unwrap();
        assert!(wants_close(&closing));
        let (keeping, _) = parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        assert!(!wants_close(&keeping));
    }
}
