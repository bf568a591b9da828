#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "store_int.h"

int
store_conn_open(const char *path, int flags, struct store_conn **out,
    char **errstr)
{
	struct store_conn *c;
	struct stat sb;
	int oflags;
	char *err = NULL;

	*out = NULL;
	if (!(flags & STORE_CREATE) && stat(path, &sb) == -1) {
		*errstr = xasprintf("database %s does not exist: run "
		    "'examctl --db %s init' first", path, path);
		return -1;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		fatal("store_conn_open");
	oflags = SQLITE_OPEN_NOMUTEX;
	if (flags & STORE_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		    ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &c->db, oflags, NULL) != SQLITE_OK) {
		*errstr = xasprintf("database %s: %s", path,
		    c->db ? sqlite3_errmsg(c->db) : "cannot open");
		store_conn_close(c);
		return -1;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	/*
	 * Durability: synchronous does not persist, so every connection sets
	 * it. FULL makes an acknowledged commit survive power loss, not only a
	 * crash of examd.
	 *
	 * Pages of 1 KiB (a new database only: the size is fixed once the WAL
	 * header is written, and the pragma is a no-op after): an answer save
	 * changes one row, so each save costs the WAL one page, its checksum
	 * and the checkpoint's copy of it. At 4 KiB that was a fifth of the
	 * writer's instructions per save (callgrind: writer 85,000 -> 68,000,
	 * sqlite3WalFrames 8,200 -> 2,400) and 4x the bytes written.
	 */
	if (sqlite3_exec(c->db, (flags & STORE_READONLY) ?
	    "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;" :
	    "PRAGMA page_size=1024; PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL,
	    &err) != SQLITE_OK) {
		*errstr = xasprintf("database %s: %s", path,
		    err ? err : sqlite3_errmsg(c->db));
		sqlite3_free(err);
		store_conn_close(c);
		return -1;
	}
	/* Reading the schema proves the file is a database at all. */
	if (sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_schema", NULL,
	    NULL, &err) != SQLITE_OK) {
		*errstr = xasprintf("database %s: %s", path,
		    err ? err : sqlite3_errmsg(c->db));
		sqlite3_free(err);
		store_conn_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void
store_conn_close(struct store_conn *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	free(c->cache);
	sqlite3_close(c->db);
	free(c);
}

sqlite3_stmt *
store_conn_stmt(struct store_conn *c, const char *sql)
{
	struct store_stmt_slot *slot;
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < c->ncache; i++)
		if (c->cache[i].sql == sql) {
			st = c->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("store: prepare failed: %s: %s", sqlite3_errmsg(c->db),
		    sql);
		return NULL;
	}
	if (c->ncache == c->cachecap) {
		c->cachecap = c->cachecap ? c->cachecap * 2 : 32;
		slot = reallocarray(c->cache, c->cachecap, sizeof *slot);
		if (slot == NULL)
			fatal("store_conn_stmt");
		c->cache = slot;
	}
	c->cache[c->ncache].sql = sql;
	c->cache[c->ncache].st = st;
	c->ncache++;
	return st;
}

int
store_conn_exec(struct store_conn *c, const char *sql, char **errstr)
{
	char *err = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		if (errstr != NULL)
			*errstr = xasprintf("%s", err ? err :
			    sqlite3_errmsg(c->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
store_conn_step(struct store_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		log_warnx("store: %s", sqlite3_errmsg(c->db));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_tx_step(struct store_tx *tx, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st), ext;

	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	ext = sqlite3_extended_errcode(tx->conn->db);
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return 1;
	store_tx_fail(tx, "%s", sqlite3_errmsg(tx->conn->db));
	return -1;
}

sqlite3_stmt *
store_tx_stmt(struct store_tx *tx, const char *sql)
{
	sqlite3_stmt *st = store_conn_stmt(tx->conn, sql);

	if (st == NULL)
		store_tx_fail(tx, "%s", sqlite3_errmsg(tx->conn->db));
	return st;
}
