"""The audit chain: `examctl audit verify` passes on an untouched database
and names the first bad entry after someone edits the SQLite file: a
changed, deleted, inserted or reordered entry."""
import os
import re
import shutil
import sqlite3
import unittest

from harness import Examd, examctl, main
from identity_fixture import login, seed

COLS = ("at, actor, role, association_id, candidate_id, action, object,"
        " details, request_id, prev_hash, hash")


class AuditTamper(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.examd = Examd()
        cls.w = seed(cls.examd)
        cls.examd.start()
        for who in ("admin", "coord_a", "cand_a", "proctor_a"):
            login(cls.examd, who, cls.w)
        cls.examd.api("POST", "/login", {"username": "admin",
                                         "password": "wrong password xx"})
        cls.examd.stop()
        cls.pristine = os.path.join(cls.examd.dir, "pristine.db")
        shutil.copy(cls.examd.db, cls.pristine)

    @classmethod
    def tearDownClass(cls):
        cls.examd.cleanup()

    def tampered(self):
        """A fresh copy of the database, opened for editing like an
        attacker would: the append-only triggers dropped first."""
        path = os.path.join(self.examd.dir, "t-%s.db" % self._testMethodName)
        shutil.copy(self.pristine, path)
        db = sqlite3.connect(path)
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("DROP TRIGGER audit_no_delete")
        return path, db

    def verify(self, path):
        return examctl("audit", "verify", db=path, check=False)

    def assertBrokenAt(self, path, seq):
        p = self.verify(path)
        self.assertEqual(p.returncode, 1, p)
        m = re.search(r"entry (\d+)", p.stderr)
        self.assertIsNotNone(m, p.stderr)
        self.assertEqual(int(m.group(1)), seq, p.stderr)

    def count(self):
        db = sqlite3.connect(self.pristine)
        n = db.execute("SELECT count(*) FROM audit").fetchone()[0]
        db.close()
        return n

    def test_untouched_chain_verifies(self):
        p = self.verify(self.pristine)
        self.assertEqual(p.returncode, 0, p)
        self.assertIn("%d entries" % self.count(), p.stdout)
        self.assertGreater(self.count(), 10)

    def test_triggers_refuse_update_and_delete(self):
        path = os.path.join(self.examd.dir, "trig.db")
        shutil.copy(self.pristine, path)
        db = sqlite3.connect(path)
        with self.assertRaises(sqlite3.DatabaseError):
            db.execute("UPDATE audit SET actor = 'x' WHERE seq = 1")
        with self.assertRaises(sqlite3.DatabaseError):
            db.execute("DELETE FROM audit WHERE seq = 1")
        db.close()

    def test_changed_entry_is_named(self):
        path, db = self.tampered()
        db.execute("UPDATE audit SET details = '{\"address\":\"10.0.0.9\"}'"
                   " WHERE seq = 7")
        db.commit()
        db.close()
        self.assertBrokenAt(path, 7)

    def test_changed_and_rehashed_entry_breaks_the_next_link(self):
        path, db = self.tampered()
        db.execute("UPDATE audit SET action = 'logout', hash = ? WHERE seq = 5",
                   ("f" * 64,))
        db.commit()
        db.close()
        self.assertBrokenAt(path, 5)

    def test_deleted_entry_is_named(self):
        path, db = self.tampered()
        db.execute("DELETE FROM audit WHERE seq = 4")
        db.commit()
        db.close()
        self.assertBrokenAt(path, 4)

    def test_inserted_entry_is_named(self):
        path, db = self.tampered()
        n = self.count()
        # Make room after entry 6 and insert a copy of entry 3 there.
        for seq in range(n, 6, -1):
            db.execute("UPDATE audit SET seq = seq + 1 WHERE seq = ?", (seq,))
        db.execute("INSERT INTO audit(seq, %s) SELECT 7, %s FROM audit"
                   " WHERE seq = 3" % (COLS, COLS))
        db.commit()
        db.close()
        self.assertBrokenAt(path, 7)

    def test_appended_forged_entry_is_named(self):
        path, db = self.tampered()
        n = self.count()
        last = db.execute("SELECT hash FROM audit WHERE seq = ?",
                          (n,)).fetchone()[0]
        db.execute("INSERT INTO audit(seq, at, actor, role, action, object,"
                   " details, request_id, prev_hash, hash) VALUES"
                   " (?, '2025-01-01T00:00:00.000Z', 'user:1', 'admin',"
                   " 'login', 'user:1', '{}', '', ?, ?)", (n + 1, last, "0" * 64))
        db.commit()
        db.close()
        self.assertBrokenAt(path, n + 1)

    def test_reordered_entries_are_named(self):
        path, db = self.tampered()
        # Swap entries 5 and 8, keeping the numbers in place.
        db.execute("UPDATE audit SET seq = -5 WHERE seq = 5")
        db.execute("UPDATE audit SET seq = 5 WHERE seq = 8")
        db.execute("UPDATE audit SET seq = 8 WHERE seq = -5")
        db.commit()
        db.close()
        self.assertBrokenAt(path, 5)


if __name__ == "__main__":
    main()
