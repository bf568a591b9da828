/* The audit table: append inside a unit, walk for verify, query for the API. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "log.h"
#include "store_int.h"

static const char sql_last[] =
    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO audit(seq, at, actor, role, association_id, candidate_id,"
    " action, object, details, request_id, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_walk[] =
    "SELECT seq, at, actor, role, association_id, candidate_id, action,"
    " object, details, request_id, prev_hash, hash FROM audit ORDER BY seq";
static const char sql_query[] =
    "SELECT seq, at, actor, role, association_id, candidate_id, action,"
    " object, details, request_id, prev_hash, hash FROM audit"
    " WHERE seq > ?1"
    " AND (?2 = 0 OR association_id = ?2)"
    " AND (?3 = 0 OR candidate_id = ?3)"
    " AND (?4 IS NULL OR actor = ?4)"
    " AND (?5 IS NULL OR action = ?5)"
    " AND (?6 IS NULL OR at >= ?6)"
    " AND (?7 IS NULL OR at < ?7)"
    " ORDER BY seq LIMIT ?8";

static const char audit_genesis[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* A field of the canonical form may not hold a newline. */
static char *
store_audit_field(const char *s)
{
	char *d = strdup(s != NULL ? s : ""), *p;

	if (d == NULL)
		fatal("store_audit_field");
	for (p = d; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return d;
}

static void
bind_id(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int
store_audit_append(struct store_tx *tx, const struct audit_rec *rec)
{
	struct store_conn *c = tx->conn;
	struct audit_entry e;
	sqlite3_stmt *st;
	char at[40], prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
	char *actor, *role, *action, *object, *details, *reqid, *canon;
	int rc = -1;

	if ((st = store_conn_stmt(c, sql_last)) == NULL)
		goto fail;
	memset(&e, 0, sizeof e);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		e.seq = sqlite3_column_int64(st, 0) + 1;
		snprintf(prev, sizeof prev, "%s",
		    (const char *)sqlite3_column_text(st, 1));
		break;
	case SQLITE_DONE:
		e.seq = 1;
		memcpy(prev, audit_genesis, sizeof audit_genesis);
		break;
	default:
		sqlite3_reset(st);
		goto fail;
	}
	sqlite3_reset(st);

	auth_time_format(auth_now_ms(), at, sizeof at);
	actor = store_audit_field(rec->actor);
	role = store_audit_field(rec->role);
	action = store_audit_field(rec->action);
	object = store_audit_field(rec->object);
	reqid = store_audit_field(rec->request_id);
	details = rec->details_text != NULL ?
	    store_audit_field(rec->details_text) :
	    audit_details_text(rec->details);
	e.at = at;
	e.actor = actor;
	e.role = role;
	e.association_id = rec->association_id;
	e.candidate_id = rec->candidate_id;
	e.action = action;
	e.object = object;
	e.details = details;
	e.request_id = reqid;
	canon = audit_canonical(&e);
	audit_hash(prev, canon, hash);
	free(canon);

	if ((st = store_conn_stmt(c, sql_insert)) != NULL) {
		sqlite3_bind_int64(st, 1, e.seq);
		sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
		bind_id(st, 5, e.association_id);
		bind_id(st, 6, e.candidate_id);
		sqlite3_bind_text(st, 7, action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, object, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, details, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, reqid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, prev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, hash, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	free(actor);
	free(role);
	free(action);
	free(object);
	free(reqid);
	free(details);
	if (rc == 0)
		return 0;
fail:
	store_tx_fail(tx, "audit: %s", sqlite3_errmsg(c->db));
	return -1;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

static void
store_audit_row(sqlite3_stmt *st, struct audit_entry *e)
{
	e->seq = sqlite3_column_int64(st, 0);
	e->at = col_text(st, 1);
	e->actor = col_text(st, 2);
	e->role = col_text(st, 3);
	e->association_id = sqlite3_column_int64(st, 4);
	e->candidate_id = sqlite3_column_int64(st, 5);
	e->action = col_text(st, 6);
	e->object = col_text(st, 7);
	e->details = col_text(st, 8);
	e->request_id = col_text(st, 9);
	e->prev_hash = col_text(st, 10);
	e->hash = col_text(st, 11);
}

int
store_audit_walk(struct store *s, audit_entry_fn fn, void *arg,
    char **errstr)
{
	struct store_conn *c = store_reader(s);
	struct audit_entry e;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_walk)) == NULL) {
		*errstr = xasprintf("audit: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_audit_row(st, &e);
		if (fn(&e, arg) != 0) {
			sqlite3_reset(st);
			return 1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		*errstr = xasprintf("audit: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	return 0;
}

static json_t *
store_audit_json(const struct audit_entry *e)
{
	json_t *o, *d;

	d = json_loads(e->details, 0, NULL);
	o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:o,s:s,s:s}",
	    "seq", (json_int_t)e->seq, "at", e->at, "actor", e->actor,
	    "role", e->role,
	    "association_id", e->association_id ?
	    json_integer(e->association_id) : json_null(),
	    "candidate_id", e->candidate_id ?
	    json_integer(e->candidate_id) : json_null(),
	    "action", e->action, "object", e->object,
	    "details", d != NULL ? d : json_string(e->details),
	    "request_id", e->request_id, "hash", e->hash);
	if (o == NULL)
		fatalx("store_audit_json");
	return o;
}

int
store_audit_query(struct store *s, const struct audit_query *q,
    json_t *array, char **errstr)
{
	struct store_conn *c = store_reader(s);
	struct audit_entry e;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_query)) == NULL) {
		*errstr = xasprintf("audit: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, q->after);
	sqlite3_bind_int64(st, 2, q->association_id);
	sqlite3_bind_int64(st, 3, q->candidate_id);
	if (q->actor != NULL)
		sqlite3_bind_text(st, 4, q->actor, -1, SQLITE_STATIC);
	if (q->action != NULL)
		sqlite3_bind_text(st, 5, q->action, -1, SQLITE_STATIC);
	if (q->since != NULL)
		sqlite3_bind_text(st, 6, q->since, -1, SQLITE_STATIC);
	if (q->until != NULL)
		sqlite3_bind_text(st, 7, q->until, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, q->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_audit_row(st, &e);
		json_array_append_new(array, store_audit_json(&e));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		*errstr = xasprintf("audit: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	return 0;
}
