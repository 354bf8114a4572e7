#!/usr/bin/env python3
"""The broker's costs at 100, 5,000 and 50,000 profiles, in one run against a local moto:

1. CPU of a warm `env` (the role's session in the cache) beside the CPU of `list --json` on the
   same files: reading the files is now the whole fixed cost of a warm call.
2. The TUI as a whole process in a pseudo-terminal: time to its first frame beside the wall
   time of `list --json`, and its resident memory before and after one authentication.
3. Peers measured in the same run on the same files: botocore as the AWS CLI uses it (the
   assume-role provider with its ~/.aws/cli/cache) getting the warm role's credentials, and
   awsume when it is installed.

Needs: a release build of xrole-tui, moto_server, botocore for python3; awsume is optional
(AWSUME=path/to/awsumepy). Usage: scripts/bench/broker.py  (prints a Markdown table)
"""
import argparse
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from creds import Moto  # noqa: E402
import gen_profiles  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
XROLE = str(ROOT / "target/release/xrole-tui")
RUNS = 15
TUI_RUNS = 5  # the TUI's first frame and memory: medians of this many whole runs
PLAIN = ("[profile bench-plain]\nrole_arn = arn:aws:iam::222222222222:role/plain\n"
         "source_profile = keys\nregion = eu-west-1\n")
KEYS = "[keys]\naws_access_key_id = AKIAKEYS000000000001\naws_secret_access_key = keys-secret\n"


def cpu_and_wall(cmd, env, stdin=b""):
    """Runs cmd once; returns (user+sys CPU seconds, wall seconds)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    p.stdin.write(stdin)
    p.stdin.close()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed")
    return ru.ru_utime + ru.ru_stime, wall


def median(cmd, env, i):
    return statistics.median(cpu_and_wall(cmd, env)[i] for _ in range(RUNS))


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tui(env):
    """First frame time, RSS after it, RSS after one authentication (i on bench-plain)."""
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execve(XROLE, [XROLE, "--profile", "bench-plain"], dict(env, TERM="xterm"))
    start = time.perf_counter()
    seen = b""

    def wait_for(text, limit=60):
        nonlocal seen
        end = time.perf_counter() + limit
        while text not in seen:
            r, _, _ = select.select([fd], [], [], max(0.0, end - time.perf_counter()))
            if not r:
                raise SystemExit(f"the TUI never showed {text!r}")
            seen += os.read(fd, 65536)
        return time.perf_counter() - start

    first = wait_for(b"profiles (")
    time.sleep(0.5)
    before = rss_kib(pid)
    seen = b""
    # The screen is drawn by difference, so words may arrive split: the cache entry written at
    # the end of the authentication says it is done.
    cache = Path(env["HOME"]) / ".cache/xrole-tui"
    shutil.rmtree(cache, ignore_errors=True)
    os.write(fd, b"i")
    end = time.perf_counter() + 60
    while not list(cache.glob("*.json")):
        if time.perf_counter() > end:
            raise SystemExit("the TUI never authenticated")
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            os.read(fd, 65536)
    time.sleep(0.5)
    while select.select([fd], [], [], 0)[0]:
        os.read(fd, 65536)
    after = rss_kib(pid)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return first, before, after


def main():
    work = Path(tempfile.mkdtemp(prefix="xrole-bench-broker-"))
    moto = Moto(work)
    awsume = os.environ.get("AWSUME") or shutil.which("awsumepy")
    rows = []
    try:
        for n in (100, 5000, 50000):
            home = work / f"home-{n}"
            gen_profiles.main(home / ".aws", accounts=max(1, (n - 10) // 4), chains=4)
            with open(home / ".aws/config", "a") as f:
                f.write(PLAIN)
            with open(home / ".aws/credentials", "a") as f:
                f.write(KEYS)
            env = dict(os.environ, HOME=str(home), AWS_ENDPOINT_URL=moto.url,
                       AWS_DEFAULT_REGION="eu-west-1", AWS_EC2_METADATA_DISABLED="true")
            for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CONFIG_FILE",
                      "AWS_SHARED_CREDENTIALS_FILE", "XDG_CACHE_HOME", "XROLE_CACHE"):
                env.pop(k, None)
            count = subprocess.run([XROLE, "list", "--json"], env=env, capture_output=True,
                                   check=True).stdout.count(b'"name"')
            list_cpu = median([XROLE, "list", "--json"], env, 0)
            list_wall = median([XROLE, "list", "--json"], env, 1)
            cpu_and_wall([XROLE, "env", "bench-plain"], env)  # fills the cache
            env_cpu = median([XROLE, "env", "bench-plain"], env, 0)
            # botocore as the AWS CLI uses it: the assume-role provider with its file cache.
            cli = [sys.executable, "-c",
                   "import os, botocore.session; from botocore.credentials import JSONFileCache; "
                   "s = botocore.session.Session(profile='bench-plain'); "
                   "s.get_component('credential_provider').get_provider('assume-role').cache = "
                   "JSONFileCache(os.path.expanduser('~/.aws/cli/cache')); "
                   "s.get_credentials().get_frozen_credentials()"]
            cpu_and_wall(cli, env)
            cli_cpu = median(cli, env, 0) if n <= 5000 else cpu_and_wall(cli, env)[0]
            aws_cpu = None
            if awsume:
                cmd = [awsume, "bench-plain", "-s"]
                cpu_and_wall(cmd, env)
                aws_cpu = median(cmd, env, 0) if n <= 5000 else cpu_and_wall(cmd, env)[0]
            runs = [tui(env) for _ in range(TUI_RUNS)]
            first, before, after = (statistics.median(r[k] for r in runs) for k in range(3))
            rows.append((count, list_cpu, env_cpu, cli_cpu, aws_cpu, list_wall, first, before, after))
    finally:
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("| profiles | `list --json` CPU | warm `env` CPU | ratio | botocore warm CPU | awsume warm CPU "
          "| `list --json` wall | TUI first frame | TUI RSS before → after one authentication |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count, lc, ec, cc, ac, lw, ff, b, a in rows:
        aw = f"{ac * 1000:.0f} ms" if ac is not None else "not installed"
        print(f"| {count:,} | {lc * 1000:.1f} ms | {ec * 1000:.1f} ms | {ec / lc:.2f}× | {cc * 1000:.0f} ms "
              f"| {aw} | {lw * 1000:.1f} ms | {ff * 1000:.0f} ms | {b / 1024:.1f} → {a / 1024:.1f} MiB "
              f"({(a - b) * 100 / b:+.0f} %) |")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
