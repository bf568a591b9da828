"""examc load against a real examd: a handful of simulated candidates for a
couple of seconds, then every save examc saw acknowledged is looked up in
the SQLite file (scripts/verify-ledger.py), also after examd is killed with
SIGKILL in the middle of the run. The realistic mode takes a whole exam
whose essay rule has group minimums. Bad arguments exit 2.
"""
import os
import sqlite3
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


GROUPS_FORM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2"
    xmlns:examd="urn:examd:qti:1"
    identifier="imh-load-groups" title="IMH, clinical vignettes first"
    examd:program="IMH">
  <testPart identifier="exam" navigationMode="nonlinear"
      submissionMode="simultaneous">
    <assessmentSection identifier="mc" title="Part 1" visible="true">
      <timeLimits maxTime="600"/>
      <assessmentItemRef identifier="imh-mc-001" href="../mc/imh-mc-001.xml"/>
      <assessmentItemRef identifier="imh-mc-002" href="../mc/imh-mc-002.xml"/>
      <assessmentItemRef identifier="imh-mc-003" href="../mc/imh-mc-003.xml"/>
    </assessmentSection>
    <assessmentSection identifier="essay" title="Part 2" visible="true">
      <timeLimits maxTime="600"/>
      <assessmentSection identifier="essay-imhm-c" title="Mentor, Clinical"
          visible="true" examd:tracks="IMHM-C" examd:answer="2"
          examd:require="supervisory:1 clinical:1">
        <assessmentItemRef identifier="imhm-c-cl-1"
            href="../essay/imhm-c-cl-1.xml" category="clinical"/>
        <assessmentItemRef identifier="imhm-c-cl-2"
            href="../essay/imhm-c-cl-2.xml" category="clinical"/>
        <assessmentItemRef identifier="imhm-c-sup-1"
            href="../essay/imhm-c-sup-1.xml" category="supervisory"/>
      </assessmentSection>
    </assessmentSection>
  </testPart>
</assessmentTest>
"""


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
        cls.import_groups_form()
        # A sitting per test: each starts from candidates not yet signed in.
        cls.groups_sid, cls.groups = cls.fx.add_sitting(
            "imh-load-groups", 4, "groups", track="IMHM-C")
        _, cls.codes = cls.fx.add_sitting("imh-sample-a", 3, "load")
        _, cls.kill_codes = cls.fx.add_sitting("imh-sample-a", 3, "kill")
        _, cls.short = cls.fx.add_sitting("imh-short", 4, "short")

    @classmethod
    def import_groups_form(cls):
        """A short form whose IMHM-C essay part lists the clinical vignettes
        before the supervisory one: the first K prompts break the rule
        "answer 2; supervisory:1 clinical:1"."""
        bank = os.path.join(cls.dir, "bank")
        shutil.copytree(os.path.join(ROOT, "items", "bank"), bank)
        with open(os.path.join(bank, "forms", "imh-load-groups.xml"),
                  "w") as f:
            f.write(GROUPS_FORM)
        benchlib.examctl(cls.fx.bin, "import", bank, db=cls.fx.db)

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

    def test_realistic_candidates_meet_the_essay_group_minimums(self):
        rc, out, err, rows = self.load("--codes", self.groups, "--mode",
                                       "realistic", "--think-ms", 20,
                                       "--essay-saves", 2, "--seconds", 60,
                                       timeout=90)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("4 done, 0 failed", out)
        self.assertNotIn("errors:", out)      # no 422 essay_rule, nothing
        self.assertEqual(rows["submit"]["n"], 8, out)   # both parts, each
        self.assertEqual(rows["essay"]["n"], 4 * 2 * 2, out)
        db = sqlite3.connect(self.fx.db)
        try:
            parts = db.execute(
                "SELECT s.identifier, s.status, count(*) FROM attempts a"
                " JOIN candidates c ON c.id = a.candidate_id"
                " JOIN attempt_sections s ON s.attempt_id = a.id"
                " WHERE c.sitting_id = ? GROUP BY 1, 2 ORDER BY 1",
                (self.groups_sid,)).fetchall()
            written = db.execute(
                "SELECT e.category, count(*) FROM attempts a"
                " JOIN candidates c ON c.id = a.candidate_id"
                " JOIN attempt_essays e ON e.attempt_id = a.id"
                " WHERE c.sitting_id = ? AND e.seq > 0 GROUP BY 1",
                (self.groups_sid,)).fetchall()
        finally:
            db.close()
        self.assertEqual(parts, [("essay", "submitted", 4),
                                 ("mc", "submitted", 4)])
        # Each candidate wrote one supervisory and one clinical vignette.
        self.assertEqual(dict(written), {"supervisory": 4, "clinical": 4})

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
