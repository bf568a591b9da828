"""An open event stream is activity: a proctor who only watches a sitting's
live view is not signed out by the staff idle timeout (--session-idle),
while the same sign-in without a stream is. The absolute end
(--session-max) still ends the session, and then the stream.

Streams' sessions are looked at on the heartbeat (EXAMD_STREAM_HEARTBEAT,
15 s), so the tests wait for heartbeats rather than for the idle timeout
alone. Bounds are generous, since CI machines are shared.
"""
import time

from harness import ExamdTestCase, main
from delivery_fixture import EventStream, login, seed

HEARTBEAT = 15
SLACK = 10


class StreamIsActivity(ExamdTestCase):
    # One examd for both promises: the heartbeats come every 15 s from its
    # start, and each look at a session waits for one.
    examd_args = ("--session-idle", "6", "--session-max", "35")

    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)

    def test_a_watching_proctor_outlives_the_idle_timeout_not_session_max(self):
        sid = self.w.sitting()
        watching = login(self.examd, username="proctor")
        idle = login(self.examd, username="proctor")
        t0 = time.time()
        ev = EventStream(self.examd, "/sittings/%d/events" % sid, watching)
        try:
            self.assertEqual(ev.status, 200)
            ev.wait_for("roster")
            # The first heartbeat after the stream opened follows a look at
            # its session, and so does the second, 15 s later (well past the
            # 6 s idle timeout): a session judged idle would have been sent
            # session_ended and closed instead.
            self.assertTrue(ev.wait_heartbeats(2, 2 * HEARTBEAT + SLACK),
                            "the watching proctor's stream was closed")
            self.assertGreater(time.time() - t0, 6 + 2)
            with ev.cond:
                self.assertNotIn("session_ended",
                                 [e for _, e, _ in ev.events])
            self.assertFalse(ev.closed)
            # The same sign-in without a stream has run out meanwhile.
            self.assertError(self.examd.api("GET", "/me", token=idle), 401)
            self.assertEqual(self.examd.api("GET", "/me",
                                            token=watching).status, 200)
            # The absolute end still comes: 35 s after the sign-in, which
            # was just before t0.
            self.assertTrue(ev.wait_closed(t0 + 35 + HEARTBEAT + SLACK -
                                           time.time()),
                            "the stream outlived --session-max")
            self.assertGreater(time.time() - t0, 34)
            ev.wait_for("session_ended", timeout=1)
            self.assertError(self.examd.api("GET", "/me", token=watching),
                             401)
        finally:
            ev.close()


if __name__ == "__main__":
    main()
