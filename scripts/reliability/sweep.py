#!/usr/bin/env python3
"""Throws generated hostile inputs at the release binary and checks how each run ends.

Inputs: random bytes, mutated config files (broken brackets, NUL bytes, duplicate sections,
megabyte lines, long and looping chains, bidi and control characters in names), special files
in place of the AWS files and of the CA bundle, and bad values in every environment variable
the tool reads. Commands: `list`, `list --json`, `env`, `whoami`, `credential-process`, against
a closed loopback port (no call can succeed, none may hang).

Each run must: end within 20 s; exit 0, 1, 2 or 3 (never a panic's 101 or a signal); print no
panic, no Rust debug dump and never the secret canary; and no run may reach 512 MiB. Prints a summary
(the README's "Reliability" figures) and exits 1 on any violation.

Usage: cargo build --release && scripts/reliability/sweep.py [--seed N] [--count N]
"""
import argparse
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XROLE = str(ROOT / "target/release/xrole-tui")
CANARY = "SECRETCANARY0123456789abcdefABCDEF"  # in the config file
CANARY2 = "SECRETCANARYCREDENTIALS0123456789"  # in the credentials file
LIMIT_S = 20
LIMIT_RSS_KIB = 512 * 1024
DEBUG_DUMPS = ("DispatchFailure(", "ConnectorError {", "source: Some(", "{ kind:", "panicked at")

TEMPLATE = f"""[default]
region = eu-west-1
[profile hub]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
xrole_account_name = Development
xrole_buckets = shared, logs/2026
[profile sso]
sso_session = corp
sso_account_id = 555555555555
sso_role_name = Vendor
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
[profile proc]
credential_process = echo not-json
[profile static]
aws_access_key_id = AKIASTATIC0000000001
aws_secret_access_key = {CANARY}
"""
CREDENTIALS = f"[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = {CANARY2}\n"
PROFILES = ["dev", "hub", "sso", "proc", "static", "default", "nope", "p0", "evil\u202e"]
ENV_VARS = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
            "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_CA_BUNDLE",
            "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "XROLE_CONNECT_TIMEOUT", "XROLE_ATTEMPT_TIMEOUT", "XROLE_CALL_TIMEOUT",
            "XROLE_MFA_PROCESS_TIMEOUT", "XROLE_CREDENTIAL_PROCESS_TIMEOUT", "AWS_PROFILE",
            "HTTPS_PROXY", "XDG_CACHE_HOME", "AWS_EC2_METADATA_DISABLED"]
BAD_VALUES = ["", " ", "-1", "0", "99999999999999999999", "true\n", "a\u202eb", "\x1b[31m",
              "http://", "http://[::1", "/dev/zero", "/dev/null", "/nonexistent", "ÿ" * 300,
              "x" * 10000, "eu-west-1.evil.test", "1e3", "NaN", "inf", "0.0000001"]


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def mutate(rng, text):
    b = bytearray(text.encode())
    for _ in range(rng.randint(1, 12)):
        op = rng.randrange(8)
        at = rng.randrange(len(b) + 1)
        if op == 0:
            b[at:at] = bytes([rng.randrange(256)])
        elif op == 1 and b:
            del b[min(at, len(b) - 1)]
        elif op == 2:
            b[at:at] = rng.choice([b"[", b"]", b"=", b"\n", b"\0", b"\r", b" = ", b"[profile "])
        elif op == 3:
            b[at:at] = "\u202e\u0085\x1b]0;x\x07".encode()
        elif op == 4:
            b[at:at] = b"\n[profile dev]\nregion = us-east-1\n"
        elif op == 5:
            b[at:at] = b"\n  nested = " + b"v" * rng.choice([10, 5000, 1 << 20])
        elif op == 6:
            b[at:at] = f"\n[profile p{rng.randrange(5)}]\nsource_profile = p{rng.randrange(5)}\nrole_arn = arn:aws:iam::222222222222:role/r\n".encode()
        else:
            b[at:at] = b"\xff\xfe\xc0\x80"
    return bytes(b)


def chains(rng):
    n = rng.choice([33, 64, 200])
    lines = ["[profile p0]\naws_access_key_id = AKIA0\naws_secret_access_key = " + CANARY + "\n"]
    for i in range(1, n):
        lines.append(f"[profile p{i}]\nrole_arn = arn:aws:iam::222222222222:role/r{i}\n"
                     f"source_profile = p{i - 1 if rng.random() < 0.9 else rng.randrange(n)}\n")
    return "".join(lines).encode()


def declared_secret(canary, config, creds, env):
    """True when the files still declare `canary` as a secret, on a line of its own: a
    mutation can move it into another value (a continuation line of `region`), and printing
    that value is not a leak."""
    line = f"aws_secret_access_key = {canary}".encode()
    files = [Path(env.get("AWS_CONFIG_FILE", config)), Path(env.get("AWS_SHARED_CREDENTIALS_FILE", creds))]
    for f in files:
        try:
            if f.is_file() and line in f.read_bytes().splitlines():
                return True
        except OSError:
            pass
    return False


def run(cmd, env, stdin=subprocess.DEVNULL):
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        p.communicate()
        return None, b"", b"", LIMIT_S
    return p.returncode, out, err, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--count", type=int, default=400)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="xrole-sweep-"))
    port = closed_port()
    failures, runs, kinds = [], 0, {}
    try:
        fifo = work / "fifo"
        os.mkfifo(fifo)
        for i in range(args.count):
            home = work / f"h{i}"
            (home / ".aws").mkdir(parents=True)
            config, creds = home / ".aws/config", home / ".aws/credentials"
            kind = rng.choice(["random", "mutated", "mutated", "mutated", "chains", "special",
                               "env"])
            kinds[kind] = kinds.get(kind, 0) + 1
            env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""),
                   "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "XROLE_CALL_TIMEOUT": "3",
                   "AWS_EC2_METADATA_DISABLED": "true"}
            creds.write_text(CREDENTIALS)
            if kind == "random":
                config.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(65536))))
            elif kind == "mutated":
                config.write_bytes(mutate(rng, TEMPLATE))
            elif kind == "chains":
                config.write_bytes(chains(rng))
            elif kind == "special":
                config.write_text(TEMPLATE)
                special = rng.choice([str(fifo), "/dev/zero", "/dev/null", str(work), "/dev/tty"])
                env[rng.choice(["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                                "AWS_CA_BUNDLE"])] = special
            else:
                config.write_text(TEMPLATE)
                for _ in range(rng.randint(1, 4)):
                    env[rng.choice(ENV_VARS)] = rng.choice(BAD_VALUES).replace("\0", "")
            profile = rng.choice(PROFILES)
            for cmd in (["list", "--json"], ["list"], ["env", profile], ["whoami", profile],
                        ["credential-process", profile]):
                runs += 1
                code, out, err, _ = run([XROLE, *cmd], env)
                text = (out + err).decode("utf-8", "replace")
                problem = None
                if code is None:
                    problem = f"still running after {LIMIT_S} s"
                elif code not in (0, 1, 2, 3):
                    problem = f"exit {code}"
                elif any(c in text and declared_secret(c, config, creds, env)
                         for c in (CANARY, CANARY2)):
                    problem = "a secret canary was printed"
                elif any(d in text for d in DEBUG_DUMPS):
                    problem = "a panic or a debug dump: " + err.decode("utf-8", "replace")[:300]
                if problem:
                    keep = work.parent / f"xrole-sweep-failure-{i}"
                    shutil.copytree(home, keep, dirs_exist_ok=True)
                    failures.append(f"input {i} ({kind}) {cmd}: {problem} (files kept in {keep})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"inputs: {args.count} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
          f"runs: {runs}; seed {args.seed}")
    # The children's peak: the largest resident size any one run reached.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"largest resident size of any run: {peak // 1024} MiB")
    if peak > LIMIT_RSS_KIB:
        failures.append(f"a run reached {peak // 1024} MiB resident")
    print(f"violations: {len(failures)}")
    for f in failures[:20]:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
