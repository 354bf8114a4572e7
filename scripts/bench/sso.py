#!/usr/bin/env python3
"""Times `xrole-tui sso populate --sso-session bench` against a loopback portal of N accounts with
two roles each, every call answered after a fixed delay that stands for the network (default
30 ms, about a portal call from Europe to us-east-1). Prints the wall time of three runs.

usage: scripts/bench/sso.py [--accounts N] [--delay-ms D] [--binary PATH]
"""
import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def serve(accounts, delay):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_GET(self):
            time.sleep(delay)
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/assignment/accounts":
                start = int(q.get("next_token", "0"))
                page = [{"accountId": f"{100000000000 + i}", "accountName": f"acct-{i:04d}"}
                        for i in range(start, min(start + 100, accounts))]
                body = {"accountList": page}
                if start + 100 < accounts:
                    body["nextToken"] = str(start + 100)
            elif url.path == "/assignment/roles":
                body = {"roleList": [{"roleName": r, "accountId": q["account_id"]} for r in ("Admin", "ReadOnly")]}
            else:
                body = {}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--delay-ms", type=int, default=30)
    ap.add_argument("--binary", default="target/release/xrole-tui")
    a = ap.parse_args()
    server = serve(a.accounts, a.delay_ms / 1000)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(f"{d}/.aws/sso/cache")
        with open(f"{d}/.aws/config", "w") as f:
            f.write("[sso-session bench]\nsso_start_url = https://bench.example/start\nsso_region = us-east-1\n")
        import hashlib
        token = {"accessToken": "t", "expiresAt": "2099-01-01T00:00:00Z"}
        path = f"{d}/.aws/sso/cache/{hashlib.sha1(b'bench').hexdigest()}.json"
        with open(path, "w") as f:
            json.dump(token, f)
        os.chmod(path, 0o600)
        env = {"HOME": d, "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL_SSO": url}
        for _ in range(3):
            t = time.monotonic()
            out = subprocess.run([a.binary, "sso", "populate", "--sso-session", "bench"], env=env,
                                 capture_output=True, text=True)
            took = time.monotonic() - t
            last = (out.stdout.strip().splitlines() or [out.stderr.strip()])[-1]
            print(f"{a.accounts} accounts, {a.delay_ms} ms per call: {took:.2f} s  ({last[:80]})")
    server.shutdown()


if __name__ == "__main__":
    main()
