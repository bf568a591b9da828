#!/usr/bin/env python3
"""Checks an `examc load --ledger` file against examd's database: every
acknowledged save must be there, with at least that seq, and with the same
value when the seq is the same (MC: the candidate-facing choice letter maps
through the stored option order to the stored answer; essays: SHA-256 of the
stored text).

Usage: verify-ledger.py --db FILE --ledger FILE
Exit 0 when every save is found, 1 naming the first missing ones, 2 usage.
Meant for after a kill -9: the database is read as it is on disk.
"""
import hashlib
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MAX_REPORTED = 10


def stored(db, hcode, sec, kind, key):
    """(seq, value) as stored, or None."""
    if kind == "mc":
        r = db.execute(
            "SELECT i.seq, i.answer, i.choice_order FROM candidates c"
            " JOIN attempts a ON a.candidate_id = c.id"
            " JOIN attempt_sections s ON s.attempt_id = a.id"
            "  AND s.identifier = ?"
            " JOIN attempt_items i ON i.attempt_id = a.id"
            "  AND i.position = s.position AND i.n = ?"
            " WHERE c.access_code_hash = ?", (sec, int(key), hcode)
        ).fetchone()
        if r is None:
            return None
        seq, answer, order = r
        order = json.loads(order)
        letter = None
        if answer in order:
            letter = chr(ord("a") + order.index(answer))
        return seq, letter
    r = db.execute(
        "SELECT e.seq, e.text FROM candidates c"
        " JOIN attempts a ON a.candidate_id = c.id"
        " JOIN attempt_sections s ON s.attempt_id = a.id AND s.identifier = ?"
        " JOIN attempt_essays e ON e.attempt_id = a.id"
        "  AND e.position = s.position AND e.pid = ?"
        " WHERE c.access_code_hash = ?", (sec, key, hcode)).fetchone()
    if r is None:
        return None
    return r[0], hashlib.sha256(r[1].encode()).hexdigest()


def verify(dbpath, ledger):
    """Returns (saves checked, [problems])."""
    best = benchlib.read_ledger(ledger)
    db = sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True)
    bad = []
    for (hcode, sec, kind, key), (seq, val) in sorted(best.items()):
        got = stored(db, hcode, sec, kind, key)
        where = "candidate %s… section %s %s %s seq %d" % (
            hcode[:12], sec, kind, key, seq)
        if got is None:
            bad.append("%s: not in the database" % where)
        elif got[0] < seq:
            bad.append("%s: stored seq %d is lower" % (where, got[0]))
        elif got[0] == seq and (got[1] or "").lower() != val.lower():
            bad.append("%s: stored %r, acknowledged %r" % (where, got[1],
                                                            val))
    db.close()
    return len(best), bad


def main(argv):
    args = dict(zip(argv[1::2], argv[2::2]))
    if len(argv) != 5 or set(args) != {"--db", "--ledger"}:
        print("usage: verify-ledger.py --db FILE --ledger FILE",
              file=sys.stderr)
        return 2
    try:
        n, bad = verify(args["--db"], args["--ledger"])
    except (OSError, ValueError, sqlite3.Error) as e:
        print("verify-ledger: %s" % e, file=sys.stderr)
        return 1
    for b in bad[:MAX_REPORTED]:
        print("verify-ledger: %s" % b, file=sys.stderr)
    if bad:
        print("verify-ledger: %d of %d acknowledged saves missing or older"
              % (len(bad), n), file=sys.stderr)
        return 1
    print("verify-ledger: all %d acknowledged saves (latest per answer) are "
          "in %s" % (n, args["--db"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
