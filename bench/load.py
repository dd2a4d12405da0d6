#!/usr/bin/env python3
"""Drives a running release server through the key routes with wrk and prints, per route,
throughput and latency at fixed concurrency beside the same server's /healthz.

Usage: load.py SEED_DIR BASE_URL ENGINE RESULT_JSON
Environment: DURATION (seconds per route, default 10), CONNECTIONS (default 16), THREADS (2),
ROUTES (words of route names to drive), MIXED (connection totals of the mixed runs, "16,64";
empty for none).

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
    status, body = post(opener, f"{base}/rpc/sign_in", {"email": email, "password": password})
    if status != 200 or not cookie_header(jar):
        sys.exit(f"sign-in as {email} failed: {status} {body[:200]}")
    return cookie_header(jar)


def api_key(base, cookie):
    """A key with the read scopes, made through Settings > API's server function."""
    fields = {"key[name]": "bench", "key[contractors_read]": "on", "key[tasks_read]": "on"}
    request = urllib.request.Request(
        f"{base}/rpc/api_keys/create", data=urllib.parse.urlencode(fields).encode(),
        headers={"Cookie": cookie, "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode())["key"]


def technician_session(base, link):
    jar, opener = session(base)
    with opener.open(f"{base}{link}", timeout=30) as response:
        response.read()
    status, body = post(opener, f"{base}/rpc/confirm_sign_in_link", {})
    if status != 200:
        sys.exit(f"technician link failed: {status} {body[:200]}")
    return cookie_header(jar)


def check(base, route):
    """One request in Python: the route must answer 200 with its expected text."""
    opener = urllib.request.build_opener(NoRedirect())
    target = route["target"].replace("{id}", route.get("check_id", ""))
    headers = {"Cookie": route.get("cookie", "")}
    if route.get("api_key"):
        headers["Authorization"] = f"Bearer {route['api_key']}"
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


def load(base, route, connections=None):
    return finish(route, start(base, route, connections or CONNECTIONS))


def start(base, route, connections):
    """Starts wrk on one route; `finish` reads its figures."""
    env = dict(os.environ)
    env.update(
        METHOD=route["method"],
        TARGET=route["target"],
        BODY=route.get("body", ""),
        COOKIE=route.get("cookie", ""),
        API_KEY=route.get("api_key", ""),
        IDS=route.get("ids", ""),
        IDS_SKIP_LAST="1" if route.get("ids") else "0",
        ACTIONS=route.get("actions", ""),
        # Pages and API reads carry their marker on every answer; a write's answer varies with
        # the action (its check above reads the first), so its status code decides.
        EXPECT=route["expect"] if route["kind"] in ("page", "api", "probe") else "",
        THREADS=str(THREADS),
    )
    if route["method"] == "GET":
        env.pop("BODY")
    threads = min(THREADS, connections)
    return subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",
            "-s",
            os.path.join(HERE, "wrk.lua"),
            base,
        ],
        env=dict(env, THREADS=str(threads)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(route, process):
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"wrk failed on {route['name']}: {stderr.strip()[:300]}")
    output = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
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
    key = api_key(base, agent)
    # Each id file is shared out: the routes one by one walk the first half, each mixed run a
    # part of the second, so every run's writes find their tasks and documents as seeded. The
    # check spends the last id of the first half; the load walks from the first.
    totals = [int(c) for c in os.environ.get("MIXED", "16,64").split(",") if c.strip()]
    for name in ("validate_ids", "status_ids"):
        ids = open(os.path.join(seed_dir, name)).read().split()
        half = len(ids) // 2
        parts = [ids[:half]]
        share = (len(ids) - half) // max(1, len(totals))
        parts += [ids[half + i * share:half + (i + 1) * share] for i in range(len(totals))]
        for suffix, part in zip(["first"] + [f"mixed{t}" for t in totals], parts):
            open(os.path.join(seed_dir, f"{name}.{suffix}"), "w").write("\n".join(part) + "\n")
    last = lambda name: open(os.path.join(seed_dir, name + ".first")).read().split()[-1]
    task = str(seed["task_id"])
    # Each agency's agent in turn (the seeder's sign_in_ids, form-encoded): sixteen parallel
    # sign-ins of one account would meet the password limiter, which counts before it checks.
    sign_in_body = "email={id}&" + urllib.parse.urlencode({"password": seed["password"]})
    routes = [
        dict(name="/healthz", kind="probe", method="GET", target="/healthz", expect="ok"),
        dict(name="sign-in page", kind="page", method="GET", target="/sign-in", expect="Password"),
        dict(name="sign in (password)", kind="action", method="POST",
             target="/rpc/sign_in", body=sign_in_body, ids=os.path.join(seed_dir, "sign_in_ids"),
             check_id=open(os.path.join(seed_dir, "sign_in_ids")).read().split()[-1],
             expect="/agent"),
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
        dict(name="certificates, Desk view", kind="page", method="GET",
             target="/desk/certificates", cookie=office, expect="Certificate type 0"),
        dict(name="task, Desk view", kind="page", method="GET", target=f"/desk/tasks/{task}",
             cookie=office, expect="Check 4"),
        dict(name="task, Tech view", kind="page", method="GET", target=f"/tech/tasks/{task}",
             cookie=technician, expect="Check 4"),
        dict(name="API: list contractors", kind="api", method="GET",
             target="/api/v1/contractors?limit=50", api_key=key, expect="next_cursor"),
        dict(name="API: list tasks", kind="api", method="GET",
             target="/api/v1/tasks?status=accepted&limit=50", api_key=key, expect="next_cursor"),
        dict(name="validate a certificate", kind="action", method="POST",
             target="/rpc/contractors/validate_document", body="document_id={id}",
             ids=os.path.join(seed_dir, "validate_ids.first"), check_id=last("validate_ids"),
             cookie=agent, expect="null"),
        dict(name="task status change", kind="action", method="POST", target="/rpc/tasks/act",
             body="task_id={id}&action={action}", actions="OnSite|RevisitRequired&reason=Part+on+order",
             ids=os.path.join(seed_dir, "status_ids.first"), check_id=last("status_ids"), cookie=office,
             expect="InProgress"),
        # On another task than the pages show: tens of thousands of messages would make that
        # task's page a different page by the mixed run.
        dict(name="message post", kind="action", method="POST", target="/rpc/tasks/message",
             body=f"task_id={last('status_ids')}&body=On+my+way%2C+about+ten+minutes", cookie=agent,
             expect=""),
    ]
    # ROUTES="validate,status,message" drives only the routes whose names contain one of the
    # words (and /healthz, which every ratio needs).
    wanted = [w.strip() for w in os.environ.get("ROUTES", "").split(",") if w.strip()]
    if wanted:
        routes = [r for r in routes if r["kind"] == "probe" or any(w in r["name"] for w in wanted)]
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
    mixed = {}
    for total in [int(c) for c in os.environ.get("MIXED", "16,64").split(",") if c.strip()]:
        mixed[str(total)] = mixed_run(base, routes, total, healthz_rps)
    json.dump({"engine": engine, "routes": results, "mixed": mixed}, open(result_path, "w"), indent=1)


def mixed_run(base, routes, total, healthz_rps):
    """Every page and write at once, `total` connections shared between them: what a busy
    hour looks like (reads queue behind writes, writes behind each other)."""
    driven = [r for r in routes if r["kind"] != "probe" and r["name"] != "sign in (password)"]
    per_route = max(1, total // len(driven))
    print(f"\nmixed: {per_route * len(driven)} connections at once ({per_route} per route), {DURATION} s")
    print(f"{'route':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x healthz':>10}")
    fresh = lambda r: dict(r, ids=r["ids"].replace(".first", f".mixed{total}")) if r.get("ids") else r
    running = [(route, start(base, fresh(route), per_route)) for route in driven]
    figures = []
    for route, process in running:
        f = finish(route, process)
        f.update(name=route["name"], kind=route["kind"])
        # What one request costs against /healthz alone: throughput here is shared.
        f["cost"] = healthz_rps / (f["rps"] * len(driven)) if f["rps"] else float("inf")
        figures.append(f)
        print(
            f"{route['name']:<28} {f['rps']:>8.0f} {f['p50_us'] / 1000:>8.1f} "
            f"{f['p99_us'] / 1000:>8.1f} {f['errors']:>7} {f['cost']:>9.1f}x",
            flush=True,
        )
    return figures


if __name__ == "__main__":
    main()
