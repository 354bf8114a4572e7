//! A loopback stand-in for the console's federation endpoint, which has no emulator. It follows
//! AWS's documented contract ("Enable custom identity broker access to the AWS console"): a GET
//! with `Action=getSigninToken` and a `Session` JSON of `sessionId`, `sessionKey` and
//! `sessionToken`, answered with `{"SigninToken": …}`. It refuses anything else, and records
//! the sessions it got.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A loopback federation endpoint; returns its URL and the `Session` objects it received.
pub fn federation() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/federation", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(&conn);
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut h = String::new();
            while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
                h.clear();
            }
            let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
            let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let params: std::collections::HashMap<String, String> = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| {
                    (
                        k.to_owned(),
                        percent_encoding::percent_decode_str(v)
                            .decode_utf8_lossy()
                            .into_owned(),
                    )
                })
                .collect();
            let session: Option<serde_json::Value> = params
                .get("Session")
                .and_then(|s| serde_json::from_str(s).ok());
            let ok = line.starts_with("GET /federation?")
                && params.get("Action").map(String::as_str) == Some("getSigninToken")
                && session.as_ref().is_some_and(|s| {
                    ["sessionId", "sessionKey", "sessionToken"]
                        .iter()
                        .all(|k| s[k].as_str().is_some_and(|v| !v.is_empty()))
                });
            let (status, body) = if ok {
                seen.lock().unwrap().push(session.unwrap());
                ("200 OK", r#"{"SigninToken":"loopback-token-1"}"#)
            } else {
                (
                    "400 Bad Request",
                    r#"{"message":"not the documented request"}"#,
                )
            };
            let mut conn = conn;
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, got)
}
