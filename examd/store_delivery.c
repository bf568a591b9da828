/*
 * store_delivery.c: SQL for attempts, parts, answers and essays. See
 * store_delivery.h for the conventions and schema/005_delivery.sql.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "log.h"
#include "store.h"
#include "store_delivery.h"
#include "store_identity.h"
#include "store_int.h"

static const char sql_dcandidate[] =
    "SELECT c.id, c.sitting_id, c.association_id, c.name, c.track,"
    " s.exam_id, s.admission_mode, c.time_multiplier, c.extra_ms_mc,"
    " c.extra_ms_essay, s.opens_at, s.closes_at, s.status, c.status,"
    " s.window_closed_at, s.paused_at"
    " FROM candidates c JOIN sittings s ON s.id = c.sitting_id"
    " WHERE c.id = ?";
static const char sql_attempt[] =
    "SELECT a.id, a.candidate_id, a.sitting_id, a.association_id, a.form_id,"
    " a.track, a.seed, a.status, a.admitted_at, a.completed_at,"
    " s.opens_at, s.closes_at,"
    " max(coalesce((SELECT max(saved_at) FROM attempt_items i"
    "   WHERE i.attempt_id = a.id), 0),"
    "  coalesce((SELECT max(saved_at) FROM attempt_essays e"
    "   WHERE e.attempt_id = a.id), 0)),"
    " s.window_closed_at, s.paused_at"
    " FROM attempts a JOIN sittings s ON s.id = a.sitting_id"
    " WHERE a.candidate_id = ?";
static const char sql_sections[] =
    "SELECT position, identifier, title, kind, status, cut_percent,"
    " started_at, limit_ms, multiplier, extra_ms, extended_ms,"
    " paused_total_ms, paused_since, submitted_at,"
    " coalesce(submitted_by, ''), essay_answer, essay_require,"
    " CASE kind WHEN 'mc' THEN (SELECT count(*) FROM attempt_items i"
    "   WHERE i.attempt_id = x.attempt_id AND i.position = x.position)"
    "  ELSE (SELECT count(*) FROM attempt_essays e"
    "   WHERE e.attempt_id = x.attempt_id AND e.position = x.position) END"
    " FROM attempt_sections x WHERE attempt_id = ? ORDER BY position";
static const char sql_slot[] =
    "SELECT a.id, a.status, x.kind, x.status, x.started_at, x.limit_ms,"
    " x.multiplier, x.extra_ms, x.extended_ms, x.paused_total_ms,"
    " x.paused_since, x.submitted_at, x.essay_answer, x.essay_require"
    " FROM attempts a JOIN attempt_sections x ON x.attempt_id = a.id"
    " WHERE a.candidate_id = ? AND x.position = ?";
static const char sql_open[] =
    "SELECT DISTINCT a.candidate_id FROM attempt_sections x"
    " JOIN attempts a ON a.id = x.attempt_id"
    " WHERE x.status = 'open' AND a.status <> 'void'";
static const char sql_answers[] =
    "SELECT n, item_id, choice_order, coalesce(answer, ''), flagged, seq,"
    " saved_at FROM attempt_items WHERE attempt_id = ? AND position = ?"
    " ORDER BY n";
static const char sql_answer[] =
    "SELECT n, item_id, choice_order, coalesce(answer, ''), flagged, seq,"
    " saved_at FROM attempt_items WHERE attempt_id = ? AND position = ?"
    " AND n = ?";
static const char sql_essays[] =
    "SELECT pid, n, item_id, coalesce(category, ''), chosen, words, seq,"
    " saved_at, text FROM attempt_essays WHERE attempt_id = ?"
    " AND position = ? ORDER BY n";
static const char sql_roster[] =
    "SELECT c.id, coalesce(a.id, 0), c.name, EXISTS (SELECT 1 FROM sessions"
    "  x WHERE x.role = 'candidate' AND x.principal_id = c.id), c.status"
    " FROM candidates c LEFT JOIN attempts a ON a.candidate_id = c.id"
    " WHERE c.sitting_id = ? ORDER BY c.name, c.id";

/* The sitting as the window's closing pass and the pause see it. */
static const char sql_sitting_window[] =
    "SELECT association_id, closes_at, window_closed_at, paused_at, status,"
    " opens_at FROM sittings WHERE id = ?";
static const char sql_sittings_closing[] =
    "SELECT id, association_id, opens_at, closes_at FROM sittings"
    " WHERE window_closed_at = 0 AND status <> 'cancelled'"
    " AND closes_at > ?1 AND closes_at <= ?2 ORDER BY id";
static const char sql_sittings_unclosed[] =
    "SELECT id, closes_at FROM sittings WHERE window_closed_at = 0"
    " AND status <> 'cancelled'";
/* Candidate ids by enum sd_which, in the unit's transaction. */
static const char *const sql_which[] = {
	[SD_OPEN] = "SELECT DISTINCT a.candidate_id FROM attempt_sections x"
	    " JOIN attempts a ON a.id = x.attempt_id WHERE x.status = 'open'"
	    " AND a.sitting_id = ? AND a.status <> 'void' ORDER BY 1",
	[SD_UNSTARTED] = "SELECT candidate_id FROM attempts WHERE"
	    " sitting_id = ? AND status IN ('admitted', 'between_sections')"
	    " ORDER BY 1",
	[SD_NOT_ADMITTED] = "SELECT id FROM candidates c WHERE sitting_id = ?"
	    " AND status IN ('registered', 'waiting') AND NOT EXISTS"
	    " (SELECT 1 FROM attempts a WHERE a.candidate_id = c.id) ORDER BY 1",
};
static const char sql_candidate_absent[] =
    "UPDATE candidates SET status = 'absent' WHERE id = ?";
static const char sql_sessions_keep[] =
    "UPDATE sessions SET expires_at = ?2 WHERE role = 'candidate'"
    " AND principal_id = ?1 AND revoked_at IS NULL AND expires_at < ?2";
static const char sql_sitting_move[] =
    "UPDATE sittings SET closes_at = ?2 WHERE id = ?1";
static const char sql_sitting_sessions_move[] =
    "UPDATE sessions SET expires_at = ?3 WHERE role = 'candidate'"
    " AND revoked_at IS NULL AND expires_at >= ?2 AND expires_at < ?3"
    " AND principal_id IN (SELECT id FROM candidates WHERE sitting_id = ?1)";
static const char sql_sitting_closed[] =
    "UPDATE sittings SET window_closed_at = ?2 WHERE id = ?1";
static const char sql_sitting_paused[] =
    "UPDATE sittings SET paused_at = ?2 WHERE id = ?1";

static const char sql_attempt_insert[] =
    "INSERT INTO attempts(candidate_id, sitting_id, association_id, form_id,"
    " track, seed, status, created_at, admitted_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 'admitted', ?, ?)";
static const char sql_attempt_insert_void[] =
    "INSERT INTO attempts(candidate_id, sitting_id, association_id, form_id,"
    " track, seed, status, created_at, completed_at, void_reason)"
    " VALUES (?, ?, ?, ?, ?, 0, 'void', ?, ?, ?)";
static const char sql_section_insert[] =
    "INSERT INTO attempt_sections(attempt_id, position, identifier, title,"
    " kind, cut_percent, limit_ms, multiplier, extra_ms, essay_answer,"
    " essay_require) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_item_insert[] =
    "INSERT INTO attempt_items(attempt_id, position, n, item_id,"
    " choice_order) VALUES (?, ?, ?, ?, ?)";
static const char sql_essay_insert[] =
    "INSERT INTO attempt_essays(attempt_id, position, pid, n, item_id,"
    " category) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_attempt_put[] =
    "UPDATE attempts SET status = ?2, admitted_at = ?3, completed_at = ?4,"
    " void_reason = coalesce(?5, void_reason) WHERE id = ?1";
static const char sql_section_put[] =
    "UPDATE attempt_sections SET status = ?3, started_at = ?4,"
    " extended_ms = ?5, paused_total_ms = ?6, paused_since = ?7,"
    " submitted_at = ?8, submitted_by = coalesce(?9, submitted_by)"
    " WHERE attempt_id = ?1 AND position = ?2";
static const char sql_clock_log[] =
    "INSERT INTO attempt_clock_log(attempt_id, position, kind, ms, reason,"
    " user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_answer_put[] =
    "UPDATE attempt_items SET answer = ?4, flagged = ?5, seq = ?6,"
    " saved_at = ?7, saves = saves + 1"
    " WHERE attempt_id = ?1 AND position = ?2 AND n = ?3";
static const char sql_essay_put[] =
    "UPDATE attempt_essays SET text = ?4, words = ?5, chosen = ?6, seq = ?7,"
    " saved_at = ?8, saves = saves + 1"
    " WHERE attempt_id = ?1 AND position = ?2 AND pid = ?3";
static const char sql_mc_keyed[] =
    "SELECT i.answer, t.answer_key FROM attempt_items i"
    " JOIN items t ON t.id = i.item_id"
    " WHERE i.attempt_id = ? AND i.position = ? ORDER BY i.n";
static const char sql_score_put[] =
    "UPDATE attempt_sections SET mc_raw = ?3, mc_max = ?4,"
    " mc_percent_tenths = ?5, mc_passed = ?6"
    " WHERE attempt_id = ?1 AND position = ?2";
static const char sql_saves_items[] =
    "SELECT n, saves FROM attempt_items WHERE attempt_id = ? AND position = ?"
    " AND saves > 0 ORDER BY n";
static const char sql_saves_essays[] =
    "SELECT pid, saves FROM attempt_essays WHERE attempt_id = ?"
    " AND position = ? AND saves > 0 ORDER BY n";

/* Steps a statement once: 1 row, 0 none (reset), -1 error (reset, logged). */
static int
sd_step(struct store_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		log_warnx("store: %s", sqlite3_errmsg(c->db));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs a write to the end: 0, STORE_DUP on a unique clash, -1 (tx failed). */
static int
sd_write(struct store_tx *tx, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st), ext = sqlite3_extended_errcode(tx->conn->db);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return STORE_DUP;
	store_tx_fail(tx, "%s", sqlite3_errmsg(tx->conn->db));
	return -1;
}

static sqlite3_stmt *
sd_tx_stmt(struct store_tx *tx, const char *sql)
{
	sqlite3_stmt *st = store_conn_stmt(tx->conn, sql);

	if (st == NULL)
		store_tx_fail(tx, "%s", sqlite3_errmsg(tx->conn->db));
	return st;
}

static void
sd_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

static void
sd_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

int
store_dcandidate_get(struct store *s, int64_t cid, struct sd_candidate *c)
{
	struct store_conn *conn = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(conn, sql_dcandidate)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	if ((rc = sd_step(conn, st)) != 1)
		return rc;
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->sitting_id = sqlite3_column_int64(st, 1);
	c->association_id = sqlite3_column_int64(st, 2);
	sd_text(c->name, sizeof c->name, st, 3);
	sd_text(c->track, sizeof c->track, st, 4);
	sd_text(c->exam_id, sizeof c->exam_id, st, 5);
	sd_text(c->admission_mode, sizeof c->admission_mode, st, 6);
	c->multiplier = sqlite3_column_double(st, 7);
	c->extra_ms_mc = sqlite3_column_int64(st, 8);
	c->extra_ms_essay = sqlite3_column_int64(st, 9);
	c->opens_at = sqlite3_column_int64(st, 10);
	c->closes_at = sqlite3_column_int64(st, 11);
	sd_text(c->sitting_status, sizeof c->sitting_status, st, 12);
	sd_text(c->status, sizeof c->status, st, 13);
	c->window_closed_at = sqlite3_column_int64(st, 14);
	c->sitting_paused_at = sqlite3_column_int64(st, 15);
	sqlite3_reset(st);
	return 1;
}

/* The attempt of a candidate and its parts, on either connection. */
static int
sd_attempt_load(struct store_conn *conn, int64_t cid, struct sd_attempt *o)
{
	struct delivery_section *ds;
	struct sd_section *ss;
	sqlite3_stmt *st;
	char name[32];
	int rc, pos;

	if ((st = store_conn_stmt(conn, sql_attempt)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	if ((rc = sd_step(conn, st)) != 1)
		return rc;
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->candidate_id = sqlite3_column_int64(st, 1);
	o->sitting_id = sqlite3_column_int64(st, 2);
	o->association_id = sqlite3_column_int64(st, 3);
	sd_text(o->form_id, sizeof o->form_id, st, 4);
	sd_text(o->track, sizeof o->track, st, 5);
	o->a.seed = (uint64_t)sqlite3_column_int64(st, 6);
	sd_text(name, sizeof name, st, 7);
	o->admitted_at = sqlite3_column_int64(st, 8);
	o->completed_at = sqlite3_column_int64(st, 9);
	o->opens_at = sqlite3_column_int64(st, 10);
	o->closes_at = sqlite3_column_int64(st, 11);
	o->last_save_at = sqlite3_column_int64(st, 12);
	o->window_closed_at = sqlite3_column_int64(st, 13);
	o->sitting_paused_at = sqlite3_column_int64(st, 14);
	sqlite3_reset(st);
	if (delivery_attempt_state_parse(name, &o->a.state) == -1) {
		log_warnx("store: attempt %lld has an unknown status \"%s\"",
		    (long long)o->id, name);
		return -1;
	}
	if ((st = store_conn_stmt(conn, sql_sections)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		pos = sqlite3_column_int(st, 0);
		if (pos < 0 || pos >= EXAMD_MAX_SECTIONS ||
		    (size_t)pos != o->a.n_sections)
			break;
		ss = &o->sec[pos];
		ds = &o->a.sections[pos];
		sd_text(ss->ident, sizeof ss->ident, st, 1);
		sd_text(ss->title, sizeof ss->title, st, 2);
		ss->kind = strcmp((const char *)sqlite3_column_text(st, 3),
		    "mc") == 0 ? BANK_MC : BANK_ESSAY;
		sd_text(name, sizeof name, st, 4);
		if (delivery_section_state_parse(name, &ds->state) == -1)
			break;
		ss->cut_percent = sqlite3_column_int(st, 5);
		ds->clock.started_at = sqlite3_column_int64(st, 6);
		ds->clock.limit_ms = sqlite3_column_int64(st, 7);
		ds->clock.multiplier = sqlite3_column_int(st, 8);
		ds->clock.extra_ms = sqlite3_column_int64(st, 9);
		ds->clock.extended_ms = sqlite3_column_int64(st, 10);
		ds->clock.paused_total_ms = sqlite3_column_int64(st, 11);
		ds->clock.paused_since = sqlite3_column_int64(st, 12);
		ds->clock.submitted_at = sqlite3_column_int64(st, 13);
		sd_text(ss->submitted_by, sizeof ss->submitted_by, st, 14);
		ss->essay_answer = sqlite3_column_int(st, 15);
		sd_text(ss->essay_require, sizeof ss->essay_require, st, 16);
		ss->n_items = sqlite3_column_int(st, 17);
		o->a.n_sections++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("store: cannot read the parts of attempt %lld",
		    (long long)o->id);
		return -1;
	}
	return 1;
}

int
store_attempt_get(struct store *s, int64_t cid, struct sd_attempt *o)
{
	return sd_attempt_load(store_reader(s), cid, o);
}

int
store_attempt_get_tx(struct store_tx *tx, int64_t cid, struct sd_attempt *o)
{
	int rc = sd_attempt_load(tx->conn, cid, o);

	if (rc == -1)
		store_tx_fail(tx, "cannot read the attempt of candidate %lld",
		    (long long)cid);
	return rc;
}

int
store_slot_tx(struct store_tx *tx, int64_t cid, int pos, struct sd_slot *o)
{
	sqlite3_stmt *st;
	char name[32];
	int rc;

	if ((st = sd_tx_stmt(tx, sql_slot)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int(st, 2, pos);
	if ((rc = sd_step(tx->conn, st)) != 1) {
		if (rc == -1)
			store_tx_fail(tx, "cannot read a part");
		return rc;
	}
	memset(o, 0, sizeof *o);
	o->attempt_id = sqlite3_column_int64(st, 0);
	sd_text(name, sizeof name, st, 1);
	rc = delivery_attempt_state_parse(name, &o->astate);
	o->kind = strcmp((const char *)sqlite3_column_text(st, 2), "mc") == 0 ?
	    BANK_MC : BANK_ESSAY;
	sd_text(name, sizeof name, st, 3);
	if (rc == 0)
		rc = delivery_section_state_parse(name, &o->s.state);
	o->s.clock.started_at = sqlite3_column_int64(st, 4);
	o->s.clock.limit_ms = sqlite3_column_int64(st, 5);
	o->s.clock.multiplier = sqlite3_column_int(st, 6);
	o->s.clock.extra_ms = sqlite3_column_int64(st, 7);
	o->s.clock.extended_ms = sqlite3_column_int64(st, 8);
	o->s.clock.paused_total_ms = sqlite3_column_int64(st, 9);
	o->s.clock.paused_since = sqlite3_column_int64(st, 10);
	o->s.clock.submitted_at = sqlite3_column_int64(st, 11);
	o->essay_answer = sqlite3_column_int(st, 12);
	sd_text(o->essay_require, sizeof o->essay_require, st, 13);
	sqlite3_reset(st);
	if (rc == -1) {
		store_tx_fail(tx, "a part has an unknown status");
		return -1;
	}
	return 1;
}

static int
sd_attempts_open(struct store_conn *conn, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	int64_t *v;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = store_conn_stmt(conn, sql_open)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((v = reallocarray(*ids, *n + 1, sizeof *v)) == NULL)
			fatal("sd_attempts_open");
		*ids = v;
		v[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_attempts_open(struct store *s, int64_t **ids, size_t *n)
{
	return sd_attempts_open(store_reader(s), ids, n);
}

int
store_attempts_open_tx(struct store_tx *tx, int64_t **ids, size_t *n)
{
	if (sd_attempts_open(tx->conn, ids, n) == 0)
		return 0;
	store_tx_fail(tx, "open parts: %s", sqlite3_errmsg(tx->conn->db));
	free(*ids);
	*ids = NULL;
	return -1;
}

static void
sd_answer_row(sqlite3_stmt *st, struct sd_answer *a)
{
	memset(a, 0, sizeof *a);
	a->n = sqlite3_column_int(st, 0);
	a->item_id = sqlite3_column_int64(st, 1);
	sd_text(a->choice_order, sizeof a->choice_order, st, 2);
	sd_text(a->answer, sizeof a->answer, st, 3);
	a->flagged = sqlite3_column_int(st, 4);
	a->seq = sqlite3_column_int64(st, 5);
	a->saved_at = sqlite3_column_int64(st, 6);
}

int
store_answers_list(struct store *s, int64_t att, int pos, sd_answer_fn fn,
    void *arg)
{
	struct store_conn *conn = store_reader(s);
	struct sd_answer a;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(conn, sql_answers)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sd_answer_row(st, &a);
		if (fn(&a, arg) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
sd_essay_row(sqlite3_stmt *st, struct sd_essay *e)
{
	memset(e, 0, sizeof *e);
	sd_text(e->pid, sizeof e->pid, st, 0);
	e->n = sqlite3_column_int(st, 1);
	e->item_id = sqlite3_column_int64(st, 2);
	sd_text(e->category, sizeof e->category, st, 3);
	e->chosen = sqlite3_column_int(st, 4);
	e->words = sqlite3_column_int64(st, 5);
	e->seq = sqlite3_column_int64(st, 6);
	e->saved_at = sqlite3_column_int64(st, 7);
}

int
store_essays_list(struct store *s, int64_t att, int pos, sd_essay_fn fn,
    void *arg)
{
	struct store_conn *conn = store_reader(s);
	struct sd_essay e;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(conn, sql_essays)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sd_essay_row(st, &e);
		e.text = (const char *)sqlite3_column_text(st, 8);
		e.text_len = (size_t)sqlite3_column_bytes(st, 8);
		if (fn(&e, arg) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_roster_list(struct store *s, int64_t sid, sd_roster_fn fn, void *arg)
{
	struct store_conn *conn = store_reader(s);
	struct sd_roster_row r;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(conn, sql_roster)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.candidate_id = sqlite3_column_int64(st, 0);
		r.attempt_id = sqlite3_column_int64(st, 1);
		r.name = (const char *)sqlite3_column_text(st, 2);
		r.signed_in = sqlite3_column_int(st, 3);
		r.status = (const char *)sqlite3_column_text(st, 4);
		if (fn(&r, arg) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_sittings_unclosed(struct store *s, sd_sitting_fn fn, void *arg)
{
	struct store_conn *conn = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(conn, sql_sittings_unclosed)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    arg);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_sitting_window_tx(struct store_tx *tx, int64_t sid,
    struct sd_window *w)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sd_tx_stmt(tx, sql_sitting_window)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	if ((rc = sd_step(tx->conn, st)) != 1) {
		if (rc == -1)
			store_tx_fail(tx, "cannot read sitting %lld",
			    (long long)sid);
		return rc;
	}
	memset(w, 0, sizeof *w);
	w->id = sid;
	w->association_id = sqlite3_column_int64(st, 0);
	w->closes_at = sqlite3_column_int64(st, 1);
	w->window_closed_at = sqlite3_column_int64(st, 2);
	w->paused_at = sqlite3_column_int64(st, 3);
	w->cancelled = strcmp((const char *)sqlite3_column_text(st, 4),
	    "cancelled") == 0;
	w->opens_at = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	return 1;
}

int
store_sittings_closing_tx(struct store_tx *tx, int64_t from, int64_t until,
    struct sd_window **v, size_t *n)
{
	sqlite3_stmt *st;
	struct sd_window *w;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if ((st = sd_tx_stmt(tx, sql_sittings_closing)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((*v = reallocarray(*v, cap, sizeof **v)) == NULL)
				fatal("store_sittings_closing_tx");
		}
		w = &(*v)[(*n)++];
		memset(w, 0, sizeof *w);
		w->id = sqlite3_column_int64(st, 0);
		w->association_id = sqlite3_column_int64(st, 1);
		w->opens_at = sqlite3_column_int64(st, 2);
		w->closes_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*v);
		*v = NULL;
		*n = 0;
		store_tx_fail(tx, "cannot list the sittings' windows");
		return -1;
	}
	return 0;
}

int
store_sitting_ids_tx(struct store_tx *tx, int64_t sid, enum sd_which which,
    int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = sd_tx_stmt(tx, sql_which[which])) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((*ids = reallocarray(*ids, cap, sizeof **ids)) ==
			    NULL)
				fatal("store_sitting_ids_tx");
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		store_tx_fail(tx, "cannot list the candidates of sitting %lld",
		    (long long)sid);
		return -1;
	}
	return 0;
}

/* ---- writes ---- */

/* One UPDATE of (id, value). */
static int
sd_put2(struct store_tx *tx, const char *sql, int64_t id, int64_t v)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, v);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_candidate_absent(struct store_tx *tx, int64_t cid)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_candidate_absent)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_sessions_keep(struct store_tx *tx, int64_t cid, int64_t until)
{
	store_tx_sessions_changed(tx);
	return sd_put2(tx, sql_sessions_keep, cid, until);
}

int
store_sitting_window_move(struct store_tx *tx, int64_t sid, int64_t from,
    int64_t to)
{
	sqlite3_stmt *st;

	if (sd_put2(tx, sql_sitting_move, sid, to) == -1 ||
	    (st = sd_tx_stmt(tx, sql_sitting_sessions_move)) == NULL)
		return -1;
	store_tx_sessions_changed(tx);
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_sitting_closed_put(struct store_tx *tx, int64_t sid, int64_t at)
{
	return sd_put2(tx, sql_sitting_closed, sid, at);
}

int
store_sitting_paused_put(struct store_tx *tx, int64_t sid, int64_t since)
{
	return sd_put2(tx, sql_sitting_paused, sid, since);
}

int
store_attempt_insert(struct store_tx *tx, const struct sd_plan *p,
    int64_t *attempt_id)
{
	const struct sd_plan_section *ps;
	sqlite3_stmt *st;
	char pid[8];
	size_t i, j;
	int rc;

	if ((st = sd_tx_stmt(tx, sql_attempt_insert)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->candidate_id);
	sqlite3_bind_int64(st, 2, p->sitting_id);
	sqlite3_bind_int64(st, 3, p->association_id);
	sd_bind_text(st, 4, p->form_id);
	sd_bind_text(st, 5, p->track);
	sqlite3_bind_int64(st, 6, (int64_t)p->seed);
	sqlite3_bind_int64(st, 7, p->now);
	sqlite3_bind_int64(st, 8, p->now);
	if ((rc = sd_write(tx, st)) != 0)
		return rc;
	*attempt_id = sqlite3_last_insert_rowid(tx->conn->db);
	for (i = 0; i < p->n_sections; i++) {
		ps = &p->sections[i];
		if ((st = sd_tx_stmt(tx, sql_section_insert)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, *attempt_id);
		sqlite3_bind_int(st, 2, (int)i);
		sd_bind_text(st, 3, ps->ident);
		sd_bind_text(st, 4, ps->title ? ps->title : "");
		sd_bind_text(st, 5, ps->kind == BANK_MC ? "mc" : "essay");
		sqlite3_bind_int(st, 6, ps->cut_percent);
		sqlite3_bind_int64(st, 7, ps->limit_ms);
		sqlite3_bind_int(st, 8, ps->multiplier);
		sqlite3_bind_int64(st, 9, ps->extra_ms);
		sqlite3_bind_int(st, 10, ps->essay_answer);
		sd_bind_text(st, 11, ps->essay_require ? ps->essay_require :
		    "[]");
		if (sd_write(tx, st) != 0)
			return -1;
		for (j = 0; j < ps->n; j++) {
			if (ps->kind == BANK_MC) {
				if ((st = sd_tx_stmt(tx, sql_item_insert)) ==
				    NULL)
					return -1;
				sqlite3_bind_int64(st, 1, *attempt_id);
				sqlite3_bind_int(st, 2, (int)i);
				sqlite3_bind_int(st, 3, (int)j + 1);
				sqlite3_bind_int64(st, 4, ps->items[j].item_id);
				sd_bind_text(st, 5, ps->items[j].choice_order);
			} else {
				if ((st = sd_tx_stmt(tx, sql_essay_insert)) ==
				    NULL)
					return -1;
				snprintf(pid, sizeof pid, "p%d", (int)(j + 1) % 100000);
				sqlite3_bind_int64(st, 1, *attempt_id);
				sqlite3_bind_int(st, 2, (int)i);
				sqlite3_bind_text(st, 3, pid, -1,
				    SQLITE_TRANSIENT);
				sqlite3_bind_int(st, 4, (int)j + 1);
				sqlite3_bind_int64(st, 5, ps->items[j].item_id);
				sd_bind_text(st, 6, ps->items[j].category);
			}
			if (sd_write(tx, st) != 0)
				return -1;
			if (store_item_mark_used(tx, ps->items[j].item_id) != 0)
				return -1;
		}
	}
	return store_form_mark_used(tx, p->form_id) != 0 ? -1 : 0;
}

int
store_attempt_insert_void(struct store_tx *tx, int64_t cid, int64_t sid,
    int64_t assoc, const char *form_id, const char *track, const char *reason,
    int64_t now, int64_t *attempt_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sd_tx_stmt(tx, sql_attempt_insert_void)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, sid);
	sqlite3_bind_int64(st, 3, assoc);
	sd_bind_text(st, 4, form_id);
	sd_bind_text(st, 5, track);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	sd_bind_text(st, 8, reason);
	if ((rc = sd_write(tx, st)) != 0)
		return rc;
	*attempt_id = sqlite3_last_insert_rowid(tx->conn->db);
	return 0;
}

int
store_attempt_put(struct store_tx *tx, const struct sd_attempt *o,
    const char *void_reason)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_attempt_put)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->id);
	sd_bind_text(st, 2, delivery_attempt_state_name(o->a.state));
	sqlite3_bind_int64(st, 3, o->admitted_at);
	sqlite3_bind_int64(st, 4, o->completed_at);
	sd_bind_text(st, 5, void_reason);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_section_put(struct store_tx *tx, const struct sd_attempt *o, int pos,
    const char *submitted_by)
{
	const struct delivery_section *ds = &o->a.sections[pos];
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_section_put)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->id);
	sqlite3_bind_int(st, 2, pos);
	sd_bind_text(st, 3, delivery_section_state_name(ds->state));
	sqlite3_bind_int64(st, 4, ds->clock.started_at);
	sqlite3_bind_int64(st, 5, ds->clock.extended_ms);
	sqlite3_bind_int64(st, 6, ds->clock.paused_total_ms);
	sqlite3_bind_int64(st, 7, ds->clock.paused_since);
	sqlite3_bind_int64(st, 8, ds->clock.submitted_at);
	sd_bind_text(st, 9, submitted_by);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_clock_log(struct store_tx *tx, int64_t att, int pos, const char *kind,
    int64_t ms, const char *reason, int64_t user_id, int64_t at)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_clock_log)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	sd_bind_text(st, 3, kind);
	sqlite3_bind_int64(st, 4, ms);
	sd_bind_text(st, 5, reason);
	if (user_id > 0)
		sqlite3_bind_int64(st, 6, user_id);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, at);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_answer_get_tx(struct store_tx *tx, int64_t att, int pos, int n,
    struct sd_answer *a)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sd_tx_stmt(tx, sql_answer)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	sqlite3_bind_int(st, 3, n);
	if ((rc = sd_step(tx->conn, st)) != 1) {
		if (rc == -1)
			store_tx_fail(tx, "cannot read an answer");
		return rc;
	}
	sd_answer_row(st, a);
	sqlite3_reset(st);
	return 1;
}

int
store_answer_put(struct store_tx *tx, int64_t att, int pos, int n,
    const char *answer, int flagged, int64_t seq, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_answer_put)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	sqlite3_bind_int(st, 3, n);
	sd_bind_text(st, 4, answer);
	sqlite3_bind_int(st, 5, flagged ? 1 : 0);
	sqlite3_bind_int64(st, 6, seq);
	sqlite3_bind_int64(st, 7, now);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_essays_tx(struct store_tx *tx, int64_t att, int pos,
    struct sd_essay *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((st = sd_tx_stmt(tx, sql_essays)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		sd_essay_row(st, &out[(*n)++]);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_tx_fail(tx, "cannot read the essays");
		return -1;
	}
	return 0;
}

int
store_essay_put(struct store_tx *tx, int64_t att, int pos, const char *pid,
    const char *text, size_t len, int64_t words, int chosen, int64_t seq,
    int64_t now)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_essay_put)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	sd_bind_text(st, 3, pid);
	sqlite3_bind_text(st, 4, text, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, words);
	sqlite3_bind_int(st, 6, chosen ? 1 : 0);
	sqlite3_bind_int64(st, 7, seq);
	sqlite3_bind_int64(st, 8, now);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

static char *
sd_col_dup(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("store_mc_keyed_tx");
	return d;
}

int
store_mc_keyed_tx(struct store_tx *tx, int64_t att, int pos,
    char ***answers, char ***keys, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*answers = *keys = NULL;
	*n = 0;
	if ((st = sd_tx_stmt(tx, sql_mc_keyed)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((*answers = reallocarray(*answers, cap,
			    sizeof **answers)) == NULL ||
			    (*keys = reallocarray(*keys, cap, sizeof **keys)) ==
			    NULL)
				fatal("store_mc_keyed_tx");
		}
		(*answers)[*n] = sd_col_dup(st, 0);
		(*keys)[*n] = sd_col_dup(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_mc_keyed_free(*answers, *keys, *n);
		*answers = *keys = NULL;
		*n = 0;
		store_tx_fail(tx, "cannot read the answers to score");
		return -1;
	}
	return 0;
}

void
store_mc_keyed_free(char **answers, char **keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(answers[i]);
		free(keys[i]);
	}
	free(answers);
	free(keys);
}

int
store_mc_score_put(struct store_tx *tx, int64_t att, int pos,
    const struct delivery_score *sc)
{
	sqlite3_stmt *st;

	if ((st = sd_tx_stmt(tx, sql_score_put)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, att);
	sqlite3_bind_int(st, 2, pos);
	sqlite3_bind_int(st, 3, sc->raw);
	sqlite3_bind_int(st, 4, sc->max);
	sqlite3_bind_int(st, 5, sc->percent_tenths);
	sqlite3_bind_int(st, 6, sc->passed ? 1 : 0);
	return sd_write(tx, st) == 0 ? 0 : -1;
}

int
store_saves_summary_tx(struct store_tx *tx, int64_t att, int pos, json_t *obj)
{
	sqlite3_stmt *st;
	int rc, i;

	for (i = 0; i < 2; i++) {
		if ((st = sd_tx_stmt(tx, i == 0 ? sql_saves_items :
		    sql_saves_essays)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, att);
		sqlite3_bind_int(st, 2, pos);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_object_set_new(obj, (const char *)
			    sqlite3_column_text(st, 0), json_integer(
			    sqlite3_column_int64(st, 1)));
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			store_tx_fail(tx, "cannot count the saves");
			return -1;
		}
	}
	return 0;
}
