#!/usr/bin/env python3
"""The credential endpoint of `exec`, against a local moto:

1. One credential request: a raw GET to the endpoint (p50/p99 of 1,000), and botocore's
   container provider loading credentials through it (what the AWS CLI does at start), beside
   botocore reading the same kind of credentials from environment variables.
2. A refresh: CPU of the serving process over a window with renewals every ~10 s
   (XROLE_MIN_TTL=890 on a 900 s role) against the same window idle, per renewal.
3. Idle: the serving process's resident memory and CPU over 20 s while the child sleeps.

Needs: a release build, moto_server, botocore for python3.
Usage: scripts/bench/endpoint.py  (prints Markdown)
"""
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
raw = []
for _ in range(1000):
    t = time.perf_counter()
    c = http.client.HTTPConnection(url.hostname, url.port)
    c.request("GET", url.path, headers={"Authorization": token})
    body = c.getresponse().read()
    raw.append(time.perf_counter() - t)
    c.close()
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
print(json.dumps({"raw": [q(raw, .5), q(raw, .99)], "boto": [q(boto, .5), q(boto, .99)],
                  "env": [q(envp, .5), q(envp, .99)]}), flush=True)
open(sys.argv[1], "w").write("done")
time.sleep(float(sys.argv[2]))
'''


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(home, moto, min_ttl, wait_s):
    flag = home / f"flag-{min_ttl}"
    env = dict(os.environ, HOME=str(home), AWS_ENDPOINT_URL=moto.url, XROLE_MIN_TTL=str(min_ttl),
               AWS_EC2_METADATA_DISABLED="true")
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
    before = cpu_ticks(p.pid)
    time.sleep(wait_s)
    cpu_ms = (cpu_ticks(p.pid) - before) * 1000 / hz
    rss = rss_kib(p.pid)
    p.kill()
    p.wait()
    return first, cpu_ms, rss


def main():
    work = Path(tempfile.mkdtemp(prefix="xrole-bench-endpoint-"))
    moto = Moto(work)
    try:
        home = work / "home"
        (home / ".aws").mkdir(parents=True)
        (home / ".aws/config").write_text(CONFIG)
        (home / ".aws/credentials").write_text(KEYS)
        first, idle_cpu, idle_rss = run(home, moto, 300, 20)     # no renewal in 20 s
        _, busy_cpu, busy_rss = run(home, moto, 890, 31)          # renewals at ~10, 20, 30 s
        renewals = 3
        per_refresh = (busy_cpu - idle_cpu * 31 / 20) / renewals
        print("| measure | p50 | p99 |")
        print("|---|---:|---:|")
        print(f"| raw GET to the endpoint (new connection each) | {first['raw'][0]:.2f} ms | {first['raw'][1]:.2f} ms |")
        print(f"| botocore ContainerProvider through the endpoint | {first['boto'][0]:.2f} ms | {first['boto'][1]:.2f} ms |")
        print(f"| botocore EnvProvider (environment variables) | {first['env'][0]:.3f} ms | {first['env'][1]:.3f} ms |")
        print()
        print(f"- idle: {idle_cpu:.0f} ms of CPU in 20 s, {idle_rss / 1024:.1f} MiB resident")
        print(f"- renewing every ~10 s: {busy_cpu:.0f} ms of CPU in 31 s, about {max(per_refresh, 0):.0f} ms per renewal (AssumeRole from the cached source, cache write, lock), {busy_rss / 1024:.1f} MiB resident")
    finally:
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
