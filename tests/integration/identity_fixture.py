"""A seeded world for identity tests: two associations (A and B), staff of
every role, sittings open now / later / past, candidates with access codes.

Staff come from `examctl user add`; sittings and candidates are written
straight into the SQLite file (the scheduling API comes later), with the
access code stored the way examd stores it: SHA-256 of the normalised code.
Call seed(examd) from ExamdTestCase.prepare (before examd starts).
"""
import os
import sys
import sqlite3
import time

from harness import ROOT, examctl

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from benchlib import code_hash, new_code  # noqa: E402,F401  (one normalisation)

PASSWORD = "correct horse battery staple"

# name -> (role, association code or None, extra examctl flags)
STAFF = {
    "admin": ("admin", None, []),
    "coord_a": ("coordinator", "A", []),
    "coord_b": ("coordinator", "B", []),
    "proctor_a": ("proctor", "A", []),       # assigned to sitting_a
    "proctor_a2": ("proctor", "A", []),      # not assigned
    "grader": ("grader", "A", ["--endorsement", "IMHS", "--adjudicator"]),
    "target_a": ("proctor", "A", []),        # object of admin actions
    "target_b": ("proctor", "B", []),
}


class World:
    pass


def seed(examd, password=PASSWORD):
    w = World()
    w.password = password
    examctl("association", "add", "A", "Association A", db=examd.db)
    examctl("association", "add", "B", "Association B", db=examd.db)
    for name, (role, assoc, extra) in STAFF.items():
        args = ["user", "add", name, "--role", role]
        if assoc:
            args += ["--association", assoc]
        examctl(*(args + extra), db=examd.db, stdin=password + "\n")
    db = sqlite3.connect(examd.db)
    now = int(time.time() * 1000)
    hour = 3600 * 1000
    assoc = dict(db.execute("SELECT code, id FROM associations"))
    w.assoc_a, w.assoc_b = assoc["A"], assoc["B"]
    w.users = dict(db.execute("SELECT username, id FROM users"))

    def sitting(a, opens, closes, title):
        return db.execute(
            "INSERT INTO sittings(association_id, exam_id, title, opens_at,"
            " closes_at, timezone, created_at) VALUES (?,?,?,?,?,?,?)",
            (a, "imh-sample-a", title, opens, closes, "America/Detroit",
             now)).lastrowid

    w.sitting_a = sitting(w.assoc_a, now - hour, now + 5 * hour, "A now")
    w.sitting_b = sitting(w.assoc_b, now - hour, now + 5 * hour, "B now")
    w.sitting_later = sitting(w.assoc_a, now + 24 * hour, now + 30 * hour,
                              "A tomorrow")
    w.sitting_past = sitting(w.assoc_a, now - 30 * hour, now - 24 * hour,
                             "A yesterday")
    db.execute("INSERT INTO sitting_proctors VALUES (?, ?)",
               (w.sitting_a, w.users["proctor_a"]))
    w.codes, w.cands = {}, {}

    def candidate(key, sid, a, name):
        code = new_code()
        w.codes[key] = code
        w.cands[key] = db.execute(
            "INSERT INTO candidates(sitting_id, association_id, name, email,"
            " track, access_code_hash, created_at) VALUES (?,?,?,?,?,?,?)",
            (sid, a, name, key + "@example.org", "IMHS", code_hash(code),
             now)).lastrowid

    candidate("cand_a", w.sitting_a, w.assoc_a, "Ann A")
    candidate("cand_a2", w.sitting_a, w.assoc_a, "Amy A")
    candidate("cand_b", w.sitting_b, w.assoc_b, "Bea B")
    candidate("cand_later", w.sitting_later, w.assoc_a, "Lou Later")
    candidate("cand_past", w.sitting_past, w.assoc_a, "Pat Past")
    db.commit()
    db.close()
    return w


def login(examd, who, world, **kw):
    """Signs in a staff name or a candidate key; returns the reply."""
    if who in world.codes:
        body = {"access_code": world.codes[who]}
    else:
        body = {"username": who, "password": world.password}
    return examd.api("POST", "/login", body, **kw)


def token(examd, who, world):
    r = login(examd, who, world)
    assert r.status == 200, (who, r)
    return r.json["token"]
