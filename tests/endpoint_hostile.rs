//! The credential endpoint's own defences, through the real binary against moto: malformed
//! Host headers and targets (on the fast path and through hyper), refusals said once, a
//! descriptor flood from another local user, and a client that keeps its connection.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use support::serving::*;
use support::world::*;

#[test]
fn two_host_headers_and_another_authority_are_bad_requests_and_refusals_are_said_once() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (child, vars) = served(&w, &tmp, "022", "exec sleep 30");
    let (url, token, authority) = endpoint_of(&vars);
    let (url, token) = (url.as_str(), token.as_str());
    let get = |target: &str, hosts: &[&str], token: &str| {
        let mut head = format!("GET {target} HTTP/1.1\r\n");
        for h in hosts {
            head.push_str(&format!("Host: {h}\r\n"));
        }
        head.push_str(&format!(
            "Authorization: {token}\r\nConnection: close\r\n\r\n"
        ));
        request(&authority, &head)
    };
    assert_eq!(get("/credentials", &[&authority], token), 200);
    assert_eq!(
        get("/credentials", &[&authority, &authority], token),
        400,
        "two Host headers"
    );
    assert_eq!(
        get("http://evil.example/credentials", &[&authority], token),
        400,
        "another authority"
    );
    assert_eq!(
        get(url, &[&authority], token),
        200,
        "absolute form naming this endpoint"
    );
    // The same requests arriving in two pieces go through hyper, not the fast path: same answers.
    let split = |target: &str, hosts: &[&str], token: &str| {
        let mut head = format!("GET {target} HTTP/1.1\r\n");
        for h in hosts {
            head.push_str(&format!("Host: {h}\r\n"));
        }
        head.push_str(&format!(
            "Authorization: {token}\r\nConnection: close\r\n\r\n"
        ));
        let mut s = TcpStream::connect(&authority).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let (a, b) = head.split_at(10);
        s.write_all(a.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        s.write_all(b.as_bytes()).unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        resp.split(' ')
            .nth(1)
            .and_then(|c| c.parse::<u16>().ok())
            .unwrap_or(0)
    };
    assert_eq!(split("/credentials", &[&authority], token), 200);
    assert_eq!(split("/credentials", &[&authority, &authority], token), 400);
    assert_eq!(
        split("http://evil.example/credentials", &[&authority], token),
        400
    );
    for _ in 0..3 {
        assert_eq!(get("/credentials", &[&authority], "wrong-token"), 403);
    }
    let stderr = stop(child);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("refused a request"))
        .collect();
    assert_eq!(lines.len(), 1, "said once: {stderr}");
    assert!(
        lines[0].contains(&authority) && !lines[0].contains(token),
        "{}",
        lines[0]
    );
}

#[test]
fn a_descriptor_flood_from_another_user_leaves_the_child_and_the_control_socket_served() {
    let _g = serial();
    if !second_user() {
        return;
    }
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (child, vars) = served(&w, &tmp, "022", "exec sleep 60");
    let (_, token, authority) = endpoint_of(&vars);
    let control = var(&vars, "XROLE_CONTROL").to_owned();
    let (host, port) = authority.split_once(':').unwrap();
    // 1,500 connections that each send half a request head and hold it.
    let flood = format!(
        "ulimit -n 4096; exec /usr/bin/perl -MIO::Socket::INET -e '\
         my @s; for (1..1500) {{ my $c = IO::Socket::INET->new(PeerAddr => \"{host}\", PeerPort => {port}, Timeout => 2) or next; \
         print $c \"GET /credentials HTTP/1.1\\r\\nX: \"; push @s, $c; }} print scalar(@s), \"\\n\"; $| = 1; sleep 20;'"
    );
    let mut flooder = as_nobody(&flood).stdout(Stdio::piped()).spawn().unwrap();
    let mut opened = String::new();
    let mut out = flooder.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        opened.push(byte[0] as char);
    }
    let server_pid = child.id();
    let cpu = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let f: Vec<u64> = stat
            .rsplit(')')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0)
    };
    let before = cpu(server_pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu(server_pid) - before;
    let head = format!(
        "GET /credentials HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\nConnection: close\r\n\r\n"
    );
    let served_ok = (0..20).any(|_| {
        let ok = request(&authority, &head) == 200;
        if !ok {
            std::thread::sleep(Duration::from_millis(250));
        }
        ok
    });
    let mut status = w.command(&["status", "--json"]);
    status.env("XROLE_CONTROL", &control);
    let status = w.run_with(status, "");
    let _ = flooder.kill();
    let _ = flooder.wait();
    stop(child);
    assert!(
        opened.trim().parse::<u32>().unwrap_or(0) > 100,
        "the flood opened {opened}"
    );
    assert!(served_ok, "the child was not served during the flood");
    assert!(
        status.status.success(),
        "status: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    // Clock ticks of 10 ms: a spinning accept loop would spend most of the 2 s.
    assert!(
        spent < 100,
        "the server spent {spent} ticks in 2 s during the flood"
    );
}

#[test]
fn a_client_that_keeps_its_connection_gets_a_second_answer_on_it() {
    let _g = serial();
    let w = World::new();
    let tmp = shared_tmp(&w);
    let (child, vars) = served(&w, &tmp, "022", "exec sleep 30");
    let (_, token, authority) = endpoint_of(&vars);
    let token = token.as_str();
    let head =
        format!("GET /credentials HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {token}\r\n\r\n");
    let mut s = TcpStream::connect(&authority).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answers = Vec::new();
    for _ in 0..2 {
        s.write_all(head.as_bytes()).unwrap();
        // Read one response: its head, then as many bytes as its content-length says.
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\r\n\r\n") {
            assert_eq!(s.read(&mut byte).unwrap(), 1, "the connection closed early");
            got.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&got).to_lowercase();
        let len: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).unwrap();
        answers.push((text.split(' ').nth(1).unwrap_or("").to_owned(), body));
    }
    stop(child);
    for (status, body) in &answers {
        assert_eq!(status, "200");
        assert!(String::from_utf8_lossy(body).contains("\"Token\""));
    }
}
