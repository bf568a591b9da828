"""examd killed with SIGKILL in the middle of a part: after the restart
every acknowledged save is there, the time examd was down is credited to
the open part (audited), and the deadline is still enforced. A disk that
fills mid-part: saves are refused with 503 (nothing acknowledged that was
not stored), examd stays up, saving resumes when there is room, and the
time nothing could be saved is credited to the open part (audited), and to
a sitting's window that closed meanwhile.
"""
import contextlib
import json
import resource
import sqlite3
import time

from harness import Examd, ExamdTestCase, main
from delivery_fixture import login, seed

HEARTBEAT = 5.0     # DV_HEARTBEAT_SECONDS: the credit may exceed the outage by this


class Restart(ExamdTestCase):
    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.examd = Examd()
        self.w = seed(self.examd, forms={"imh-20": (20, 20), "imh-3": (3, 3)})
        self.examd.start()

    def tearDown(self):
        self.examd.cleanup()

    def admitted(self, form="imh-20", **sitting):
        """A candidate signed in and admitted to a sitting of form."""
        sid = self.w.sitting(form=form, **sitting)
        cid, code = self.w.candidate(sid)
        tok = login(self.examd, code)
        ptok = login(self.examd, username="proctor")
        r = self.examd.api("POST", "/sittings/%d/candidates/%d/admit" % (
            sid, cid), token=ptok)
        self.assertEqual(r.status, 200, r)
        return sid, cid, tok, ptok

    def begin(self, form="imh-20"):
        """A candidate admitted to the first part of form (imh-20: 20 s),
        started."""
        sid, cid, tok, ptok = self.admitted(form)
        r = self.examd.api("POST", "/attempt/sections/mc/start", token=tok)
        self.assertEqual(r.status, 200, r)
        return sid, cid, tok, ptok

    def remaining(self, tok):
        r = self.examd.api("GET", "/attempt", token=tok)
        self.assertEqual(r.status, 200, r)
        return r.json["sections"][0]

    def test_ack_survives_kill9_with_time_credited_and_deadline_enforced(self):
        sid, cid, tok, ptok = self.begin()
        acked = {}
        for n, seq, choice in ((1, 1, "a"), (1, 2, "c"), (2, 1, "b"),
                               (3, 1, "d")):
            r = self.examd.api("PUT", "/attempt/sections/mc/answers/%d" % n,
                               {"choice": choice, "seq": seq}, token=tok)
            self.assertEqual(r.status, 200, r)
            acked[n] = (choice, seq)
        before = self.remaining(tok)["remaining_ms"]
        self.examd.kill9()
        down = 3.0
        time.sleep(down)
        self.examd.start()
        after_sec = self.remaining(tok)
        after = after_sec["remaining_ms"]
        self.assertEqual(after_sec["status"], "open")
        # Remaining after the restart ~ remaining before the kill: the
        # outage is credited, plus up to one heartbeat period.
        self.assertGreaterEqual(after, before - 2000, (before, after))
        self.assertLessEqual(after, before + HEARTBEAT * 1000 + 2000,
                             (before, after))
        view = self.examd.api("GET", "/attempt/sections/mc", token=tok).json
        for n, (choice, seq) in acked.items():
            item = view["items"][n - 1]
            self.assertEqual((item["answer"], item["seq"]), (choice, seq))
        con = sqlite3.connect(self.examd.db)
        credits = [json.loads(d) for (d,) in con.execute(
            "SELECT details FROM audit WHERE action ="
            " 'section.restart_credit' AND candidate_id = ?", (cid,))]
        con.close()
        self.assertEqual(len(credits), 1)
        self.assertGreaterEqual(credits[0]["credit_ms"], down * 1000)
        self.assertLessEqual(credits[0]["credit_ms"],
                             (down + HEARTBEAT + 5) * 1000)
        # The deadline is still enforced: the server submits the part.
        end = time.time() + after / 1000 + 5 + 20
        status = "open"
        while status != "submitted" and time.time() < end:
            time.sleep(0.5)
            status = self.remaining(tok)["status"]
        self.assertEqual(status, "submitted")
        r = self.examd.api("PUT", "/attempt/sections/mc/answers/1",
                           {"choice": "a", "seq": 9}, token=tok)
        self.assertError(r, 409, "section_closed")
        con = sqlite3.connect(self.examd.db)
        by = con.execute("SELECT submitted_by FROM attempt_sections x JOIN"
                         " attempts a ON a.id = x.attempt_id WHERE"
                         " a.candidate_id = ? AND x.position = 0",
                         (cid,)).fetchone()[0]
        con.close()
        self.assertEqual(by, "server")

    @contextlib.contextmanager
    def disk_full(self):
        """A full disk for examd alone: a file-size limit of 0 makes every
        write(2) to its database and WAL fail (EFBIG, as ENOSPC would)."""
        pid = self.examd.proc.pid
        limit = resource.prlimit(pid, resource.RLIMIT_FSIZE)
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, limit[1]))
        try:
            yield
        finally:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, limit)

    def save(self, tok, n, seq, choice):
        return self.examd.api("PUT", "/attempt/sections/mc/answers/%d" % n,
                              {"choice": choice, "seq": seq}, token=tok)

    def test_full_disk_refuses_saves_and_loses_no_acknowledged_one(self):
        sid, cid, tok, ptok = self.begin()
        for n, choice in ((1, "a"), (2, "b")):
            self.assertEqual(self.save(tok, n, 1, choice).status, 200)
        with self.disk_full():
            r = self.save(tok, 3, 1, "c")
            self.assertError(r, 503, "store_failed")
            self.assertIn("nothing was saved", r.json["error"]["message"])
            r = self.save(tok, 1, 2, "d")
            self.assertError(r, 503, "store_failed")
            # examd is up and still reads what it acknowledged.
            view = self.examd.api("GET", "/attempt/sections/mc",
                                  token=tok).json
            self.assertEqual([(i["answer"], i["seq"]) for i in
                              view["items"][:3]],
                             [("a", 1), ("b", 1), (None, 0)])
            time.sleep(2)
        # Room again: the refused saves go through when sent again.
        back = time.time()
        r = self.save(tok, 3, 1, "c")
        self.assertEqual((r.status, r.json["applied"]), (200, True), r)
        self.assertEqual(self.save(tok, 1, 2, "d").status, 200)
        metrics = self.examd.request("GET", "/metrics").body
        failures = [l for l in metrics.splitlines()
                    if l.startswith("examd_store_commit_failures_total ")]
        self.assertGreaterEqual(int(failures[0].split()[1]), 2)
        self.examd.kill9()
        self.examd.start()
        view = self.examd.api("GET", "/attempt/sections/mc", token=tok).json
        self.assertEqual([(i["answer"], i["seq"]) for i in view["items"][:3]],
                         [("d", 2), ("b", 1), ("c", 1)])
        # The outage was credited once: the restart's credit runs from the
        # end of the outage (or a later heartbeat), not from before it.
        con = sqlite3.connect(self.examd.db)
        credits = dict(con.execute(
            "SELECT action, json_extract(details, '$.credit_ms') FROM audit"
            " WHERE action LIKE 'section.%_credit' AND candidate_id = ?",
            (cid,)).fetchall())
        con.close()
        self.assertGreaterEqual(credits["section.outage_credit"], 2000,
                                credits)
        self.assertLessEqual(credits.get("section.restart_credit", 0),
                             (time.time() - back) * 1000 + 500, credits)

    def test_time_while_nothing_can_be_saved_is_credited(self):
        sid, cid, tok, ptok = self.begin(form="imh-3")
        self.assertEqual(self.save(tok, 1, 1, "a").status, 200)
        with self.disk_full():
            # The save fails: the store is out from this batch on.
            out = time.time()
            self.assertError(self.save(tok, 2, 1, "b"), 503, "store_failed")
            # Past the 3-s part's deadline and its 5 s grace: examd's
            # submission of it cannot commit, and a save is told to try
            # again (503), not that the part is closed: while the store is
            # out nothing runs until a commit can succeed, and then the
            # credit comes first.
            time.sleep(3 + 5 + 1.5)
            self.assertEqual(self.remaining(tok)["status"], "open")
            self.assertError(self.save(tok, 2, 1, "b"), 503, "store_failed")
        back = time.time()
        # Room again: the same save, sent again, is taken, with the time
        # the part had when the store went out.
        r = self.save(tok, 2, 1, "b")
        self.assertEqual((r.status, r.json["applied"]), (200, True), r)
        self.assertGreater(r.json["remaining_ms"], 0, r)
        self.assertLessEqual(r.json["remaining_ms"], 3000, r)
        con = sqlite3.connect(self.examd.db)
        credits = [json.loads(d) for (d,) in con.execute(
            "SELECT details FROM audit WHERE action ="
            " 'section.outage_credit' AND candidate_id = ?", (cid,))]
        logged = con.execute(
            "SELECT count(*) FROM attempt_clock_log WHERE kind ="
            " 'outage_credit'").fetchone()[0]
        con.close()
        self.assertEqual(len(credits), 1, credits)
        self.assertEqual(logged, 1)
        self.assertGreaterEqual(credits[0]["credit_ms"],
                                (back - out) * 1000 - 500, credits)
        self.assertLessEqual(credits[0]["credit_ms"],
                             (time.time() - out) * 1000 + 500, credits)
        # The deadline still holds: the server submits at the new one.
        end = time.time() + 3 + 5 + 10
        while self.remaining(tok)["status"] != "submitted" and \
                time.time() < end:
            time.sleep(0.2)
        self.assertEqual(self.remaining(tok)["status"], "submitted")
        con = sqlite3.connect(self.examd.db)
        by = con.execute(
            "SELECT x.submitted_by FROM attempt_sections x JOIN attempts a"
            " ON a.id = x.attempt_id WHERE a.candidate_id = ? AND"
            " x.position = 0", (cid,)).fetchone()[0]
        seqs = con.execute(
            "SELECT i.n, i.seq, i.answer FROM attempt_items i"
            " JOIN attempts a ON a.id = i.attempt_id WHERE"
            " a.candidate_id = ? AND i.position = 0 AND i.n IN (1, 2)"
            " ORDER BY i.n", (cid,)).fetchall()
        con.close()
        self.assertEqual(by, "server")
        self.assertEqual([(n, seq) for n, seq, _ in seqs], [(1, 1), (2, 1)])
        self.assertTrue(all(answer for _, _, answer in seqs), seqs)
        for line in ("store: out", "store: back", "credited to 1 open"):
            self.assertTrue(any(line in l for l in self.examd.lines),
                            (line, "\n".join(self.examd.lines[-20:])))

    def test_a_window_that_closed_in_an_outage_is_open_again(self):
        """The store out across a sitting's close: nobody could sign in or
        start a part then, so the window gets back what it lost once a
        commit succeeds; meanwhile a candidate whose session ran out with
        the window is told to try again (503), not signed out (401)."""
        sid, cid, tok, _ = self.admitted(closes=3000)

        def db(sql, *args):
            con = sqlite3.connect(self.examd.db, timeout=30)
            rows = con.execute(sql, args).fetchall()
            con.close()
            return rows
        closes = db("SELECT closes_at FROM sittings WHERE id = ?", sid)[0][0]
        out = time.time() * 1000
        with self.disk_full():
            r = self.examd.api("POST", "/attempt/sections/mc/start",
                               token=tok)
            self.assertError(r, 503, "store_failed")
            out_seen = time.time() * 1000
            while time.time() * 1000 < closes + 1000:
                time.sleep(0.1)
            r = self.examd.api("GET", "/attempt", token=tok)
            self.assertError(r, 503, "store_failed")
        back = time.time() * 1000
        end = time.time() + 10
        while time.time() < end and not db(
                "SELECT 1 FROM audit WHERE action = 'sitting.outage_credit'"):
            time.sleep(0.1)
        credit = db("SELECT details FROM audit WHERE action ="
                    " 'sitting.outage_credit' AND object = ?",
                    "sitting:%d" % sid)
        self.assertEqual(len(credit), 1, credit)
        moved = db("SELECT closes_at FROM sittings WHERE id = ?", sid)[0][0]
        self.assertEqual(json.loads(credit[0][0])["credit_ms"], moved - closes)
        # Lost: from the first failed commit to the close; given from back.
        self.assertGreaterEqual(moved, back + closes - out_seen)
        self.assertLessEqual(moved, time.time() * 1000 + closes - out)
        # The same session goes on, and the part starts.
        r = self.examd.api("POST", "/attempt/sections/mc/start", token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(db("SELECT status FROM candidates WHERE id = ?",
                            cid)[0][0], "in_section")
        self.assertTrue(any("open again" in l for l in self.examd.lines),
                        "\n".join(self.examd.lines[-20:]))

    def test_paused_part_is_not_credited(self):
        sid, cid, tok, ptok = self.begin()
        r = self.examd.api("POST", "/sittings/%d/candidates/%d/pause" % (
            sid, cid), token=ptok)
        self.assertEqual(r.status, 200, r)
        frozen = self.remaining(tok)["remaining_ms"]
        self.examd.kill9()
        time.sleep(1)
        self.examd.start()
        sec = self.remaining(tok)
        self.assertEqual((sec["remaining_ms"], sec["paused"]), (frozen, True))
        r = self.examd.api("POST", "/sittings/%d/candidates/%d/resume" % (
            sid, cid), token=ptok)
        self.assertEqual(r.status, 200, r)
        self.assertLessEqual(frozen - r.json["remaining_ms"], 1000)

    def test_part_past_its_deadline_when_down_is_submitted_at_start(self):
        """examd died after a deadline but before closing the part (the
        heartbeat is after the deadline, so nothing is credited)."""
        sid, cid, tok, ptok = self.begin()
        r = self.examd.api("PUT", "/attempt/sections/mc/answers/2",
                           {"choice": "b", "seq": 1}, token=tok)
        self.assertEqual(r.status, 200, r)
        self.examd.kill9()
        now = int(time.time() * 1000)
        con = sqlite3.connect(self.examd.db)
        con.execute("UPDATE attempt_sections SET started_at = ? WHERE"
                    " attempt_id = (SELECT id FROM attempts WHERE"
                    " candidate_id = ?) AND position = 0", (now - 60000, cid))
        con.execute("UPDATE meta SET value = ? WHERE key = 'heartbeat_ms'",
                    (str(now - 1000),))
        con.commit()
        con.close()
        self.examd.start()
        sec = self.remaining(tok)
        self.assertEqual(sec["status"], "submitted")
        con = sqlite3.connect(self.examd.db)
        by, answer = con.execute(
            "SELECT x.submitted_by, i.answer FROM attempt_sections x JOIN"
            " attempts a ON a.id = x.attempt_id JOIN attempt_items i ON"
            " i.attempt_id = a.id AND i.position = 0 AND i.n = 2"
            " WHERE a.candidate_id = ? AND x.position = 0", (cid,)).fetchone()
        credits = con.execute("SELECT count(*) FROM audit WHERE action ="
                              " 'section.restart_credit'").fetchone()[0]
        con.close()
        self.assertEqual(by, "server")
        self.assertIsNotNone(answer)
        self.assertEqual(credits, 0)


if __name__ == "__main__":
    main()
