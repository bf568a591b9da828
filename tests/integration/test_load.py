"""examc load against a real examd: a handful of simulated candidates for a
couple of seconds, then every save examc saw acknowledged is looked up in
the SQLite file (scripts/verify-ledger.py), also after examd is killed with
SIGKILL in the middle of the run. Bad arguments exit 2.
"""
import os
import subprocess
import sys
import tempfile
import shutil
import signal
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, ROOT, main  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import benchlib  # noqa: E402

VERIFY = os.path.join(ROOT, "scripts", "verify-ledger.py")
EXAMC = os.path.join(BIN, "examc")


def delivery_missing():
    out = subprocess.run([os.path.join(BIN, "examd"), "--routes"],
                         capture_output=True, text=True).stdout
    if "/api/v1/attempt" not in out:
        return "examd has no candidate delivery API (/api/v1/attempt) yet"
    return None


class LoadArguments(unittest.TestCase):
    def run_load(self, *args):
        return subprocess.run([EXAMC, "load"] + list(args),
                              capture_output=True, text=True, timeout=30)

    def test_bad_arguments_exit_2_with_a_message(self):
        codes = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        codes.write("ABCD-EFGH-JKMN-PQRS-TVWX\n")
        codes.close()
        try:
            for args, words in (
                    ((), "--codes"),
                    (("--codes", codes.name, "--mode", "sprint"), "--mode"),
                    (("--codes", codes.name, "--bogus", "1"), "--bogus"),
                    (("--codes", codes.name, "--candidates", "0"),
                     "--candidates"),
                    (("--codes", codes.name, "--candidates", "2",
                      "--seconds", "1"), "has 1 codes"),
                    (("--codes", codes.name, "--think-ms", "x"),
                     "--think-ms"),
                    (("--codes", codes.name), "--seconds"),
                    (("--codes",), "needs a value")):
                p = self.run_load(*args)
                self.assertEqual(p.returncode, 2, (args, p.stderr))
                self.assertIn(words, p.stderr, args)
        finally:
            os.unlink(codes.name)

    def test_unreadable_codes_file_is_named(self):
        p = self.run_load("--codes", "/nonexistent/codes.txt", "--seconds",
                          "1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent/codes.txt", p.stderr)


class LoadAgainstExamd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.skip = delivery_missing()
        if cls.skip:
            return
        cls.dir = tempfile.mkdtemp(prefix="examd-load-test-")
        bindir = os.environ.get("EXAMD_BIN", "bin")
        try:
            cls.fx = benchlib.Fixture(cls.dir, bindir)
        except benchlib.Unavailable as e:
            cls.skip = str(e)
            return
        # A sitting per test: each starts from candidates not yet signed in.
        _, cls.codes = cls.fx.add_sitting("imh-sample-a", 3, "load")
        _, cls.kill_codes = cls.fx.add_sitting("imh-sample-a", 3, "kill")
        _, cls.short = cls.fx.add_sitting("imh-short", 4, "short")

    @classmethod
    def tearDownClass(cls):
        if not cls.skip:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        if self.skip:
            self.skipTest(self.skip)
        self.ex = benchlib.Examd(self.fx, conns=100)

    def tearDown(self):
        if not self.skip:
            self.ex.stop()
            bad = [l for l in self.ex.lines
                   if "Sanitizer" in l or "runtime error:" in l]
            if bad:
                self.fail("examd sanitizer report:\n" +
                          "\n".join(self.ex.lines[-80:]))

    def load(self, *args, timeout=60):
        return benchlib.examc(self.fx, self.ex, "load", *args,
                              timeout=timeout)

    def verify(self, ledger):
        return subprocess.run([sys.executable, VERIFY, "--db", self.fx.db,
                               "--ledger", ledger], capture_output=True,
                              text=True)

    def test_every_acknowledged_save_is_in_the_database(self):
        ledger = os.path.join(self.dir, "ledger-1.txt")
        # --settle-seconds: a candidate that never gets in is reported in
        # examc's table instead of outliving the test's timeout.
        rc, out, err, rows = self.load("--codes", self.codes, "--candidates",
                                       3, "--mode", "saturate", "--seconds",
                                       2, "--settle-seconds", 30, "--ledger",
                                       ledger, timeout=120)
        self.assertEqual(rc, 0, out + err)
        self.assertGreater(rows["answer"]["n"], 10, out)
        self.assertEqual(rows["answer"]["errors"], 0, out)
        for k in ("login", "attempt", "start"):
            self.assertEqual(rows[k]["n"], 3, out)
        # Essays: Part 1 submitted at once, then autosaves.
        rc, out, err, rows = self.load("--codes", self.codes, "--candidates",
                                       3, "--mode", "essay", "--think-ms", 50,
                                       "--seconds", 2, "--ledger", ledger)
        self.assertEqual(rc, 0, out + err)
        self.assertGreater(rows["essay"]["n"], 3, out)
        self.assertEqual(rows["submit"]["n"], 3, out)
        p = self.verify(ledger)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("all", p.stdout)

    def test_acknowledged_saves_survive_kill9(self):
        ledger = os.path.join(self.dir, "ledger-kill9.txt")
        threading.Timer(1.5, lambda: os.kill(self.ex.pid, signal.SIGKILL)
                        ).start()
        rc, out, err, rows = self.load("--codes", self.kill_codes,
                                       "--mode", "saturate", "--seconds",
                                       3, "--ledger", ledger)
        self.assertGreater(rows["answer"]["n"], 10, out)
        self.assertIn("answer 0 x", out)    # the transport died
        self.ex.proc.wait()
        p = self.verify(ledger)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_deadline_submits_and_tells_every_candidate(self):
        t0 = time.time()
        rc, out, err, rows = self.load("--codes", self.short, "--mode",
                                       "deadline", "--think-ms", 500,
                                       "--events", "--seconds", 30)
        self.assertEqual(rc, 0, out + err)
        self.assertLess(time.time() - t0, 20, out)
        self.assertEqual(rows["told-late"]["n"], 4, out)
        self.assertIn("4 done, 0 failed", out)
        self.assertIn('4 "submitted"', out)

    def test_verify_ledger_finds_a_save_that_is_not_stored(self):
        ledger = os.path.join(self.dir, "ledger-forged.txt")
        with open(self.codes) as f:
            code = f.readline().strip()
        with open(ledger, "w") as f:
            f.write("%s\tmc\tmc\t1\t%d\ta\n" % (code, 1 << 52))
        p = self.verify(ledger)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("1 of 1", p.stderr)


if __name__ == "__main__":
    main()
