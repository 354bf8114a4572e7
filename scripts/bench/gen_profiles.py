#!/usr/bin/env python3
"""Writes DIR/config and DIR/credentials with the shape of benches/profiles.rs:
1,250 accounts x 4 roles from one MFA hub user, plus 4 chains three roles deep (5,010 profiles)."""
import argparse
import sys
from pathlib import Path

ROLES = ["admin", "developer", "readonly", "deploy"]


def main(out: Path, accounts: int = 1250, chains: int = 4) -> None:
    lines = ["[default]\nregion = eu-west-1\n\n[profile hub]\nregion = eu-west-1\n"
             "mfa_serial = arn:aws:iam::100000000000:mfa/alice\n\n"]
    for a in range(accounts):
        account = 200_000_000_000 + a
        for role in ROLES:
            lines.append(
                f"[profile acct{a}-{role}]\nrole_arn = arn:aws:iam::{account}:role/{role}\n"
                "source_profile = hub\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\n"
                f"region = eu-west-1\nxrole_account_name = account-{a}\n\n")
    for c in range(chains):
        lines.append(
            f"[profile chain{c}-a]\nrole_arn = arn:aws:iam::300000000000:role/a\n"
            f"source_profile = acct{c}-admin\n\n[profile chain{c}-b]\n"
            f"role_arn = arn:aws:iam::300000000001:role/b\nsource_profile = chain{c}-a\n\n")
    out.mkdir(parents=True, exist_ok=True)
    (out / "config").write_text("".join(lines))
    (out / "credentials").write_text(
        "[hub]\naws_access_key_id = AKIAEXAMPLEHUB000001\naws_secret_access_key = bench-secret\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", type=Path, help="where config and credentials are written (made if missing)")
    ap.add_argument("--accounts", type=int, default=1250, help="accounts, 4 roles each (default 1250)")
    ap.add_argument("--chains", type=int, default=4, help="chains three roles deep (default 4)")
    args = ap.parse_args()
    main(args.dir, args.accounts, args.chains)
