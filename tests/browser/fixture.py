#!/usr/bin/env python3
"""The world the browser tests sign in to, made as a coordinator makes it.

    fixture.py DB URL CERT OUT.json

Staff come from `examctl` (association, a coordinator, a proctor); then,
with examd running at URL, the coordinator creates the sittings and
registers the candidates through the API: two sittings open now with
automatic admission (the full sample form imh-sample-a, and imh-short
whose parts last 6 s), one sitting admitted by its proctor, the proctor
assigned to all three, and one candidate per test so that no test finds
an attempt another has used.
Writes {"codes", "candidates", "sittings", "sitting_of", "proctor"} to
OUT.json.
"""
import json
import os
import ssl
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import examctl  # noqa: E402

PASSWORD = "browser tests only, not a secret"

# key -> (sitting, track)
CANDIDATES = {
    "signin": ("full", "IMHS"),
    "signin_spaces": ("full", "IMHS"),
    "part1": ("full", "IMHS"),
    "part2": ("full", "IMHM-C"),
    "timeout": ("short", "IMHS"),
    "restart": ("full", "IMHS"),
    "waiting": ("proctored", "IMHS"),
    "layout": ("full", "IMHS"),
    "paused": ("full", "IMHS"),
    "session": ("full", "IMHM-C"),
    "session_other": ("full", "IMHS"),
    "void": ("full", "IMHS"),
    "void_save": ("full", "IMHS"),
    "warnings": ("short", "IMHS"),
    "retry": ("full", "IMHS"),
    "outage": ("full", "IMHS"),
    "outage_start": ("full", "IMHS"),
    "closing": ("closing", "IMHS"),
}


def rfc3339(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


class Api:
    def __init__(self, url, cert):
        self.url = url + "/api/v1"
        self.ctx = ssl.create_default_context(cafile=cert)
        self.token = None

    def __call__(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode())
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, context=self.ctx) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            sys.exit("fixture: %s %s: %d %s" % (method, path, e.code,
                                                e.read().decode()))


def main():
    db, url, cert, out = sys.argv[1:5]
    examctl("association", "add", "BT", "Browser Tests", db=db)
    for name, role in (("bt_coord", "coordinator"), ("bt_proctor", "proctor")):
        examctl("user", "add", name, "--role", role, "--association", "BT",
                db=db, stdin=PASSWORD + "\n")
    api = Api(url, cert)
    api.token = api("POST", "/login", {"username": "bt_coord",
                                       "password": PASSWORD})["token"]
    now = int(time.time() * 1000)
    hour = 3600 * 1000

    def sitting(exam, title, mode, closes=now + 6 * hour):
        return api("POST", "/sittings", {
            "exam_id": exam, "title": title, "timezone": "America/Detroit",
            "opens_at": rfc3339(now - hour), "closes_at": rfc3339(closes),
            "admission_mode": mode})["id"]

    sittings = {
        "full": sitting("imh-sample-a", "Browser tests: full form", "auto"),
        "short": sitting("imh-short", "Browser tests: short form", "auto"),
        "proctored": sitting("imh-sample-a", "Browser tests: proctored",
                             "proctor"),
    }
    # EXAMD_CLOSING_MS: a sitting whose window closes that soon (whole
    # seconds), for a test that watches it close.
    closing = int(os.environ.get("EXAMD_CLOSING_MS", "0"))
    closes_at = {}
    if closing:
        closes_at["closing"] = (now + closing) // 1000 * 1000
        sittings["closing"] = sitting("imh-sample-a", "Browser tests: "
                                      "closing", "auto", closes_at["closing"])
    # The proctor watches every sitting (pause, void and extend in the
    # tests); admission stays automatic where the sitting says so.
    for sid in sittings.values():
        api("POST", "/sittings/%d/proctors" % sid, {"username": "bt_proctor"})
    codes, ids, where = {}, {}, {}
    for key, (sit, track) in CANDIDATES.items():
        if sit not in sittings:
            continue
        r = api("POST", "/sittings/%d/candidates" % sittings[sit], {
            "name": "Test " + key.replace("_", " ").title(),
            "email": key + "@example.org", "track": track})
        codes[key], ids[key] = r["access_code"], r["id"]
        where[key] = sittings[sit]
    with open(out, "w") as f:
        json.dump({"codes": codes, "candidates": ids, "sittings": sittings,
                   "sitting_of": where, "closes_at": closes_at,
                   "proctor": {"username": "bt_proctor",
                               "password": PASSWORD}}, f, indent=1)


if __name__ == "__main__":
    main()
