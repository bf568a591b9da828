#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"

/*
 * Migrations are numbered files in examd/schema/, embedded by the build.
 * Which ones a database has is recorded by number in schema_migrations,
 * so a branch's migration may land before a lower-numbered one.
 */
static const char sql_bootstrap[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))";
static const char sql_applied[] =
    "SELECT 1 FROM schema_migrations WHERE version = ?";
static const char sql_record[] =
    "INSERT INTO schema_migrations(version, name) VALUES (?, ?)";
static const char sql_bootstrapped[] =
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
    "name = 'schema_migrations'";
static const char sql_max[] =
    "SELECT coalesce(max(version), 0), count(*) FROM schema_migrations";

int
store_schema_latest(void)
{
	return store_nmigrations ?
	    store_migrations[store_nmigrations - 1].version : 0;
}

static int
schema_has(struct store_conn *c, int version)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql_applied)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, version);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_migrate(struct store *s, char **errstr)
{
	struct store_conn *c = store_writer_conn(s);
	const struct store_migration *m;
	sqlite3_stmt *st;
	char *err = NULL;
	int i, has;

	if (store_conn_exec(c, sql_bootstrap, errstr) == -1)
		return -1;
	for (i = 0; i < store_nmigrations; i++) {
		m = &store_migrations[i];
		if ((has = schema_has(c, m->version)) == -1) {
			*errstr = xasprintf("schema: %s",
			    sqlite3_errmsg(c->db));
			return -1;
		}
		if (has)
			continue;
		if (store_conn_exec(c, "BEGIN IMMEDIATE", errstr) == -1)
			return -1;
		if (store_conn_exec(c, m->sql, &err) == -1) {
			*errstr = xasprintf("migration %03d_%s: %s",
			    m->version, m->name, err);
			free(err);
			store_conn_exec(c, "ROLLBACK", NULL);
			return -1;
		}
		if ((st = store_conn_stmt(c, sql_record)) == NULL ||
		    (sqlite3_bind_int(st, 1, m->version),
		    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC),
		    sqlite3_step(st)) != SQLITE_DONE ||
		    store_conn_exec(c, "COMMIT", errstr) == -1) {
			if (*errstr == NULL)
				*errstr = xasprintf("migration %03d_%s: %s",
				    m->version, m->name, sqlite3_errmsg(c->db));
			if (st != NULL)
				sqlite3_reset(st);
			store_conn_exec(c, "ROLLBACK", NULL);
			return -1;
		}
		sqlite3_reset(st);
	}
	return 0;
}

int
store_check_schema(struct store *s, char **errstr)
{
	struct store_conn *c = store_reader(s);
	sqlite3_stmt *st;
	int i, has, max, n;

	/* A database without the bootstrap table was never initialised. */
	if ((st = store_conn_stmt(c, sql_bootstrapped)) == NULL ||
	    sqlite3_step(st) != SQLITE_ROW) {
		if (st != NULL)
			sqlite3_reset(st);
		*errstr = xasprintf("database is not initialised: run "
		    "'examctl --db FILE init'");
		return -1;
	}
	sqlite3_reset(st);
	if ((st = store_conn_stmt(c, sql_max)) == NULL) {
		*errstr = xasprintf("schema: %s", sqlite3_errmsg(c->db));
		return -1;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		*errstr = xasprintf("schema: %s", sqlite3_errmsg(c->db));
		sqlite3_reset(st);
		return -1;
	}
	max = sqlite3_column_int(st, 0);
	n = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	if (max > store_schema_latest()) {
		*errstr = xasprintf("database schema version %d is newer than "
		    "this examd knows (%d): upgrade examd", max,
		    store_schema_latest());
		return -1;
	}
	for (i = 0; i < store_nmigrations; i++) {
		if ((has = schema_has(c, store_migrations[i].version)) != 1) {
			*errstr = xasprintf("database schema lacks migration "
			    "%03d_%s (%d of %d applied): run 'examctl --db "
			    "FILE init'", store_migrations[i].version,
			    store_migrations[i].name, n, store_nmigrations);
			return -1;
		}
	}
	return 0;
}
