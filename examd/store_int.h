/*
 * Private to store*.c: connections with their prepared-statement caches.
 * Statements are prepared once per connection (keyed by the SQL text) and
 * finalized in one place, store_conn_close().
 */
#ifndef EXAMD_STORE_INT_H
#define EXAMD_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

struct store_stmt_slot {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct store_conn {
	sqlite3			*db;
	struct store_stmt_slot	*cache;
	int			 ncache, cachecap;
};

struct store_tx {
	struct store_conn	*conn;
	char			*err;	/* set by store_tx_fail() */
	int			 sessions_changed;
};

/* Opens with the per-connection pragmas (WAL, synchronous=FULL, foreign keys). */
int		 store_conn_open(const char *path, int flags, struct store_conn **, char **errstr);
void		 store_conn_close(struct store_conn *);
/* Prepared statement for sql, reset with bindings cleared; NULL (logged) on error. */
sqlite3_stmt	*store_conn_stmt(struct store_conn *, const char *sql);
int		 store_conn_exec(struct store_conn *, const char *sql, char **errstr);
/*
 * Steps a read once: 1 on a row (not reset: read the columns, then reset),
 * 0 when done, -1 on error (logged); reset on 0 and -1.
 */
int		 store_conn_step(struct store_conn *, sqlite3_stmt *);
/*
 * Runs a write to completion and resets it: 0, 1 (STORE_DUP) on a unique or
 * primary key clash, -1 after store_tx_fail().
 */
int		 store_tx_step(struct store_tx *, sqlite3_stmt *);
/* A statement on the unit's connection; NULL after store_tx_fail(). */
sqlite3_stmt	*store_tx_stmt(struct store_tx *, const char *sql);

/* The loop's read connection. */
struct store_conn *store_reader(struct store *);
/* The write connection, when no writer thread runs (examctl). */
struct store_conn *store_writer_conn(struct store *);

/* Migrations embedded from examd/schema/NNN_name.sql by the build. */
struct store_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
extern const struct store_migration store_migrations[];
extern const int store_nmigrations;

#endif
