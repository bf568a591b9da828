/* Identity storage: see store_identity.h. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "http.h"
#include "log.h"
#include "store_identity.h"
#include "store_int.h"

static const char sql_assoc_find[] =
    "SELECT id FROM associations WHERE code = ?";
static const char sql_assoc_exists[] =
    "SELECT 1 FROM associations WHERE id = ?";
static const char sql_assoc_list[] =
    "SELECT id, code, name, created_at FROM associations ORDER BY code";
static const char sql_assoc_insert[] =
    "INSERT INTO associations(code, name, created_at) VALUES (?, ?, ?)";

#define USER_COLS "id, username, role, association_id, password_hash," \
    " endorsement, may_adjudicate, disabled, created_at"
static const char sql_user_find[] =
    "SELECT " USER_COLS " FROM users WHERE username = ?";
static const char sql_user_get[] =
    "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char sql_users_list[] =
    "SELECT " USER_COLS " FROM users WHERE ?1 = 0 OR association_id = ?1"
    " ORDER BY username";
static const char sql_user_insert[] =
    "INSERT INTO users(username, role, association_id, password_hash,"
    " endorsement, may_adjudicate, disabled, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 0, ?)";
static const char sql_user_disable[] =
    "UPDATE users SET disabled = ? WHERE id = ?";
static const char sql_user_password[] =
    "UPDATE users SET password_hash = ? WHERE id = ?";

static const char sql_session_find[] =
    "SELECT id, role, principal_id, association_id, created_at,"
    " last_seen_at, expires_at, idle_ms, revoked_at IS NOT NULL"
    " FROM sessions WHERE token_hash = ?";
static const char sql_session_insert[] =
    "INSERT INTO sessions(token_hash, role, principal_id, association_id,"
    " created_at, last_seen_at, expires_at, idle_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_session_revoke[] =
    "UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
static const char sql_sessions_revoke_principal[] =
    "UPDATE sessions SET revoked_at = ?3 WHERE role = ?1"
    " AND principal_id = ?2 AND revoked_at IS NULL AND expires_at > ?3";
/* Ended as the authenticator judges it (auth.c): revoked, past its end,
 * or idle too long. ?1 is a JSON array of ids: one read for every stream. */
static const char sql_sessions_ended[] =
    "SELECT id, revoked_at IS NOT NULL OR ?2 >= expires_at OR"
    " (idle_ms IS NOT NULL AND ?2 - last_seen_at > idle_ms),"
    " CASE WHEN idle_ms IS NOT NULL AND last_seen_at + idle_ms + 1 < expires_at"
    " THEN last_seen_at + idle_ms + 1 ELSE expires_at END"
    " FROM sessions WHERE id IN (SELECT value FROM json_each(?1))";
static const char sql_session_touch[] =
    "UPDATE sessions SET last_seen_at = max(last_seen_at, ?2) WHERE id = ?1";
/* Open streams are activity: sessions with an idle timeout that have not
 * ended (a touch never revives one). ?1 is a JSON array of ids. */
static const char sql_sessions_touch[] =
    "UPDATE sessions SET last_seen_at = ?2"
    " WHERE id IN (SELECT value FROM json_each(?1)) AND idle_ms IS NOT NULL"
    " AND revoked_at IS NULL AND ?2 < expires_at AND last_seen_at < ?2"
    " AND ?2 - last_seen_at <= idle_ms";

static const char sql_candidate_by_code[] =
    "SELECT c.id, c.sitting_id, c.association_id, s.opens_at, s.closes_at,"
    " c.status, (SELECT max(x.expires_at) FROM sessions x"
    "  WHERE x.role = 'candidate' AND x.principal_id = c.id)"
    " FROM candidates c JOIN sittings s ON s.id = c.sitting_id"
    " WHERE c.access_code_hash = ? AND s.status <> 'cancelled'";
static const char sql_sitting_assoc[] =
    "SELECT association_id FROM sittings WHERE id = ?";
static const char sql_sitting_proctor[] =
    "SELECT 1 FROM sitting_proctors WHERE sitting_id = ? AND user_id = ?";

static const char sql_incident_insert[] =
    "INSERT INTO incidents(sitting_id, candidate_id, association_id, kind,"
    " details, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_incidents_list[] =
    "SELECT id, candidate_id, kind, details, user_id, created_at"
    " FROM incidents WHERE sitting_id = ? ORDER BY id";

static const char *store_roles[] = {
	"candidate", "admin", "coordinator", "proctor", "grader"
};

int
store_role_parse(const char *s)
{
	int i;

	for (i = 0; i < 5; i++)
		if (s != NULL && strcmp(s, store_roles[i]) == 0)
			return 1 << i;
	return 0;
}

const char *
store_role_name(int role)
{
	int i;

	for (i = 0; i < 5; i++)
		if (role == 1 << i)
			return store_roles[i];
	return "-";
}

/* A read's statement on the loop's connection, logged on failure. */
static sqlite3_stmt *
rd(struct store *s, const char *sql)
{
	return store_conn_stmt(store_reader(s), sql);
}

static void
bind_opt(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void
copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

int
store_association_find(struct store *s, const char *code, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_assoc_find)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if ((rc = store_conn_step(store_reader(s), st)) == 1) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_association_exists(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_assoc_exists)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_conn_step(store_reader(s), st)) == 1)
		sqlite3_reset(st);
	return rc;
}

int
store_associations_list(struct store *s, json_t *array)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_assoc_list)) == NULL)
		return -1;
	while ((rc = store_conn_step(store_reader(s), st)) == 1)
		json_array_append_new(array, json_pack("{s:I,s:s,s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "code", (const char *)sqlite3_column_text(st, 1),
		    "name", (const char *)sqlite3_column_text(st, 2)));
	return rc;
}

int
store_association_insert(struct store_tx *tx, const char *code,
    const char *name, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_tx_stmt(tx, sql_assoc_insert)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, auth_now_ms());
	if ((rc = store_tx_step(tx, st)) == 0)
		*id = sqlite3_last_insert_rowid(tx->conn->db);
	return rc;
}

static void
user_row(sqlite3_stmt *st, struct store_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	copy_text(u->username, sizeof u->username, st, 1);
	u->role = store_role_parse((const char *)sqlite3_column_text(st, 2));
	u->association_id = sqlite3_column_int64(st, 3);
	copy_text(u->password_hash, sizeof u->password_hash, st, 4);
	copy_text(u->endorsement, sizeof u->endorsement, st, 5);
	u->may_adjudicate = sqlite3_column_int(st, 6);
	u->disabled = sqlite3_column_int(st, 7);
	u->created_at = sqlite3_column_int64(st, 8);
}

static int
user_one(struct store *s, sqlite3_stmt *st, struct store_user *u)
{
	int rc;

	if ((rc = store_conn_step(store_reader(s), st)) == 1) {
		user_row(st, u);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_user_find(struct store *s, const char *username, struct store_user *u)
{
	sqlite3_stmt *st;

	if ((st = rd(s, sql_user_find)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	return user_one(s, st, u);
}

int
store_user_get(struct store *s, int64_t id, struct store_user *u)
{
	sqlite3_stmt *st;

	if ((st = rd(s, sql_user_get)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return user_one(s, st, u);
}

json_t *
store_user_json(const struct store_user *u)
{
	char at[40];

	auth_time_format(u->created_at, at, sizeof at);
	return json_pack("{s:I,s:s,s:s,s:o,s:o,s:b,s:b,s:s}",
	    "id", (json_int_t)u->id, "username", u->username,
	    "role", store_role_name(u->role),
	    "association_id", u->association_id ?
	    json_integer(u->association_id) : json_null(),
	    "endorsement", u->endorsement[0] ? json_string(u->endorsement) :
	    json_null(),
	    "may_adjudicate", u->may_adjudicate, "disabled", u->disabled,
	    "created_at", at);
}

int
store_users_list(struct store *s, int64_t assoc, json_t *array)
{
	struct store_user u;
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_users_list)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, assoc);
	while ((rc = store_conn_step(store_reader(s), st)) == 1) {
		user_row(st, &u);
		json_array_append_new(array, store_user_json(&u));
	}
	explicit_bzero(&u, sizeof u);
	return rc;
}

int
store_user_insert(struct store_tx *tx, const struct store_user *u,
    int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_tx_stmt(tx, sql_user_insert)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, store_role_name(u->role), -1, SQLITE_STATIC);
	bind_opt(st, 3, u->association_id);
	sqlite3_bind_text(st, 4, u->password_hash, -1, SQLITE_STATIC);
	if (u->endorsement[0] != '\0')
		sqlite3_bind_text(st, 5, u->endorsement, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, u->may_adjudicate != 0);
	sqlite3_bind_int64(st, 7, auth_now_ms());
	if ((rc = store_tx_step(tx, st)) == 0)
		*id = sqlite3_last_insert_rowid(tx->conn->db);
	return rc;
}

int
store_user_set_disabled(struct store_tx *tx, int64_t id, int disabled)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_user_disable)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, disabled != 0);
	sqlite3_bind_int64(st, 2, id);
	return store_tx_step(tx, st);
}

int
store_user_set_password(struct store_tx *tx, int64_t id, const char *hash)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_user_password)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return store_tx_step(tx, st);
}

int
store_session_find(struct store *s, const char *token_hash,
    struct store_session *ss)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_session_find)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	if ((rc = store_conn_step(store_reader(s), st)) != 1)
		return rc;
	memset(ss, 0, sizeof *ss);
	ss->id = sqlite3_column_int64(st, 0);
	ss->role = store_role_parse((const char *)sqlite3_column_text(st, 1));
	ss->principal_id = sqlite3_column_int64(st, 2);
	ss->association_id = sqlite3_column_int64(st, 3);
	ss->created_at = sqlite3_column_int64(st, 4);
	ss->last_seen_at = sqlite3_column_int64(st, 5);
	ss->expires_at = sqlite3_column_int64(st, 6);
	ss->idle_ms = sqlite3_column_int64(st, 7);
	ss->revoked = sqlite3_column_int(st, 8);
	sqlite3_reset(st);
	return 1;
}

int
store_session_insert(struct store_tx *tx, const char *token_hash,
    const struct store_session *ss, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_tx_stmt(tx, sql_session_insert)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, store_role_name(ss->role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ss->principal_id);
	bind_opt(st, 4, ss->association_id);
	sqlite3_bind_int64(st, 5, ss->created_at);
	sqlite3_bind_int64(st, 6, ss->last_seen_at);
	sqlite3_bind_int64(st, 7, ss->expires_at);
	bind_opt(st, 8, ss->idle_ms);
	if ((rc = store_tx_step(tx, st)) == 0)
		*id = sqlite3_last_insert_rowid(tx->conn->db);
	return rc;
}

int
store_session_revoke(struct store_tx *tx, int64_t id, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_session_revoke)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	store_tx_sessions_changed(tx);
	return store_tx_step(tx, st);
}

int
store_sessions_revoke_principal(struct store_tx *tx, int role,
    int64_t principal_id, int64_t now, int *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((st = store_tx_stmt(tx, sql_sessions_revoke_principal)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, store_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, principal_id);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = store_tx_step(tx, st)) == 0 &&
	    (*n = sqlite3_changes(tx->conn->db)) > 0)
		store_tx_sessions_changed(tx);
	return rc;
}

/* Binds ids as a JSON array ("[1,2]") to parameter 1; b holds the text. */
static void
ids_bind(sqlite3_stmt *st, struct evbuffer *b, const int64_t *ids, size_t n)
{
	size_t i;

	evbuffer_add(b, "[", 1);
	for (i = 0; i < n; i++)
		evbuffer_add_printf(b, "%s%" PRId64, i ? "," : "", ids[i]);
	evbuffer_add(b, "]", 1);
	sqlite3_bind_text(st, 1, (const char *)evbuffer_pullup(b, -1),
	    (int)evbuffer_get_length(b), SQLITE_STATIC);
}

int
store_sessions_ended(struct store *s, const int64_t *ids, size_t n,
    int64_t now, int64_t *ended, int64_t *next)
{
	struct evbuffer *b;
	sqlite3_stmt *st;
	int rc, k = 0;

	*next = INT64_MAX;
	if (n == 0)
		return 0;
	if ((st = rd(s, sql_sessions_ended)) == NULL)
		return -1;
	if ((b = evbuffer_new()) == NULL)
		fatal("store_sessions_ended");
	ids_bind(st, b, ids, n);
	sqlite3_bind_int64(st, 2, now);
	while ((rc = store_conn_step(store_reader(s), st)) == 1) {
		if (sqlite3_column_int(st, 1))
			ended[k++] = sqlite3_column_int64(st, 0);
		else if (sqlite3_column_int64(st, 2) < *next)
			*next = sqlite3_column_int64(st, 2);
	}
	sqlite3_clear_bindings(st);
	evbuffer_free(b);
	return rc == -1 ? -1 : k;
}

int
store_session_touch(struct store_tx *tx, int64_t id, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_session_touch)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return store_tx_step(tx, st);
}

int
store_sessions_touch(struct store_tx *tx, const int64_t *ids, size_t n,
    int64_t now)
{
	struct evbuffer *b;
	sqlite3_stmt *st;
	int rc;

	if (n == 0)
		return 0;
	if ((st = store_tx_stmt(tx, sql_sessions_touch)) == NULL)
		return -1;
	if ((b = evbuffer_new()) == NULL)
		fatal("store_sessions_touch");
	ids_bind(st, b, ids, n);
	sqlite3_bind_int64(st, 2, now);
	rc = store_tx_step(tx, st);
	sqlite3_clear_bindings(st);
	evbuffer_free(b);
	return rc;
}

int
store_candidate_by_code(struct store *s, const char *code_hash,
    struct store_candidate_login *c)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_candidate_by_code)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code_hash, -1, SQLITE_STATIC);
	if ((rc = store_conn_step(store_reader(s), st)) != 1)
		return rc;
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->sitting_id = sqlite3_column_int64(st, 1);
	c->association_id = sqlite3_column_int64(st, 2);
	c->opens_at = sqlite3_column_int64(st, 3);
	c->closes_at = sqlite3_column_int64(st, 4);
	copy_text(c->status, sizeof c->status, st, 5);
	c->kept_until = sqlite3_column_int64(st, 6);
	sqlite3_reset(st);
	return 1;
}

int
store_sitting_association(struct store *s, int64_t sitting_id, int64_t *assoc)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_sitting_assoc)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sitting_id);
	if ((rc = store_conn_step(store_reader(s), st)) == 1) {
		*assoc = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_sitting_has_proctor(struct store *s, int64_t sitting_id,
    int64_t user_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = rd(s, sql_sitting_proctor)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sitting_id);
	sqlite3_bind_int64(st, 2, user_id);
	if ((rc = store_conn_step(store_reader(s), st)) == 1)
		sqlite3_reset(st);
	return rc;
}

int
store_incident_insert(struct store_tx *tx, int64_t sitting_id,
    int64_t candidate_id, int64_t assoc, const char *kind,
    const char *details_json, int64_t user_id, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_incident_insert)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sitting_id);
	bind_opt(st, 2, candidate_id);
	sqlite3_bind_int64(st, 3, assoc);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, details_json, -1, SQLITE_STATIC);
	bind_opt(st, 6, user_id);
	sqlite3_bind_int64(st, 7, now);
	return store_tx_step(tx, st);
}

int
store_incidents_list(struct store *s, int64_t sitting_id, json_t *array)
{
	sqlite3_stmt *st;
	json_t *d;
	char at[40];
	int rc;

	if ((st = rd(s, sql_incidents_list)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sitting_id);
	while ((rc = store_conn_step(store_reader(s), st)) == 1) {
		auth_time_format(sqlite3_column_int64(st, 5), at, sizeof at);
		d = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
		json_array_append_new(array, json_pack("{s:I,s:o,s:s,s:o,s:o,s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "candidate_id", sqlite3_column_type(st, 1) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(st, 1)),
		    "kind", (const char *)sqlite3_column_text(st, 2),
		    "details", d != NULL ? d : json_object(),
		    "user_id", sqlite3_column_type(st, 4) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(st, 4)),
		    "created_at", at));
	}
	return rc;
}
