"""The sitting's side of delivery: the window closing on parts nobody
started (forfeited, attempts completed, candidates never admitted marked
absent), a window that closed while examd was down (open again for what
it lost, then closed), the sitting-wide pause
holding new starts, candidates.status kept true through the lifecycle, and
the roster pushed when a candidate's event stream opens or closes. Windows
and parts last seconds (copies of the sample bank's imh-short form).
"""
import json
import sqlite3
import time

from harness import ExamdTestCase, main
from delivery_fixture import EventStream, login, seed

GRACE = 5.0     # EXAMD_SAVE_GRACE_MS


class WindowCase(ExamdTestCase):
    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd, forms={"imh-10": (10, 10), "imh-30": (30, 30)})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ptok = login(cls.examd, username="proctor")
        cls.ctok = login(cls.examd, username="coord")

    def api(self, method, path, tok, body=None):
        return self.examd.api(method, path, body, token=tok)

    def admit(self, sid, cid):
        r = self.api("POST", "/sittings/%d/candidates/%d/admit" % (sid, cid),
                     self.ptok)
        self.assertEqual(r.status, 200, r)

    def cand(self, sid, admit=True, signin=True, name=None):
        cid, code = self.w.candidate(sid, name=name)
        tok = login(self.examd, code) if signin else None
        if admit:
            self.admit(sid, cid)
        return cid, tok

    def start(self, tok, sec="mc"):
        return self.api("POST", "/attempt/sections/%s/start" % sec, tok)

    def db(self, sql, *args):
        con = sqlite3.connect(self.examd.db, timeout=30)
        rows = con.execute(sql, args).fetchall()
        con.close()
        return rows

    def status_of(self, cid):
        return self.db("SELECT status FROM candidates WHERE id = ?", cid)[0][0]

    def roster(self, sid):
        r = self.api("GET", "/sittings/%d/roster" % sid, self.ptok)
        self.assertEqual(r.status, 200, r)
        return {c["id"]: c for c in r.json["candidates"]}

    def wait(self, pred, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            if pred():
                return
            time.sleep(0.2)
        self.fail("not within %ss: %s" % (timeout, what))


class WindowClose(WindowCase):
    def test_window_close_forfeits_parts_nobody_started(self):
        t0 = time.time()
        sid = self.w.sitting(form="imh-10", closes=8000)
        idle, itok = self.cand(sid, name="Ida Idle")          # never starts
        done1, dtok = self.cand(sid, name="Don Between")      # mc submitted
        late, ltok = self.cand(sid, name="Len Late")          # mc open at close
        waiting, _ = self.cand(sid, admit=False, name="Wes Waiting")
        never, _ = self.cand(sid, admit=False, signin=False, name="Nat Never")
        self.assertEqual(self.start(dtok).status, 200)
        self.assertEqual(self.api("PUT", "/attempt/sections/mc/answers/1",
                                  dtok, {"choice": "a", "seq": 1}).status, 200)
        r = self.api("POST", "/attempt/sections/mc/submit", dtok)
        self.assertEqual(r.json["attempt"], "between_sections", r)
        self.assertEqual(self.start(ltok).status, 200)
        late_started = time.time()
        self.assertLess(late_started - t0, 7, "the set-up was too slow")
        ev = EventStream(self.examd, "/attempt/events", itok)
        proc = EventStream(self.examd, "/sittings/%d/events" % sid, self.ptok)
        try:
            ev.wait_for("time")
            proc.wait_for("roster")
            # At the close: the idle candidate's two parts, forfeited.
            _, a = ev.wait_for("submitted", timeout=8 + 15)
            _, b = ev.wait_for("submitted", timeout=5)
            self.assertGreater(time.time() - t0, 8 - 0.5)
            self.assertEqual(sorted((a["section"], b["section"])),
                             ["essay", "mc"])
            self.assertEqual((a["by"], b["by"], b["status"]),
                             ("forfeit", "forfeit", "complete"))
            for who, st in ((idle, "complete"), (done1, "complete"),
                            (waiting, "absent"), (never, "absent")):
                proc.wait_for("candidate", timeout=10, pred=lambda d, who=who,
                              st=st: d["id"] == who and d["status"] == st)
        finally:
            ev.close()
            proc.close()
        # A part already started runs to its own deadline, saves and all
        # (its session outlives the window; the others' ended with it).
        # The 401 says why, so the page shows "the sitting has closed".
        self.assertError(self.api("GET", "/attempt", itok), 401,
                         "sitting_closed")
        # Don's session was kept for the part he started (until its
        # deadline would have been): while it lasts, his attempt tells
        # the part he did not start from the one he submitted.
        r = self.api("GET", "/attempt", dtok)
        if r.status == 200:
            self.assertEqual([x["submitted_by"] for x in r.json["sections"]],
                             ["candidate", "forfeit"])
        else:
            self.assertError(r, 401, "sitting_closed")
        ros = self.roster(sid)
        self.assertEqual(ros[late]["status"], "in_section")
        self.assertEqual(ros[late]["section"], "mc")
        self.assertEqual(self.api("PUT", "/attempt/sections/mc/answers/2",
                                  ltok, {"choice": "b", "seq": 1}).status, 200)
        self.wait(lambda: self.status_of(late) == "complete",
                  late_started + 10 + GRACE + 15 - time.time(),
                  "the late part closed at its deadline and the essay "
                  "forfeited")
        by = dict(self.db(
            "SELECT c.name || '/' || x.identifier, x.submitted_by FROM"
            " attempt_sections x JOIN attempts a ON a.id = x.attempt_id"
            " JOIN candidates c ON c.id = a.candidate_id WHERE"
            " a.sitting_id = ?", sid))
        self.assertEqual(by, {
            "Ida Idle/mc": "forfeit", "Ida Idle/essay": "forfeit",
            "Don Between/mc": "candidate", "Don Between/essay": "forfeit",
            "Len Late/mc": "server", "Len Late/essay": "forfeit"})
        # Scored as nothing answered; the scores already made stand.
        raw = dict(self.db(
            "SELECT a.candidate_id, x.mc_raw || '/' || x.mc_max FROM"
            " attempt_sections x JOIN attempts a ON a.id = x.attempt_id"
            " WHERE a.sitting_id = ? AND x.identifier = 'mc'", sid))
        self.assertEqual(raw[idle].split("/")[0], "0")
        self.assertNotEqual(raw[idle].split("/")[1], "")
        self.assertEqual(len(raw), 3)
        # The never-admitted have no attempt; everyone's status is true.
        self.assertEqual(self.db("SELECT count(*) FROM attempts WHERE"
                                 " candidate_id IN (?, ?)", waiting, never),
                         [(0,)])
        for who, st in ((idle, "complete"), (done1, "complete"),
                        (late, "complete"), (waiting, "absent"),
                        (never, "absent")):
            self.assertEqual(self.status_of(who), st, who)
        ros = self.roster(sid)
        self.assertEqual({c: ros[c]["status"] for c in ros},
                         {idle: "complete", done1: "complete",
                          late: "complete", waiting: "absent",
                          never: "absent"})
        self.assertEqual(self.api("GET", "/attempt", ltok).json["status"],
                         "complete")
        # Audited: each forfeit, each absence, the pass itself.
        acts = self.db("SELECT action, candidate_id, details FROM audit"
                       " WHERE action IN ('section.forfeit',"
                       " 'candidate.absent', 'sitting.close') AND"
                       " (candidate_id IN (?, ?, ?, ?, ?) OR object = ?)",
                       idle, done1, late, waiting, never, "sitting:%d" % sid)
        forfeits = {c: json.loads(d)["sections"] for a, c, d in acts
                    if a == "section.forfeit"}
        self.assertEqual(forfeits, {idle: ["mc", "essay"],
                                    done1: ["essay"], late: ["essay"]})
        self.assertEqual(sorted(c for a, c, _ in acts
                                if a == "candidate.absent"),
                         sorted([waiting, never]))
        close = [json.loads(d) for a, _, d in acts if a == "sitting.close"]
        self.assertEqual(close, [{"attempts_completed": 2, "absent": 2}])
        self.assertNotEqual(self.db("SELECT window_closed_at FROM sittings"
                                    " WHERE id = ?", sid), [(0,)])

    def test_a_part_submitted_after_the_close_forfeits_the_rest(self):
        sid = self.w.sitting(form="imh-30", closes=4000)
        cid, tok = self.cand(sid)
        self.assertEqual(self.start(tok).status, 200)
        ev = EventStream(self.examd, "/attempt/events", tok)
        try:
            ev.wait_for("time")
            time.sleep(5.5)
            self.assertEqual(self.roster(sid)[cid]["status"], "in_section")
            r = self.api("POST", "/attempt/sections/mc/submit", tok)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["attempt"], "complete")
            _, d = ev.wait_for("submitted", pred=lambda d: d["by"] ==
                               "forfeit")
            self.assertEqual((d["section"], d["status"]),
                             ("essay", "complete"))
        finally:
            ev.close()
        self.assertEqual(self.status_of(cid), "complete")


    def test_a_candidate_whose_part_runs_past_the_close_may_sign_in_again(self):
        sid = self.w.sitting(form="imh-30", closes=4000)
        cid, code = self.w.candidate(sid)
        tok = login(self.examd, code)
        self.admit(sid, cid)
        idle, icode = self.w.candidate(sid)
        login(self.examd, icode)
        self.admit(sid, idle)
        self.assertEqual(self.start(tok).status, 200)
        self.assertEqual(self.api("PUT", "/attempt/sections/mc/answers/1",
                                  tok, {"choice": "a", "seq": 1}).status, 200)
        time.sleep(5)
        # The browser was closed: the same code signs in after the close,
        # the part goes on with what was saved.
        again = self.examd.api("POST", "/login", {"access_code": code})
        self.assertEqual(again.status, 200, again)
        tok2 = again.json["token"]
        self.assertError(self.api("GET", "/attempt", tok), 401)
        r = self.api("GET", "/attempt/sections/mc", tok2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"][0]["answer"], "a")
        self.assertGreater(r.json["remaining_ms"], 0)
        self.assertEqual(self.api("PUT", "/attempt/sections/mc/answers/2",
                                  tok2, {"choice": "b", "seq": 1}).status,
                         200)
        # Nobody else gets in after the close.
        self.assertError(self.examd.api("POST", "/login",
                                        {"access_code": icode}),
                         403, "sitting_closed")


class SittingPause(WindowCase):
    def test_a_paused_sitting_holds_new_starts(self):
        sid = self.w.sitting(form="imh-30")
        running, rtok = self.cand(sid)
        waiting, wtok = self.cand(sid)
        self.assertEqual(self.start(rtok).status, 200)
        r = self.api("POST", "/sittings/%d/pause" % sid, self.ptok)
        self.assertEqual((r.status, r.json["parts"], r.json["paused"]),
                         (200, 1, True), r)
        self.assertError(self.start(wtok), 409, "paused")
        self.assertTrue(self.api("GET", "/attempt", wtok).json["paused"])
        # Pausing twice keeps the first pause; an admission still works
        # (it starts no clock).
        r = self.api("POST", "/sittings/%d/pause" % sid, self.ptok)
        self.assertEqual((r.status, r.json["parts"]), (200, 0), r)
        late, ltok = self.cand(sid)
        self.assertError(self.start(ltok), 409, "paused")
        r = self.api("POST", "/sittings/%d/resume" % sid, self.ptok)
        self.assertEqual((r.status, r.json["parts"], r.json["paused"]),
                         (200, 1, False), r)
        self.assertFalse(self.api("GET", "/attempt", wtok).json["paused"])
        for tok in (wtok, ltok):
            r = self.start(tok)
            self.assertEqual(r.status, 200, r)
            self.assertGreater(r.json["remaining_ms"], 28000)
        acts = [a for (a,) in self.db(
            "SELECT action FROM audit WHERE object = ? ORDER BY seq",
            "sitting:%d" % sid)]
        self.assertEqual(acts, ["sitting.pause", "sitting.pause",
                                "sitting.resume"])


class ProctorSubmit(WindowCase):
    def test_a_proctor_submits_the_open_part_with_a_reason(self):
        sid = self.w.sitting(form="imh-30")
        cid, tok = self.cand(sid)
        path = "/sittings/%d/candidates/%d/submit" % (sid, cid)
        self.assertError(self.api("POST", path, self.ptok,
                                  {"reason": "x"}), 409, "section_not_open")
        self.assertEqual(self.start(tok).status, 200)
        self.assertEqual(self.api("PUT", "/attempt/sections/mc/answers/1",
                                  tok, {"choice": "a", "seq": 1}).status, 200)
        self.assertError(self.api("POST", path, self.ptok, {}), 422,
                         "missing_field")
        ev = EventStream(self.examd, "/attempt/events", tok)
        try:
            ev.wait_for("time")
            r = self.api("POST", path, self.ptok,
                         {"reason": "left the room"})
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["section"], r.json["attempt"]),
                             ("mc", "between_sections"))
            _, d = ev.wait_for("submitted")
            self.assertEqual((d["section"], d["by"]), ("mc", "proctor"))
        finally:
            ev.close()
        self.assertError(self.api("PUT", "/attempt/sections/mc/answers/2",
                                  tok, {"choice": "a", "seq": 1}), 409,
                         "section_closed")
        self.assertEqual(self.db(
            "SELECT x.submitted_by, i.answer IS NOT NULL FROM"
            " attempt_sections x JOIN attempts a ON a.id = x.attempt_id"
            " JOIN attempt_items i ON i.attempt_id = a.id AND i.position ="
            " x.position AND i.n = 1 WHERE a.candidate_id = ? AND"
            " x.identifier = 'mc'", cid), [("proctor", 1)])
        audit = [json.loads(d) for (d,) in self.db(
            "SELECT details FROM audit WHERE candidate_id = ? AND action ="
            " 'section.submit'", cid)]
        self.assertEqual([(a["by"], a.get("reason")) for a in audit],
                         [("proctor", "left the room")])


class Status(WindowCase):
    def statuses(self, sid, cid):
        """candidates.status, the roster's and the coordinator's view."""
        ros = self.roster(sid)[cid]["status"]
        r = self.api("GET", "/sittings/%d/candidates/%d" % (sid, cid),
                     self.ctok)
        self.assertEqual(r.status, 200, r)
        return self.status_of(cid), ros, r.json["status"]

    def test_candidate_status_follows_the_attempt(self):
        sid = self.w.sitting(form="imh-30")
        cid, code = self.w.candidate(sid)
        self.assertEqual(self.statuses(sid, cid), ("registered",) * 3)
        tok = login(self.examd, code)
        self.assertEqual(self.statuses(sid, cid), ("waiting",) * 3)
        self.admit(sid, cid)
        self.assertEqual(self.statuses(sid, cid), ("admitted",) * 3)
        self.assertEqual(self.start(tok).status, 200)
        self.assertEqual(self.statuses(sid, cid), ("in_section",) * 3)
        self.api("POST", "/attempt/sections/mc/submit", tok)
        self.assertEqual(self.statuses(sid, cid), ("between_sections",) * 3)
        self.assertEqual(self.start(tok, "essay").status, 200)
        r = self.api("PUT", "/attempt/sections/essay/essays/p1", tok,
                     {"text": "one answer", "seq": 1})
        self.assertEqual(r.status, 200, r)
        r = self.api("POST", "/attempt/sections/essay/submit", tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.statuses(sid, cid), ("complete",) * 3)
        # Void, whether admitted or not.
        cid2, _ = self.cand(sid, admit=False)
        r = self.api("POST", "/sittings/%d/candidates/%d/void" % (sid, cid2),
                     self.ptok, {"reason": "left the room"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.statuses(sid, cid2), ("void",) * 3)
        # Signing in does not count as started: the sitting can still be
        # cancelled while candidates only wait.
        sid2 = self.w.sitting(form="imh-30")
        cid3, _ = self.cand(sid2, admit=False)
        self.assertEqual(self.status_of(cid3), "waiting")
        r = self.api("POST", "/sittings/%d/cancel" % sid2, self.ctok,
                     {"reason": "storm"})
        self.assertEqual(r.status, 200, r)


class Connected(WindowCase):
    def test_roster_hears_a_stream_open_and_close(self):
        sid = self.w.sitting(form="imh-30")
        cid, tok = self.cand(sid)
        proc = EventStream(self.examd, "/sittings/%d/events" % sid, self.ptok)
        try:
            _, ros = proc.wait_for("roster")
            ev = EventStream(self.examd, "/attempt/events", tok)
            ev.wait_for("time")
            proc.wait_for("candidate", pred=lambda d: d["id"] == cid and
                          d["connected"])
            ev.close()
            # Noticed at the latest by the next stream heartbeat (15 s).
            proc.wait_for("candidate", timeout=25, pred=lambda d:
                          d["id"] == cid and not d["connected"])
            self.assertFalse(self.roster(sid)[cid]["connected"])
            # The next request says the candidate is back.
            self.api("GET", "/attempt", tok)
            proc.wait_for("candidate", pred=lambda d: d["id"] == cid and
                          d["connected"])
        finally:
            proc.close()


class Restart(WindowCase):
    HEARTBEAT = 5000    # DV_HEARTBEAT_SECONDS, in ms

    def test_a_window_that_closed_while_down_is_open_again_for_what_it_lost(
            self):
        sid = self.w.sitting(form="imh-30", closes=4000)
        closes = self.db("SELECT closes_at FROM sittings WHERE id = ?",
                         sid)[0][0]
        cid, tok = self.cand(sid)
        cid2, tok2 = self.cand(sid)
        cid3, _ = self.cand(sid, admit=False, signin=False)
        sid4 = self.w.sitting(form="imh-30")
        cid4, tok4 = self.cand(sid4)
        r = self.api("POST", "/sittings/%d/pause" % sid4, self.ptok)
        self.assertEqual(r.status, 200, r)
        down = time.time() * 1000
        self.examd.stop()
        time.sleep(4.5)
        before = time.time() * 1000
        self.examd.start()
        after = time.time() * 1000
        # Down from the last heartbeat (at most one before the stop) to the
        # restart: the window lost closes - heartbeat, given back from then.
        moved = self.db("SELECT closes_at FROM sittings WHERE id = ?",
                        sid)[0][0]
        self.assertGreaterEqual(moved, before + closes - down)
        self.assertLessEqual(moved, after + closes - down + self.HEARTBEAT)
        audit = self.db("SELECT details FROM audit WHERE action ="
                        " 'sitting.restart_credit' AND object = ?",
                        "sitting:%d" % sid)
        self.assertEqual(len(audit), 1, audit)
        self.assertEqual(json.loads(audit[0][0])["credit_ms"], moved - closes)
        # Open: nobody was forfeited or marked absent, the session that was
        # to end with the window lasts as long as it, and a part starts.
        self.assertEqual([self.status_of(c) for c in (cid, cid2, cid3)],
                         ["admitted", "admitted", "registered"])
        self.assertEqual(self.start(tok).status, 200)
        # At the new close the rest closes as before.
        self.wait(lambda: self.status_of(cid2) == "complete",
                  (moved / 1000 - time.time()) + 5, "the window to close")
        self.assertEqual(self.status_of(cid3), "absent")
        self.assertEqual(self.db(
            "SELECT submitted_by FROM attempt_sections x JOIN attempts a"
            " ON a.id = x.attempt_id WHERE a.candidate_id = ?"
            " ORDER BY position", cid2), [("forfeit",), ("forfeit",)])
        self.assertEqual(self.roster(sid)[cid2]["status"], "complete")
        self.assertEqual(self.status_of(cid), "in_section")
        # A sitting-wide pause is stored: it held through the restart.
        self.assertError(self.start(tok4), 409, "paused")


if __name__ == "__main__":
    main()
