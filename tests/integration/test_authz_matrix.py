"""Who may do what: every route of examd x every kind of caller, with the
status each must get. The route list comes from `examd --routes`; a route
without a row here fails the test, and so does a row for a route that no
longer exists.

Callers (signed in once, against the seeded world of identity_fixture):
    admin                               coord_own    coordinator of association A
    coord_other  coordinator of B       proctor_in   proctor assigned to sitting A
    proctor_out  proctor of A, not assigned to it   grader
    cand_own     candidate in sitting A cand_other   candidate in sitting B
    anon         no token
Path parameters name objects of association A (see PARAMS), so "own" is
A's coordinator and proctor_in; the others must get 404 (not theirs) or
403 (not their role), and anon 401.

ADDING A ROUTE: add one row to MATRIX, e.g.
    row("GET", "/api/v1/sittings/{sid}/roster",
        admin=200, coord_own=200, proctor_in=200, coord_other=404,
        proctor_out=404),
Callers not named get 403, anon 401 (routes for everyone: public=200).
If the route has a new {param}, add it to PARAMS; a row whose own-caller
success would disturb later rows (ending the candidates' sessions) may name
other objects of association A with params={"sid": lambda w: ...}.
"""
import http.client
import os
import subprocess
import uuid

from harness import BIN, ExamdTestCase, Reply, main
from identity_fixture import PASSWORD, seed, token
from sched_fixture import seed_forms

CALLERS = ("admin", "coord_own", "coord_other", "proctor_in", "proctor_out",
           "grader", "cand_own", "cand_other", "anon")
# Caller -> who signs in (identity_fixture names), and the role it has.
SIGN_IN = {"admin": "admin", "coord_own": "coord_a", "coord_other": "coord_b",
           "proctor_in": "proctor_a", "proctor_out": "proctor_a2",
           "grader": "grader", "cand_own": "cand_a", "cand_other": "cand_b"}
ROLE = {"admin": "admin", "coord_own": "coordinator",
        "coord_other": "coordinator", "proctor_in": "proctor",
        "proctor_out": "proctor", "grader": "grader",
        "cand_own": "candidate", "cand_other": "candidate"}


def uniq():
    return uuid.uuid4().hex[:10]


def row(method, pattern, body=None, fresh=False, public=None, params=None,
        stream=False, **expect):
    """One route's expectations. body: dict, or callable returning one per
    cell; fresh: sign in anew for the cell (for routes that end the
    session); params: {name: f(world)} overriding PARAMS for this row;
    stream: a text/event-stream route (only the status is read)."""
    cells = {}
    for c in CALLERS:
        if public is not None:
            cells[c] = expect.get(c, public)
        else:
            cells[c] = expect.get(c, 401 if c == "anon" else 403)
    return {"method": method, "pattern": pattern, "cells": cells,
            "body": body, "fresh": fresh, "params": params or {},
            "stream": stream}


# Objects the {params} name: all of association A.
PARAMS = {
    "sid": lambda w: w.sitting_a,
    "uid": lambda w: w.users["target_a"],
    "cid": lambda w: w.cands["cand_a"],
    "id": lambda w: 1,          # an item of the imported sample bank
    "p": lambda w: "x.png",     # an image path segment
    "secid": lambda w: "mc",    # a part of the sample form
    "n": lambda w: 1,           # an MC item, in the candidate's order
    "pid": lambda w: "p1",      # an essay prompt
}

EVERYONE_SIGNED_IN = {c: 200 for c in CALLERS if c != "anon"}
NOT_FOUND_SIGNED_IN = {c: 404 for c in CALLERS if c != "anon"}

MATRIX = [
    # core
    row("GET", "/healthz", public=200),
    row("GET", "/api/v1/healthz", public=200),
    row("GET", "/metrics", public=200),
    # auth
    row("POST", "/api/v1/login", public=200,
        body={"username": "admin", "password": PASSWORD}),
    row("POST", "/api/v1/logout", fresh=True, **EVERYONE_SIGNED_IN),
    row("GET", "/api/v1/me", **EVERYONE_SIGNED_IN),
    row("GET", "/api/v1/sittings/{sid}/incidents", admin=200, coord_own=200,
        proctor_in=200, coord_other=404, proctor_out=404),
    # account
    row("GET", "/api/v1/associations", admin=200),
    row("POST", "/api/v1/associations", admin=201,
        body=lambda: {"code": "X" + uniq(), "name": "Matrix"}),
    row("GET", "/api/v1/users", admin=200, coord_own=200, coord_other=200),
    row("POST", "/api/v1/users", admin=201,
        body=lambda: {"username": "m" + uniq(), "password": PASSWORD,
                      "role": "proctor", "association": "A"}),
    row("GET", "/api/v1/users/{uid}", admin=200, coord_own=200,
        coord_other=404),
    row("POST", "/api/v1/users/{uid}/disable", admin=200),
    row("POST", "/api/v1/users/{uid}/enable", admin=200),
    row("POST", "/api/v1/users/{uid}/password", admin=200,
        body={"password": PASSWORD}),
    row("GET", "/api/v1/audit", admin=200, coord_own=200, coord_other=200),
    # sched (sitting_a is open now; edits go to sitting_later, which has not
    # opened, and the code reissue to cand_a2, who is nobody's caller)
    row("GET", "/api/v1/sittings", admin=200, coord_own=200, coord_other=200,
        proctor_in=200, proctor_out=200),
    row("POST", "/api/v1/sittings", coord_own=201, coord_other=201,
        body={"exam_id": "imh-sample-a", "title": "Matrix",
              "opens_at": "2031-05-01T09:00:00Z",
              "closes_at": "2031-05-01T12:00:00Z", "timezone": "UTC"}),
    row("GET", "/api/v1/sittings/{sid}", admin=200, coord_own=200,
        proctor_in=200, coord_other=404, proctor_out=404),
    row("PUT", "/api/v1/sittings/{sid}", coord_own=200, coord_other=404,
        body={"title": "Matrix renamed"},
        params={"sid": lambda w: w.sitting_later}),
    row("GET", "/api/v1/sittings/{sid}/candidates", admin=200,
        coord_own=200, proctor_in=200, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates", coord_own=201,
        coord_other=404,
        body=lambda: {"name": "Matrix Candidate", "track": "IMHS",
                      "email": uniq() + "@example.org"}),
    row("GET", "/api/v1/sittings/{sid}/candidates/{cid}", admin=200,
        coord_own=200, proctor_in=200, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/access-code",
        coord_own=200, coord_other=404,
        params={"cid": lambda w: w.cands["cand_a2"]}),
    row("POST", "/api/v1/sittings/{sid}/access-codes", coord_own=200,
        coord_other=404),
    row("POST", "/api/v1/sittings/{sid}/proctors", coord_own=201,
        coord_other=404, body={"username": "target_a"}),
    row("DELETE", "/api/v1/sittings/{sid}/proctors/{uid}", coord_own=200,
        coord_other=404),
    row("POST", "/api/v1/sittings/{sid}/cancel", coord_own=200,
        coord_other=404, params={"sid": lambda w: w.sitting_later}),
    # bank (the shared item bank: no association scoping)
    row("GET", "/api/v1/exams", admin=200, coord_own=200, coord_other=200),
    row("GET", "/api/v1/items", admin=200),
    row("GET", "/api/v1/items/{id}", admin=200),
    row("GET", "/api/v1/assets/{id}/{p}", **NOT_FOUND_SIGNED_IN),
    row("GET", "/api/v1/assets/{id}/{p}/{p}", **NOT_FOUND_SIGNED_IN),
    row("GET", "/api/v1/assets/{id}/{p}/{p}/{p}", **NOT_FOUND_SIGNED_IN),
    row("GET", "/api/v1/assets/{id}/{p}/{p}/{p}/{p}", **NOT_FOUND_SIGNED_IN),
    # delivery (cand_a is not admitted until the admit row: before it the
    # candidate's writes get the state's 409, bodies {} a 422; after it the
    # proctor's clock actions find no part open)
    row("GET", "/api/v1/attempt", cand_own=200, cand_other=200),
    row("GET", "/api/v1/attempt/events", stream=True, cand_own=200,
        cand_other=200),
    row("GET", "/api/v1/attempt/sections/{secid}", cand_own=409,
        cand_other=409),
    row("POST", "/api/v1/attempt/sections/{secid}/start", cand_own=409,
        cand_other=409),
    row("POST", "/api/v1/attempt/sections/{secid}/submit", cand_own=409,
        cand_other=409),
    row("PUT", "/api/v1/attempt/sections/{secid}/answers/{n}", cand_own=422,
        cand_other=422),
    row("PUT", "/api/v1/attempt/sections/{secid}/essays/{pid}", cand_own=422,
        cand_other=422),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/admit", admin=200,
        coord_own=200, proctor_in=200, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/pause", admin=409,
        coord_own=409, proctor_in=409, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/resume", admin=409,
        coord_own=409, proctor_in=409, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/extend", admin=422,
        coord_own=422, proctor_in=422, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/void", admin=422,
        coord_own=422, proctor_in=422, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/candidates/{cid}/submit", admin=422,
        coord_own=422, proctor_in=422, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/pause", admin=200, coord_own=200,
        proctor_in=200, coord_other=404, proctor_out=404),
    row("POST", "/api/v1/sittings/{sid}/resume", admin=200, coord_own=200,
        proctor_in=200, coord_other=404, proctor_out=404),
    row("GET", "/api/v1/sittings/{sid}/roster", admin=200, coord_own=200,
        proctor_in=200, coord_other=404, proctor_out=404),
    row("GET", "/api/v1/sittings/{sid}/events", stream=True, admin=200,
        coord_own=200, proctor_in=200, coord_other=404, proctor_out=404),
]


def served_routes():
    out = subprocess.run([os.path.join(BIN, "examd"), "--routes"],
                         capture_output=True, text=True, check=True).stdout
    routes = {}
    for line in out.splitlines():
        method, pattern, roles = line.split()
        routes[(method, pattern)] = roles.split(",")
    return routes


class AuthzMatrix(ExamdTestCase):
    @classmethod
    def prepare(cls, examd):
        cls.w = seed(examd)
        seed_forms(examd.db)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {c: token(cls.examd, SIGN_IN[c], cls.w)
                      for c in SIGN_IN}

    def path(self, pattern, params=None):
        p = pattern
        for name, f in dict(PARAMS, **(params or {})).items():
            p = p.replace("{%s}" % name, str(f(self.w)))
        self.assertNotIn("{", p, "add the parameter of %s to PARAMS" %
                         pattern)
        return p

    def stream_status(self, path, tok):
        """GET an event stream: its status, and the body of an error."""
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.examd.port, context=self.examd.context(),
            timeout=30)
        hdrs = {"Authorization": "Bearer " + tok} if tok else {}
        conn.request("GET", path, headers=hdrs)
        r = conn.getresponse()
        body = r.read().decode() if r.status != 200 else ""
        conn.close()
        return Reply(r.status, r.getheaders(), body)

    def test_every_route_has_a_row(self):
        served = served_routes()
        rows = {(r["method"], r["pattern"]) for r in MATRIX}
        missing = sorted(set(served) - rows)
        stale = sorted(rows - set(served))
        self.assertEqual(missing, [], "routes without a row in MATRIX")
        self.assertEqual(stale, [], "rows for routes examd does not serve")

    def test_rows_agree_with_route_roles(self):
        """A caller whose role the route does not serve must get 403."""
        served = served_routes()
        for r in MATRIX:
            roles = served.get((r["method"], r["pattern"]))
            if roles is None or roles == ["public"]:
                continue
            for c, status in r["cells"].items():
                if c != "anon" and ROLE[c] not in roles:
                    self.assertEqual(status, 403, (r["pattern"], c))
                if c != "anon" and ROLE[c] in roles:
                    self.assertNotEqual(status, 403, (r["pattern"], c))

    def test_matrix(self):
        wrong = []
        for r in MATRIX:
            path = self.path(r["pattern"], r["params"])
            for c in CALLERS:
                tok = None
                if c != "anon":
                    tok = (token(self.examd, SIGN_IN[c], self.w)
                           if r["fresh"] else self.tokens[c])
                body = r["body"]() if callable(r["body"]) else r["body"]
                if r["method"] in ("POST", "PUT") and body is None:
                    body = {}
                if r["stream"]:
                    rep = self.stream_status(path, tok)
                else:
                    rep = self.examd.request(r["method"], path, body=body,
                                             token=tok)
                if rep.status != r["cells"][c]:
                    wrong.append("%s %s as %s: got %d, want %d %s" % (
                        r["method"], path, c, rep.status, r["cells"][c],
                        rep.body[:120]))
                if rep.status >= 400:
                    self.assertIsNotNone(rep.json, rep)
                    self.assertIn("error", rep.json)
                if r["fresh"] and c != "anon":
                    # The fresh sign-in may have taken over a candidate's
                    # attempt: sign the shared caller in again.
                    self.tokens[c] = token(self.examd, SIGN_IN[c], self.w)
        self.assertEqual(wrong, [], "\n" + "\n".join(wrong))


if __name__ == "__main__":
    main()
