"""Time kept by the server: deadlines closed by examd itself with what was
saved, the network grace, pauses, extensions, accommodations, event
streams that resume with Last-Event-ID. Parts last a few seconds (the
sample bank's imh-short form and copies of it); bounds are generous, since
CI machines are shared.
"""
import json
import socket
import sqlite3
import time

from harness import ExamdTestCase, main
from delivery_fixture import EventStream, login, open_streams, seed

GRACE = 5.0     # EXAMD_SAVE_GRACE_MS


class TimeCase(ExamdTestCase):
    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd, forms={"imh-30": (30, 30), "imh-10": (10, 10)})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ptok = login(cls.examd, username="proctor")

    def cand(self, sid, **kw):
        cid, code = self.w.candidate(sid, **kw)
        tok = login(self.examd, code)
        r = self.examd.api("POST", "/sittings/%d/candidates/%d/admit" % (
            sid, cid), token=self.ptok)
        self.assertEqual(r.status, 200, r)
        return cid, tok

    def api(self, method, path, tok, body=None):
        return self.examd.api(method, path, body, token=tok)

    def start(self, tok, sec="mc"):
        r = self.api("POST", "/attempt/sections/%s/start" % sec, tok)
        self.assertEqual(r.status, 200, r)
        return r.json

    def answer(self, tok, seq, choice="a", n=1):
        return self.api("PUT", "/attempt/sections/mc/answers/%d" % n, tok,
                        {"choice": choice, "seq": seq})

    def proctor(self, sid, cid, action, body=None):
        return self.api("POST", "/sittings/%d/candidates/%d/%s" % (
            sid, cid, action), self.ptok, body)

    def remaining(self, tok, sec="mc"):
        att = self.api("GET", "/attempt", tok).json
        return [s for s in att["sections"] if s["id"] == sec][0][
            "remaining_ms"]

    def db(self, sql, *args):
        con = sqlite3.connect(self.examd.db, timeout=30)
        rows = con.execute(sql, args).fetchall()
        con.close()
        return rows


class Deadlines(TimeCase):
    def test_server_submits_at_deadline_with_last_saved_text(self):
        sid = self.w.sitting(form="imh-short")
        cid, tok = self.cand(sid)
        self.start(tok)
        self.api("POST", "/attempt/sections/mc/submit", tok)
        ev = EventStream(self.examd, "/attempt/events", tok)
        try:
            self.assertEqual(ev.status, 200)
            ev.wait_for("time")
            self.start(tok, "essay")
            t0 = time.time()
            r = self.api("PUT", "/attempt/sections/essay/essays/p1", tok,
                         {"text": "first draft", "seq": 1})
            self.assertEqual(r.status, 200, r)
            r = self.api("PUT", "/attempt/sections/essay/essays/p1", tok,
                         {"text": "the last saved words", "seq": 2})
            self.assertEqual(r.status, 200, r)
            _, data = ev.wait_for("submitted", timeout=6 + GRACE + 20)
            took = time.time() - t0
            self.assertEqual((data["section"], data["by"], data["status"]),
                             ("essay", "server", "complete"))
            self.assertGreater(took, 6 + GRACE - 1)
        finally:
            ev.close()
        att = self.api("GET", "/attempt", tok).json
        self.assertEqual(att["status"], "complete")
        by, text = self.db(
            "SELECT x.submitted_by, e.text FROM attempt_sections x"
            " JOIN attempts a ON a.id = x.attempt_id JOIN attempt_essays e"
            " ON e.attempt_id = a.id AND e.position = x.position"
            " WHERE a.candidate_id = ? AND e.pid = 'p1'", cid)[0]
        self.assertEqual((by, text), ("server", "the last saved words"))
        audit = [json.loads(d) for (d,) in self.db(
            "SELECT details FROM audit WHERE candidate_id = ? AND action ="
            " 'section.submit'", cid)]
        self.assertEqual([a["by"] for a in audit], ["candidate", "server"])
        self.assertEqual(audit[1]["saves"], {"p1": 2})

    def test_grace_edge(self):
        sid = self.w.sitting(form="imh-short")
        cid, tok = self.cand(sid)
        t0 = time.time()
        self.start(tok)
        time.sleep(max(0, t0 + 6 + 1 - time.time()))
        r = self.answer(tok, 1)
        self.assertEqual(r.status, 200, "a save 1 s after the deadline is "
                         "inside the grace: %r" % r)
        self.assertEqual(r.json["remaining_ms"], 0)
        time.sleep(max(0, t0 + 6 + GRACE + 1.5 - time.time()))
        self.assertError(self.answer(tok, 2, "b"), 409, "section_closed")
        st = self.api("GET", "/attempt", tok).json["sections"][0]["status"]
        deadline = time.time() + 10
        while st != "submitted" and time.time() < deadline:
            time.sleep(0.2)
            st = self.api("GET", "/attempt", tok).json["sections"][0][
                "status"]
        self.assertEqual(st, "submitted")
        ans = self.db("SELECT i.answer IS NOT NULL, i.seq FROM attempt_items"
                      " i JOIN attempts a ON a.id = i.attempt_id WHERE"
                      " a.candidate_id = ? AND i.n = 1", cid)[0]
        self.assertEqual(ans, (1, 1))

    def test_a_sitting_ending_together_closes_in_one_pass(self):
        sid = self.w.sitting(form="imh-short")
        toks = [self.cand(sid)[1] for _ in range(5)]
        for tok in toks:
            self.start(tok)
        deadline = time.time() + 6 + GRACE + 20
        while time.time() < deadline:
            rows = self.db(
                "SELECT x.submitted_at FROM attempt_sections x JOIN attempts"
                " a ON a.id = x.attempt_id WHERE a.sitting_id = ? AND"
                " x.identifier = 'mc' AND x.status = 'submitted'", sid)
            if len(rows) == 5:
                break
            time.sleep(0.3)
        self.assertEqual(len(rows), 5)
        self.assertEqual(len(set(rows)), 1, "closed in one pass: %r" % rows)

    def test_multiplier_and_extra_time(self):
        sid = self.w.sitting(form="imh-short")
        cid, tok = self.cand(sid, multiplier=1.5)
        self.assertEqual(self.remaining(tok), 9000)
        cid2, tok2 = self.cand(sid, extra_mc=2000)
        self.assertEqual(self.remaining(tok2), 8000)
        self.assertEqual(self.remaining(tok2, "essay"), 6000)
        view = self.start(tok)
        self.assertGreater(view["remaining_ms"], 8000)
        self.assertLessEqual(view["remaining_ms"], 9000)


class Clock(TimeCase):
    def test_pause_freezes_resume_restarts_extend_grows(self):
        sid = self.w.sitting(form="imh-30")
        cid, tok = self.cand(sid)
        ev = EventStream(self.examd, "/attempt/events", tok)
        try:
            self.start(tok)
            self.assertEqual(self.answer(tok, 1).status, 200)
            r = self.proctor(sid, cid, "pause")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.json["paused"])
            _, data = ev.wait_for("paused")
            frozen = data["remaining_ms"]
            self.assertError(self.answer(tok, 2), 409, "paused")
            self.assertError(self.proctor(sid, cid, "pause"), 409, "paused")
            time.sleep(1.5)
            self.assertEqual(self.remaining(tok), frozen)
            att = self.api("GET", "/attempt", tok).json
            self.assertTrue(att["sections"][0]["paused"])
            r = self.proctor(sid, cid, "resume")
            self.assertEqual(r.status, 200, r)
            _, data = ev.wait_for("resumed")
            self.assertLessEqual(frozen - data["remaining_ms"], 1000)
            self.assertEqual(self.answer(tok, 3).status, 200)
            before = self.remaining(tok)
            self.assertError(self.proctor(sid, cid, "extend",
                                          {"seconds": 60}), 422)
            self.assertError(self.proctor(sid, cid, "extend",
                                          {"seconds": 0, "reason": "x"}), 422)
            r = self.proctor(sid, cid, "extend", {"seconds": 60,
                                                  "reason": "fire alarm"})
            self.assertEqual(r.status, 200, r)
            _, data = ev.wait_for("extended")
            self.assertEqual(data["added_ms"], 60000)
            grown = self.remaining(tok) - before
            self.assertGreater(grown, 58000)
            self.assertLessEqual(grown, 60000)
        finally:
            ev.close()
        actions = [a for (a,) in self.db(
            "SELECT action FROM audit WHERE candidate_id = ? AND action LIKE"
            " 'section.%' ORDER BY seq", cid)]
        self.assertEqual(actions, ["section.start", "section.pause",
                                   "section.resume", "section.extend"])
        reason = self.db("SELECT reason FROM attempt_clock_log WHERE"
                         " kind = 'extend' AND attempt_id = (SELECT id FROM"
                         " attempts WHERE candidate_id = ?)", cid)
        self.assertEqual(reason, [("fire alarm",)])

    def test_pausing_the_whole_sitting(self):
        sid = self.w.sitting(form="imh-30")
        cands = [self.cand(sid) for _ in range(3)]
        for _, tok in cands[:2]:
            self.start(tok)
        proc = EventStream(self.examd, "/sittings/%d/events" % sid, self.ptok)
        try:
            self.assertEqual(proc.status, 200)
            _, roster = proc.wait_for("roster")
            self.assertEqual(len(roster["candidates"]), 3)
            r = self.api("POST", "/sittings/%d/pause" % sid, self.ptok)
            self.assertEqual((r.status, r.json["parts"]), (200, 2), r)
            for _ in range(2):
                _, row = proc.wait_for("candidate",
                                       pred=lambda d: d["paused"])
            for _, tok in cands[:2]:
                self.assertError(self.answer(tok, 1), 409, "paused")
            r = self.api("POST", "/sittings/%d/resume" % sid, self.ptok)
            self.assertEqual((r.status, r.json["parts"]), (200, 2), r)
            for _, tok in cands[:2]:
                self.assertEqual(self.answer(tok, 1).status, 200)
        finally:
            proc.close()

    def test_events_resume_with_last_event_id(self):
        sid = self.w.sitting(form="imh-30")
        cid, tok = self.cand(sid)
        self.start(tok)
        ev = EventStream(self.examd, "/attempt/events", tok)
        _, hello = ev.wait_for("time")
        self.assertEqual(hello["section"], "mc")
        self.assertGreater(hello["remaining_ms"], 20000)
        self.proctor(sid, cid, "pause")
        last_id, _ = ev.wait_for("paused")
        self.assertIsNotNone(last_id)
        ev.close()
        # While disconnected: resumed and extended.
        self.proctor(sid, cid, "resume")
        self.proctor(sid, cid, "extend", {"seconds": 5, "reason": "lag"})
        ev = EventStream(self.examd, "/attempt/events", tok,
                         last_event_id=last_id)
        try:
            ev.wait_for("resumed")
            _, data = ev.wait_for("extended")
            self.assertEqual(data["added_ms"], 5000)
            names = [e for _, e, _ in ev.events]
            self.assertNotIn("paused", names)
        finally:
            ev.close()
        # An id from before this process: told to refetch.
        ev = EventStream(self.examd, "/attempt/events", tok, last_event_id=1)
        try:
            ev.wait_for("resync")
        finally:
            ev.close()
        # The roster counts an open stream as connected; closed ones go.
        deadline = time.time() + 10
        while time.time() < deadline:
            streams = [l for l in self.examd.request("GET", "/metrics").body
                       .splitlines() if l.startswith("examd_event_streams ")]
            if streams and float(streams[0].split()[1]) == 0:
                break
            time.sleep(0.2)
        self.assertEqual(float(streams[0].split()[1]), 0)

    def open_streams(self):
        return open_streams(self.examd)

    def test_a_client_that_stops_reading_is_dropped(self):
        sid = self.w.sitting(form="imh-30")
        cid, tok = self.cand(sid)
        self.start(tok)
        base = self.open_streams()
        # A reader with a tiny window that never reads.
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", self.examd.port))
        stalled = self.examd.context().wrap_socket(
            raw, server_hostname="localhost")
        stalled.sendall(("GET /api/v1/attempt/events HTTP/1.1\r\nHost: x"
                         "\r\nAuthorization: Bearer %s\r\n\r\n" % tok)
                        .encode())
        live = EventStream(self.examd, "/sittings/%d/events" % sid,
                           self.ptok)
        try:
            deadline = time.time() + 10
            while self.open_streams() != base + 2 and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(self.open_streams(), base + 2)
            # Pushes to the candidate until the server gives up on it.
            for i in range(1500):
                self.proctor(sid, cid, "pause")
                self.proctor(sid, cid, "resume")
                if i % 50 == 49 and self.open_streams() == base + 1:
                    break
            self.assertEqual(self.open_streams(), base + 1,
                             "the stalled reader is still held")
            # The proctor's stream, which reads, is still served.
            self.proctor(sid, cid, "pause")
            live.wait_for("candidate", pred=lambda d: d["paused"])
        finally:
            live.close()
            stalled.close()


if __name__ == "__main__":
    main()
