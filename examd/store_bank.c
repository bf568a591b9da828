/*
 * store_bank.c: the item bank's SQL (bank.h). Reads use the read
 * connection; writes run inside a unit of work on the writer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bank.h"
#include "log.h"
#include "store_int.h"

/* ---- helpers ---- */

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup((const char *)s)) == NULL)
		fatal("store_bank");
	return d;
}

/* Column i's text into buf (cut to size; left as is when NULL). */
static void
col_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	if (s != NULL)
		snprintf(buf, size, "%s", (const char *)s);
}

static char *
xstrdup0(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("store_bank");
	return d;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size)) == NULL)
		fatal("store_bank");
	return p;
}

/* Column i's bytes, malloc'd (never NULL), their count in *len. */
static unsigned char *
col_blob_dup(sqlite3_stmt *st, int i, size_t *len)
{
	unsigned char *d;

	*len = (size_t)sqlite3_column_bytes(st, i);
	d = xcalloc(1, *len);
	if (*len)
		memcpy(d, sqlite3_column_blob(st, i), *len);
	return d;
}

static void
bind_text0(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
dumps(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	if (s == NULL)
		fatalx("store_bank: json_dumps");
	return s;
}

static char *
choices_json(const struct bank_item *it)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < it->n_choices; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "id",
		    it->choices[i].id, "html", it->choices[i].html, "fixed",
		    it->choices[i].fixed));
	return dumps(a);
}

static char *
rubric_json(const struct bank_item *it)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < it->n_rubric; i++)
		json_array_append_new(a, json_pack("{s:i,s:s}", "score",
		    it->rubric[i].score, "html", it->rubric[i].html));
	return dumps(a);
}

static char *
require_json(const struct bank_track *tr)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < tr->n_require; i++)
		json_array_append_new(a, json_pack("{s:s,s:i}", "group",
		    tr->require[i].group, "min", tr->require[i].min));
	return dumps(a);
}

static char *
tracks_text(const struct bank_track *tr)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < tr->n_tracks; i++)
		len += strlen(tr->tracks[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < tr->n_tracks; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, tr->tracks[i]);
	}
	return s;
}

/* ---- the import unit ---- */

static const char sql_item_find[] =
    "SELECT id, version FROM items WHERE identifier = ? AND content_hash = ?";
static const char sql_item_maxver[] =
    "SELECT coalesce(max(version), 0) FROM items WHERE identifier = ?";
static const char sql_item_insert[] =
    "INSERT INTO items(identifier, version, kind, title, lang, domain, topic,"
    " stem_html, prompt_html, choices, answer_key, shuffle, expected_length,"
    " rubric_html, rubric, content_hash, source_version, imported_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char sql_asset_insert[] =
    "INSERT INTO item_assets(item_id, path, mime, data, sha256)"
    " VALUES (?,?,?,?,?)";
static const char sql_form_find[] =
    "SELECT id, content_hash, used FROM forms WHERE identifier = ?";
static const char sql_form_insert[] =
    "INSERT INTO forms(identifier, title, program, content_hash,"
    " source_version, imported_at) VALUES (?,?,?,?,?,?)";
static const char sql_form_update[] =
    "UPDATE forms SET title = ?, program = ?, content_hash = ?,"
    " source_version = ?, imported_at = ? WHERE id = ?";
static const char sql_form_clear[] =
    "DELETE FROM form_sections WHERE form_id = ?";
static const char sql_section_insert[] =
    "INSERT INTO form_sections(form_id, position, identifier, title, kind,"
    " time_limit_ms, cut_percent) VALUES (?,?,?,?,?,?,?)";
static const char sql_track_insert[] =
    "INSERT INTO form_tracks(section_id, position, identifier, title, tracks,"
    " answer, require) VALUES (?,?,?,?,?,?,?)";
static const char sql_form_item_insert[] =
    "INSERT INTO form_items(section_id, track_id, position, ref, item_id,"
    " category) VALUES (?,?,?,?,?,?)";

static int
step_done(struct store_tx *tx, sqlite3_stmt *st, const char *what,
    const char *name)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_tx_fail(tx, "%s %s: %s", what, name,
		    sqlite3_errmsg(tx->conn->db));
		return -1;
	}
	return 0;
}

static int
import_item(struct store_tx *tx, struct bank_item *it, int64_t now,
    enum bank_outcome *outcome)
{
	sqlite3_stmt *st;
	char *choices = NULL, *rubric = NULL;
	size_t i;
	int rc;

	if ((st = store_conn_stmt(tx->conn, sql_item_find)) == NULL)
		goto dberr;
	sqlite3_bind_text(st, 1, it->identifier, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->content_hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		it->id = sqlite3_column_int64(st, 0);
		it->version = sqlite3_column_int(st, 1);
		sqlite3_reset(st);
		*outcome = BANK_UNCHANGED;
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto dberr;
	if ((st = store_conn_stmt(tx->conn, sql_item_maxver)) == NULL)
		goto dberr;
	sqlite3_bind_text(st, 1, it->identifier, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		goto dberr;
	}
	it->version = sqlite3_column_int(st, 0) + 1;
	sqlite3_reset(st);
	*outcome = it->version == 1 ? BANK_NEW : BANK_NEW_VERSION;

	if ((st = store_conn_stmt(tx->conn, sql_item_insert)) == NULL)
		goto dberr;
	if (it->kind == BANK_MC)
		choices = choices_json(it);
	else
		rubric = rubric_json(it);
	sqlite3_bind_text(st, 1, it->identifier, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, it->version);
	sqlite3_bind_text(st, 3, bank_kind_name(it->kind), -1, SQLITE_STATIC);
	bind_text0(st, 4, it->title ? it->title : "");
	bind_text0(st, 5, it->lang);
	bind_text0(st, 6, it->domain);
	bind_text0(st, 7, it->topic);
	bind_text0(st, 8, it->stem_html);
	bind_text0(st, 9, it->prompt_html ? it->prompt_html : "");
	bind_text0(st, 10, choices);
	bind_text0(st, 11, it->kind == BANK_MC ? it->key : NULL);
	sqlite3_bind_int(st, 12, it->shuffle ? 1 : 0);
	sqlite3_bind_int64(st, 13, it->expected_length);
	bind_text0(st, 14, it->rubric_html);
	bind_text0(st, 15, rubric);
	sqlite3_bind_text(st, 16, it->content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 17, it->source_version);
	sqlite3_bind_int64(st, 18, now);
	rc = step_done(tx, st, "item", it->identifier);
	free(choices);
	free(rubric);
	if (rc == -1)
		return -1;
	it->id = sqlite3_last_insert_rowid(tx->conn->db);
	it->imported_at = now;
	for (i = 0; i < it->n_assets; i++) {
		struct bank_asset *a = &it->assets[i];

		if ((st = store_conn_stmt(tx->conn, sql_asset_insert)) == NULL)
			goto dberr;
		sqlite3_bind_int64(st, 1, it->id);
		sqlite3_bind_text(st, 2, a->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->mime, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, a->data, (int)a->len, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, a->sha256, -1, SQLITE_STATIC);
		if (step_done(tx, st, "image", a->path) == -1)
			return -1;
	}
	return 0;
dberr:
	store_tx_fail(tx, "item %s: %s", it->identifier,
	    sqlite3_errmsg(tx->conn->db));
	return -1;
}

static int
insert_form_items(struct store_tx *tx, int64_t section_id, int64_t track_id,
    const struct bank_form_item *fi, size_t n)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((st = store_conn_stmt(tx->conn, sql_form_item_insert)) ==
		    NULL)
			return -1;
		sqlite3_bind_int64(st, 1, section_id);
		if (track_id)
			sqlite3_bind_int64(st, 2, track_id);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_int(st, 3, (int)i);
		sqlite3_bind_text(st, 4, fi[i].ref, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, fi[i].item ? fi[i].item->id :
		    fi[i].item_id);
		bind_text0(st, 6, fi[i].category);
		if (step_done(tx, st, "form item", fi[i].ref) == -1)
			return -1;
	}
	return 0;
}

static int
import_form(struct store_tx *tx, struct bank_form *f, int64_t now,
    enum bank_outcome *outcome)
{
	sqlite3_stmt *st;
	int64_t form_id = 0, used = 0, section_id, track_id;
	char *hash = NULL, *s1, *s2;
	size_t i, j;
	int rc;

	if ((st = store_conn_stmt(tx->conn, sql_form_find)) == NULL)
		goto dberr;
	sqlite3_bind_text(st, 1, f->identifier, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		form_id = sqlite3_column_int64(st, 0);
		hash = col_dup(st, 1);
		used = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto dberr;
	if (form_id && hash && strcmp(hash, f->content_hash) == 0) {
		free(hash);
		f->id = form_id;
		*outcome = BANK_UNCHANGED;
		return 0;
	}
	free(hash);
	if (form_id && used > 0) {
		store_tx_fail(tx, "%s: form %s has been used by %lld attempt(s) "
		    "and cannot change: import the new content under a new "
		    "identifier", f->source ? f->source : "", f->identifier,
		    (long long)used);
		return -1;
	}
	if (form_id) {
		if ((st = store_conn_stmt(tx->conn, sql_form_update)) == NULL)
			goto dberr;
		bind_text0(st, 1, f->title ? f->title : "");
		bind_text0(st, 2, f->program);
		sqlite3_bind_text(st, 3, f->content_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, f->source_version);
		sqlite3_bind_int64(st, 5, now);
		sqlite3_bind_int64(st, 6, form_id);
		if (step_done(tx, st, "form", f->identifier) == -1)
			return -1;
		if ((st = store_conn_stmt(tx->conn, sql_form_clear)) == NULL)
			goto dberr;
		sqlite3_bind_int64(st, 1, form_id);
		if (step_done(tx, st, "form", f->identifier) == -1)
			return -1;
		*outcome = BANK_REPLACED;
	} else {
		if ((st = store_conn_stmt(tx->conn, sql_form_insert)) == NULL)
			goto dberr;
		sqlite3_bind_text(st, 1, f->identifier, -1, SQLITE_STATIC);
		bind_text0(st, 2, f->title ? f->title : "");
		bind_text0(st, 3, f->program);
		sqlite3_bind_text(st, 4, f->content_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, f->source_version);
		sqlite3_bind_int64(st, 6, now);
		if (step_done(tx, st, "form", f->identifier) == -1)
			return -1;
		form_id = sqlite3_last_insert_rowid(tx->conn->db);
		*outcome = BANK_NEW;
	}
	f->id = form_id;
	for (i = 0; i < f->n_sections; i++) {
		const struct bank_section *sec = &f->sections[i];

		if ((st = store_conn_stmt(tx->conn, sql_section_insert)) ==
		    NULL)
			goto dberr;
		sqlite3_bind_int64(st, 1, form_id);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, sec->identifier, -1, SQLITE_STATIC);
		bind_text0(st, 4, sec->title ? sec->title : "");
		sqlite3_bind_text(st, 5, bank_kind_name(sec->kind), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, sec->time_limit_ms);
		sqlite3_bind_int(st, 7, sec->cut_percent);
		if (step_done(tx, st, "section", sec->identifier) == -1)
			return -1;
		section_id = sqlite3_last_insert_rowid(tx->conn->db);
		if (insert_form_items(tx, section_id, 0, sec->items,
		    sec->n_items) == -1)
			goto dberr;
		for (j = 0; j < sec->n_tracks; j++) {
			const struct bank_track *tr = &sec->tracks[j];

			if ((st = store_conn_stmt(tx->conn, sql_track_insert)) ==
			    NULL)
				goto dberr;
			s1 = tracks_text(tr);
			s2 = require_json(tr);
			sqlite3_bind_int64(st, 1, section_id);
			sqlite3_bind_int(st, 2, (int)j);
			sqlite3_bind_text(st, 3, tr->identifier, -1,
			    SQLITE_STATIC);
			bind_text0(st, 4, tr->title ? tr->title : "");
			sqlite3_bind_text(st, 5, s1, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 6, tr->answer);
			sqlite3_bind_text(st, 7, s2, -1, SQLITE_STATIC);
			rc = step_done(tx, st, "track section", tr->identifier);
			free(s1);
			free(s2);
			if (rc == -1)
				return -1;
			track_id = sqlite3_last_insert_rowid(tx->conn->db);
			if (insert_form_items(tx, section_id, track_id,
			    tr->items, tr->n_items) == -1)
				goto dberr;
		}
	}
	return 0;
dberr:
	if (tx->err == NULL)
		store_tx_fail(tx, "form %s: %s", f->identifier,
		    sqlite3_errmsg(tx->conn->db));
	return -1;
}

int
store_bank_import(struct store_tx *tx, struct bank_item **items,
    size_t n_items, enum bank_outcome *outcome, struct bank_form **forms,
    size_t n_forms, enum bank_outcome *form_outcome)
{
	int64_t now = now_ms();
	size_t i;

	for (i = 0; i < n_items; i++)
		if (import_item(tx, items[i], now, &outcome[i]) == -1)
			return -1;
	for (i = 0; i < n_forms; i++)
		if (import_form(tx, forms[i], now, &form_outcome[i]) == -1)
			return -1;
	return 0;
}

static const char sql_item_used[] =
    "UPDATE items SET used = used + 1 WHERE id = ?";
static const char sql_form_used[] =
    "UPDATE forms SET used = used + 1 WHERE identifier = ?";

int
store_item_mark_used(struct store_tx *tx, int64_t item_id)
{
	sqlite3_stmt *st;

	if ((st = store_conn_stmt(tx->conn, sql_item_used)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	return step_done(tx, st, "item", "used");
}

int
store_form_mark_used(struct store_tx *tx, const char *form_id)
{
	sqlite3_stmt *st;

	if ((st = store_conn_stmt(tx->conn, sql_form_used)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	return step_done(tx, st, "form", form_id);
}

/* ---- reads ---- */

#define ITEM_COLS "id, identifier, version, kind, title, lang, domain, topic," \
    " stem_html, prompt_html, choices, answer_key, shuffle, expected_length," \
    " rubric_html, rubric, content_hash, source_version, retired, used," \
    " imported_at"

static const char sql_item_get[] =
    "SELECT " ITEM_COLS " FROM items WHERE id = ?";
static const char sql_items_list[] =
    "SELECT " ITEM_COLS " FROM items WHERE"
    " (?1 IS NULL OR domain = ?1) AND (?2 IS NULL OR topic = ?2) AND"
    " (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR identifier = ?4) AND"
    " (?5 = 0 OR version = ?5) AND (?6 = 0 OR version = (SELECT"
    " max(version) FROM items i2 WHERE i2.identifier = items.identifier))"
    " ORDER BY identifier, version LIMIT ?7 OFFSET ?8";
static const char sql_items_count[] =
    "SELECT count(*) FROM items WHERE"
    " (?1 IS NULL OR domain = ?1) AND (?2 IS NULL OR topic = ?2) AND"
    " (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR identifier = ?4) AND"
    " (?5 = 0 OR version = ?5) AND (?6 = 0 OR version = (SELECT"
    " max(version) FROM items i2 WHERE i2.identifier = items.identifier))";
static const char sql_assets_meta[] =
    "SELECT path, mime, sha256, length(data) FROM item_assets"
    " WHERE item_id = ? ORDER BY path";
static const char sql_assets_data[] =
    "SELECT path, mime, sha256, data FROM item_assets"
    " WHERE item_id = ? ORDER BY path";
static const char sql_asset_get[] =
    "SELECT mime, data FROM item_assets WHERE item_id = ? AND path = ?";

static int
json_choices(struct bank_item *it, const char *s)
{
	json_t *a, *c;
	size_t i;

	if (s == NULL)
		return 0;
	if ((a = json_loads(s, 0, NULL)) == NULL || !json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	it->n_choices = json_array_size(a);
	it->choices = xcalloc(it->n_choices, sizeof(*it->choices));
	json_array_foreach(a, i, c) {
		it->choices[i].id = xstrdup0(json_string_value(
		    json_object_get(c, "id")));
		it->choices[i].html = xstrdup0(json_string_value(
		    json_object_get(c, "html")));
		it->choices[i].fixed = json_is_true(json_object_get(c,
		    "fixed"));
	}
	json_decref(a);
	return 0;
}

static int
json_rubric(struct bank_item *it, const char *s)
{
	json_t *a, *c;
	size_t i;

	if (s == NULL)
		return 0;
	if ((a = json_loads(s, 0, NULL)) == NULL || !json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	it->n_rubric = json_array_size(a);
	it->rubric = xcalloc(it->n_rubric, sizeof(*it->rubric));
	json_array_foreach(a, i, c) {
		it->rubric[i].score = (int)json_integer_value(
		    json_object_get(c, "score"));
		it->rubric[i].html = xstrdup0(json_string_value(
		    json_object_get(c, "html")));
	}
	json_decref(a);
	return 0;
}

static struct bank_item *
item_of_row(sqlite3_stmt *st)
{
	struct bank_item *it = xcalloc(1, sizeof(*it));

	it->id = sqlite3_column_int64(st, 0);
	it->identifier = col_dup(st, 1);
	it->version = sqlite3_column_int(st, 2);
	it->kind = strcmp((const char *)sqlite3_column_text(st, 3), "mc") == 0 ?
	    BANK_MC : BANK_ESSAY;
	it->title = col_dup(st, 4);
	it->lang = col_dup(st, 5);
	it->domain = col_dup(st, 6);
	it->topic = col_dup(st, 7);
	it->stem_html = col_dup(st, 8);
	it->prompt_html = col_dup(st, 9);
	if (json_choices(it, (const char *)sqlite3_column_text(st, 10)) == -1)
		log_warnx("store: item %lld: bad choices JSON",
		    (long long)it->id);
	it->key = col_dup(st, 11);
	it->shuffle = sqlite3_column_int(st, 12);
	it->expected_length = (long)sqlite3_column_int64(st, 13);
	it->rubric_html = col_dup(st, 14);
	if (json_rubric(it, (const char *)sqlite3_column_text(st, 15)) == -1)
		log_warnx("store: item %lld: bad rubric JSON",
		    (long long)it->id);
	col_copy(st, 16, it->content_hash, sizeof(it->content_hash));
	it->source_version = sqlite3_column_int(st, 17);
	it->retired = sqlite3_column_int(st, 18);
	it->used = sqlite3_column_int64(st, 19);
	it->imported_at = sqlite3_column_int64(st, 20);
	return it;
}

int
store_item_get_assets(struct store *s, int64_t item_id, struct bank_item *it,
    int with_data)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	struct bank_asset *a;
	size_t cap = 0;
	int rc;

	if ((st = store_conn_stmt(c, with_data ? sql_assets_data :
	    sql_assets_meta)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (it->n_assets == cap) {
			cap = cap ? cap * 2 : 4;
			if ((a = reallocarray(it->assets, cap, sizeof(*a))) ==
			    NULL)
				fatal("store_item_get_assets");
			it->assets = a;
		}
		a = &it->assets[it->n_assets++];
		memset(a, 0, sizeof(*a));
		a->path = col_dup(st, 0);
		a->mime = col_dup(st, 1);
		col_copy(st, 2, a->sha256, sizeof(a->sha256));
		if (with_data)
			a->data = col_blob_dup(st, 3, &a->len);
		else
			a->len = (size_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_item_get(struct store *s, int64_t item_id, struct bank_item **out)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((st = store_conn_stmt(c, sql_item_get)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = item_of_row(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
	if (store_item_get_assets(s, item_id, *out, 0) == -1) {
		bank_item_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
store_items_list(struct store *s, const struct bank_item_filter *f,
    struct bank_item_list *out)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	struct bank_item **v;
	size_t cap = 0, i;
	int rc, limit;

	memset(out, 0, sizeof(*out));
	limit = f->limit > 0 && f->limit <= BANK_MAX_PAGE ? f->limit :
	    BANK_MAX_PAGE;
	if ((st = store_conn_stmt(c, sql_items_count)) == NULL)
		return -1;
	bind_text0(st, 1, f->domain);
	bind_text0(st, 2, f->topic);
	bind_text0(st, 3, f->kind);
	bind_text0(st, 4, f->identifier);
	sqlite3_bind_int(st, 5, f->version);
	sqlite3_bind_int(st, 6, f->latest_only);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	out->total = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((st = store_conn_stmt(c, sql_items_list)) == NULL)
		return -1;
	bind_text0(st, 1, f->domain);
	bind_text0(st, 2, f->topic);
	bind_text0(st, 3, f->kind);
	bind_text0(st, 4, f->identifier);
	sqlite3_bind_int(st, 5, f->version);
	sqlite3_bind_int(st, 6, f->latest_only);
	sqlite3_bind_int(st, 7, limit);
	sqlite3_bind_int(st, 8, f->offset > 0 ? f->offset : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((v = reallocarray(out->items, cap, sizeof(*v))) ==
			    NULL)
				fatal("store_items_list");
			out->items = v;
		}
		out->items[out->n++] = item_of_row(st);
	}
	sqlite3_reset(st);
	for (i = 0; rc == SQLITE_DONE && i < out->n; i++)
		if (store_item_get_assets(s, out->items[i]->id, out->items[i],
		    0) == -1)
			rc = -1;
	if (rc != SQLITE_DONE) {
		bank_item_list_free(out);
		return -1;
	}
	return 0;
}

int
store_asset_get(struct store *s, int64_t item_id, const char *path,
    char **mime, unsigned char **data, size_t *len)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	*mime = NULL;
	*data = NULL;
	*len = 0;
	if ((st = store_conn_stmt(c, sql_asset_get)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*mime = col_dup(st, 0);
		*data = col_blob_dup(st, 1, len);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

static const char sql_form_get[] =
    "SELECT id, identifier, title, program, published, used, imported_at,"
    " content_hash, source_version FROM forms WHERE identifier = ?";
static const char sql_forms_list[] =
    "SELECT id, identifier, title, program, published, used, imported_at,"
    " content_hash, source_version FROM forms"
    " WHERE (?1 = 0 OR published = 1) ORDER BY identifier";
static const char sql_sections_get[] =
    "SELECT id, identifier, title, kind, time_limit_ms, cut_percent"
    " FROM form_sections WHERE form_id = ? ORDER BY position";
static const char sql_tracks_get[] =
    "SELECT id, identifier, title, tracks, answer, require"
    " FROM form_tracks WHERE section_id = ? ORDER BY position";
static const char sql_form_items_get[] =
    "SELECT ref, item_id, category FROM form_items"
    " WHERE section_id = ? AND track_id IS ? ORDER BY position";

static struct bank_form *
form_of_row(sqlite3_stmt *st)
{
	struct bank_form *f = xcalloc(1, sizeof(*f));

	f->id = sqlite3_column_int64(st, 0);
	f->identifier = col_dup(st, 1);
	f->title = col_dup(st, 2);
	f->program = col_dup(st, 3);
	f->published = sqlite3_column_int(st, 4);
	f->used = sqlite3_column_int64(st, 5);
	f->imported_at = sqlite3_column_int64(st, 6);
	col_copy(st, 7, f->content_hash, sizeof(f->content_hash));
	f->source_version = sqlite3_column_int(st, 8);
	return f;
}

static int
read_form_items(struct store_conn *c, int64_t section_id, int64_t track_id,
    struct bank_form_item **out, size_t *n)
{
	sqlite3_stmt *st;
	struct bank_form_item *v;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = store_conn_stmt(c, sql_form_items_get)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, section_id);
	if (track_id)
		sqlite3_bind_int64(st, 2, track_id);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((v = reallocarray(*out, cap, sizeof(*v))) == NULL)
				fatal("store_form_get");
			*out = v;
		}
		v = &(*out)[(*n)++];
		memset(v, 0, sizeof(*v));
		v->ref = col_dup(st, 0);
		v->item_id = sqlite3_column_int64(st, 1);
		v->category = col_dup(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
split_tracks(struct bank_track *tr, const char *s)
{
	char *copy = xstrdup0(s), *p, *save = NULL;

	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ",
	    &save)) {
		char **v = reallocarray(tr->tracks, tr->n_tracks + 1,
		    sizeof(*v));

		if (v == NULL)
			fatal("store_form_get");
		tr->tracks = v;
		tr->tracks[tr->n_tracks++] = xstrdup0(p);
	}
	free(copy);
}

static void
parse_require(struct bank_track *tr, const char *s)
{
	json_t *a, *r;
	size_t i;

	if ((a = json_loads(s ? s : "[]", 0, NULL)) == NULL)
		return;
	tr->n_require = json_array_size(a);
	tr->require = xcalloc(tr->n_require, sizeof(*tr->require));
	json_array_foreach(a, i, r) {
		tr->require[i].group = xstrdup0(json_string_value(
		    json_object_get(r, "group")));
		tr->require[i].min = (int)json_integer_value(
		    json_object_get(r, "min"));
	}
	json_decref(a);
}

/* Sections (and, when deep, tracks and items) of form f. */
static int
read_sections(struct store_conn *c, struct bank_form *f, int deep)
{
	sqlite3_stmt *st;
	int64_t *sec_ids = NULL, *tr_ids;
	size_t cap = 0, i, j, tcap;
	int rc;

	if ((st = store_conn_stmt(c, sql_sections_get)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct bank_section *sec;

		if (f->n_sections == cap) {
			cap = cap ? cap * 2 : 4;
			if ((sec = reallocarray(f->sections, cap,
			    sizeof(*sec))) == NULL ||
			    (tr_ids = reallocarray(sec_ids, cap,
			    sizeof(*tr_ids))) == NULL)
				fatal("store_form_get");
			f->sections = sec;
			sec_ids = tr_ids;
		}
		sec_ids[f->n_sections] = sqlite3_column_int64(st, 0);
		sec = &f->sections[f->n_sections++];
		memset(sec, 0, sizeof(*sec));
		sec->identifier = col_dup(st, 1);
		sec->title = col_dup(st, 2);
		sec->kind = strcmp((const char *)sqlite3_column_text(st, 3),
		    "mc") == 0 ? BANK_MC : BANK_ESSAY;
		sec->time_limit_ms = (long)sqlite3_column_int64(st, 4);
		sec->cut_percent = sqlite3_column_int(st, 5);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE || !deep)
		goto out;
	for (i = 0; i < f->n_sections; i++) {
		struct bank_section *sec = &f->sections[i];

		if (read_form_items(c, sec_ids[i], 0, &sec->items,
		    &sec->n_items) == -1) {
			rc = -1;
			goto out;
		}
		if ((st = store_conn_stmt(c, sql_tracks_get)) == NULL) {
			rc = -1;
			goto out;
		}
		sqlite3_bind_int64(st, 1, sec_ids[i]);
		tr_ids = NULL;
		tcap = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct bank_track *tr;
			int64_t *ids;

			if (sec->n_tracks == tcap) {
				tcap = tcap ? tcap * 2 : 8;
				if ((tr = reallocarray(sec->tracks, tcap,
				    sizeof(*tr))) == NULL ||
				    (ids = reallocarray(tr_ids, tcap,
				    sizeof(*ids))) == NULL)
					fatal("store_form_get");
				sec->tracks = tr;
				tr_ids = ids;
			}
			tr_ids[sec->n_tracks] = sqlite3_column_int64(st, 0);
			tr = &sec->tracks[sec->n_tracks++];
			memset(tr, 0, sizeof(*tr));
			tr->identifier = col_dup(st, 1);
			tr->title = col_dup(st, 2);
			split_tracks(tr, (const char *)sqlite3_column_text(st,
			    3));
			tr->answer = sqlite3_column_int(st, 4);
			parse_require(tr, (const char *)sqlite3_column_text(st,
			    5));
		}
		sqlite3_reset(st);
		for (j = 0; rc == SQLITE_DONE && j < sec->n_tracks; j++)
			if (read_form_items(c, sec_ids[i], tr_ids[j],
			    &sec->tracks[j].items, &sec->tracks[j].n_items) ==
			    -1)
				rc = -1;
		free(tr_ids);
		if (rc != SQLITE_DONE)
			goto out;
	}
out:
	free(sec_ids);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_form_get(struct store *s, const char *form_id, struct bank_form **out,
    char **errstr)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	struct bank_form *f = NULL;
	int rc;

	*out = NULL;
	if ((st = store_conn_stmt(c, sql_form_get)) == NULL)
		goto dberr;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		f = form_of_row(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		goto dberr;
	if (read_sections(c, f, 1) == -1)
		goto dberr;
	*out = f;
	return 0;
dberr:
	bank_form_free(f);
	if (errstr != NULL)
		*errstr = xasprintf("form %s: %s", form_id,
		    sqlite3_errmsg(c->db));
	return -1;
}

int
store_forms_list(struct store *s, int published_only,
    struct bank_form_list *out)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	struct bank_form **v;
	size_t cap = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st = store_conn_stmt(c, sql_forms_list)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, published_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((v = reallocarray(out->forms, cap, sizeof(*v))) ==
			    NULL)
				fatal("store_forms_list");
			out->forms = v;
		}
		out->forms[out->n++] = form_of_row(st);
	}
	sqlite3_reset(st);
	for (i = 0; rc == SQLITE_DONE && i < out->n; i++)
		if (read_sections(c, out->forms[i], 1) == -1)
			rc = -1;
	if (rc != SQLITE_DONE) {
		bank_form_list_free(out);
		return -1;
	}
	return 0;
}

static const char sql_counts[] =
    "SELECT (SELECT count(DISTINCT identifier) FROM items),"
    " (SELECT count(*) FROM items), (SELECT count(*) FROM item_assets),"
    " (SELECT count(*) FROM forms)";

int
store_bank_counts(struct store *s, struct bank_counts *n)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int rc;

	memset(n, 0, sizeof(*n));
	if ((st = store_conn_stmt(c, sql_counts)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n->items = sqlite3_column_int64(st, 0);
		n->item_versions = sqlite3_column_int64(st, 1);
		n->assets = sqlite3_column_int64(st, 2);
		n->forms = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}
