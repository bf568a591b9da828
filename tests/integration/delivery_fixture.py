"""A seeded world for delivery tests: the sample item bank imported with
`examctl import items/bank`, an association, a coordinator and a proctor,
and sittings with candidates written straight into the SQLite file (as
identity_fixture does, until the scheduling API is on main).

    w = seed(examd)                       # in ExamdTestCase.prepare
    w.sitting(form="imh-short", admission="proctor") -> sitting id
    w.candidate(sid, track="IMHS", multiplier=1.0) -> (id, access code)
Both may also be called later: they write the file examd has open (WAL).
"""
import json
import os
import shutil
import sqlite3
import ssl
import socket
import threading
import time

from harness import ROOT, examctl
from identity_fixture import PASSWORD, code_hash, new_code

HOUR = 3600 * 1000


class World:
    def __init__(self, examd):
        self.examd = examd
        self.password = PASSWORD

    def _db(self):
        db = sqlite3.connect(self.examd.db, timeout=30)
        return db

    def sitting(self, form="imh-short", admission="proctor", opens=-HOUR,
                closes=5 * HOUR, proctor=True):
        now = int(time.time() * 1000)
        db = self._db()
        sid = db.execute(
            "INSERT INTO sittings(association_id, exam_id, title, opens_at,"
            " closes_at, timezone, admission_mode, created_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (self.assoc, form, "Delivery test", now + opens, now + closes,
             "UTC", admission, now)).lastrowid
        if proctor:
            db.execute("INSERT INTO sitting_proctors VALUES (?, ?)",
                       (sid, self.users["proctor"]))
        db.commit()
        db.close()
        return sid

    def candidate(self, sid, track="IMHS", multiplier=1.0, extra_mc=0,
                  extra_essay=0, name=None):
        now = int(time.time() * 1000)
        code = new_code()
        db = self._db()
        cid = db.execute(
            "INSERT INTO candidates(sitting_id, association_id, name, email,"
            " track, access_code_hash, time_multiplier, extra_ms_mc,"
            " extra_ms_essay, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (sid, self.assoc, name or "Cand " + code[:4],
             code[:9] + "@example.org", track, code_hash(code), multiplier,
             extra_mc, extra_essay, now)).lastrowid
        db.commit()
        db.close()
        return cid, code

    def keys(self):
        """Every MC answer key and item identifier in the bank."""
        db = self._db()
        rows = db.execute("SELECT identifier, answer_key FROM items").fetchall()
        db.close()
        return rows


def short_form(ident, mc_s, essay_s):
    """imh-short under another identifier with other part lengths."""
    src = os.path.join(ROOT, "items", "bank", "forms", "imh-short.xml")
    with open(src) as f:
        x = f.read()
    x = x.replace('identifier="imh-short"', 'identifier="%s"' % ident, 1)
    parts = x.split('<timeLimits maxTime="6"/>')
    assert len(parts) == 3, "imh-short.xml changed shape"
    return (parts[0] + '<timeLimits maxTime="%d"/>' % mc_s + parts[1] +
            '<timeLimits maxTime="%d"/>' % essay_s + parts[2])


def seed(examd, forms=None):
    """forms: {identifier: (mc seconds, essay seconds)}, imh-short copies."""
    w = World(examd)
    examctl("association", "add", "A", "Association A", db=examd.db)
    examctl("association", "add", "B", "Association B", db=examd.db)
    for name, role, assoc in (("coord", "coordinator", "A"),
                              ("proctor", "proctor", "A"),
                              ("proctor_b", "proctor", "B")):
        examctl("user", "add", name, "--role", role, "--association", assoc,
                db=examd.db, stdin=PASSWORD + "\n")
    bank = os.path.join(examd.dir, "bank")
    shutil.copytree(os.path.join(ROOT, "items", "bank"), bank)
    for ident, (mc_s, essay_s) in (forms or {}).items():
        with open(os.path.join(bank, "forms", ident + ".xml"), "w") as f:
            f.write(short_form(ident, mc_s, essay_s))
    examctl("import", bank, db=examd.db)
    db = sqlite3.connect(examd.db)
    w.assoc = dict(db.execute("SELECT code, id FROM associations"))["A"]
    w.users = dict(db.execute("SELECT username, id FROM users"))
    db.close()
    return w


def login(examd, code=None, username=None):
    body = ({"access_code": code} if code else
            {"username": username, "password": PASSWORD})
    r = examd.api("POST", "/login", body, fresh=True)
    assert r.status == 200, r
    return r.json["token"]


def open_streams(examd):
    """examd_event_streams from /metrics: the streams examd holds open."""
    for l in examd.request("GET", "/metrics").body.splitlines():
        if l.startswith("examd_event_streams "):
            return float(l.split()[1])
    return None


class EventStream:
    """A text/event-stream reader on its own TLS connection, in a thread.
    events: list of (id, event, data-dict) as they arrive; heartbeats: how
    many heartbeat comments came."""

    def __init__(self, examd, path, token, last_event_id=None):
        self.events = []
        self.heartbeats = 0
        self.cond = threading.Condition()
        self.closed = False
        raw = socket.create_connection(("127.0.0.1", examd.port), timeout=60)
        self.sock = examd.context().wrap_socket(raw,
                                                server_hostname="localhost")
        hdrs = "GET /api/v1%s HTTP/1.1\r\nHost: localhost\r\n" \
               "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n" % (
                   path, token)
        if last_event_id is not None:
            hdrs += "Last-Event-ID: %s\r\n" % last_event_id
        self.sock.sendall((hdrs + "\r\n").encode())
        self.f = self.sock.makefile("rb")
        self.status = int(self.f.readline().split()[1])
        while self.f.readline() not in (b"\r\n", b""):
            pass
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        buf = b""
        cur = {}
        try:
            while True:
                # chunked encoding: size line, data, CRLF
                size = self.f.readline()
                if not size:
                    break
                n = int(size.strip() or b"0", 16)
                if n == 0:
                    break
                buf += self.f.read(n)
                self.f.readline()
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    line = line.decode()
                    if line == "":
                        if "event" in cur or "data" in cur:
                            with self.cond:
                                self.events.append((
                                    cur.get("id"), cur.get("event", "message"),
                                    json.loads(cur.get("data", "{}"))))
                                self.cond.notify_all()
                        cur = {}
                    elif line.startswith(":"):
                        with self.cond:
                            self.heartbeats += 1
                            self.cond.notify_all()
                    elif ":" in line:
                        k, v = line.split(":", 1)
                        cur[k] = v.lstrip(" ")
        except (OSError, ValueError, ssl.SSLError):
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, event, timeout=30, pred=None):
        """The first event of that name (and matching pred) not yet taken."""
        end = time.time() + timeout
        with self.cond:
            while True:
                for i, (eid, ev, data) in enumerate(self.events):
                    if ev == event and (pred is None or pred(data)):
                        del self.events[i]
                        return eid, data
                left = end - time.time()
                if left <= 0 or self.closed:
                    raise AssertionError("no %r event within %ss; got %r" % (
                        event, timeout, self.events))
                self.cond.wait(left)

    def wait_closed(self, timeout):
        """Until examd has ended the stream; whether it has."""
        end = time.time() + timeout
        with self.cond:
            while not self.closed and time.time() < end:
                self.cond.wait(end - time.time())
            return self.closed

    def wait_heartbeats(self, n, timeout=60):
        """Until n heartbeats have come in all; False if it closed first."""
        end = time.time() + timeout
        with self.cond:
            while self.heartbeats < n and not self.closed:
                left = end - time.time()
                if left <= 0:
                    raise AssertionError("%d of %d heartbeats within %ss" % (
                        self.heartbeats, n, timeout))
                self.cond.wait(left)
            return self.heartbeats >= n

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        # The reader ends on the shutdown; its fd must not be reused under it.
        if getattr(self, "thread", None) is not None:
            self.thread.join(10)
        self.sock.close()
