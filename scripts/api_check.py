#!/usr/bin/env python3
"""Schemathesis against the public API of a demo server.

Starts the server binary on a fresh demo database, signs in as the demo administrator, makes an
API key with every scope through the Settings > API server function (as a person would), and
runs schemathesis on /api/v1/openapi.json with that key. Fails on a server error, a status the
document does not list, or a response that breaks its schema.

    python3 scripts/api_check.py SERVER_BIN SITE_ROOT [MAX_EXAMPLES]
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ADMIN = "alex.morgan@harbour-lettings.example"
PASSWORD = "demo-password-2026"
SCOPES = ["contractors_read", "certification_read", "certification_write", "tasks_read",
          "tasks_write", "webhooks_manage"]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,ignored_auth"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base, server):
    for _ in range(120):
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("the server did not become ready in 60 s")


def make_key(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(endpoint, fields):
        request = urllib.request.Request(
            f"{base}/rpc/{endpoint}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Accept": "application/json", "Origin": base},
        )
        with opener.open(request, timeout=30) as response:
            return json.loads(response.read().decode())

    call("sign_in", {"email": ADMIN, "password": PASSWORD})
    fields = {"key[name]": "schemathesis"}
    fields.update({f"key[{s}]": "on" for s in SCOPES})
    return call("api_keys/create", fields)["key"]


def main():
    server_bin, site_root = sys.argv[1], sys.argv[2]
    max_examples = sys.argv[3] if len(sys.argv) > 3 else "30"
    schemathesis = os.environ.get("SCHEMATHESIS", "schemathesis")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, DATABASE_URL=f"sqlite://{data}/api.db", DATA_DIR=data,
                   DEMO_MODE="true", LISTEN_ADDR=f"127.0.0.1:{port}", PUBLIC_URL=base,
                   SITE_ROOT=site_root, RUST_LOG="warn",
                   # The fuzzer is one client making many requests a minute on purpose.
                   API_REQUESTS_PER_MINUTE="1000000")
        server = subprocess.Popen([server_bin, "serve"], env=env, stdout=subprocess.DEVNULL)
        try:
            wait_ready(base, server)
            key = make_key(base)
            command = [schemathesis, "run", f"{base}/api/v1/openapi.json",
                       "--header", f"Authorization: Bearer {key}",
                       "--checks", CHECKS, "--max-examples", max_examples, "--seed", "1",
                       "--no-color"]
            print("schemathesis run <server>/api/v1/openapi.json --header 'Authorization: Bearer <key>' "
                  f"--checks {CHECKS} --max-examples {max_examples} --seed 1", flush=True)
            # In the scratch folder: schemathesis keeps a cache where it runs.
            result = subprocess.run(command, capture_output=True, text=True, cwd=data)
            print(result.stdout[-6000:])
            if result.returncode == 0 and "Unresolvable references" in result.stdout:
                sys.exit("schemathesis could not resolve part of the document, so left it untested")
            if result.returncode != 0:
                print(result.stderr[-3000:], file=sys.stderr)
                sys.exit(f"schemathesis found problems (exit {result.returncode})")
            cases = re.search(r"(\d+) generated", result.stdout)
            print(f"schemathesis: no problems in {cases.group(1) if cases else '?'} generated cases")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
