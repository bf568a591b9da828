#!/usr/bin/env python3
"""200 concurrent staff sign-ins against a fresh examd, while another
thread times GET /healthz; prints the event-loop lag from /metrics.

    python3 scripts/login-burst.py [N]     # N sign-ins, default 200

Shows that argon2id hashing (m=19 MiB, t=2, p=1) runs on the worker pool
and not on the event loop: /healthz stays fast and examd_loop_lag_max_seconds
stays small while the burst is hashed.
"""
import os
import re
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests",
                                "integration"))
from harness import Examd, examctl  # noqa: E402

PASSWORD = "correct horse battery staple"


def metric(examd, name):
    body = examd.request("GET", "/metrics", fresh=True).body
    m = re.search(r"^%s (\S+)$" % re.escape(name), body, re.M)
    return float(m.group(1)) if m else None


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    ex = Examd()
    examctl("user", "add", "burst", "--role", "admin", db=ex.db,
            stdin=PASSWORD + "\n")
    ex.start()
    try:
        lag0 = metric(ex, "examd_loop_lag_max_seconds")
        stop = threading.Event()
        health = []

        def probe():
            h = Examd.__new__(Examd)
            h.__dict__.update(ex.__dict__)
            h._conn = None
            while not stop.is_set():
                t0 = time.monotonic()
                r = h.request("GET", "/healthz")
                health.append(time.monotonic() - t0)
                assert r.status == 200, r
                time.sleep(0.005)
            h.close_conn()

        statuses, lat = [], []
        lock = threading.Lock()

        def signin():
            c = Examd.__new__(Examd)
            c.__dict__.update(ex.__dict__)
            c._conn = None
            t0 = time.monotonic()
            r = c.api("POST", "/login", {"username": "burst",
                                         "password": PASSWORD}, timeout=120)
            with lock:
                statuses.append(r.status)
                lat.append(time.monotonic() - t0)
            c.close_conn()

        pt = threading.Thread(target=probe)
        pt.start()
        time.sleep(0.3)
        base = list(health)
        threads = [threading.Thread(target=signin) for _ in range(n)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        during = health[len(base):]
        stop.set()
        pt.join()
        lag1 = metric(ex, "examd_loop_lag_max_seconds")
        ok = statuses.count(200)

        def ms(v):
            return "%.1f ms" % (v * 1e3)
        q = statistics.quantiles(during, n=100) if len(during) > 2 else [0] * 99
        print("login burst: %d concurrent staff sign-ins (argon2id m=19 MiB "
              "t=2 p=1, examd --workers default 2)" % n)
        print("  signed in: %d/%d in %.2f s (%.0f/s); sign-in latency p50 %s"
              " max %s" % (ok, n, wall, n / wall,
                           ms(statistics.median(lat)), ms(max(lat))))
        print("  /healthz during the burst: %d requests, p50 %s, p99 %s, "
              "max %s" % (len(during), ms(statistics.median(during)),
                          ms(q[98]), ms(max(during))))
        print("  examd_loop_lag_max_seconds: before %.6f, after %.6f" %
              (lag0, lag1))
        return 0 if ok == n else 1
    finally:
        ex.cleanup()


if __name__ == "__main__":
    sys.exit(main())
