#!/usr/bin/env python3
"""Seeds a moto server with the demo world and writes the AWS config that uses it.

Accounts:
  111111111111 hub:      IAM user alice (access key + virtual MFA device)
  222222222222 dev:      role admin (trusts the hub, MFA)
  333333333333 prod:     role admin (MFA, marked prod) and role readonly (chained from prod, as in the README)
  444444444444 company:  role VendorAccessRole (s3:ListBucket / s3:GetObject on company-shared)
                         and the bucket company-shared with sample files
  555555555555 vendor:   IAM user vendor-bot, whose keys assume VendorAccessRole, and the role
                         Engineer that the vendor's IAM Identity Center hands out
                         (assets/demo/sso_standin.py), which assumes VendorAccessRole too

Usage: world.py ENDPOINT_URL OUT_DIR   (writes OUT_DIR/config and OUT_DIR/credentials)
moto accepts any 6-digit MFA code.
"""
import json
import sys
from pathlib import Path

import boto3

HUB, DEV, PROD, COMPANY, VENDOR = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"


def client(service, endpoint, account):
    c = boto3.client(service, endpoint_url=endpoint, region_name="eu-west-1",
                     aws_access_key_id="AKIASEEDING000000001", aws_secret_access_key="seeding")

    def to_account(request, **_):
        request.headers["x-moto-account-id"] = account

    c.meta.events.register("before-send", to_account)
    return c


def trust(principal_account):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{principal_account}:root"},
        "Action": "sts:AssumeRole"}]})


def role(endpoint, account, name, principal_account, policy=None):
    iam = client("iam", endpoint, account)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal_account))
    if policy:
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}-access", PolicyDocument=json.dumps(policy))


def user_keys(endpoint, account, name):
    iam = client("iam", endpoint, account)
    iam.create_user(UserName=name)
    # Users may assume roles (what moto checks when its IAM authorisation is switched on).
    iam.put_user_policy(UserName=name, PolicyName="assume-roles", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:GetSessionToken", "sts:GetCallerIdentity"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


SAMPLES = {
    "README.txt": "Shared files for our partners.\nReports are under reports/, data under data/.\n",
    "reports/2026/q1/summary.txt": "Q1 summary: revenue up 12%, churn down 2 points.\n",
    "reports/2026/q2/summary.txt": "Q2 summary: two new regions opened.\n",
    "reports/2026/q3/summary.txt": "Q3 summary: partner programme launched.\n",
    "data/customers.csv": "id,name,country\n1,Acme,DE\n2,Globex,US\n3,Initech,FR\n",
    "data/orders.json": json.dumps([{"id": i, "customer": 1 + i % 3, "total": 100 + i} for i in range(20)], indent=2),
    "images/logo.png": bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + bytes(range(256)) * 4,
}


def main(endpoint, out):
    alice_id, alice_secret = user_keys(endpoint, HUB, "alice")
    client("iam", endpoint, HUB).create_virtual_mfa_device(VirtualMFADeviceName="alice")
    vendor_id, vendor_secret = user_keys(endpoint, VENDOR, "vendor-bot")
    role(endpoint, DEV, "admin", HUB, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    role(endpoint, PROD, "admin", HUB, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    role(endpoint, PROD, "readonly", PROD)
    role(endpoint, VENDOR, "Engineer", VENDOR)
    role(endpoint, COMPANY, "VendorAccessRole", VENDOR, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::company-shared"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::company-shared/*"}]})
    s3 = client("s3", endpoint, COMPANY)
    s3.create_bucket(Bucket="company-shared", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    for key, body in SAMPLES.items():
        s3.put_object(Bucket="company-shared", Key=key, Body=body.encode() if isinstance(body, str) else body)
    for i in range(200):
        s3.put_object(Bucket="company-shared", Key=f"logs/2026/11/{i:03d}.log", Body=f"line {i}\n".encode())
    # A bucket of the company's that the vendor role has no right to on AWS. moto does not
    # enforce IAM policies by default, so in the demo the vendor can read it all the same.
    s3.create_bucket(Bucket="company-private", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="company-private", Key="salaries.csv", Body=b"secret\n")

    out.mkdir(parents=True, exist_ok=True)
    (out / "config").write_text(f"""\
[default]
region = eu-west-1

[profile hub]
region = eu-west-1
mfa_serial = arn:aws:iam::{HUB}:mfa/alice
xrole_account_name = Hub

[profile dev]
role_arn = arn:aws:iam::{DEV}:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::{HUB}:mfa/alice
region = eu-west-1
xrole_account_name = Development

[profile prod]
role_arn = arn:aws:iam::{PROD}:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::{HUB}:mfa/alice
region = eu-west-1
xrole_account_name = Production
xrole_env = prod

[profile prod-readonly]
role_arn = arn:aws:iam::{PROD}:role/readonly
source_profile = prod
region = eu-west-1
xrole_account_name = Production

[profile vendor]
role_arn = arn:aws:iam::{COMPANY}:role/VendorAccessRole
source_profile = vendor-bot
region = eu-west-1
xrole_account_name = Company (shared bucket)
xrole_buckets = company-shared, company-shared/reports/

[profile vendor-bot]
region = eu-west-1
xrole_account_name = Vendor

[sso-session vendor]
sso_start_url = https://vendor.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile vendor-sso]
sso_session = vendor
sso_account_id = {VENDOR}
sso_role_name = Engineer
region = eu-west-1
xrole_account_name = Vendor

[profile company-bucket]
role_arn = arn:aws:iam::{COMPANY}:role/VendorAccessRole
source_profile = vendor-sso
region = eu-west-1
xrole_account_name = Company (shared bucket)
xrole_buckets = company-shared/reports
""")
    creds = out / "credentials"
    creds.write_text(f"[hub]\naws_access_key_id = {alice_id}\naws_secret_access_key = {alice_secret}\n\n"
                     f"[vendor-bot]\naws_access_key_id = {vendor_id}\naws_secret_access_key = {vendor_secret}\n")
    creds.chmod(0o600)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
