#!/usr/bin/env python3
"""CPU use of the idle TUI with a countdown running: xrole-tui in a tmux pane against moto, a
role authenticated with `i` (so the identity bar counts down every second), then the process's
user + system CPU time over 60 seconds, read from /proc/PID/stat.

Needs: a release build, moto_server, tmux. Usage: scripts/bench/idle.py [SECONDS]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from creds import Moto, XROLE  # noqa: E402

CONFIG = """\
[profile base]
region = eu-west-1
[profile app]
role_arn = arn:aws:iam::222222222222:role/app
source_profile = base
region = eu-west-1
"""


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def main(seconds):
    work = Path(tempfile.mkdtemp(prefix="xrole-idle-"))
    moto = Moto(work)
    home = work / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/config").write_text(CONFIG)
    (home / ".aws/credentials").write_text("[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = s\n")
    sock = work / "tmux.sock"
    tmux = ["tmux", "-S", str(sock)]
    subprocess.run(tmux + ["-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "120", "-y", "40",
                           "-e", f"HOME={home}", "-e", f"AWS_ENDPOINT_URL={moto.url}",
                           f"{XROLE} --profile app; sleep 600"], check=True)

    def screen():
        return subprocess.run(tmux + ["capture-pane", "-p", "-t", "t"], capture_output=True, text=True).stdout

    def wait(text):
        for _ in range(600):
            if text in screen():
                return
            time.sleep(0.05)
        raise SystemExit(f"timed out waiting for {text!r}:\n{screen()}")

    wait("profiles (")
    subprocess.run(tmux + ["send-keys", "-t", "t", "i"], check=True)
    wait("⏱")
    pane = subprocess.run(tmux + ["display-message", "-p", "-t", "t", "#{pane_pid}"], capture_output=True, text=True).stdout.strip()
    pid = subprocess.run(["pgrep", "-P", pane, "xrole-tui"], capture_output=True, text=True).stdout.strip()
    hz = os.sysconf("SC_CLK_TCK")
    before, t0 = cpu_ticks(pid), time.monotonic()
    time.sleep(seconds)
    after, t1 = cpu_ticks(pid), time.monotonic()
    used = (after - before) / hz
    print(f"idle TUI with a countdown: {used:.3f} s CPU in {t1 - t0:.1f} s = {100 * used / (t1 - t0):.2f} % of one core")
    subprocess.run(tmux + ["kill-server"])
    moto.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seconds", type=float, nargs="?", default=60.0, help="how long to watch (default 60)")
    main(ap.parse_args().seconds)
