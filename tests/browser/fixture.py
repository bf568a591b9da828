#!/usr/bin/env python3
"""The world the browser tests sign in to, written into a fresh database.

    fixture.py DB OUT.json

One association, two sittings open now with automatic admission (the full
sample form imh-sample-a, and imh-short whose parts last 6 s), one sitting
admitted by a proctor, and one candidate per test so that no test finds an
attempt another has used. Writes {"codes": {key: code}, ...} to OUT.json.

Sittings and candidates go straight into SQLite, the access code stored as
examd stores it (SHA-256 of the normalised code, examd/auth_code.c), until
the scheduling API is on main; staff come from `examctl user add`.
"""
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import examctl  # noqa: E402
from identity_fixture import code_hash, new_code  # noqa: E402

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
}


def main():
    db_path, out = sys.argv[1], sys.argv[2]
    examctl("association", "add", "BT", "Browser Tests", db=db_path)
    examctl("user", "add", "bt_proctor", "--role", "proctor",
            "--association", "BT", db=db_path, stdin=PASSWORD + "\n")
    db = sqlite3.connect(db_path)
    now = int(time.time() * 1000)
    hour = 3600 * 1000
    assoc = db.execute("SELECT id FROM associations WHERE code='BT'"
                       ).fetchone()[0]
    proctor = db.execute("SELECT id FROM users WHERE username='bt_proctor'"
                         ).fetchone()[0]

    def sitting(exam, title, mode):
        return db.execute(
            "INSERT INTO sittings(association_id, exam_id, title, opens_at,"
            " closes_at, timezone, admission_mode, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (assoc, exam, title, now - hour, now + 6 * hour,
             "America/Detroit", mode, now)).lastrowid

    sittings = {
        "full": sitting("imh-sample-a", "Browser tests: full form", "auto"),
        "short": sitting("imh-short", "Browser tests: short form", "auto"),
        "proctored": sitting("imh-sample-a", "Browser tests: proctored",
                             "proctor"),
    }
    db.execute("INSERT INTO sitting_proctors VALUES (?, ?)",
               (sittings["proctored"], proctor))
    codes, ids = {}, {}
    for key, (sit, track) in CANDIDATES.items():
        codes[key] = new_code()
        ids[key] = db.execute(
            "INSERT INTO candidates(sitting_id, association_id, name, email,"
            " track, access_code_hash, created_at) VALUES (?,?,?,?,?,?,?)",
            (sittings[sit], assoc, "Test " + key.replace("_", " ").title(),
             key + "@example.org", track, code_hash(codes[key]),
             now)).lastrowid
    db.commit()
    db.close()
    with open(out, "w") as f:
        json.dump({"codes": codes, "candidates": ids, "sittings": sittings,
                   "proctor": {"username": "bt_proctor",
                               "password": PASSWORD}}, f, indent=1)


if __name__ == "__main__":
    main()
