"""An event stream lives no longer than the sign-in it was opened with:
when the session ends (a takeover by a second sign-in, a logout) examd
closes the stream within one heartbeat (EXAMD_STREAM_HEARTBEAT, 15 s),
with a last "session_ended" event, and the old device hears nothing more.
One ended by examctl, a separate process, is seen within --stream-recheck
(EXAMD_STREAM_RECHECK, 60 s) and a heartbeat.
Bounds are generous, since CI machines are shared.
"""
import time

from harness import ExamdTestCase, examctl, main
from delivery_fixture import EventStream, login, open_streams, seed
from identity_fixture import PASSWORD

ENDED_WITHIN = 15 + 10  # one heartbeat, and slack for a busy machine


class StreamSessionEnd(ExamdTestCase):
    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd, forms={"imh-60": (60, 60)})

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ptok = login(cls.examd, username="proctor")

    def api(self, method, path, tok, body=None):
        return self.examd.api(method, path, body, token=tok)

    def open_streams(self):
        return open_streams(self.examd)

    def test_a_takeover_closes_the_old_devices_stream(self):
        sid = self.w.sitting(form="imh-60")
        cid, code = self.w.candidate(sid)
        old = login(self.examd, code)
        r = self.api("POST", "/sittings/%d/candidates/%d/admit" % (sid, cid),
                     self.ptok)
        self.assertEqual(r.status, 200, r)
        first = EventStream(self.examd, "/attempt/events", old)
        second = None
        try:
            self.assertEqual(first.status, 200)
            first.wait_for("time")
            base = self.open_streams()
            new = login(self.examd, code)       # the takeover
            second = EventStream(self.examd, "/attempt/events", new)
            self.assertEqual(second.status, 200)
            second.wait_for("time")
            t0 = time.time()
            self.assertTrue(first.wait_closed(ENDED_WITHIN),
                            "the old device's stream is still open after "
                            "%ds" % ENDED_WITHIN)
            self.assertLess(time.time() - t0, ENDED_WITHIN)
            first.wait_for("session_ended", timeout=1)
            self.assertEqual(self.open_streams(), base)
            # The new device's stream still carries the candidate's events.
            r = self.api("POST", "/attempt/sections/mc/start", new)
            self.assertEqual(r.status, 200, r)
            r = self.api("POST", "/sittings/%d/candidates/%d/pause" % (
                sid, cid), self.ptok)
            self.assertEqual(r.status, 200, r)
            second.wait_for("paused")
            self.assertFalse(second.closed)
            with first.cond:
                self.assertNotIn("paused", [e for _, e, _ in first.events])
            # The old token opens nothing any more.
            again = EventStream(self.examd, "/attempt/events", old)
            self.assertEqual(again.status, 401)
            again.close()
        finally:
            first.close()
            if second is not None:
                second.close()

    def test_a_proctor_logout_closes_the_proctors_stream(self):
        sid = self.w.sitting(form="imh-60")
        mine = login(self.examd, username="proctor")
        ev = EventStream(self.examd, "/sittings/%d/events" % sid, mine)
        other = EventStream(self.examd, "/sittings/%d/events" % sid,
                            self.ptok)
        try:
            self.assertEqual((ev.status, other.status), (200, 200))
            ev.wait_for("roster")
            other.wait_for("roster")
            r = self.api("POST", "/logout", mine)
            self.assertIn(r.status, (200, 204), r)
            self.assertTrue(ev.wait_closed(ENDED_WITHIN),
                            "the signed-out proctor's stream is still open "
                            "after %ds" % ENDED_WITHIN)
            ev.wait_for("session_ended", timeout=1)
            # The same proctor's other sign-in keeps its stream.
            self.assertFalse(other.closed)
            cid, code = self.w.candidate(sid)
            login(self.examd, code)
            r = self.api("POST", "/sittings/%d/candidates/%d/admit" % (
                sid, cid), self.ptok)
            self.assertEqual(r.status, 200, r)
            other.wait_for("candidate", pred=lambda d: d.get("id") == cid)
        finally:
            ev.close()
            other.close()


class StreamSessionEndByExamctl(ExamdTestCase):
    # examctl's revocations move no session generation in examd: the
    # streams' sessions are read again every --stream-recheck seconds
    # regardless (60 by default; 1 here, so one heartbeat bounds it).
    examd_args = ("--stream-recheck", "1")

    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)

    def test_examctl_passwd_closes_the_proctors_stream(self):
        sid = self.w.sitting()
        tok = login(self.examd, username="proctor")
        ev = EventStream(self.examd, "/sittings/%d/events" % sid, tok)
        try:
            self.assertEqual(ev.status, 200)
            ev.wait_for("roster")
            base = open_streams(self.examd)
            # Past the look that follows a stream's opening: what comes
            # next is only the periodic one.
            self.assertTrue(ev.wait_heartbeats(1, 15 + 10))
            examctl("user", "passwd", "proctor", db=self.examd.db,
                    stdin=PASSWORD + "\n")
            self.assertTrue(ev.wait_closed(ENDED_WITHIN), "the stream of a "
                            "session examctl ended is still open after %ds"
                            % ENDED_WITHIN)
            ev.wait_for("session_ended", timeout=1)
            self.assertEqual(open_streams(self.examd), base - 1)
            self.assertError(self.examd.api("GET", "/me", token=tok), 401)
        finally:
            ev.close()


if __name__ == "__main__":
    main()
