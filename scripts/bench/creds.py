#!/usr/bin/env python3
"""Credential benchmarks against a local moto server, in one run:

1. STS requests per scenario (cold, warm, three roles on one MFA device) for xrole-tui, the AWS
   CLI (botocore with its ~/.aws/cli/cache) and awsume, counted by moto's request recorder.
2. Whole-process time to get a role's credentials, cold and warm, with hyperfine.

Needs: a release build of xrole-tui, moto_server, aws (the AWS CLI), awsumepy, hyperfine.
Usage: scripts/bench/creds.py  (prints Markdown tables)
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XROLE = str(ROOT / "target/release/xrole-tui")
CODE = "123456"
CONFIG = """\
[profile hub]
region = us-east-1
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = us-east-1
[profile prod]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = us-east-1
[profile ops]
role_arn = arn:aws:iam::444444444444:role/ops
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = us-east-1
"""
CREDENTIALS = "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = hub-secret\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    def __init__(self, workdir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, MOTO_RECORDER_FILEPATH=str(workdir / "recording"))
        self.proc = subprocess.Popen(
            [os.environ.get("MOTO_SERVER", "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/moto-api/")
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("moto did not start")

    def post(self, path):
        urllib.request.urlopen(urllib.request.Request(self.url + path, data=b"", method="POST"))

    def record(self):
        self.post("/moto-api/recorder/reset-recording")
        self.post("/moto-api/recorder/start-recording")

    def actions(self):
        out = []
        body = urllib.request.urlopen(self.url + "/moto-api/recorder/download-recording").read()
        for line in body.decode().splitlines():
            v = json.loads(line)
            b = v.get("body") or ""
            if v.get("body_encoded"):
                b = base64.b64decode(b).decode(errors="replace")
            for kv in b.split("&"):
                if kv.startswith("Action="):
                    out.append(kv[len("Action="):])
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def sts_counts(actions, minus_identity=0):
    gst = actions.count("GetSessionToken")
    ar = actions.count("AssumeRole")
    gci = actions.count("GetCallerIdentity") - minus_identity
    return gst + ar + gci, f"{gst} GetSessionToken + {ar} AssumeRole" + (f" + {gci} GetCallerIdentity" if gci else "")


def main():
    work = Path(tempfile.mkdtemp(prefix="xrole-bench-"))
    moto = Moto(work)
    home = work / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/config").write_text(CONFIG)
    (home / ".aws/credentials").write_text(CREDENTIALS)
    env = dict(os.environ, HOME=str(home), AWS_ENDPOINT_URL=moto.url, AWS_DEFAULT_REGION="us-east-1")
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
              "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "XDG_CACHE_HOME"):
        env.pop(k, None)

    def run(cmd, stdin=""):
        subprocess.run(cmd, input=stdin.encode(), env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def clear_caches():
        for d in (home / ".cache", home / ".aws/cli", home / ".awsume"):
            shutil.rmtree(d, ignore_errors=True)

    tools = {
        "xrole-tui": (lambda p: [XROLE, "env", p], 0),
        "AWS CLI (botocore, its file cache)": (lambda p: ["aws", "sts", "get-caller-identity", "--profile", p], 1),
        "awsume": (lambda p: ["awsumepy", p, "-s"], 0),
    }
    rows = []
    for name, (cmd, own_calls) in tools.items():
        clear_caches()
        moto.record()
        run(cmd("dev"), CODE + "\n")
        cold = sts_counts(moto.actions(), own_calls)
        moto.record()
        run(cmd("dev"), CODE + "\n")
        warm = sts_counts(moto.actions(), own_calls)
        clear_caches()
        moto.record()
        for p in ("dev", "prod", "ops"):
            run(cmd(p), CODE + "\n")
        three = sts_counts(moto.actions(), 3 * own_calls)
        rows.append((name, cold, warm, three))

    print("| tool | cold (one role) | warm (same role again) | three roles, one MFA device |")
    print("|---|---|---|---|")
    for name, cold, warm, three in rows:
        print(f"| {name} | {cold[0]}: {cold[1]} | {warm[0]}: {warm[1]} | {three[0]}: {three[1]} |")
    print()

    # Whole-process timings. Warm: caches filled first. Cold: caches removed before each run.
    botocore_warm = (
        "python3 -c \"import os, botocore.session; from botocore.credentials import JSONFileCache; "
        "s = botocore.session.Session(profile='dev'); "
        "s.get_component('credential_provider').get_provider('assume-role').cache = "
        "JSONFileCache(os.path.expanduser('~/.aws/cli/cache')); "
        "s.get_credentials().get_frozen_credentials()\"")
    botocore_cold = (
        "python3 -c \"import botocore.session; "
        "s = botocore.session.Session(profile='dev'); "
        "p = s.get_component('credential_provider').get_provider('assume-role'); "
        f"p._prompter = lambda _: '{CODE}'; "
        "s.get_credentials().get_frozen_credentials()\"")
    clear_caches()
    run([XROLE, "env", "dev"], CODE + "\n")
    run(["aws", "sts", "get-caller-identity", "--profile", "dev"], CODE + "\n")
    run(["awsumepy", "dev", "-s"], CODE + "\n")
    md = work / "creds.md"
    subprocess.run([
        "hyperfine", "-N", "--warmup", "3", "--runs", "30", "--export-markdown", str(md),
        "-n", "xrole-tui env dev (warm: cached role)", f"{XROLE} env dev",
        "-n", "botocore get_credentials (warm: JSONFileCache)", botocore_warm,
        "-n", "awsume dev (warm: cached MFA session, AssumeRole again)", "awsumepy dev -s",
    ], env=env, check=True, stdout=subprocess.DEVNULL)
    print(md.read_text())
    # Cold runs need the code on stdin for xrole-tui: through a shell, whose start hyperfine
    # measures and subtracts.
    subprocess.run([
        "hyperfine", "--warmup", "3", "--runs", "30", "--export-markdown", str(md),
        "-n", "xrole-tui --no-cache env dev (cold: MFA + role)", f"echo {CODE} | {XROLE} --no-cache env dev",
        "-n", "botocore get_credentials (cold: MFA + role)", botocore_cold,
        "-n", "awsume dev --refresh (cold: MFA + role)", f"awsumepy dev -s -r --mfa-token {CODE}",
    ], env=env, check=True, stdout=subprocess.DEVNULL)
    print(md.read_text())
    moto.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    sys.exit(main())
