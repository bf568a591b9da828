"""Sign-in, sign-out, sessions and account administration, against a real
examd over TLS."""
import sqlite3
import statistics
import time

from harness import ExamdTestCase, examctl, main
from identity_fixture import PASSWORD, login, seed, token


class SignIn(ExamdTestCase):
    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)

    def test_staff_signs_in_with_token_and_secure_cookie(self):
        r = login(self.examd, "coord_a", self.w)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["role"], "coordinator")
        self.assertEqual(len(r.json["token"]), 43)
        self.assertTrue(r.json["expires_at"].endswith("Z"))
        cookie = r.header("Set-Cookie")
        self.assertTrue(cookie.startswith("__Host-examd=" + r.json["token"]))
        for attr in ("Path=/", "Secure", "HttpOnly", "SameSite=Strict"):
            self.assertIn(attr, cookie)
        me = self.examd.api("GET", "/me", token=r.json["token"])
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["username"], "coord_a")
        self.assertEqual(me.json["association_id"], self.w.assoc_a)

    def test_cookie_signs_in_the_browser_pages(self):
        tok = token(self.examd, "proctor_a", self.w)
        r = self.examd.api("GET", "/me",
                           headers={"Cookie": "__Host-examd=" + tok})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["role"], "proctor")

    def test_token_is_stored_only_as_a_hash(self):
        tok = token(self.examd, "grader", self.w)
        db = sqlite3.connect(self.examd.db)
        rows = db.execute("SELECT token_hash FROM sessions").fetchall()
        db.close()
        self.assertTrue(rows)
        self.assertNotIn(tok, [r[0] for r in rows])

    def test_grader_endorsement_is_recorded(self):
        me = self.examd.api("GET", "/me",
                            token=token(self.examd, "grader", self.w))
        self.assertEqual(me.json["endorsement"], "IMHS")
        self.assertTrue(me.json["may_adjudicate"])

    def test_unknown_user_and_wrong_password_look_the_same(self):
        times = {"unknown": [], "wrong": []}
        bodies = set()
        for i in range(3):
            for kind, name in (("unknown", "nobody%d" % i),
                               ("wrong", "target_b")):
                t0 = time.monotonic()
                r = self.examd.api("POST", "/login", {
                    "username": name, "password": "not the password"})
                times[kind].append(time.monotonic() - t0)
                self.assertError(r, 401, "invalid_credentials")
                bodies.add(r.body)
        self.assertEqual(len(bodies), 1, bodies)
        # Both run one argon2id check: the same order of time.
        u = statistics.median(times["unknown"])
        w = statistics.median(times["wrong"])
        self.assertLess(max(u, w) / min(u, w), 2.0, times)
        self.assertGreater(min(u, w), 0.01, "no argon2 work?")

    def test_candidate_signs_in_with_code_until_sitting_closes(self):
        r = login(self.examd, "cand_a", self.w)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["role"], "candidate")
        db = sqlite3.connect(self.examd.db)
        closes = db.execute("SELECT closes_at FROM sittings WHERE id = ?",
                            (self.w.sitting_a,)).fetchone()[0]
        db.close()
        exp = time.strftime("%Y-%m-%dT%H:%M:%S",
                            time.gmtime(closes // 1000))
        self.assertTrue(r.json["expires_at"].startswith(exp), r.json)
        me = self.examd.api("GET", "/me", token=r.json["token"])
        self.assertEqual(me.json["id"], self.w.cands["cand_a"])
        self.assertNotIn("username", me.json)

    def test_code_is_forgiving_about_case_and_dashes(self):
        code = self.w.codes["cand_b"].replace("-", " ").lower()
        r = self.examd.api("POST", "/login", {"access_code": code})
        self.assertEqual(r.status, 200, r)

    def test_code_outside_the_window_is_refused(self):
        self.assertError(login(self.examd, "cand_later", self.w), 403,
                         "sitting_not_open")
        self.assertError(login(self.examd, "cand_past", self.w), 403,
                         "sitting_closed")

    def test_wrong_code_is_refused(self):
        for code in ("AAAA-BBBB-CCCC-DDDD-EEEE", "short", "!!!!"):
            self.assertError(self.examd.api("POST", "/login",
                                            {"access_code": code}),
                             401, "invalid_credentials")

    def test_logout_revokes_the_token(self):
        tok = token(self.examd, "proctor_a2", self.w)
        r = self.examd.api("POST", "/logout", token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.header("Set-Cookie"))
        self.assertError(self.examd.api("GET", "/me", token=tok), 401,
                         "unauthenticated")
        self.assertError(self.examd.api("POST", "/logout", token=tok), 401)

    def test_no_or_forged_token_is_401(self):
        self.assertError(self.examd.api("GET", "/me"), 401)
        self.assertError(self.examd.api("GET", "/me", token="x" * 43), 401)
        self.assertError(self.examd.api("GET", "/me", token="short"), 401)
        self.assertError(self.examd.api(
            "GET", "/me", headers={"Authorization": "Basic abc"}), 401)

    def test_second_candidate_signin_takes_over_and_proctor_sees_it(self):
        first = token(self.examd, "cand_a2", self.w)
        # Used once first, so that examd's session cache holds it.
        self.assertEqual(self.examd.api("GET", "/me", token=first).status,
                         200)
        second = token(self.examd, "cand_a2", self.w)
        self.assertError(self.examd.api("GET", "/me", token=first), 401)
        self.assertEqual(self.examd.api("GET", "/me", token=second).status,
                         200)
        r = self.examd.api("GET", "/sittings/%d/incidents" % self.w.sitting_a,
                           token=token(self.examd, "proctor_a", self.w))
        self.assertEqual(r.status, 200, r)
        kinds = [(i["kind"], i["candidate_id"]) for i in r.json["incidents"]]
        self.assertIn(("takeover", self.w.cands["cand_a2"]), kinds)
        audit = self.examd.api(
            "GET", "/audit?action=candidate.takeover",
            token=token(self.examd, "coord_a", self.w))
        self.assertTrue(audit.json["entries"], audit)

    def test_malformed_login_bodies(self):
        self.assertError(self.examd.api("POST", "/login", raw=b"{nope",
                         headers={"Content-Type": "application/json"}), 400,
                         "malformed_json")
        self.assertError(self.examd.api("POST", "/login", raw=b"[1]",
                         headers={"Content-Type": "application/json"}), 400)
        self.assertError(self.examd.api("POST", "/login", {}), 422,
                         "missing_field")
        self.assertError(self.examd.api("POST", "/login",
                                        {"username": "admin"}), 422)
        self.assertError(self.examd.api("POST", "/login", {
            "username": 5, "password": PASSWORD}), 422, "invalid_field")
        self.assertError(self.examd.api("POST", "/login",
                                        {"access_code": 12}), 422)
        self.assertError(self.examd.api("POST", "/login", {
            "username": "admin", "password": "x" * 300}), 422)

    def _count(self, table):
        db = sqlite3.connect(self.examd.db)
        n = db.execute("SELECT count(*) FROM " + table).fetchone()[0]
        db.close()
        return n

    def test_admin_creates_association_and_user_who_signs_in(self):
        adm = token(self.examd, "admin", self.w)
        r = self.examd.api("POST", "/associations",
                           {"code": "MI", "name": "Michigan"}, token=adm)
        self.assertEqual(r.status, 201, r)
        self.assertError(self.examd.api("POST", "/associations", {
            "code": "MI", "name": "again"}, token=adm), 409)
        r = self.examd.api("POST", "/users", {
            "username": "mi.coord", "password": "a long enough secret",
            "role": "coordinator", "association": "MI"}, token=adm)
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("password_hash", r.body)
        r = self.examd.api("POST", "/login", {
            "username": "mi.coord", "password": "a long enough secret"})
        self.assertEqual(r.status, 200, r)
        lst = self.examd.api("GET", "/users?association=MI", token=adm)
        self.assertEqual([u["username"] for u in lst.json["users"]],
                         ["mi.coord"])

    def test_bad_account_input_changes_nothing(self):
        adm = token(self.examd, "admin", self.w)
        users, assocs = self._count("users"), self._count("associations")
        bad_users = [
            {"username": "x", "password": "short", "role": "proctor",
             "association": "A"},
            {"username": "x", "password": PASSWORD, "role": "wizard",
             "association": "A"},
            {"username": "x", "password": PASSWORD, "role": "proctor"},
            {"username": "x", "password": PASSWORD, "role": "admin",
             "association": "A"},
            {"username": "x", "password": PASSWORD, "role": "proctor",
             "association": "NOPE"},
            {"username": "bad name", "password": PASSWORD, "role": "proctor",
             "association": "A"},
            {"username": "x", "password": PASSWORD, "role": "proctor",
             "association": "A", "endorsement": "IMHS"},
            {"username": "x", "password": PASSWORD, "role": "grader",
             "association": "A", "endorsement": "WIZARD"},
            {"username": "x", "password": PASSWORD, "role": "grader",
             "association": "A", "may_adjudicate": "yes"},
            {"username": ["x"], "password": PASSWORD, "role": "proctor",
             "association": "A"},
            {"password": PASSWORD, "role": "proctor", "association": "A"},
            {"username": "coord_a", "password": PASSWORD, "role": "proctor",
             "association": "A"},
        ]
        for body in bad_users:
            r = self.examd.api("POST", "/users", body, token=adm)
            self.assertIn(r.status, (409, 422), (body, r))
            self.assertIn("error", r.json)
        for body in ({"code": "bad code", "name": "x"}, {"code": "Z"},
                     {"code": "Z", "name": ""}, {"code": 1, "name": "x"}):
            r = self.examd.api("POST", "/associations", body, token=adm)
            self.assertEqual(r.status, 422, (body, r))
        self.assertEqual(self._count("users"), users)
        self.assertEqual(self._count("associations"), assocs)

    def test_disable_ends_sessions_and_refuses_signin(self):
        adm = token(self.examd, "admin", self.w)
        tok = token(self.examd, "target_a", self.w)
        uid = self.w.users["target_a"]
        self.assertEqual(self.examd.api("GET", "/me", token=tok).status, 200)
        r = self.examd.api("POST", "/users/%d/disable" % uid, token=adm)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["disabled"])
        self.assertError(self.examd.api("GET", "/me", token=tok), 401)
        self.assertError(login(self.examd, "target_a", self.w), 401,
                         "invalid_credentials")
        r = self.examd.api("POST", "/users/%d/enable" % uid, token=adm)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(login(self.examd, "target_a", self.w).status, 200)
        self.assertError(self.examd.api(
            "POST", "/users/%d/disable" % self.w.users["admin"], token=adm),
            409)

    def test_password_reset_ends_sessions(self):
        adm = token(self.examd, "admin", self.w)
        tok = token(self.examd, "target_b", self.w)
        uid = self.w.users["target_b"]
        self.assertError(self.examd.api("POST", "/users/%d/password" % uid,
                                        {"password": "short"}, token=adm),
                         422, "weak_password")
        self.assertEqual(self.examd.api("GET", "/me", token=tok).status, 200)
        r = self.examd.api("POST", "/users/%d/password" % uid,
                           {"password": "brand new long secret"}, token=adm)
        self.assertEqual(r.status, 200, r)
        self.assertError(self.examd.api("GET", "/me", token=tok), 401)
        r = self.examd.api("POST", "/login", {
            "username": "target_b", "password": "brand new long secret"})
        self.assertEqual(r.status, 200, r)
        # Put it back for the other tests.
        self.examd.api("POST", "/users/%d/password" % uid,
                       {"password": PASSWORD}, token=adm)

    def test_examctl_password_reset_ends_a_cached_session(self):
        # examctl writes the database beside the running examd: examd's
        # session cache trusts a session it read for at most 2 s
        # (EXAMD_SESSION_CACHE_MS), so the token is refused soon after.
        tok = token(self.examd, "target_b", self.w)
        self.assertEqual(self.examd.api("GET", "/me", token=tok).status, 200)
        examctl("user", "passwd", "target_b", db=self.examd.db,
                stdin=PASSWORD + "\n")
        done = time.monotonic()
        status = 200
        while status == 200 and time.monotonic() - done < 10:
            status = self.examd.api("GET", "/me", token=tok).status
            time.sleep(0.1)
        self.assertEqual(status, 401)
        self.assertLess(time.monotonic() - done, 4)

    def test_audit_api_is_scoped_to_own_association(self):
        login(self.examd, "coord_b", self.w)
        login(self.examd, "cand_b", self.w)
        ca = token(self.examd, "coord_a", self.w)
        cb = token(self.examd, "coord_b", self.w)
        a = self.examd.api("GET", "/audit?limit=1000", token=ca).json
        b = self.examd.api("GET", "/audit?limit=1000", token=cb).json
        self.assertTrue(a["entries"] and b["entries"])
        self.assertEqual({e["association_id"] for e in a["entries"]},
                         {self.w.assoc_a})
        self.assertEqual({e["association_id"] for e in b["entries"]},
                         {self.w.assoc_b})
        # Even when asking for another association's candidate.
        r = self.examd.api("GET", "/audit?candidate=%d" %
                           self.w.cands["cand_b"], token=ca)
        self.assertEqual(r.json["entries"], [])
        r = self.examd.api("GET", "/audit?candidate=%d&action=login" %
                           self.w.cands["cand_b"], token=cb)
        self.assertTrue(r.json["entries"])
        self.assertTrue(all(e["action"] == "login" and
                            e["candidate_id"] == self.w.cands["cand_b"]
                            for e in r.json["entries"]))
        actor = "user:%d" % self.w.users["coord_b"]
        r = self.examd.api("GET", "/audit?actor=" + actor, token=cb)
        self.assertTrue(all(e["actor"] == actor for e in r.json["entries"]))
        r = self.examd.api("GET", "/audit?since=2000-01-01T00:00:00Z"
                           "&until=2000-01-02T00:00:00Z", token=cb)
        self.assertEqual(r.json["entries"], [])
        self.assertError(self.examd.api("GET", "/audit?since=yesterday",
                                        token=cb), 422)
        self.assertError(self.examd.api("GET", "/audit?candidate=x",
                                        token=cb), 422)

    def test_signins_failures_and_denials_are_audited(self):
        login(self.examd, "proctor_a2", self.w)
        self.examd.api("POST", "/login", {"username": "proctor_a2",
                                          "password": "wrong password!"})
        tok = token(self.examd, "proctor_a2", self.w)
        self.examd.api("GET", "/associations", token=tok)
        self.examd.api("GET", "/sittings/%d/incidents" % self.w.sitting_b,
                       token=tok)
        time.sleep(0.2)  # denials are written after the reply
        db = sqlite3.connect(self.examd.db)
        acts = [r[0] for r in db.execute(
            "SELECT action FROM audit WHERE object = 'proctor_a2' OR actor = ?",
            ("user:%d" % self.w.users["proctor_a2"],))]
        db.close()
        for a in ("login", "login.failed", "authz.denied"):
            self.assertIn(a, acts)
        self.assertGreaterEqual(acts.count("authz.denied"), 2)
        p = examctl("audit", "verify", db=self.examd.db)
        self.assertIn("intact", p.stdout)


class SessionExpiry(ExamdTestCase):
    examd_args = ("--session-idle", "2", "--session-max", "5")

    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)

    def test_staff_session_ends_after_idle_time(self):
        tok = token(self.examd, "proctor_a", self.w)
        self.assertEqual(self.examd.api("GET", "/me", token=tok).status, 200)
        time.sleep(2.6)
        self.assertError(self.examd.api("GET", "/me", token=tok), 401)

    def test_staff_session_ends_at_absolute_limit_even_when_active(self):
        tok = token(self.examd, "coord_a", self.w)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4.5:
            self.assertEqual(self.examd.api("GET", "/me", token=tok).status,
                             200)
            time.sleep(0.5)
        time.sleep(1.0)
        self.assertError(self.examd.api("GET", "/me", token=tok), 401)

    def test_candidate_session_has_no_idle_timeout(self):
        tok = token(self.examd, "cand_a", self.w)
        time.sleep(2.6)
        self.assertEqual(self.examd.api("GET", "/me", token=tok).status, 200)


if __name__ == "__main__":
    main()
