#!/usr/bin/env python3
"""Drives a running release server through the key routes with wrk and prints, per route,
throughput and latency at fixed concurrency beside the same server's /healthz.

Usage: load.py SEED_DIR BASE_URL ENGINE RESULT_JSON
Environment: DURATION (seconds per route, default 10), CONNECTIONS (default 16), THREADS (2).

Before loading a route it is asked once with Python and must answer 200 with the text expected
of it, so a route that silently redirects to the sign-in page cannot pass as fast.
"""

import gzip
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DURATION = int(os.environ.get("DURATION", "10"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "16"))
THREADS = int(os.environ.get("THREADS", "2"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    return jar, opener


def cookie_header(jar):
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def post(opener, url, fields):
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})
    with opener.open(request, timeout=30) as response:
        return response.status, response.read().decode()


def sign_in(base, email, password):
    jar, opener = session(base)
    status, body = post(opener, f"{base}/api/sign_in", {"email": email, "password": password})
    if status != 200 or not cookie_header(jar):
        sys.exit(f"sign-in as {email} failed: {status} {body[:200]}")
    return cookie_header(jar)


def technician_session(base, link):
    jar, opener = session(base)
    with opener.open(f"{base}{link}", timeout=30) as response:
        response.read()
    status, body = post(opener, f"{base}/api/confirm_sign_in_link", {})
    if status != 200:
        sys.exit(f"technician link failed: {status} {body[:200]}")
    return cookie_header(jar)


def check(base, route):
    """One request in Python: the route must answer 200 with its expected text."""
    opener = urllib.request.build_opener(NoRedirect())
    target = route["target"].replace("{id}", route.get("check_id", ""))
    headers = {"Cookie": route.get("cookie", "")}
    data = None
    if route["method"] == "POST":
        body = route["body"].replace("{id}", route.get("check_id", ""))
        body = body.replace("{action}", route.get("actions", "").split("|")[0])
        data = body.encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Accept"] = "application/json"
    request = urllib.request.Request(base + target, data=data, headers=headers)
    try:
        with opener.open(request, timeout=30) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode(errors="replace")
    if status != 200 or route["expect"] not in body:
        sys.exit(
            f"{route['name']}: {route['method']} {target} answered {status} without "
            f"{route['expect']!r}: {body[:300]}"
        )


def page_weight(base, route):
    """The JS and WASM a page makes the browser fetch before it is interactive: every /pkg/ script,
    module or WASM the HTML names (the main module and the route's chunks), gzip -9 bytes."""
    request = urllib.request.Request(base + route["target"], headers={"Cookie": route.get("cookie", "")})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode()
    files = sorted(set(re.findall(r'(/pkg/[^"\'\s]+\.(?:js|wasm))', html)))
    total = 0
    for path in files:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            total += len(gzip.compress(response.read(), 9))
    return total, files


def load(base, route):
    env = dict(os.environ)
    env.update(
        METHOD=route["method"],
        TARGET=route["target"],
        BODY=route.get("body", ""),
        COOKIE=route.get("cookie", ""),
        IDS=route.get("ids", ""),
        IDS_SKIP_LAST="1" if route.get("ids") else "0",
        ACTIONS=route.get("actions", ""),
        THREADS=str(THREADS),
    )
    if route["method"] == "GET":
        env.pop("BODY")
    output = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",
            "-s",
            os.path.join(HERE, "wrk.lua"),
            base,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = [l for l in output.stdout.splitlines() if l.startswith("{")][-1]
    figures = json.loads(line)
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = figures["bad_status"] + figures["socket_errors"]
    if output.stderr.strip():
        print(f"    {route['name']}: {output.stderr.strip()[:300]}", file=sys.stderr)
    return figures


def main():
    seed_dir, base, engine, result_path = sys.argv[1:5]
    seed = json.load(open(os.path.join(seed_dir, "seed.json")))
    agent = sign_in(base, seed["agent_email"], seed["password"])
    office = sign_in(base, seed["office_email"], seed["password"])
    technician = technician_session(base, seed["technician_link"])
    # The check spends the last id of a file; the load walks from the first.
    last = lambda name: open(os.path.join(seed_dir, name)).read().split()[-1]
    task = str(seed["task_id"])
    sign_in_body = urllib.parse.urlencode(
        {"email": seed["agent_email"], "password": seed["password"]}
    )
    routes = [
        dict(name="/healthz", kind="probe", method="GET", target="/healthz", expect="ok"),
        dict(name="sign-in page", kind="page", method="GET", target="/sign-in", expect="Password"),
        dict(name="sign in (password)", kind="action", method="POST",
             target="/api/sign_in", body=sign_in_body, expect="/agent"),
        dict(name="contractor list", kind="page", method="GET", target="/agent/contractors",
             cookie=agent, expect="Contractor 0-0000"),
        dict(name="compliance matrix", kind="page", method="GET",
             target="/agent/certification", cookie=agent, expect="Certificate type 0"),
        dict(name="task dashboard, filtered", kind="page", method="GET",
             target="/agent/tasks?status=accepted&q=boiler", cookie=agent,
             expect="Service the boiler"),
        dict(name="Desk dashboard, filtered", kind="page", method="GET",
             target="/desk?status=accepted&q=boiler+1", cookie=office,
             expect="Service the boiler 1"),
        dict(name="task, Desk view", kind="page", method="GET", target=f"/desk/tasks/{task}",
             cookie=office, expect="Check 4"),
        dict(name="task, Tech view", kind="page", method="GET", target=f"/tech/tasks/{task}",
             cookie=technician, expect="Check 4"),
        dict(name="validate a certificate", kind="action", method="POST",
             target="/api/contractors/validate_document", body="document_id={id}",
             ids=os.path.join(seed_dir, "validate_ids"), check_id=last("validate_ids"),
             cookie=agent, expect="null"),
        dict(name="task status change", kind="action", method="POST", target="/api/tasks/act",
             body="task_id={id}&action={action}", actions="OnSite|RevisitRequired&reason=Part+on+order",
             ids=os.path.join(seed_dir, "status_ids"), check_id=last("status_ids"), cookie=office,
             expect="InProgress"),
        dict(name="message post", kind="action", method="POST", target="/api/tasks/message",
             body=f"task_id={task}&body=On+my+way%2C+about+ten+minutes", cookie=agent,
             expect=""),
    ]
    results = []
    print(f"\n{engine}: {CONNECTIONS} connections, {THREADS} wrk threads, {DURATION} s per route")
    print(f"{'route':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x healthz':>10}")
    healthz_rps = None
    for route in routes:
        check(base, route)
        figures = load(base, route)
        if healthz_rps is None:
            healthz_rps = figures["rps"]
        figures.update(name=route["name"], kind=route["kind"])
        if route["kind"] == "page":
            figures["bundle_bytes"], figures["bundle_files"] = page_weight(base, route)
        figures["cost"] = healthz_rps / figures["rps"] if figures["rps"] else float("inf")
        results.append(figures)
        print(
            f"{route['name']:<28} {figures['rps']:>8.0f} {figures['p50_us'] / 1000:>8.1f} "
            f"{figures['p99_us'] / 1000:>8.1f} {figures['errors']:>7} {figures['cost']:>9.1f}x",
            flush=True,
        )
    json.dump({"engine": engine, "routes": results}, open(result_path, "w"), indent=1)


if __name__ == "__main__":
    main()
