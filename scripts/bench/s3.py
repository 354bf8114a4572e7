#!/usr/bin/env python3
"""S3 listing benchmarks against moto, in one run: `xrole-tui s3 ls` beside `aws s3 ls` on the
same prefix (whole listing, and time until the first line is printed), with ListObjectsV2
requests counted by moto's recorder.

Needs: a release build, moto_server (with boto3), the AWS CLI, hyperfine.
Usage: scripts/bench/s3.py [KEYS]   (default 20000 keys in one prefix)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).parent))
from creds import Moto, XROLE  # noqa: E402


def first_line_ms(cmd, env):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdout.readline()
    first = (time.perf_counter() - start) * 1000
    p.stdout.read()
    p.wait()
    return first


def main(keys):
    work = Path(tempfile.mkdtemp(prefix="xrole-s3-"))
    moto = Moto(work)
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1",
                      aws_access_key_id="AKIASEED", aws_secret_access_key="s")
    s3.create_bucket(Bucket="bench")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket="bench", Key=f"big/obj-{i:07d}.txt", Body=b"x"), range(keys)))
    home = work / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/config").write_text("[profile base]\nregion = us-east-1\n"
                                      "[profile vendor]\nrole_arn = arn:aws:iam::444444444444:role/v\n"
                                      "source_profile = base\nregion = us-east-1\n")
    (home / ".aws/credentials").write_text("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n")
    env = dict(os.environ, HOME=str(home), AWS_ENDPOINT_URL=moto.url, AWS_DEFAULT_REGION="us-east-1",
               AWS_ACCESS_KEY_ID="AKIABASE", AWS_SECRET_ACCESS_KEY="b")
    xrole = [XROLE, "s3", "ls", "vendor", "s3://bench/big/"]
    aws = ["aws", "s3", "ls", "s3://bench/big/"]
    subprocess.run(xrole, env=env, check=True, stdout=subprocess.DEVNULL)  # warm the role cache
    for name, cmd in (("xrole-tui s3 ls", xrole), ("aws s3 ls", aws)):
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        print(f"{name}: {len(out.splitlines())} lines")
        firsts = sorted(first_line_ms(cmd, env) for _ in range(10))
        print(f"{name}: first line after {firsts[len(firsts) // 2]:.1f} ms (median of 10)")
    md = work / "s3.md"
    subprocess.run(["hyperfine", "-N", "--warmup", "2", "--runs", "10", "--export-markdown", str(md),
                    "-n", f"xrole-tui s3 ls ({keys} keys)", " ".join(xrole),
                    "-n", f"aws s3 ls ({keys} keys)", " ".join(aws)], env=env, check=True, stdout=subprocess.DEVNULL)
    print(md.read_text())
    moto.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("objects", type=int, nargs="?", default=20000, help="objects in the bucket (default 20000)")
    main(ap.parse_args().objects)
