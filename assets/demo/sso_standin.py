#!/usr/bin/env python3
"""The demo's IAM Identity Center: SSO-OIDC and the portal on one loopback port, in front of moto.

Any sign-in is approved at once: the device code on its first poll, the browser's /authorize
page by sending it straight back with a code. The portal assigns the vendor's Engineer role in
account 555555555555 and hands out credentials that moto mints for it (AssumeRole), so that the
README's third workflow (`xrole-tui sso login vendor-sso`, then the company's role from it)
runs as written.

It follows the documented REST contracts of the calls xrole-tui and the AWS CLI make:
RegisterClient, StartDeviceAuthorization, CreateToken (device code, authorization code and
refresh token grants), GET /authorize, GetRoleCredentials, ListAccounts, ListAccountRoles and
Logout. Nothing is checked beyond what a demo needs.

Usage: sso_standin.py MOTO_ENDPOINT PORT_FILE   (serves until it is ended; writes its port to
PORT_FILE once it listens)
"""
import itertools
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import boto3

VENDOR = "555555555555"
ASSIGNED = {VENDOR: ("Vendor", ["Engineer"])}
counter = itertools.count(1)


def minted(endpoint, account, role):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="eu-west-1",
                       aws_access_key_id="AKIASEEDING000000001", aws_secret_access_key="seeding")
    sts.meta.events.register("before-send", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="vendor@example.com")["Credentials"]
    return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]


def handler(endpoint, port):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def answer(self, status, body=None, error=None, location=None):
            data = json.dumps(body if body is not None else {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if error:
                self.send_header("x-amzn-ErrorType", error)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def token(self):
            n = next(counter)
            return {"accessToken": f"demo-access-{n}", "tokenType": "Bearer",
                    "expiresIn": 8 * 3600, "refreshToken": f"demo-refresh-{n}"}

        def do_POST(self):
            path = urlparse(self.path).path
            body = self.body()
            if path == "/client/register":
                n = next(counter)
                return self.answer(200, {"clientId": f"demo-client-{n}", "clientSecret": f"demo-secret-{n}",
                                         "clientIdIssuedAt": int(time.time()),
                                         "clientSecretExpiresAt": int(time.time()) + 90 * 86400})
            if path == "/device_authorization":
                page = f"http://127.0.0.1:{port}/device"
                return self.answer(200, {"deviceCode": f"demo-device-{next(counter)}", "userCode": "DEMO-0000",
                                         "verificationUri": page, "verificationUriComplete": page + "?user_code=DEMO-0000",
                                         "expiresIn": 600, "interval": 1})
            if path == "/token":
                return self.answer(200, self.token())
            if path == "/logout":
                return self.answer(200)
            return self.answer(400, {"message": "not a call of the demo"}, "ValidationException")

        def do_GET(self):
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                back = q.get("redirect_uri", "")
                if not back.startswith("http://127.0.0.1:"):
                    return self.answer(400, {"message": "redirect_uri must be a loopback address"}, "ValidationException")
                return self.answer(302, location=f"{back}?{urlencode({'code': f'demo-code-{next(counter)}', 'state': q.get('state', '')})}")
            if url.path == "/device":
                page = b"<!doctype html><title>demo sign-in</title><h1>Approved</h1><p>Go back to the terminal.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                return self.wfile.write(page)
            if url.path == "/assignment/accounts":
                return self.answer(200, {"accountList": [{"accountId": a, "accountName": n, "emailAddress": "vendor@example.com"}
                                                         for a, (n, _) in ASSIGNED.items()]})
            if url.path == "/assignment/roles":
                account = q.get("account_id", "")
                roles = ASSIGNED.get(account, ("", []))[1]
                return self.answer(200, {"roleList": [{"roleName": r, "accountId": account} for r in roles]})
            if url.path == "/federation/credentials":
                account, role = q.get("account_id", ""), q.get("role_name", "")
                if role not in ASSIGNED.get(account, ("", []))[1]:
                    return self.answer(403, {"message": "No access"}, "ForbiddenException")
                key, secret, token = minted(endpoint, account, role)
                return self.answer(200, {"roleCredentials": {"accessKeyId": key, "secretAccessKey": secret,
                                                             "sessionToken": token,
                                                             "expiration": int((time.time() + 3600) * 1000)}})
            return self.answer(400, {"message": "not a call of the demo"}, "ValidationException")

    return Handler


def main(endpoint, port_file):
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    port = server.server_address[1]
    server.RequestHandlerClass = handler(endpoint, port)
    with open(port_file, "w") as f:
        f.write(str(port))
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
