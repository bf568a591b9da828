/*
 * Sign-in, sessions and the authenticator. See auth.h for the 401/403/404
 * rules and throttle.h for sign-in throttling.
 *
 * Staff sign-in: the account is read on the loop, the argon2id check runs
 * on the worker pool (an unknown user is checked against a dummy hash, so
 * both take the same path and time), and the session is written with its
 * audit entry in one unit before the token is sent.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "async.h"
#include "audit.h"
#include "auth.h"
#include "bounds.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "session_cache.h"
#include "store.h"
#include "store_identity.h"
#include "throttle.h"

struct auth {
	struct server	*srv;
	struct throttle	*pair;		/* account at one address */
	struct throttle	*addr;		/* one address, any account or code */
	struct throttle	*acct;		/* one account, any address */
	struct session_cache *sessions;
	int64_t		 idle_ms, max_ms;
};

static struct auth *
auth_of(struct req *req)
{
	return req->srv->mod[MOD_AUTH];
}

/* The peer address without its port: the throttle's key. */
static void
auth_peer_host(struct req *req, char *buf, size_t len)
{
	char *colon;

	snprintf(buf, len, "%s", req->peer);
	if ((colon = strrchr(buf, ':')) != NULL)
		*colon = '\0';
}

static void
auth_header(struct req *req, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(req->evreq), name,
	    value);
}

/* Scrubs the request body, parsed and raw: it held a password. */
static void
auth_wipe_body(struct req *req, const char *key)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->evreq);
	json_t *v = req->body ? json_object_get(req->body, key) : NULL;
	unsigned char *p;
	size_t n = evbuffer_get_length(in);

	if (v != NULL && json_is_string(v))
		explicit_bzero((char *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
	if (n > 0 && (p = evbuffer_pullup(in, -1)) != NULL)
		explicit_bzero(p, n);
}

int
auth_take_password(struct req *req, const char *key, char **out)
{
	json_t *v = req->body ? json_object_get(req->body, key) : NULL;
	size_t n;

	*out = NULL;
	if (v != NULL && json_is_string(v)) {
		n = json_string_length(v);
		if (n <= AUTH_PASSWORD_MAX && strlen(json_string_value(v)) == n &&
		    (*out = strdup(json_string_value(v))) == NULL)
			fatal("auth_take_password");
	}
	auth_wipe_body(req, key);
	if (*out != NULL)
		return 0;
	if (v == NULL || json_is_null(v))
		http_error(req, 422, "missing_field", "field \"%s\" is required",
		    key);
	else
		http_error(req, 422, "invalid_field", "field \"%s\" must be a "
		    "string of at most %d bytes without NUL", key,
		    AUTH_PASSWORD_MAX);
	return -1;
}

void
auth_password_free(char *pw)
{
	if (pw == NULL)
		return;
	explicit_bzero(pw, strlen(pw));
	free(pw);
}

/* --- the authenticator ------------------------------------------------- */

struct auth_touch {
	int64_t		 session_id, now;
};

static int
auth_touch_work(struct store_tx *tx, void *arg)
{
	struct auth_touch *t = arg;

	return store_session_touch(tx, t->session_id, t->now) == 0 ?
	    STORE_OK : STORE_EFAIL;
}

static void
auth_touch_done(int rc, void *arg)
{
	(void)rc;
	free(arg);
}

/* The session behind a token: from the cache, or read and cached. */
static int
auth_session_of(struct req *req, const char *tok, unsigned char md[AUTH_DIGEST],
    int64_t now, struct store_session *ss)
{
	struct auth *a = auth_of(req);
	char hash[AUTH_HASH_HEX];
	uint64_t gen = store_sessions_gen(req->srv->store);
	int rc;

	auth_sha256(tok, strlen(tok), md);
	if (session_cache_get(a->sessions, md, gen, now, ss))
		return 1;
	auth_digest_hex(md, hash);
	if ((rc = store_session_find(req->srv->store, hash, ss)) == 1)
		session_cache_put(a->sessions, md, gen, now, ss);
	return rc;
}

static void
auth_authenticate(struct req *req, const char *tok)
{
	struct store_session ss;
	struct audit_rec rec;
	struct auth_touch *t;
	unsigned char md[AUTH_DIGEST];
	char actor[48];
	int64_t now = auth_now_ms(), every, out;

	if (strlen(tok) != AUTH_TOKEN_CHARS - 1) {
		http_authenticated(req, 401);
		return;
	}
	switch (auth_session_of(req, tok, md, now, &ss)) {
	case 1:
		break;
	case 0:
		http_authenticated(req, 401);
		return;
	default:
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	out = store_out_since(req->srv->store);
	if (out != 0 && ss.role == ROLE_CANDIDATE && !ss.revoked &&
	    now >= ss.expires_at && ss.expires_at > out) {
		/* It ran out while nothing could be stored: the outage's
		 * credit may give it back (delivery_live.c) once a commit
		 * succeeds, so the page tries again rather than signs out. */
		http_error(req, 503, "store_failed", "nothing can be saved "
		    "just now; try again");
		return;
	}
	if (ss.role == ROLE_CANDIDATE && !ss.revoked && now >= ss.expires_at) {
		/* A candidate's session lasts as long as the sitting (or the
		 * part that outlives it): the page says so, not "signed in
		 * elsewhere". */
		http_error(req, 401, "sitting_closed", "the sitting has "
		    "closed, and this session with it");
		return;
	}
	if (ss.revoked || now >= ss.expires_at || ss.role == 0 ||
	    (ss.idle_ms > 0 && now - ss.last_seen_at > ss.idle_ms)) {
		http_authenticated(req, 401);
		return;
	}
	req->who.role = ss.role;
	req->who.user_id = ss.principal_id;
	req->who.association_id = ss.association_id;
	req->who.session_id = ss.id;

	/* Idle sessions: record activity, coarsely, off the loop. */
	every = auth_touch_every(ss.idle_ms);
	if (ss.idle_ms > 0 && now - ss.last_seen_at > every) {
		if ((t = malloc(sizeof *t)) == NULL)
			fatal("auth_authenticate");
		t->session_id = ss.id;
		t->now = now;
		if (store_submit(req->srv->store, auth_touch_work,
		    auth_touch_done, t) == -1)
			free(t);
		else	/* one touch per interval, not one per request */
			session_cache_seen(auth_of(req)->sessions, md, now);
	}
	if ((req->who.role & req->route->roles) == 0) {
		audit_rec_from_req(&rec, req, actor, sizeof actor);
		rec.action = "authz.denied";
		rec.object = req->route->pattern;
		rec.details = json_pack("{s:s,s:s,s:i}", "method", req->method,
		    "path", req->path, "status", 403);
		audit_submit(req->srv, &rec);
		json_decref(rec.details);
	}
	http_authenticated(req, 0);	/* answers 403 for a role mismatch */
}

int64_t
auth_touch_every(int64_t idle_ms)
{
	return idle_ms / 4 < EXAMD_SESSION_TOUCH_MS ? idle_ms / 4 :
	    EXAMD_SESSION_TOUCH_MS;
}

/* --- scoping helpers --------------------------------------------------- */

int
auth_same_association(struct req *req, int64_t assoc_id)
{
	if (req->who.role == ROLE_ADMIN)
		return 1;
	return req->who.role != 0 && req->who.association_id != 0 &&
	    req->who.association_id == assoc_id;
}

int
auth_proctor_of(struct req *req, int64_t sitting_id)
{
	if (req->who.role != ROLE_PROCTOR)
		return 0;
	return store_sitting_has_proctor(req->srv->store, sitting_id,
	    req->who.user_id) == 1;
}

int
auth_may_sitting(struct req *req, int64_t sitting_id)
{
	int64_t assoc;
	int rc;

	if (sitting_id <= 0)
		return 0;
	rc = store_sitting_association(req->srv->store, sitting_id, &assoc);
	if (rc != 1)
		return rc;
	switch (req->who.role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_COORDINATOR:
		return auth_same_association(req, assoc);
	case ROLE_PROCTOR:
		return auth_same_association(req, assoc) &&
		    auth_proctor_of(req, sitting_id);
	}
	return 0;
}

int64_t
auth_candidate_id(struct req *req)
{
	return req->who.role == ROLE_CANDIDATE ? req->who.user_id : 0;
}

void
auth_deny(struct req *req, const char *object)
{
	struct audit_rec rec;
	char actor[48];

	audit_rec_from_req(&rec, req, actor, sizeof actor);
	rec.action = "authz.denied";
	rec.object = object;
	rec.details = json_pack("{s:s,s:s,s:i}", "method", req->method,
	    "path", req->path, "status", 404);
	audit_submit(req->srv, &rec);
	json_decref(rec.details);
	http_not_found(req);
}

/* --- sign-in ----------------------------------------------------------- */

struct auth_login {
	struct req		*req;
	struct auth		*a;
	/* staff */
	char			*password;	/* wiped and freed after the check */
	struct store_user	 user;
	int			 found, ok;
	char			 username[USERNAME_MAX + 1];
	/* candidate */
	struct store_candidate_login cand;
	int			 takeovers;
	/* the session */
	struct store_session	 ss;
	char			 token[AUTH_TOKEN_CHARS];
	char			 token_hash[AUTH_HASH_HEX];
	char			 host[64];
	/* Throttle keys: staff count pair, addr and acct; candidates addr. */
	struct throttle		*t[3];
	char			 keys[3][THROTTLE_KEY * 2 + 16];
	int			 nt;
};

static void
auth_login_free(struct auth_login *l)
{
	auth_password_free(l->password);
	explicit_bzero(l, sizeof *l);
	free(l);
}

/* 429 with Retry-After when any of keys is waiting; 1 if refused. */
static int
auth_throttled(struct req *req, struct throttle **t, char (*keys)[THROTTLE_KEY * 2 + 16],
    int n)
{
	int64_t now = auth_now_ms(), w, wait = 0;
	char secs[24];
	int i;

	for (i = 0; i < n; i++)
		if ((w = throttle_check(t[i], keys[i], now)) > wait)
			wait = w;
	if (wait == 0)
		return 0;
	snprintf(secs, sizeof secs, "%" PRId64, (wait + 999) / 1000);
	auth_header(req, "Retry-After", secs);
	http_error(req, 429, "too_many_attempts", "too many failed sign-ins: "
	    "try again in %s seconds", secs);
	return 1;
}

static void
auth_login_reply(struct auth_login *l)
{
	struct req *req = l->req;
	char cookie[160], exp[40];

	auth_time_format(l->ss.expires_at, exp, sizeof exp);
	/* The browser pages use the cookie; scripts use the bearer token. */
	snprintf(cookie, sizeof cookie, "__Host-examd=%s; Path=/; Secure; "
	    "HttpOnly; SameSite=Strict", l->token);
	auth_header(req, "Set-Cookie", cookie);
	explicit_bzero(cookie, sizeof cookie);
	http_reply_json(req, 200, json_pack("{s:s,s:s,s:s}", "token", l->token,
	    "role", store_role_name(l->ss.role), "expires_at", exp));
}

static int
auth_session_work(struct store_tx *tx, void *arg)
{
	struct auth_login *l = arg;
	struct audit_rec rec;
	char actor[48], object[48], details[160];
	int64_t id;

	memset(&rec, 0, sizeof rec);
	if (l->ss.role == ROLE_CANDIDATE) {
		/* A second sign-in takes the attempt over from the first. */
		if (store_sessions_revoke_principal(tx, ROLE_CANDIDATE,
		    l->ss.principal_id, l->ss.created_at, &l->takeovers) != 0)
			return STORE_EFAIL;
		if (l->takeovers > 0) {
			snprintf(details, sizeof details, "{\"address\":\"%s\","
			    "\"revoked_sessions\":%d}", l->host, l->takeovers);
			if (store_incident_insert(tx, l->cand.sitting_id,
			    l->cand.id, l->cand.association_id, "takeover",
			    details, 0, l->ss.created_at) != 0)
				return STORE_EFAIL;
			snprintf(actor, sizeof actor, "candidate:%" PRId64,
			    l->cand.id);
			rec.actor = actor;
			rec.role = "candidate";
			rec.association_id = l->cand.association_id;
			rec.candidate_id = l->cand.id;
			rec.action = "candidate.takeover";
			snprintf(object, sizeof object, "sitting:%" PRId64,
			    l->cand.sitting_id);
			rec.object = object;
			rec.details_text = details;
			rec.request_id = l->req->id;
			if (store_audit_append(tx, &rec) != 0)
				return STORE_EFAIL;
		}
	}
	if (store_session_insert(tx, l->token_hash, &l->ss, &id) != 0)
		return STORE_EFAIL;
	l->ss.id = id;
	memset(&rec, 0, sizeof rec);
	snprintf(actor, sizeof actor, "%s:%" PRId64,
	    l->ss.role == ROLE_CANDIDATE ? "candidate" : "user",
	    l->ss.principal_id);
	rec.actor = actor;
	rec.role = store_role_name(l->ss.role);
	rec.association_id = l->ss.association_id;
	rec.candidate_id = l->ss.role == ROLE_CANDIDATE ? l->ss.principal_id : 0;
	rec.action = "login";
	rec.object = actor;
	snprintf(details, sizeof details, "{\"address\":\"%s\",\"session\":%"
	    PRId64 "}", l->host, id);
	rec.details_text = details;
	rec.request_id = l->req->id;
	return store_audit_append(tx, &rec) == 0 ? STORE_OK : STORE_EFAIL;
}

static void
auth_session_done(int rc, void *arg)
{
	struct auth_login *l = arg;

	if (rc != STORE_OK)
		http_error(l->req, 503, "store_unavailable",
		    "the sign-in could not be recorded: try again");
	else
		auth_login_reply(l);
	auth_login_free(l);
}

/* Issues the token and writes the session (and its audit entry). */
static void
auth_session_start(struct auth_login *l)
{
	auth_token_new(l->token);
	auth_sha256_hex(l->token, strlen(l->token), l->token_hash);
	if (store_submit(l->req->srv->store, auth_session_work,
	    auth_session_done, l) == -1) {
		http_error(l->req, 503, "busy", "the server is busy: try again");
		auth_login_free(l);
	}
}

static void
auth_login_failed(struct auth_login *l, const char *reason)
{
	struct audit_rec rec;
	int64_t now = auth_now_ms();
	int i;

	for (i = 0; i < l->nt; i++)
		throttle_fail(l->t[i], l->keys[i], now);
	memset(&rec, 0, sizeof rec);
	rec.actor = "anonymous";
	rec.role = "-";
	rec.action = "login.failed";
	if (l->found) {
		/* Only names that exist are recorded: a password typed into
		 * the user name field must not end up in the log. */
		rec.association_id = l->user.association_id;
		rec.object = l->user.username;
	}
	rec.details = json_pack("{s:s,s:s}", "reason", reason, "address",
	    l->host);
	rec.request_id = l->req->id;
	audit_submit(l->req->srv, &rec);
	json_decref(rec.details);
	http_error(l->req, 401, "invalid_credentials", "%s",
	    l->ss.role == ROLE_CANDIDATE ? "unknown access code" :
	    "wrong user name or password");
	auth_login_free(l);
}

static void
auth_verify_job(void *arg)
{
	struct auth_login *l = arg;

	l->ok = auth_password_verify(l->found ? l->user.password_hash :
	    auth_password_dummy(), l->password) && l->found;
	explicit_bzero(l->password, strlen(l->password));
}

static void
auth_verify_done(void *arg)
{
	struct auth_login *l = arg;
	int64_t now = auth_now_ms();

	if (!l->ok) {
		auth_login_failed(l, l->found ? "password" : "unknown_user");
		return;
	}
	if (l->user.disabled) {
		auth_login_failed(l, "disabled");
		return;
	}
	throttle_ok(l->a->pair, l->keys[0]);
	throttle_ok(l->a->acct, l->keys[2]);
	l->ss.role = l->user.role;
	l->ss.principal_id = l->user.id;
	l->ss.association_id = l->user.association_id;
	l->ss.created_at = l->ss.last_seen_at = now;
	l->ss.expires_at = now + l->a->max_ms;
	l->ss.idle_ms = l->a->idle_ms;
	auth_session_start(l);
}

static void
auth_login_staff(struct req *req, struct auth_login *l)
{
	const char *username;
	char *p;

	/* The password first: the body is wiped before any reply. */
	if (auth_take_password(req, "password", &l->password) == -1 ||
	    http_json_string(req, "username", 1, USERNAME_MAX, &username)) {
		auth_login_free(l);
		return;
	}
	snprintf(l->username, sizeof l->username, "%s", username);
	for (p = l->username; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(l->keys[0], sizeof l->keys[0], "p:%s|%s", l->host,
	    l->username);
	snprintf(l->keys[1], sizeof l->keys[1], "a:%s", l->host);
	snprintf(l->keys[2], sizeof l->keys[2], "u:%s", l->username);
	l->t[0] = l->a->pair;
	l->t[1] = l->a->addr;
	l->t[2] = l->a->acct;
	l->nt = 3;
	if (auth_throttled(req, l->t, l->keys, l->nt)) {
		auth_login_free(l);
		return;
	}
	if (pool_pending(req->srv->pool) >= EXAMD_MAX_HASH_QUEUE) {
		auth_header(req, "Retry-After", "1");
		http_error(req, 503, "busy", "too many sign-ins at once: try "
		    "again in a second");
		auth_login_free(l);
		return;
	}
	switch (store_user_find(req->srv->store, username, &l->user)) {
	case 1:
		l->found = 1;
		break;
	case 0:
		break;
	default:
		http_error(req, 503, "store_unavailable", "try again");
		auth_login_free(l);
		return;
	}
	pool_submit(req->srv->pool, auth_verify_job, auth_verify_done, l);
}

static void
auth_login_candidate(struct req *req, struct auth_login *l, const char *code)
{
	char hash[AUTH_HASH_HEX], when[40];
	int64_t now = auth_now_ms(), until;
	int rc;

	l->ss.role = ROLE_CANDIDATE;
	/* Codes have 100 bits: the address is what a guesser spends. */
	l->t[0] = l->a->addr;
	l->nt = 1;
	snprintf(l->keys[0], sizeof l->keys[0], "a:%s", l->host);
	if (auth_throttled(req, l->t, l->keys, l->nt)) {
		auth_login_free(l);
		return;
	}
	if (auth_code_hash(code, hash) == -1 ||
	    (rc = store_candidate_by_code(req->srv->store, hash, &l->cand)) == 0) {
		auth_login_failed(l, "unknown_code");
		return;
	}
	if (rc == -1) {
		http_error(req, 503, "store_unavailable", "try again");
		auth_login_free(l);
		return;
	}
	until = l->cand.closes_at;	/* valid until the sitting closes */
	/*
	 * A part that started before the close runs to its own deadline: its
	 * candidate may sign in again (a closed browser, a new device) for as
	 * long as delivery keeps the candidate's sessions alive.
	 */
	if (now >= l->cand.closes_at && strcmp(l->cand.status,
	    "in_section") == 0 && now < l->cand.kept_until)
		until = l->cand.kept_until;
	else if (now < l->cand.opens_at || now >= l->cand.closes_at) {
		auth_time_format(now < l->cand.opens_at ? l->cand.opens_at :
		    l->cand.closes_at, when, sizeof when);
		http_error(req, 403, now < l->cand.opens_at ? "sitting_not_open" :
		    "sitting_closed", "this access code can be used from the "
		    "sitting's opening to its close: %s %s",
		    now < l->cand.opens_at ? "it opens at" : "it closed at", when);
		auth_login_free(l);
		return;
	}
	l->ss.principal_id = l->cand.id;
	l->ss.association_id = l->cand.association_id;
	l->ss.created_at = l->ss.last_seen_at = now;
	l->ss.expires_at = until;
	l->ss.idle_ms = 0;
	auth_session_start(l);
}

static void
auth_login(struct req *req)
{
	struct auth_login *l;
	const char *code;

	if ((l = calloc(1, sizeof *l)) == NULL)
		fatal("auth_login");
	l->req = req;
	l->a = auth_of(req);
	auth_peer_host(req, l->host, sizeof l->host);
	if (json_object_get(req->body, "access_code") == NULL) {
		auth_login_staff(req, l);
		return;
	}
	auth_wipe_body(req, "password");	/* in case one came along */
	if (http_json_string(req, "access_code", 1, 64, &code) == -1) {
		auth_login_free(l);
		return;
	}
	auth_login_candidate(req, l, code);
}

/* --- sign-out, me, incidents ------------------------------------------- */

struct auth_logout {
	struct req	*req;
};

static int
auth_logout_work(struct store_tx *tx, void *arg)
{
	struct auth_logout *o = arg;
	struct audit_rec rec;
	char actor[48];

	if (store_session_revoke(tx, o->req->who.session_id, auth_now_ms()) != 0)
		return STORE_EFAIL;
	audit_rec_from_req(&rec, o->req, actor, sizeof actor);
	rec.action = "logout";
	rec.object = actor;
	return store_audit_append(tx, &rec) == 0 ? STORE_OK : STORE_EFAIL;
}

static void
auth_logout_done(int rc, void *arg)
{
	struct auth_logout *o = arg;

	if (rc != STORE_OK) {
		http_error(o->req, 503, "store_unavailable", "try again");
	} else {
		auth_header(o->req, "Set-Cookie", "__Host-examd=; Path=/; "
		    "Secure; HttpOnly; SameSite=Strict; Max-Age=0");
		http_reply_json(o->req, 200, json_pack("{s:b}", "signed_out", 1));
	}
	free(o);
}

static void
auth_logout(struct req *req)
{
	struct auth_logout *o;

	if ((o = calloc(1, sizeof *o)) == NULL)
		fatal("auth_logout");
	o->req = req;
	if (store_submit(req->srv->store, auth_logout_work, auth_logout_done,
	    o) == -1) {
		free(o);
		http_error(req, 503, "busy", "the server is busy: try again");
	}
}

static void
auth_me(struct req *req)
{
	struct store_user u;
	json_t *o;

	o = json_pack("{s:s,s:I,s:o}", "role", store_role_name(req->who.role),
	    "id", (json_int_t)req->who.user_id, "association_id",
	    req->who.association_id ? json_integer(req->who.association_id) :
	    json_null());
	if (req->who.role != ROLE_CANDIDATE &&
	    store_user_get(req->srv->store, req->who.user_id, &u) == 1) {
		json_object_set_new(o, "username", json_string(u.username));
		if (u.endorsement[0] != '\0')
			json_object_set_new(o, "endorsement",
			    json_string(u.endorsement));
		json_object_set_new(o, "may_adjudicate",
		    json_boolean(u.may_adjudicate));
		explicit_bzero(&u, sizeof u);
	}
	http_reply_json(req, 200, o);
}

static void
auth_incidents(struct req *req)
{
	int64_t sid = http_param_id(req, 0);
	json_t *a;
	char obj[40];

	snprintf(obj, sizeof obj, "sitting:%" PRId64, sid);
	switch (auth_may_sitting(req, sid)) {
	case 1:
		break;
	case 0:
		auth_deny(req, obj);
		return;
	default:
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	a = json_array();
	if (store_incidents_list(req->srv->store, sid, a) == -1) {
		json_decref(a);
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "incidents", a));
}

const struct route auth_routes[] = {
	{ "POST", "/api/v1/login", ROLE_PUBLIC, HTTP_JSON_BODY, auth_login },
	{ "POST", "/api/v1/logout", ROLE_STAFF | ROLE_CANDIDATE, 0, auth_logout },
	{ "GET", "/api/v1/me", ROLE_STAFF | ROLE_CANDIDATE, 0, auth_me },
	{ "GET", "/api/v1/sittings/{sid}/incidents",
	    ROLE_ADMIN | ROLE_COORDINATOR | ROLE_PROCTOR, 0, auth_incidents },
	{ NULL, NULL, 0, 0, NULL }
};

int
auth_init(struct server *srv, char **errstr)
{
	struct auth *a;
	struct config *cfg = srv->cfg;
	int64_t maxd = cfg->throttle_max_delay * 1000;

	(void)errstr;
	if ((a = calloc(1, sizeof *a)) == NULL)
		fatal("auth_init");
	a->srv = srv;
	a->idle_ms = cfg->session_idle * 1000;
	a->max_ms = cfg->session_max * 1000;
	a->sessions = session_cache_new();
	/* Quiet period: a key is forgotten four maximum delays after its last failure. */
	a->pair = throttle_new(EXAMD_THROTTLE_SLOTS, EXAMD_THROTTLE_FREE_PAIR,
	    maxd, 4 * maxd);
	a->addr = throttle_new(EXAMD_THROTTLE_SLOTS, EXAMD_THROTTLE_FREE_ADDR,
	    maxd, 4 * maxd);
	a->acct = throttle_new(EXAMD_THROTTLE_SLOTS, EXAMD_THROTTLE_FREE_ACCT,
	    maxd < EXAMD_THROTTLE_ACCT_MAX * 1000 ? maxd :
	    EXAMD_THROTTLE_ACCT_MAX * 1000, 4 * maxd);
	srv->mod[MOD_AUTH] = a;
	http_set_authenticator(auth_authenticate);
	/* Computes the dummy hash now rather than on the first unknown user. */
	(void)auth_password_dummy();
	return 0;
}

void
auth_fini(struct server *srv)
{
	struct auth *a = srv->mod[MOD_AUTH];

	if (a == NULL)
		return;
	throttle_free(a->pair);
	throttle_free(a->addr);
	throttle_free(a->acct);
	session_cache_free(a->sessions);
	free(a);
	srv->mod[MOD_AUTH] = NULL;
}
