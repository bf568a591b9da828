/* Scheduling storage: see store_sched.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_identity.h"
#include "store_int.h"
#include "store_sched.h"

/* The item bank's table (migration 003): identifier, program, published. */
static const char sql_form_program[] =
    "SELECT program, published FROM forms WHERE identifier = ?";

#define SITTING_COLS "s.id, s.association_id, s.exam_id, s.title," \
    " s.opens_at, s.closes_at, s.timezone, coalesce(s.capacity, 0)," \
    " s.admission_mode, s.status, coalesce(s.cancel_reason, '')," \
    " s.created_at, coalesce(s.updated_at, 0), coalesce(s.cancelled_at, 0)," \
    " (SELECT count(*) FROM candidates c WHERE c.sitting_id = s.id)," \
    " (SELECT count(*) FROM candidates c WHERE c.sitting_id = s.id" \
    "  AND c.status NOT IN ('registered', 'waiting', 'absent'))"
static const char sql_sitting_get[] =
    "SELECT " SITTING_COLS " FROM sittings s WHERE s.id = ?";
static const char sql_sittings_list[] =
    "SELECT " SITTING_COLS " FROM sittings s"
    " WHERE (?1 = 0 OR s.association_id = ?1) AND (?2 = 0 OR EXISTS"
    " (SELECT 1 FROM sitting_proctors p WHERE p.sitting_id = s.id"
    "  AND p.user_id = ?2)) ORDER BY s.opens_at, s.id";
static const char sql_sitting_insert[] =
    "INSERT INTO sittings(association_id, exam_id, title, opens_at,"
    " closes_at, timezone, capacity, admission_mode, status, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)";
static const char sql_sitting_update[] =
    "UPDATE sittings SET exam_id = ?2, title = ?3, opens_at = ?4,"
    " closes_at = ?5, timezone = ?6, capacity = ?7, admission_mode = ?8,"
    " updated_at = ?9 WHERE id = ?1";
static const char sql_sitting_cancel[] =
    "UPDATE sittings SET status = 'cancelled', cancelled_at = ?2,"
    " cancel_reason = ?3, updated_at = ?2 WHERE id = ?1";
static const char sql_sitting_revoke[] =
    "UPDATE sessions SET revoked_at = ?2 WHERE role = 'candidate'"
    " AND revoked_at IS NULL AND principal_id IN"
    " (SELECT id FROM candidates WHERE sitting_id = ?1)";

static const char sql_proctors[] =
    "SELECT u.id, u.username FROM sitting_proctors p"
    " JOIN users u ON u.id = p.user_id WHERE p.sitting_id = ?"
    " ORDER BY u.username";
static const char sql_proctor_add[] =
    "INSERT INTO sitting_proctors(sitting_id, user_id) VALUES (?, ?)";
static const char sql_proctor_remove[] =
    "DELETE FROM sitting_proctors WHERE sitting_id = ? AND user_id = ?";

#define CAND_COLS "c.id, c.sitting_id, c.association_id, c.name, c.email," \
    " c.track, c.time_multiplier, c.extra_ms_mc, c.extra_ms_essay," \
    " c.breaks_allowed, coalesce(c.accommodations, '')," \
    " coalesce(c.accommodations_approved_at, 0), c.status, c.created_at," \
    " coalesce(c.code_issued_at, c.created_at), EXISTS (SELECT 1 FROM" \
    " sessions x WHERE x.role = 'candidate' AND x.principal_id = c.id)"
static const char sql_cand_get[] =
    "SELECT " CAND_COLS " FROM candidates c WHERE c.sitting_id = ?"
    " AND c.id = ?";
static const char sql_cands_list[] =
    "SELECT " CAND_COLS " FROM candidates c WHERE c.sitting_id = ?"
    " ORDER BY c.id";
static const char sql_cand_email[] =
    "SELECT 1 FROM candidates WHERE sitting_id = ? AND lower(email) = lower(?)";
static const char sql_cand_insert[] =
    "INSERT INTO candidates(sitting_id, association_id, name, email, track,"
    " access_code_hash, time_multiplier, extra_ms_mc, extra_ms_essay,"
    " breaks_allowed, accommodations, accommodations_approved_at, status,"
    " created_at, code_issued_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?)";
static const char sql_cand_code[] =
    "UPDATE candidates SET access_code_hash = ?2, code_issued_at = ?3"
    " WHERE id = ?1 AND (?4 = 0 OR (status = 'registered' AND NOT EXISTS"
    " (SELECT 1 FROM sessions x WHERE x.role = 'candidate'"
    "  AND x.principal_id = candidates.id)))";
static const char sql_cand_revoke[] =
    "UPDATE sessions SET revoked_at = ?2 WHERE role = 'candidate'"
    " AND principal_id = ?1 AND revoked_at IS NULL";

static void
col_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL || *s == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void
bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

int
store_sched_form_program(struct store *s, const char *form_id,
    char program[FORM_PROGRAM_MAX + 1], int *published)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_form_program)) == NULL)
		return -1;	/* no forms table: the item bank is not installed */
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	if ((rc = store_conn_step(c, st)) == 1) {
		col_text(program, FORM_PROGRAM_MAX + 1, st, 0);
		*published = sqlite3_column_int(st, 1) != 0;
		sqlite3_reset(st);
	}
	return rc;
}

/* --- sittings ------------------------------------------------------------ */

static void
sitting_row(sqlite3_stmt *st, struct store_sitting *s)
{
	memset(s, 0, sizeof *s);
	s->id = sqlite3_column_int64(st, 0);
	s->association_id = sqlite3_column_int64(st, 1);
	col_text(s->exam_id, sizeof s->exam_id, st, 2);
	col_text(s->title, sizeof s->title, st, 3);
	s->opens_at = sqlite3_column_int64(st, 4);
	s->closes_at = sqlite3_column_int64(st, 5);
	col_text(s->timezone, sizeof s->timezone, st, 6);
	s->capacity = sqlite3_column_int64(st, 7);
	col_text(s->admission_mode, sizeof s->admission_mode, st, 8);
	col_text(s->status, sizeof s->status, st, 9);
	col_text(s->cancel_reason, sizeof s->cancel_reason, st, 10);
	s->created_at = sqlite3_column_int64(st, 11);
	s->updated_at = sqlite3_column_int64(st, 12);
	s->cancelled_at = sqlite3_column_int64(st, 13);
	s->registered = sqlite3_column_int64(st, 14);
	s->started = sqlite3_column_int64(st, 15);
}

static int
sitting_one(struct store_conn *c, const char *sql, int64_t id,
    struct store_sitting *s)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_conn_step(c, st)) == 1) {
		sitting_row(st, s);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_sitting_get(struct store *s, int64_t id, struct store_sitting *out)
{
	return sitting_one(store_reader(s), sql_sitting_get, id, out);
}

int
store_sitting_get_tx(struct store_tx *tx, int64_t id, struct store_sitting *out)
{
	int rc = sitting_one(tx->conn, sql_sitting_get, id, out);

	if (rc == -1)
		store_tx_fail(tx, "%s", sqlite3_errmsg(tx->conn->db));
	return rc;
}

int
store_sittings_each(struct store *s, int64_t assoc, int64_t proctor,
    store_sitting_fn fn, void *arg)
{
	struct store_conn *c = store_reader(s);
	struct store_sitting row;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_sittings_list)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, assoc);
	sqlite3_bind_int64(st, 2, proctor);
	while ((rc = store_conn_step(c, st)) == 1) {
		sitting_row(st, &row);
		if (fn(&row, arg) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	return rc;
}

static void
sitting_bind(sqlite3_stmt *st, const struct store_sitting *s, int first)
{
	sqlite3_bind_text(st, first, s->exam_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 1, s->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, first + 2, s->opens_at);
	sqlite3_bind_int64(st, first + 3, s->closes_at);
	sqlite3_bind_text(st, first + 4, s->timezone, -1, SQLITE_STATIC);
	bind_int_or_null(st, first + 5, s->capacity);
	sqlite3_bind_text(st, first + 6, s->admission_mode, -1, SQLITE_STATIC);
}

int
store_sitting_insert(struct store_tx *tx, const struct store_sitting *s,
    int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_tx_stmt(tx, sql_sitting_insert)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->association_id);
	sitting_bind(st, s, 2);
	sqlite3_bind_int64(st, 9, s->created_at);
	if ((rc = store_tx_step(tx, st)) == 0)
		*id = sqlite3_last_insert_rowid(tx->conn->db);
	return rc;
}

int
store_sitting_update(struct store_tx *tx, const struct store_sitting *s,
    int64_t now)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_sitting_update)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	sitting_bind(st, s, 2);
	sqlite3_bind_int64(st, 9, now);
	return store_tx_step(tx, st);
}

int
store_sitting_cancel(struct store_tx *tx, int64_t id, const char *reason,
    int64_t now, int *revoked)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_sitting_cancel)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	bind_text_or_null(st, 3, reason);
	if (store_tx_step(tx, st) != 0 ||
	    (st = store_tx_stmt(tx, sql_sitting_revoke)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if (store_tx_step(tx, st) != 0)
		return -1;
	if ((*revoked = sqlite3_changes(tx->conn->db)) > 0)
		store_tx_sessions_changed(tx);
	return 0;
}

/* --- proctors ------------------------------------------------------------ */

int
store_sitting_proctors(struct store *s, int64_t sid, json_t *array)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_proctors)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = store_conn_step(c, st)) == 1)
		json_array_append_new(array, json_pack("{s:I,s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "username",
		    (const char *)sqlite3_column_text(st, 1)));
	return rc;
}

int
store_sitting_proctor_add(struct store_tx *tx, int64_t sid, int64_t uid)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_proctor_add)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, uid);
	return store_tx_step(tx, st);
}

int
store_sitting_proctor_remove(struct store_tx *tx, int64_t sid, int64_t uid,
    int *n)
{
	sqlite3_stmt *st;

	if ((st = store_tx_stmt(tx, sql_proctor_remove)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, uid);
	if (store_tx_step(tx, st) != 0)
		return -1;
	*n = sqlite3_changes(tx->conn->db);
	return 0;
}

/* --- candidates ---------------------------------------------------------- */

static void
cand_row(sqlite3_stmt *st, struct store_cand *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->sitting_id = sqlite3_column_int64(st, 1);
	c->association_id = sqlite3_column_int64(st, 2);
	col_text(c->name, sizeof c->name, st, 3);
	col_text(c->email, sizeof c->email, st, 4);
	col_text(c->track, sizeof c->track, st, 5);
	c->time_multiplier = sqlite3_column_double(st, 6);
	c->extra_ms_mc = sqlite3_column_int64(st, 7);
	c->extra_ms_essay = sqlite3_column_int64(st, 8);
	c->breaks_allowed = sqlite3_column_int(st, 9);
	col_text(c->note, sizeof c->note, st, 10);
	c->approved_at = sqlite3_column_int64(st, 11);
	col_text(c->status, sizeof c->status, st, 12);
	c->created_at = sqlite3_column_int64(st, 13);
	c->code_issued_at = sqlite3_column_int64(st, 14);
	c->signed_in = sqlite3_column_int(st, 15);
}

int
store_cand_insert(struct store_tx *tx, struct store_cand *c, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_tx_stmt(tx, sql_cand_insert)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->sitting_id);
	sqlite3_bind_int64(st, 2, c->association_id);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->track, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->code_hash, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, c->time_multiplier);
	sqlite3_bind_int64(st, 8, c->extra_ms_mc);
	sqlite3_bind_int64(st, 9, c->extra_ms_essay);
	sqlite3_bind_int(st, 10, c->breaks_allowed);
	bind_text_or_null(st, 11, c->note);
	bind_int_or_null(st, 12, c->approved_at);
	sqlite3_bind_int64(st, 13, c->created_at);
	sqlite3_bind_int64(st, 14, c->created_at);
	if ((rc = store_tx_step(tx, st)) == 0)
		*id = c->id = sqlite3_last_insert_rowid(tx->conn->db);
	return rc;
}

int
store_cand_get(struct store *s, int64_t sid, int64_t cid, struct store_cand *out)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_cand_get)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, cid);
	if ((rc = store_conn_step(c, st)) == 1) {
		cand_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_cands_each(struct store *s, int64_t sid, store_cand_fn fn, void *arg)
{
	struct store_conn *c = store_reader(s);
	struct store_cand *row;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_cands_list)) == NULL)
		return -1;
	if ((row = malloc(sizeof *row)) == NULL)
		fatal("store_cands_each");
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = store_conn_step(c, st)) == 1) {
		cand_row(st, row);
		if (fn(row, arg) == -1) {
			sqlite3_reset(st);
			rc = -1;
			break;
		}
	}
	free(row);
	return rc;
}

int
store_cand_email_taken(struct store *s, int64_t sid, const char *email)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_cand_email)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	if ((rc = store_conn_step(c, st)) == 1)
		sqlite3_reset(st);
	return rc;
}

int
store_cand_set_code(struct store_tx *tx, int64_t cid, const char *hash,
    int only_fresh, int64_t now, int *changed)
{
	sqlite3_stmt *st;

	*changed = 0;
	if ((st = store_tx_stmt(tx, sql_cand_code)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int(st, 4, only_fresh);
	if (store_tx_step(tx, st) != 0)
		return -1;
	if ((*changed = sqlite3_changes(tx->conn->db)) == 0)
		return 0;
	/* The old code may have been seen by someone else: end its sessions. */
	if ((st = store_tx_stmt(tx, sql_cand_revoke)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, now);
	store_tx_sessions_changed(tx);
	return store_tx_step(tx, st) == 0 ? 0 : -1;
}
