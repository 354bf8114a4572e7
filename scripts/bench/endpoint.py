#!/usr/bin/env python3
"""The credential endpoint of `exec`, against a local moto:

1. One credential request: a raw GET to the endpoint (p50/p99 of 1,000), and botocore's
   container provider loading credentials through it (what the AWS CLI does at start), beside
   botocore reading the same kind of credentials from environment variables.
2. A refresh: CPU of the serving process over a window with renewals every ~10 s
   (XROLE_MIN_TTL=890 on a 900 s role) against the same window idle, per renewal.
3. Idle: the serving process's resident memory and CPU over 20 s while the child sleeps.

The raw GET is measured beside a minimal HTTP server written in C for this script (one thread,
accept, read the head, write a fixed JSON body of the same size, close), compiled with gcc -O2:
the floor for "a new loopback connection and one small answer". The two are asked in turns.

Needs: a release build, moto_server, botocore for python3.
Usage: scripts/bench/endpoint.py  (prints Markdown)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from creds import Moto  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
XROLE = str(ROOT / "target/release/xrole-tui")
CONFIG = ("[profile app]\nrole_arn = arn:aws:iam::222222222222:role/app\nsource_profile = base\n"
          "duration_seconds = 900\nregion = us-east-1\n")
KEYS = "[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = base-secret\n"

CHILD = r'''
import http.client, json, os, statistics, sys, time
from urllib.parse import urlparse
import botocore.credentials as bc
url = urlparse(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
floor = urlparse(os.environ["XROLE_BENCH_FLOOR"])
raw, low = [], []
def one(u, out):
    t = time.perf_counter()
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request("GET", url.path, headers={"Authorization": token})
    b = c.getresponse().read()
    out.append(time.perf_counter() - t)
    c.close()
    return b
for _ in range(200):
    one(url, []); one(floor, [])
for _ in range(2000):
    body = one(url, raw)
    one(floor, low)
creds = json.loads(body)
boto = []
for _ in range(200):
    t = time.perf_counter()
    bc.ContainerProvider().load().get_frozen_credentials()
    boto.append(time.perf_counter() - t)
env = dict(AWS_ACCESS_KEY_ID=creds["AccessKeyId"], AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
           AWS_SESSION_TOKEN=creds["Token"])
envp = []
for _ in range(200):
    t = time.perf_counter()
    bc.EnvProvider(environ=env).load().get_frozen_credentials()
    envp.append(time.perf_counter() - t)
q = lambda xs, p: sorted(xs)[int(len(xs) * p) - 1] * 1000
print(json.dumps({"raw": [q(raw, .5), q(raw, .99)], "floor": [q(low, .5), q(low, .99)], "boto": [q(boto, .5), q(boto, .99)],
                  "env": [q(envp, .5), q(envp, .99)]}), flush=True)
open(sys.argv[1], "w").write("done")
time.sleep(float(sys.argv[2]))
'''


FLOOR_C = r'''
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv) {
    const char *body = argv[1];
    char head[256], buf[8192];
    int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                     "content-length: %zu\r\n\r\n", strlen(body));
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); a.sin_port = 0;
    bind(s, (struct sockaddr *)&a, sizeof a); listen(s, 128);
    socklen_t len = sizeof a; getsockname(s, (struct sockaddr *)&a, &len);
    printf("%d\n", ntohs(a.sin_port)); fflush(stdout);
    for (;;) {
        int c = accept(s, 0, 0), got = 0;
        if (c < 0) continue;
        while (got < (int)sizeof buf - 1) {
            int r = read(c, buf + got, sizeof buf - 1 - got);
            if (r <= 0) break;
            got += r; buf[got] = 0;
            if (strstr(buf, "\r\n\r\n")) break;
        }
        write(c, head, n); write(c, body, strlen(body));
        close(c);
    }
}
'''


def start_floor(work):
    src, exe = work / "floor.c", work / "floor"
    src.write_text(FLOOR_C)
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
    body = json.dumps({"AccessKeyId": "ASIA" + "X" * 16, "SecretAccessKey": "s" * 40,
                       "Token": "t" * 700, "Expiration": "2026-12-02T20:00:00Z"})
    p = subprocess.Popen([str(exe), body], stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline())
    return p, f"http://127.0.0.1:{port}/credentials"


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wakeups(pid):
    """Context switches of every thread of the process: each one is a wake-up (a timer, an event)."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        for line in status.read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                total += int(line.split()[1])
    return total


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(home, moto, min_ttl, wait_s, floor_url):
    flag = home / f"flag-{min_ttl}"
    env = dict(os.environ, HOME=str(home), AWS_ENDPOINT_URL=moto.url, XROLE_MIN_TTL=str(min_ttl),
               AWS_EC2_METADATA_DISABLED="true", XROLE_BENCH_FLOOR=floor_url)
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CONFIG_FILE",
              "AWS_SHARED_CREDENTIALS_FILE", "XDG_CACHE_HOME", "XROLE_CACHE"):
        env.pop(k, None)
    p = subprocess.Popen([XROLE, "exec", "app", "--", sys.executable, "-c", CHILD, str(flag),
                          str(wait_s + 5)], env=env, stdout=subprocess.PIPE, text=True)
    first = json.loads(p.stdout.readline())
    while not flag.exists():
        time.sleep(0.05)
    time.sleep(1)
    hz = os.sysconf("SC_CLK_TCK")
    before, woke = cpu_ticks(p.pid), wakeups(p.pid)
    time.sleep(wait_s)
    cpu_ms = (cpu_ticks(p.pid) - before) * 1000 / hz
    woke = wakeups(p.pid) - woke
    rss = rss_kib(p.pid)
    p.kill()
    p.wait()
    return first, cpu_ms, rss, woke


def main():
    work = Path(tempfile.mkdtemp(prefix="xrole-bench-endpoint-"))
    moto = Moto(work)
    floor, floor_url = start_floor(work)
    try:
        home = work / "home"
        (home / ".aws").mkdir(parents=True)
        (home / ".aws/config").write_text(CONFIG)
        (home / ".aws/credentials").write_text(KEYS)
        first, idle_cpu, idle_rss, idle_woke = run(home, moto, 300, 20, floor_url)     # no renewal in 20 s
        _, busy_cpu, busy_rss, _ = run(home, moto, 890, 31, floor_url)          # renewals at ~10, 20, 30 s
        renewals = 3
        per_refresh = (busy_cpu - idle_cpu * 31 / 20) / renewals
        print("| measure | p50 | p99 |")
        print("|---|---:|---:|")
        print(f"| raw GET to the endpoint (new connection each, 2,000) | {first['raw'][0]:.3f} ms | {first['raw'][1]:.3f} ms |")
        print(f"| raw GET to a minimal C server, in turns with it | {first['floor'][0]:.3f} ms | {first['floor'][1]:.3f} ms |")
        print(f"| ratio | {first['raw'][0] / first['floor'][0]:.2f}x | {first['raw'][1] / first['floor'][1]:.2f}x |")
        print(f"| botocore ContainerProvider through the endpoint | {first['boto'][0]:.2f} ms | {first['boto'][1]:.2f} ms |")
        print(f"| botocore EnvProvider (environment variables) | {first['env'][0]:.3f} ms | {first['env'][1]:.3f} ms |")
        print()
        print(f"- idle: {idle_cpu:.0f} ms of CPU in 20 s, {idle_woke} wake-ups of any thread in 20 s, {idle_rss / 1024:.1f} MiB resident")
        print(f"- renewing every ~10 s: {busy_cpu:.0f} ms of CPU in 31 s, about {max(per_refresh, 0):.0f} ms per renewal (AssumeRole from the cached source, cache write, lock), {busy_rss / 1024:.1f} MiB resident")
    finally:
        floor.kill()
        floor.wait()
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
