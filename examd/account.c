/*
 * The administration API for associations and staff accounts, and the
 * audit trail's read API. Every change is written with its audit entry in
 * one unit; passwords are hashed on the worker pool.
 *
 *	GET  /api/v1/associations			admin
 *	POST /api/v1/associations {"code","name"}	admin
 *	GET  /api/v1/users[?association=CODE]		admin; coordinator: own association
 *	POST /api/v1/users {"username","password","role","association"?,
 *	     "endorsement"?,"may_adjudicate"?}		admin
 *	GET  /api/v1/users/{uid}			admin; coordinator: own association
 *	POST /api/v1/users/{uid}/disable | /enable	admin (disable ends its sessions)
 *	POST /api/v1/users/{uid}/password {"password"}	admin (ends its sessions)
 *	GET  /api/v1/audit?candidate=&actor=&action=&since=&until=&after=&limit=
 *							admin (?association=ID); coordinator: own
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "account.h"
#include "async.h"
#include "audit.h"
#include "auth.h"
#include "bounds.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "store_identity.h"

#define AUDIT_PAGE_DEFAULT	100
#define AUDIT_PAGE_MAX		1000

static const char *account_endorsements[] = {
	"IMHS", "IMHM-C", "IMHM-P", "IMHM-RF",
	"ECMHS", "ECMHM-C", "ECMHM-P", "ECMHM-RF", NULL
};

int
account_endorsement_valid(const char *s)
{
	int i;

	for (i = 0; account_endorsements[i] != NULL; i++)
		if (strcmp(s, account_endorsements[i]) == 0)
			return 1;
	return 0;
}

/* 1 to max characters, each a letter, a digit or one of extra. */
static int
account_word_valid(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

int
account_username_valid(const char *s)
{
	return account_word_valid(s, USERNAME_MAX, "._@-");
}

int
account_code_valid(const char *s)
{
	return account_word_valid(s, ASSOC_CODE_MAX, "-");
}

const char *
account_password_problem(const char *pw)
{
	if (strlen(pw) < AUTH_PASSWORD_MIN)
		return "a password needs at least 12 characters";
	if (strlen(pw) > AUTH_PASSWORD_MAX)
		return "a password may have at most 256 bytes";
	return NULL;
}

/* --- associations -------------------------------------------------------- */

/* Replies {key: a}, or 503 when the store could not list (rc -1); takes a. */
static void
account_list_reply(struct req *req, int rc, const char *key, json_t *a)
{
	if (rc == -1) {
		json_decref(a);
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", key, a));
}

static void
account_assoc_list(struct req *req)
{
	json_t *a = json_array();

	account_list_reply(req, store_associations_list(req->srv->store, a),
	    "associations", a);
}

/* One change and its audit entry, written by a unit; the reply follows. */
struct account_op {
	struct req		*req;
	int			 kind;
	struct store_user	 user;		/* create, password */
	char			*password;	/* wiped after hashing */
	int			 hash_ok;
	char			 code[ASSOC_CODE_MAX + 1];
	char			 name[ASSOC_NAME_MAX + 1];
	int64_t			 id;
	int			 disabled, dup, revoked;
};

enum { OP_ASSOC_ADD, OP_USER_ADD, OP_DISABLE, OP_PASSWORD };

static void
account_op_free(struct account_op *op)
{
	auth_password_free(op->password);
	explicit_bzero(op, sizeof *op);
	free(op);
}

static int
account_op_audit(struct store_tx *tx, struct account_op *op,
    const char *action, const char *kind, int64_t assoc, json_t *details)
{
	struct audit_rec rec;
	char actor[48], object[48];

	audit_rec_from_req(&rec, op->req, actor, sizeof actor);
	snprintf(object, sizeof object, "%s:%" PRId64, kind, op->id);
	rec.association_id = assoc;
	return audit_append(tx, &rec, action, object, details);
}

static int
account_op_work(struct store_tx *tx, void *arg)
{
	struct account_op *op = arg;
	int64_t now = auth_now_ms();
	int rc;

	switch (op->kind) {
	case OP_ASSOC_ADD:
		rc = store_association_insert(tx, op->code, op->name, &op->id);
		if (rc == STORE_DUP) {
			op->dup = 1;
			return STORE_DUP;
		}
		if (rc != 0)
			return STORE_EFAIL;
		return account_op_audit(tx, op, "association.create",
		    "association", op->id, json_pack("{s:s,s:s}", "code",
		    op->code, "name", op->name)) ? STORE_EFAIL : STORE_OK;
	case OP_USER_ADD:
		rc = store_user_insert(tx, &op->user, &op->id);
		if (rc == STORE_DUP) {
			op->dup = 1;
			return STORE_DUP;
		}
		if (rc != 0)
			return STORE_EFAIL;
		op->user.id = op->id;
		return account_op_audit(tx, op, "user.create", "user",
		    op->user.association_id, json_pack("{s:s,s:s,s:s?,s:b}",
		    "username", op->user.username, "role",
		    store_role_name(op->user.role), "endorsement",
		    op->user.endorsement[0] ? op->user.endorsement : NULL,
		    "may_adjudicate", op->user.may_adjudicate)) ?
		    STORE_EFAIL : STORE_OK;
	case OP_DISABLE:
		if (store_user_set_disabled(tx, op->id, op->disabled) != 0)
			return STORE_EFAIL;
		if (op->disabled && store_sessions_revoke_principal(tx,
		    op->user.role, op->id, now, &op->revoked) != 0)
			return STORE_EFAIL;
		return account_op_audit(tx, op, op->disabled ? "user.disable" :
		    "user.enable", "user", op->user.association_id,
		    json_pack("{s:i}", "sessions_ended", op->revoked)) ?
		    STORE_EFAIL : STORE_OK;
	case OP_PASSWORD:
		if (store_user_set_password(tx, op->id,
		    op->user.password_hash) != 0 ||
		    store_sessions_revoke_principal(tx, op->user.role, op->id,
		    now, &op->revoked) != 0)
			return STORE_EFAIL;
		return account_op_audit(tx, op, "user.password_reset", "user",
		    op->user.association_id, json_pack("{s:i}",
		    "sessions_ended", op->revoked)) ? STORE_EFAIL : STORE_OK;
	}
	return STORE_EFAIL;
}

static void
account_op_done(int rc, void *arg)
{
	struct account_op *op = arg;
	struct req *req = op->req;
	struct store_user u;

	if (op->dup) {
		http_error(req, 409, "already_exists", "%s \"%s\" already exists",
		    op->kind == OP_ASSOC_ADD ? "association" : "user",
		    op->kind == OP_ASSOC_ADD ? op->code : op->user.username);
	} else if (rc != STORE_OK) {
		http_error(req, 503, "store_unavailable",
		    "the change could not be stored: try again");
	} else if (op->kind == OP_ASSOC_ADD) {
		http_reply_json(req, 201, json_pack("{s:I,s:s,s:s}", "id",
		    (json_int_t)op->id, "code", op->code, "name", op->name));
	} else if (op->kind == OP_USER_ADD) {
		op->user.created_at = auth_now_ms();
		http_reply_json(req, 201, store_user_json(&op->user));
	} else if (store_user_get(req->srv->store, op->id, &u) == 1) {
		http_reply_json(req, 200, store_user_json(&u));
		explicit_bzero(&u, sizeof u);
	} else {
		http_reply_json(req, 200, json_pack("{s:I}", "id",
		    (json_int_t)op->id));
	}
	account_op_free(op);
}

static void
account_op_submit(struct account_op *op)
{
	if (store_submit(op->req->srv->store, account_op_work, account_op_done,
	    op) == -1) {
		http_error(op->req, 503, "busy", "the server is busy: try again");
		account_op_free(op);
	}
}

static void
account_assoc_add(struct req *req)
{
	struct account_op *op;
	const char *code, *name;

	if (http_json_string(req, "code", 1, ASSOC_CODE_MAX, &code) ||
	    http_json_string(req, "name", 1, ASSOC_NAME_MAX, &name))
		return;
	if (!account_code_valid(code)) {
		http_error(req, 422, "invalid_field", "field \"code\" may hold "
		    "only letters, digits and '-'");
		return;
	}
	if (name[0] == '\0') {
		http_error(req, 422, "invalid_field", "field \"name\" is empty");
		return;
	}
	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("account_assoc_add");
	op->req = req;
	op->kind = OP_ASSOC_ADD;
	snprintf(op->code, sizeof op->code, "%s", code);
	snprintf(op->name, sizeof op->name, "%s", name);
	account_op_submit(op);
}

/* --- users --------------------------------------------------------------- */

static void
account_users_list(struct req *req)
{
	const char *code = http_query(req, "association");
	int64_t assoc = 0;
	json_t *a;

	if (req->who.role == ROLE_COORDINATOR)
		assoc = req->who.association_id;	/* never anyone else's */
	else if (code != NULL) {
		switch (store_association_find(req->srv->store, code, &assoc)) {
		case 1:
			break;
		case 0:
			http_error(req, 422, "unknown_association",
			    "no association with code \"%s\"", code);
			return;
		default:
			http_error(req, 503, "store_unavailable", "try again");
			return;
		}
	}
	a = json_array();
	account_list_reply(req, store_users_list(req->srv->store, assoc, a),
	    "users", a);
}

static void
account_hash_job(void *arg)
{
	struct account_op *op = arg;

	op->hash_ok = auth_password_hash(op->password,
	    op->user.password_hash) == 0;
	explicit_bzero(op->password, strlen(op->password));
}

static void
account_hash_done(void *arg)
{
	struct account_op *op = arg;

	if (!op->hash_ok) {
		http_error(op->req, 500, "internal", "the password could not "
		    "be hashed");
		account_op_free(op);
		return;
	}
	account_op_submit(op);
}

/* Takes the body's password into op (wiping the body); -1 and a reply when bad. */
static int
account_take_password(struct req *req, struct account_op *op)
{
	const char *why;

	if (auth_take_password(req, "password", &op->password) == -1)
		return -1;
	if ((why = account_password_problem(op->password)) != NULL) {
		http_error(req, 422, "weak_password", "%s", why);
		return -1;
	}
	if (pool_pending(req->srv->pool) >= EXAMD_MAX_HASH_QUEUE) {
		http_error(req, 503, "busy", "the server is busy: try again");
		return -1;
	}
	return 0;
}

/* Fills op->user from the body; -1 and a reply when it is not acceptable. */
static int
account_user_parse(struct req *req, struct account_op *op)
{
	const char *username, *role, *code, *endorsement;
	json_t *adj;
	int64_t assoc = 0;
	int r;

	if (http_json_string(req, "username", 1, USERNAME_MAX, &username) ||
	    http_json_string(req, "role", 1, 16, &role) ||
	    http_json_string(req, "association", 0, ASSOC_CODE_MAX, &code) ||
	    http_json_string(req, "endorsement", 0, ENDORSEMENT_MAX,
	    &endorsement))
		return -1;
	adj = json_object_get(req->body, "may_adjudicate");
	if (adj != NULL && !json_is_boolean(adj)) {
		http_error(req, 422, "invalid_field", "field \"may_adjudicate\" "
		    "must be true or false");
		return -1;
	}
	if (!account_username_valid(username)) {
		http_error(req, 422, "invalid_field", "field \"username\" may "
		    "hold only letters, digits and . _ @ -");
		return -1;
	}
	if ((r = store_role_parse(role)) == 0 || r == ROLE_CANDIDATE) {
		http_error(req, 422, "invalid_field", "field \"role\" must be "
		    "admin, coordinator, proctor or grader");
		return -1;
	}
	if ((r == ROLE_ADMIN) != (code == NULL)) {
		http_error(req, 422, "invalid_field", r == ROLE_ADMIN ?
		    "an administrator belongs to no association" :
		    "field \"association\" is required for this role");
		return -1;
	}
	if (endorsement != NULL && (r != ROLE_GRADER ||
	    !account_endorsement_valid(endorsement))) {
		http_error(req, 422, "invalid_field", "field \"endorsement\" is "
		    "for graders and must be one of IMHS, IMHM-C, IMHM-P, "
		    "IMHM-RF, ECMHS, ECMHM-C, ECMHM-P, ECMHM-RF");
		return -1;
	}
	if (adj != NULL && json_is_true(adj) && r != ROLE_GRADER) {
		http_error(req, 422, "invalid_field", "only graders adjudicate");
		return -1;
	}
	if (code != NULL) {
		switch (store_association_find(req->srv->store, code, &assoc)) {
		case 1:
			break;
		case 0:
				http_error(req, 422, "unknown_association",
			    "no association with code \"%s\"", code);
			return -1;
		default:
				http_error(req, 503, "store_unavailable", "try again");
			return -1;
		}
	}
	snprintf(op->user.username, sizeof op->user.username, "%s", username);
	op->user.role = r;
	op->user.association_id = assoc;
	if (endorsement != NULL)
		snprintf(op->user.endorsement, sizeof op->user.endorsement,
		    "%s", endorsement);
	op->user.may_adjudicate = adj != NULL && json_is_true(adj);
	return 0;
}

static void
account_user_add(struct req *req)
{
	struct account_op *op;

	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("account_user_add");
	op->req = req;
	op->kind = OP_USER_ADD;
	/* The password first: the body is wiped before any reply. */
	if (account_take_password(req, op) == -1 ||
	    account_user_parse(req, op) == -1) {
		account_op_free(op);
		return;
	}
	pool_submit(req->srv->pool, account_hash_job, account_hash_done, op);
}

/*
 * The user {uid} names, if the caller may see it: admins see everyone,
 * coordinators their association's staff. 0 and a reply (404) otherwise.
 */
static int
account_user_load(struct req *req, struct store_user *u)
{
	int64_t uid = http_param_id(req, 0);
	char obj[40];

	snprintf(obj, sizeof obj, "user:%" PRId64, uid);
	switch (uid > 0 ? store_user_get(req->srv->store, uid, u) : 0) {
	case 1:
		break;
	case 0:
		http_not_found(req);
		return 0;
	default:
		http_error(req, 503, "store_unavailable", "try again");
		return 0;
	}
	if (!auth_same_association(req, u->association_id)) {
		auth_deny(req, obj);
		return 0;
	}
	return 1;
}

static void
account_user_get(struct req *req)
{
	struct store_user u;

	if (!account_user_load(req, &u))
		return;
	http_reply_json(req, 200, store_user_json(&u));
	explicit_bzero(&u, sizeof u);
}

static void
account_user_set_disabled(struct req *req, int disabled)
{
	struct account_op *op;
	struct store_user u;

	if (!account_user_load(req, &u))
		return;
	if (disabled && u.id == req->who.user_id) {
		http_error(req, 409, "own_account", "you cannot disable your "
		    "own account");
		return;
	}
	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("account_user_set_disabled");
	op->req = req;
	op->kind = OP_DISABLE;
	op->user = u;
	op->id = u.id;
	op->disabled = disabled;
	explicit_bzero(&u, sizeof u);
	account_op_submit(op);
}

static void
account_user_disable(struct req *req)
{
	account_user_set_disabled(req, 1);
}

static void
account_user_enable(struct req *req)
{
	account_user_set_disabled(req, 0);
}

static void
account_user_password(struct req *req)
{
	struct account_op *op;

	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("account_user_password");
	op->req = req;
	op->kind = OP_PASSWORD;
	if (account_take_password(req, op) == -1 ||
	    !account_user_load(req, &op->user)) {
		account_op_free(op);
		return;
	}
	op->id = op->user.id;
	pool_submit(req->srv->pool, account_hash_job, account_hash_done, op);
}

/* --- the audit trail ----------------------------------------------------- */

/* An optional positive integer query parameter; -1 and a 422 when bad. */
static int
account_query_id(struct req *req, const char *name, int64_t *out)
{
	const char *s = http_query(req, name);
	char *end;
	long long v;

	*out = 0;
	if (s == NULL)
		return 0;
	v = strtoll(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || v < 0) {
		http_error(req, 422, "invalid_query", "parameter \"%s\" must be "
		    "a non-negative integer", name);
		return -1;
	}
	*out = v;
	return 0;
}

static int
account_query_time(struct req *req, const char *name, char *buf, size_t len,
    const char **out)
{
	const char *s = http_query(req, name);
	int64_t ms;

	*out = NULL;
	if (s == NULL)
		return 0;
	if (auth_time_parse(s, &ms) == -1) {
		http_error(req, 422, "invalid_query", "parameter \"%s\" must be "
		    "an RFC 3339 time such as 2025-05-01T09:00:00Z", name);
		return -1;
	}
	/* The stored form, so that text order is time order. */
	auth_time_format(ms, buf, len);
	*out = buf;
	return 0;
}

static void
account_audit(struct req *req)
{
	struct audit_query q;
	char since[40], until[40], actor[80], action[80];
	const char *s;
	int64_t v;
	json_t *a, *last;
	char *err = NULL;

	memset(&q, 0, sizeof q);
	if (account_query_id(req, "candidate", &q.candidate_id) ||
	    account_query_id(req, "after", &q.after) ||
	    account_query_id(req, "limit", &v) ||
	    account_query_time(req, "since", since, sizeof since, &q.since) ||
	    account_query_time(req, "until", until, sizeof until, &q.until))
		return;
	q.limit = v > 0 && v <= AUDIT_PAGE_MAX ? (int)v : v > AUDIT_PAGE_MAX ?
	    AUDIT_PAGE_MAX : AUDIT_PAGE_DEFAULT;
	if ((s = http_query(req, "actor")) != NULL) {
		snprintf(actor, sizeof actor, "%s", s);
		q.actor = actor;
	}
	if ((s = http_query(req, "action")) != NULL) {
		snprintf(action, sizeof action, "%s", s);
		q.action = action;
	}
	if (req->who.role == ROLE_COORDINATOR)
		q.association_id = req->who.association_id;
	else if (account_query_id(req, "association", &q.association_id))
		return;
	a = json_array();
	if (store_audit_query(req->srv->store, &q, a, &err) == -1) {
		log_warnx("%s", err);
		free(err);
		json_decref(a);
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	last = json_array_size(a) > 0 ?
	    json_object_get(json_array_get(a, json_array_size(a) - 1), "seq") :
	    NULL;
	http_reply_json(req, 200, json_pack("{s:o,s:O}", "entries", a,
	    "next_after", (int)json_array_size(a) == q.limit && last != NULL ?
	    last : json_null()));
}

const struct route account_routes[] = {
	{ "GET", "/api/v1/associations", ROLE_ADMIN, 0, account_assoc_list },
	{ "POST", "/api/v1/associations", ROLE_ADMIN, HTTP_JSON_BODY,
	    account_assoc_add },
	{ "GET", "/api/v1/users", ROLE_ADMIN | ROLE_COORDINATOR, 0,
	    account_users_list },
	{ "POST", "/api/v1/users", ROLE_ADMIN, HTTP_JSON_BODY,
	    account_user_add },
	{ "GET", "/api/v1/users/{uid}", ROLE_ADMIN | ROLE_COORDINATOR, 0,
	    account_user_get },
	{ "POST", "/api/v1/users/{uid}/disable", ROLE_ADMIN, 0,
	    account_user_disable },
	{ "POST", "/api/v1/users/{uid}/enable", ROLE_ADMIN, 0,
	    account_user_enable },
	{ "POST", "/api/v1/users/{uid}/password", ROLE_ADMIN, HTTP_JSON_BODY,
	    account_user_password },
	{ "GET", "/api/v1/audit", ROLE_ADMIN | ROLE_COORDINATOR, 0,
	    account_audit },
	{ NULL, NULL, 0, 0, NULL }
};
