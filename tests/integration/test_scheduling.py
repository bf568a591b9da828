"""Scheduling through the API over verified TLS: sittings, eligibility,
accommodations, access codes, CSV bulk registration (all or nothing),
proctors, and who may see what."""
import datetime
import socket
import sqlite3
import ssl
import unittest

from harness import Examd, ExamdTestCase, examctl, main
from sched_fixture import PASSWORD, now_plus, seed

GOOD_CSV = (
    "\ufeffname,email,track,time_multiplier,extra_minutes_mc,"
    "breaks_allowed,accommodations_note,accommodations_approved_on\r\n"
    "\"Lovelace, Ada\",ada@example.org,IMHS,,,,,\r\n"
    "Ben Okafor,ben@example.org,IMHM-C,1.5,15,yes,"
    "\"Large print;\r\nseparate room, \"\"quiet\"\"\",2020-01-10\r\n"
    "Zoë Ähnlich,zoe@example.org,IMHM-RF,,,,,\r\n")


class Scheduling(ExamdTestCase):

    @classmethod
    def prepare(cls, examd):
        cls.has_draft = seed(examd)

    # -- helpers ----------------------------------------------------------
    def token(self, who):
        cache = self.__class__.__dict__.get("_tokens")
        if cache is None:
            cache = {}
            setattr(self.__class__, "_tokens", cache)
        if who not in cache:
            r = self.examd.api("POST", "/login",
                               {"username": who, "password": PASSWORD})
            self.assertEqual(r.status, 200, r)
            cache[who] = r.json["token"]
        return cache[who]

    def api(self, who, method, path, body=None, **kw):
        return self.examd.api(method, path, body,
                              token=self.token(who) if who else None, **kw)

    def sitting(self, who="coord_a", **over):
        body = {"exam_id": "imh-sample-a", "title": "Spring sitting",
                "opens_at": now_plus(minutes=-5),
                "closes_at": now_plus(hours=8),
                "timezone": "America/Detroit", "capacity": 50}
        body.update(over)
        r = self.api(who, "POST", "/sittings", body)
        self.assertEqual(r.status, 201, r)
        return r.json

    def future_sitting(self, **over):
        over.setdefault("opens_at", now_plus(days=30))
        over.setdefault("closes_at", now_plus(days=30, hours=6))
        return self.sitting(**over)

    def register(self, sid, name="Ann Example", email=None, track="IMHS",
                 who="coord_a", **extra):
        body = {"name": name, "email": email or
                name.lower().replace(" ", ".") + "@example.org",
                "track": track}
        body.update(extra)
        return self.api(who, "POST", "/sittings/%d/candidates" % sid, body)

    def count(self, sid):
        db = sqlite3.connect(self.examd.db)
        n = db.execute("SELECT count(*) FROM candidates WHERE sitting_id = ?",
                       (sid,)).fetchone()[0]
        db.close()
        return n

    def csv(self, sid, text, who="coord_a", query=""):
        data = text.encode("utf-8") if isinstance(text, str) else text
        return self.api(who, "POST", "/sittings/%d/candidates%s" % (
            sid, query), raw=data, headers={"Content-Type": "text/csv"})

    def login_code(self, code):
        return self.examd.api("POST", "/login", {"access_code": code})

    # -- sittings ---------------------------------------------------------
    def test_sitting_shows_times_in_utc_and_its_own_zone(self):
        s = self.sitting(opens_at="2031-06-02T09:00:00-04:00",
                         closes_at="2031-06-02T17:00:00-04:00",
                         timezone="America/New_York")
        self.assertEqual(s["opens_at"], "2031-06-02T13:00:00.000Z")
        self.assertEqual(s["opens_at_local"], "2031-06-02T09:00:00-04:00")
        self.assertEqual(s["closes_at_local"], "2031-06-02T17:00:00-04:00")
        self.assertEqual(s["timezone"], "America/New_York")
        self.assertEqual(s["status"], "scheduled")
        self.assertEqual(s["admission_mode"], "proctor")
        r = self.api("coord_a", "GET", "/sittings/%d" % s["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["opens_at_local"], s["opens_at_local"])

    def test_sitting_across_a_dst_change_keeps_both_offsets(self):
        # US clocks spring forward at 2027-03-14 02:00 local.
        s = self.sitting(opens_at="2027-03-13T20:00:00-05:00",
                         closes_at="2027-03-14T20:00:00-04:00",
                         timezone="America/New_York")
        self.assertEqual(s["opens_at"], "2027-03-14T01:00:00.000Z")
        self.assertEqual(s["closes_at"], "2027-03-15T00:00:00.000Z")
        self.assertEqual(s["opens_at_local"], "2027-03-13T20:00:00-05:00")
        self.assertEqual(s["closes_at_local"], "2027-03-14T20:00:00-04:00")
        # Southern hemisphere, and past the zone file's last transition
        # (the POSIX rule takes over).
        s = self.sitting(opens_at="2045-04-01T12:00:00Z",
                         closes_at="2045-04-03T12:00:00Z",
                         timezone="Australia/Sydney")
        self.assertEqual(s["opens_at_local"], "2045-04-01T23:00:00+11:00")
        self.assertEqual(s["closes_at_local"], "2045-04-03T22:00:00+10:00")
        s = self.sitting(opens_at="2031-01-10T08:00:00Z",
                         closes_at="2031-01-10T12:00:00Z",
                         timezone="Asia/Kolkata")
        self.assertEqual(s["opens_at_local"], "2031-01-10T13:30:00+05:30")

    def test_sitting_validation_names_the_problem(self):
        cases = [
            ({"closes_at": now_plus(minutes=-10)}, "invalid_window"),
            ({"opens_at": now_plus(days=2), "closes_at": now_plus(days=1)},
             "invalid_window"),
            ({"opens_at": now_plus(days=1), "closes_at": now_plus(days=40)},
             "invalid_window"),
            ({"opens_at": "tomorrow"}, "invalid_time"),
            ({"timezone": "Mars/Olympus_Mons"}, "unknown_timezone"),
            ({"timezone": "../../../etc/passwd"}, "unknown_timezone"),
            ({"timezone": "/etc/localtime"}, "unknown_timezone"),
            ({"timezone": "zone.tab"}, "unknown_timezone"),
            ({"exam_id": "no-such-form"}, "unknown_form"),
            ({"capacity": 0}, "invalid_field"),
            ({"capacity": -3}, "invalid_field"),
            ({"admission_mode": "whenever"}, "invalid_field"),
            ({"title": ""}, "invalid_field"),
        ]
        base = {"exam_id": "imh-sample-a", "title": "T",
                "opens_at": now_plus(days=1),
                "closes_at": now_plus(days=1, hours=4),
                "timezone": "UTC", "capacity": 10}
        for over, code in cases:
            body = dict(base, **over)
            r = self.api("coord_a", "POST", "/sittings", body)
            self.assertError(r, 422, code)
        for missing in ("exam_id", "opens_at", "closes_at", "timezone"):
            body = dict(base)
            del body[missing]
            self.assertError(self.api("coord_a", "POST", "/sittings", body),
                             422, "missing_field")

    def test_unpublished_form_is_refused(self):
        if not self.has_draft:
            self.skipTest("the sample bank has no unpublished form")
        r = self.api("coord_a", "POST", "/sittings", {
            "exam_id": "imh-draft", "title": "T",
            "opens_at": now_plus(days=1), "closes_at": now_plus(days=1, hours=2),
            "timezone": "UTC"})
        self.assertError(r, 422, "form_not_published")

    def test_only_coordinators_create_sittings(self):
        body = {"exam_id": "imh-sample-a", "title": "T",
                "opens_at": now_plus(days=1),
                "closes_at": now_plus(days=1, hours=2), "timezone": "UTC"}
        for who in ("proctor_a", "grader_a", "admin"):
            self.assertError(self.api(who, "POST", "/sittings", body), 403)
        self.assertError(self.examd.api("POST", "/sittings", body), 401)

    def test_update_before_the_window_opens_only(self):
        s = self.future_sitting()
        r = self.api("coord_a", "PUT", "/sittings/%d" % s["id"],
                     {"title": "Renamed", "capacity": 80,
                      "timezone": "Europe/London"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["title"], "Renamed")
        self.assertEqual(r.json["capacity"], 80)
        self.assertEqual(r.json["timezone"], "Europe/London")
        self.assertError(self.api("coord_a", "PUT", "/sittings/%d" % s["id"],
                                  {"closes_at": now_plus(days=29)}),
                         422, "invalid_window")
        open_now = self.sitting()
        self.assertError(self.api("coord_a", "PUT", "/sittings/%d" %
                                  open_now["id"], {"title": "x"}),
                         409, "sitting_open")

    def test_form_and_window_are_fixed_once_a_candidate_started(self):
        s = self.future_sitting()
        r = self.register(s["id"], "Sam Started")
        self.assertEqual(r.status, 201, r)
        db = sqlite3.connect(self.examd.db)
        db.execute("UPDATE candidates SET status = 'in_progress' WHERE id = ?",
                   (r.json["id"],))
        db.commit()
        db.close()
        path = "/sittings/%d" % s["id"]
        self.assertError(self.api("coord_a", "PUT", path, {
            "opens_at": now_plus(days=31),
            "closes_at": now_plus(days=31, hours=2)}), 409,
            "candidates_started")
        self.assertError(self.api("coord_a", "PUT", path,
                                  {"exam_id": "imh-short"}), 409,
                         "candidates_started")
        r = self.api("coord_a", "PUT", path, {"title": "Still fine"})
        self.assertEqual(r.status, 200, r)
        self.assertError(self.api("coord_a", "POST", path + "/cancel"), 409,
                         "candidates_started")

    def test_form_change_must_suit_registered_tracks(self):
        s = self.future_sitting()
        self.assertEqual(self.register(s["id"], "Ivy Imh").status, 201)
        self.assertError(self.api("coord_a", "PUT", "/sittings/%d" % s["id"],
                                  {"exam_id": "ecmh-sample-a"}), 422,
                         "ineligible_track")

    def test_capacity_cannot_drop_below_registered(self):
        s = self.future_sitting(capacity=5)
        for n in range(3):
            self.assertEqual(self.register(s["id"], "Cap %d" % n).status, 201)
        self.assertError(self.api("coord_a", "PUT", "/sittings/%d" % s["id"],
                                  {"capacity": 2}), 422, "invalid_capacity")

    def test_cancel_stops_registration_and_codes(self):
        s = self.sitting()
        r = self.register(s["id"], "Carl Cancel")
        code = r.json["access_code"]
        self.assertEqual(self.login_code(code).status, 200)
        r = self.api("coord_a", "POST", "/sittings/%d/cancel" % s["id"],
                     {"reason": "storm"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "cancelled")
        self.assertEqual(r.json["cancel_reason"], "storm")
        self.assertError(self.login_code(code), 401)
        self.assertError(self.register(s["id"], "Late Larry"), 409,
                         "sitting_cancelled")
        self.assertError(self.api("coord_a", "POST", "/sittings/%d/cancel" %
                                  s["id"]), 409, "sitting_cancelled")

    # -- who sees what ----------------------------------------------------
    def test_other_association_gets_404_everywhere(self):
        s = self.sitting()
        c = self.register(s["id"], "Private Person").json
        sid, cid = s["id"], c["id"]
        probes = [
            ("GET", "/sittings/%d" % sid, None),
            ("PUT", "/sittings/%d" % sid, {"title": "mine now"}),
            ("POST", "/sittings/%d/cancel" % sid, None),
            ("GET", "/sittings/%d/candidates" % sid, None),
            ("POST", "/sittings/%d/candidates" % sid,
             {"name": "X", "email": "x@example.org", "track": "IMHS"}),
            ("GET", "/sittings/%d/candidates/%d" % (sid, cid), None),
            ("POST", "/sittings/%d/candidates/%d/access-code" % (sid, cid),
             None),
            ("POST", "/sittings/%d/access-codes" % sid, None),
            ("POST", "/sittings/%d/proctors" % sid, {"username": "proctor_b"}),
        ]
        for method, path, body in probes:
            self.assertError(self.api("coord_b", method, path, body), 404)
        r = self.api("coord_b", "GET", "/sittings")
        self.assertNotIn(sid, [x["id"] for x in r.json["sittings"]])
        self.assertEqual(self.count(sid), 1)
        # The old code still works: nothing was reissued.
        self.assertEqual(self.login_code(c["access_code"]).status, 200)

    def test_proctor_sees_only_assigned_sittings(self):
        s1, s2 = self.sitting(), self.sitting()
        r = self.api("coord_a", "POST", "/sittings/%d/proctors" % s1["id"],
                     {"username": "proctor_a"})
        self.assertEqual(r.status, 201, r)
        self.assertIn("proctor_a", [p["username"] for p in r.json["proctors"]])
        self.assertError(self.api("coord_a", "POST", "/sittings/%d/proctors" %
                                  s1["id"], {"username": "proctor_a"}), 409,
                         "already_assigned")
        ids = [x["id"] for x in self.api("proctor_a", "GET",
                                         "/sittings").json["sittings"]]
        self.assertIn(s1["id"], ids)
        self.assertNotIn(s2["id"], ids)
        self.assertEqual(self.api("proctor_a", "GET", "/sittings/%d" %
                                  s1["id"]).status, 200)
        self.assertError(self.api("proctor_a", "GET", "/sittings/%d" %
                                  s2["id"]), 404)
        self.assertError(self.api("proctor_a2", "GET",
                                  "/sittings/%d/candidates" % s1["id"]), 404)
        # Unassign: the sitting disappears from the proctor's list.
        uid = [p["id"] for p in r.json["proctors"]
               if p["username"] == "proctor_a"][0]
        r = self.api("coord_a", "DELETE", "/sittings/%d/proctors/%d" % (
            s1["id"], uid))
        self.assertEqual(r.status, 200, r)
        self.assertError(self.api("proctor_a", "GET", "/sittings/%d" %
                                  s1["id"]), 404)

    def test_only_proctors_of_the_same_association_are_assigned(self):
        s = self.sitting()
        path = "/sittings/%d/proctors" % s["id"]
        self.assertError(self.api("coord_a", "POST", path,
                                  {"username": "proctor_b"}), 422,
                         "unknown_proctor")
        self.assertError(self.api("coord_a", "POST", path,
                                  {"username": "nobody"}), 422,
                         "unknown_proctor")
        self.assertError(self.api("coord_a", "POST", path,
                                  {"username": "grader_a"}), 422,
                         "not_a_proctor")
        self.assertError(self.api("proctor_a", "POST", path,
                                  {"username": "proctor_a"}), 403)

    def test_grader_never_sees_sittings_or_accommodations(self):
        s = self.sitting()
        c = self.register(s["id"], "Gina Graded", time_multiplier=2.0,
                          accommodations_approved_on="2020-01-01",
                          accommodations_note="dyslexia").json
        for path in ("/sittings", "/sittings/%d" % s["id"],
                     "/sittings/%d/candidates" % s["id"],
                     "/sittings/%d/candidates/%d" % (s["id"], c["id"]),
                     "/sittings/%d/candidates?format=csv" % s["id"]):
            r = self.api("grader_a", "GET", path)
            self.assertError(r, 403)
            self.assertNotIn("dyslexia", r.body)

    # -- candidates ---------------------------------------------------------
    def test_register_returns_the_code_once(self):
        s = self.sitting()
        r = self.register(s["id"], "Olga Once")
        self.assertEqual(r.status, 201, r)
        self.assertRegex(r.json["access_code"],
                         "^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$")
        self.assertEqual(r.json["track"], "IMHS")
        self.assertEqual(r.json["status"], "registered")
        g = self.api("coord_a", "GET", "/sittings/%d/candidates/%d" % (
            s["id"], r.json["id"]))
        self.assertEqual(g.status, 200, g)
        self.assertNotIn("access_code", g.json)
        self.assertNotIn(r.json["access_code"], g.body)
        lst = self.api("coord_a", "GET", "/sittings/%d/candidates" % s["id"])
        self.assertNotIn(r.json["access_code"], lst.body)
        login = self.login_code(r.json["access_code"])
        self.assertEqual(login.status, 200, login)
        self.assertEqual(login.json["role"], "candidate")

    def test_reissue_makes_the_old_code_stop_working(self):
        s = self.sitting()
        r = self.register(s["id"], "Rita Reissue")
        old = r.json["access_code"]
        tok = self.login_code(old).json["token"]
        n = self.api("coord_a", "POST", "/sittings/%d/candidates/%d/"
                     "access-code" % (s["id"], r.json["id"]))
        self.assertEqual(n.status, 200, n)
        self.assertNotEqual(n.json["access_code"], old)
        self.assertError(self.login_code(old), 401)
        # The session the old code opened has ended too.
        self.assertError(self.examd.api("GET", "/me", token=tok), 401)
        self.assertEqual(self.login_code(n.json["access_code"]).status, 200)
        self.assertError(self.api("proctor_a", "POST",
                                  "/sittings/%d/candidates/%d/access-code" %
                                  (s["id"], r.json["id"])), 403)

    def test_eligibility_is_explained(self):
        imh, ecmh = self.sitting(), self.sitting(exam_id="ecmh-sample-a")
        r = self.register(imh["id"], "Ifa Person", track="IFA")
        self.assertError(r, 422, "ineligible_track")
        self.assertIn("IFA", r.json["error"]["message"])
        self.assertIn("takes no written exam", r.json["error"]["message"])
        r = self.register(imh["id"], "Ifs Person", track="IFS")
        self.assertIn("takes no written exam", r.json["error"]["message"])
        r = self.register(imh["id"], "Early Child", track="ECMHS")
        self.assertError(r, 422, "ineligible_track")
        self.assertIn("track ECMHS cannot sit an IMH form",
                      r.json["error"]["message"])
        r = self.register(ecmh["id"], "Infant Mental", track="IMHM-P")
        self.assertIn("track IMHM-P cannot sit an ECMH form",
                      r.json["error"]["message"])
        self.assertError(self.register(imh["id"], "Who", track="IMHX"), 422,
                         "ineligible_track")
        self.assertEqual(self.register(ecmh["id"], "Ec Ok",
                                       track="ECMHM-RF").status, 201)

    def test_same_email_twice_is_409(self):
        s = self.sitting()
        self.assertEqual(self.register(s["id"], "Dana Dup",
                                       email="dana@example.org").status, 201)
        self.assertError(self.register(s["id"], "Dana Again",
                                       email="DANA@Example.org"), 409,
                         "duplicate_email")
        # Another sitting is another matter.
        self.assertEqual(self.register(self.sitting()["id"], "Dana Dup",
                                       email="dana@example.org").status, 201)

    def test_capacity_is_enforced(self):
        s = self.sitting(capacity=2)
        self.assertEqual(self.register(s["id"], "Cap One").status, 201)
        self.assertEqual(self.register(s["id"], "Cap Two").status, 201)
        self.assertError(self.register(s["id"], "Cap Three"), 409,
                         "sitting_full")
        self.assertEqual(self.count(s["id"]), 2)

    def test_bad_candidates_are_422(self):
        s = self.sitting()
        for extra in ({"email": "not-an-email"}, {"name": ""},
                      {"time_multiplier": 3.5,
                       "accommodations_approved_on": "2020-01-01"},
                      {"time_multiplier": 0.5,
                       "accommodations_approved_on": "2020-01-01"},
                      {"time_multiplier": "double"},
                      {"extra_minutes_mc": -5},
                      {"time_multiplier": 1.5},   # no approval date
                      {"breaks_allowed": True,
                       "accommodations_approved_on": "2999-01-01"},
                      {"breaks_allowed": True,
                       "accommodations_approved_on": "2024-02-31"}):
            body = {"name": "Bad Candidate", "email": "bad@example.org",
                    "track": "IMHS"}
            body.update(extra)
            r = self.api("coord_a", "POST", "/sittings/%d/candidates" %
                         s["id"], body)
            self.assertEqual(r.status, 422, (extra, r))
        self.assertEqual(self.count(s["id"]), 0)

    def test_accommodations_are_kept_and_late_approval_flagged(self):
        opens = datetime.datetime.now(datetime.timezone.utc)
        s = self.sitting()
        r = self.register(s["id"], "Lena Late", time_multiplier=1.5,
                          extra_minutes_essay=20, breaks_allowed=True,
                          accommodations_note="reader software",
                          accommodations_approved_on=(
                              opens - datetime.timedelta(days=3)
                          ).strftime("%Y-%m-%d"))
        self.assertEqual(r.status, 201, r)
        a = r.json["accommodations"]
        self.assertEqual(a["time_multiplier"], 1.5)
        self.assertEqual(a["extra_minutes_essay"], 20)
        self.assertTrue(a["breaks_allowed"])
        self.assertEqual(a["note"], "reader software")
        self.assertTrue(a["late_approval"])
        self.assertIn("14 days", r.json["warnings"][0])
        r = self.register(s["id"], "Otto Ontime", time_multiplier=2,
                          accommodations_approved_on="2020-01-01")
        self.assertFalse(r.json["accommodations"]["late_approval"])
        self.assertNotIn("warnings", r.json)
        # Its proctor sees them too.
        self.api("coord_a", "POST", "/sittings/%d/proctors" % s["id"],
                 {"username": "proctor_a"})
        lst = self.api("proctor_a", "GET", "/sittings/%d/candidates" %
                       s["id"])
        self.assertEqual(lst.status, 200, lst)
        notes = [c["accommodations"].get("note") for c in
                 lst.json["candidates"]]
        self.assertIn("reader software", notes)

    # -- CSV ---------------------------------------------------------------
    def test_csv_registers_everyone_with_quotes_bom_and_crlf(self):
        s = self.sitting()
        r = self.csv(s["id"], GOOD_CSV)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["registered"], 3)
        rows = {c["email"]: c for c in r.json["candidates"]}
        self.assertEqual(rows["ada@example.org"]["name"], "Lovelace, Ada")
        self.assertEqual(rows["zoe@example.org"]["name"], "Zoë Ähnlich")
        self.assertEqual(rows["ben@example.org"]["row"], 3)
        for c in rows.values():
            self.assertEqual(self.login_code(c["access_code"]).status, 200)
        ben = self.api("coord_a", "GET", "/sittings/%d/candidates/%d" % (
            s["id"], rows["ben@example.org"]["id"])).json
        self.assertEqual(ben["accommodations"]["note"],
                         "Large print;\r\nseparate room, \"quiet\"")
        self.assertEqual(ben["accommodations"]["time_multiplier"], 1.5)
        self.assertEqual(ben["accommodations"]["extra_minutes_mc"], 15)
        self.assertEqual(self.count(s["id"]), 3)

    def test_csv_with_bad_rows_registers_nobody_and_lists_them_all(self):
        s = self.sitting()
        self.assertEqual(self.register(s["id"], "Already Here",
                                       email="here@example.org").status, 201)
        text = ("name,email,track,time_multiplier,accommodations_approved_on\n"
                "Good One,good1@example.org,IMHS,,\n"             # 2
                "Short Row,short@example.org,IMHS\n"              # 3
                "Unknown Track,ut@example.org,IMHZ,,\n"           # 4
                "Bad Mult,bm@example.org,IMHS,4.0,2020-01-01\n"   # 5
                "Ifa Person,ifa@example.org,IFA,,\n"              # 6
                "Dup A,dup@example.org,IMHS,,\n"                  # 7
                "Dup B,DUP@example.org,IMHS,,\n"                  # 8
                "Here Again,here@example.org,IMHS,,\n"            # 9
                "Not Number,nn@example.org,IMHS,lots,\n"          # 10
                "Good Two,good2@example.org,IMHM-C,,\n")          # 11
        r = self.csv(s["id"], text)
        self.assertError(r, 422, "invalid_rows")
        bad = {row["row"]: row["reason"] for row in r.json["error"]["rows"]}
        self.assertEqual(sorted(bad), [3, 4, 5, 6, 8, 9, 10])
        self.assertIn("3 fields where the header has 5 columns", bad[3])
        self.assertIn("unknown track", bad[4])
        self.assertIn("outside 1.0 to 3.0", bad[5])
        self.assertIn("takes no written exam", bad[6])
        self.assertIn("row 7", bad[8])
        self.assertIn("already registered", bad[9])
        self.assertIn("not a number", bad[10])
        self.assertEqual(self.count(s["id"]), 1)

    def test_broken_csv_files_change_nothing(self):
        s = self.sitting()
        broken = [
            b"name,email,track\nAda,ada@example.org,IMHS\nBad \xff\xfe,b@e.org,IMHS\n",
            b"name,email,track\n\"Unclosed,ada@example.org,IMHS\n",
            b"name,email,track\nA\"da,ada@example.org,IMHS\n",
            b"name,email,trak\nAda,ada@example.org,IMHS\n",
            b"name,email\nAda,ada@example.org\n",
            b"name,email,track\n",
            b"",
            b"name,email,track\nA\x00da,ada@example.org,IMHS\n",
        ]
        for data in broken:
            r = self.csv(s["id"], data)
            self.assertEqual(r.status, 422, (data, r))
            self.assertIn(r.json["error"]["code"], ("invalid_csv",))
        r = self.csv(s["id"], broken[0])
        self.assertIn("line 3", r.json["error"]["message"])
        self.assertIn("UTF-8", r.json["error"]["message"])
        self.assertEqual(self.count(s["id"]), 0)

    def test_csv_over_capacity_registers_nobody(self):
        s = self.sitting(capacity=2)
        r = self.csv(s["id"], GOOD_CSV)
        self.assertError(r, 409, "sitting_full")
        self.assertEqual(self.count(s["id"]), 0)

    def test_ten_megabyte_csv_is_413_and_changes_nothing(self):
        s = self.sitting()
        row = "Name %07d,n%07d@example.org,IMHS\r\n"
        body = ("name,email,track\r\n" + "".join(
            row % (i, i) for i in range(300000))).encode()
        self.assertGreater(len(body), 10 * 1000 * 1000)
        head = ("POST /api/v1/sittings/%d/candidates HTTP/1.1\r\n"
                "Host: localhost\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % (
                    s["id"], self.token("coord_a"), len(body))).encode()
        ctx = self.examd.context()
        with socket.create_connection(("127.0.0.1", self.examd.port)) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(head)
                try:
                    tls.sendall(body)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass
                reply = b""
                try:
                    while True:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        reply += chunk
                except (ConnectionResetError, ssl.SSLError):
                    pass
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        self.assertEqual(self.count(s["id"]), 0)

    def test_codes_for_letters_are_a_csv_and_reissue_only_the_unused(self):
        s = self.sitting()
        r = self.csv(s["id"], GOOD_CSV, query="?format=csv")
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.header("Content-Type").startswith("text/csv"))
        lines = r.body.lstrip("\ufeff").split("\r\n")
        self.assertTrue(lines[0].startswith("candidate_id,name,email,track,"
                                            "access_code"))
        self.assertIn('"Lovelace, Ada"', r.body)
        codes = {}
        for line in lines[1:]:
            if line:
                cells = line.split(",")
                codes[cells[-7]] = cells[-5]   # email -> code
        self.assertEqual(len(codes), 3)
        # Ada signs in; the letters run reissues only the other two.
        self.assertEqual(self.login_code(codes["ada@example.org"]).status, 200)
        r = self.api("coord_a", "POST", "/sittings/%d/access-codes" % s["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["reissued"], 2)
        emails = sorted(c["email"] for c in r.json["candidates"])
        self.assertEqual(emails, ["ben@example.org", "zoe@example.org"])
        self.assertError(self.login_code(codes["ben@example.org"]), 401)
        self.assertEqual(self.login_code(codes["ada@example.org"]).status, 200)
        # The roster export has no codes at all.
        r = self.api("coord_a", "GET", "/sittings/%d/candidates?format=csv" %
                     s["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/csv"))
        self.assertIn("ada@example.org", r.body)
        self.assertNotIn("access_code", r.body)
        for code in codes.values():
            self.assertNotIn(code, r.body)

    def test_every_change_is_audited(self):
        s = self.sitting()
        c = self.register(s["id"], "Audrey Audit").json
        self.api("coord_a", "POST", "/sittings/%d/candidates/%d/access-code" %
                 (s["id"], c["id"]))
        self.api("coord_a", "POST", "/sittings/%d/proctors" % s["id"],
                 {"username": "proctor_a"})
        self.csv(s["id"], GOOD_CSV)
        r = self.api("coord_a", "GET", "/audit?limit=1000")
        self.assertEqual(r.status, 200, r)
        mine = [e for e in r.json["entries"]
                if e["object"] in ("sitting:%d" % s["id"],
                                   "candidate:%d" % c["id"])]
        actions = {e["action"] for e in mine}
        for a in ("sitting.create", "candidate.register",
                  "candidate.access_code_reissue", "sitting.proctor_assign",
                  "candidate.bulk_register"):
            self.assertIn(a, actions)
        # No names or e-mails in the append-only chain.
        self.assertNotIn("Audrey", r.body)
        self.assertNotIn("ada@example.org", r.body)
        examctl("audit", "verify", db=self.examd.db)


class Demo(unittest.TestCase):
    def test_demo_seeds_a_sitting_open_now_with_sign_ins(self):
        ex = Examd()
        try:
            from sched_fixture import seed_forms
            seed_forms(ex.db)
            out = examctl("demo", db=ex.db).stdout
            again = examctl("demo", db=ex.db, check=False)
            self.assertEqual(again.returncode, 1)
            self.assertIn("already has the demo", again.stderr)
            creds = {}
            codes = []
            for line in out.splitlines():
                f = line.split()
                if len(f) == 3 and f[1].startswith("demo-"):
                    creds[f[0]] = (f[1], f[2])
                elif len(f) >= 4 and f[2] in ("IMHS", "IMHM-C", "IMHM-RF"):
                    codes.append(f[3])
            self.assertEqual(len(codes), 3, out)
            ex.start()
            user, pw = creds["coordinator"]
            tok = ex.api("POST", "/login", {"username": user,
                                            "password": pw}).json["token"]
            r = ex.api("GET", "/sittings", token=tok)
            self.assertEqual(len(r.json["sittings"]), 1)
            self.assertEqual(r.json["sittings"][0]["status"], "open")
            self.assertEqual(r.json["sittings"][0]["registered"], 3)
            self.assertEqual([p["username"] for p in
                              r.json["sittings"][0]["proctors"]],
                             ["demo-proctor"])
            for code in codes:
                self.assertEqual(ex.api("POST", "/login",
                                        {"access_code": code}).status, 200)
        finally:
            ex.cleanup()


if __name__ == "__main__":
    main()
