#!/usr/bin/env python3
"""Server CPU per request of one page, asked COUNT times one after another by the right person
of the load seed: the server process's user + system time (from /proc) over the run, divided by
the count, beside /healthz's asked the same way. With PERF=1 the run is also recorded with `perf record` (call
graphs) into WORK/perf.data for `perf report`.

Usage: page_cost.py SEED_DIR BASE_URL SERVER_PID PATH [COUNT]
The person: /desk → the contractor's office, /tech → a technician, anything else → the agent.
"""

import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (the load benchmark's sign-in helpers)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def ask(base, path, cookie, count):
    opener = urllib.request.build_opener(load.NoRedirect())
    size = 0
    for _ in range(count):
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})
        with opener.open(request, timeout=30) as response:
            if response.status != 200:
                sys.exit(f"{path} answered {response.status}")
            size = len(response.read())
    return size


def cost(pid, base, path, cookie, count):
    ask(base, path, cookie, 5)  # warm caches
    before, started = cpu_seconds(pid), time.time()
    size = ask(base, path, cookie, count)
    spent = cpu_seconds(pid) - before
    return spent / count * 1000, (time.time() - started) / count * 1000, size


def main():
    seed_dir, base, pid, path = sys.argv[1:5]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 300
    seed = load.json.load(open(os.path.join(seed_dir, "seed.json")))
    if path.startswith("/desk"):
        cookie = load.sign_in(base, seed["office_email"], seed["password"])
    elif path.startswith("/tech"):
        cookie = load.technician_session(base, seed["technician_link"])
    else:
        cookie = load.sign_in(base, seed["agent_email"], seed["password"])
    path = path.replace("{task}", str(seed["task_id"]))
    health, _, _ = cost(pid, base, "/healthz", "", 2000)
    recorder = None
    if os.environ.get("PERF") == "1":
        recorder = subprocess.Popen(
            ["perf", "record", "-g", "-F", "2000", "-p", pid, "-o",
             os.path.join(seed_dir, "perf.data")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    cpu, wall, size = cost(pid, base, path, cookie, count)
    if recorder:
        recorder.send_signal(2)
        recorder.wait()
    print(f"{path}: {cpu:.2f} ms CPU and {wall:.2f} ms wall per request ({count} in a row), "
          f"{size:,} bytes; /healthz asked the same way {health:.3f} ms (a new connection each time, "
          f"so not wrk's ratio)")


if __name__ == "__main__":
    main()
