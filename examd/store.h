/*
 * The storage interface: the only way into the database. All SQL lives in
 * store*.c behind it, so that another backend can follow.
 *
 * Threads: one writer thread owns the write connection and commits units of
 * work in batches (group commit). The event loop submits a unit with
 * store_submit() and gets its done callback on the loop once the batch that
 * holds it is durable (synchronous=FULL) or has failed. Reads that the loop
 * makes go through a separate read connection (store_reader()), which WAL
 * lets run beside the writer.
 *
 * Errors: functions return 0 or -1; where a char **errstr is taken, a
 * message for a person is stored there on failure and the caller frees it.
 */
#ifndef EXAMD_STORE_H
#define EXAMD_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_tx;
struct async;

/* Result codes a unit of work's done callback may receive. */
#define STORE_OK	 0
#define STORE_EFAIL	-1	/* the unit itself failed; its changes were rolled back */
#define STORE_ECOMMIT	-2	/* the batch could not be made durable: nothing of it is stored */
#define STORE_EBUSY	-3	/* queue full or store shutting down: not attempted */
/* Units may return positive codes of their own; their changes are rolled back too. */

/* Runs on the writer thread inside the batch's transaction. */
typedef int	(*store_work_fn)(struct store_tx *, void *arg);
/* Runs on the loop thread after the batch is durable or failed. */
typedef void	(*store_done_fn)(int rc, void *arg);

#define STORE_CREATE	0x01	/* create the file if missing (examctl init) */
#define STORE_READONLY	0x02	/* examctl reports, backup source */

int	store_open(const char *path, int flags, struct store **, char **errstr);
/* Stops the writer after it has committed everything queued. NULL-safe. */
void	store_close(struct store *);

/* Migrations: apply the missing ones (idempotent), or check none is missing. */
int	store_migrate(struct store *, char **errstr);
int	store_check_schema(struct store *, char **errstr);
int	store_schema_latest(void);

/*
 * Starts the writer thread; completions are posted to async. max_batch 1
 * turns group commit off (benchmarks).
 */
int	store_start(struct store *, struct async *, int max_batch, char **errstr);
/* Loop thread. -1 (and done is never called) when the queue is full. */
int	store_submit(struct store *, store_work_fn, store_done_fn, void *arg);
/*
 * Runs one unit in its own durable transaction and waits for it: for
 * examctl and for start-up, never from a loop callback. Returns the unit's
 * code or a STORE_E* code.
 */
int	store_run(struct store *, store_work_fn, void *arg, char **errstr);
/* The reason the unit running now failed; the unit returns STORE_EFAIL after. */
void	store_tx_fail(struct store_tx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The failure text of the last store_run() unit, if any (owned by the store). */

/*
 * Sessions changed: a unit that revokes one calls store_tx_sessions_changed();
 * once that batch is committed, store_sessions_gen() moves, from any thread.
 * Caches of sessions compare generations (see session_cache.h).
 */
void	 store_tx_sessions_changed(struct store_tx *);
uint64_t store_sessions_gen(struct store *);

/*
 * Outages: a batch that cannot be committed (full disk, I/O error) puts
 * the store out until a batch commits again. Every batch while out begins
 * with a unit of the work given here, so that what has to follow an outage
 * (delivery's time credit) is stored before anything else of the batch
 * that ends it, and with it. Work and done get a struct store_outage made
 * for that unit, freed by the store after done. While out, each batch is
 * preceded by a one-row probe commit; when that fails, the batch is
 * answered STORE_ECOMMIT without running. The outage ends when a batch
 * commits (a recovery unit that failed on its own is not run again: its
 * done callback says so). Any thread, any time; NULL work: none (no
 * probe; an outage then ends at the next commit).
 */
struct store_outage {
	int64_t	 ms;	/* since the first lost batch began (monotonic) */
	int64_t	 at;	/* the work's own: its "now", for done to see */
	void	*mine;	/* the work's own, for done to see; done frees it */
	void	*arg;	/* store_on_recovery()'s */
};
void	store_on_recovery(struct store *, store_work_fn, store_done_fn,
	    void *arg);
/* Wall-clock ms when the store went out (the first lost batch began), 0
 * while it commits. Any thread. */
int64_t	store_out_since(struct store *);

/* Units waiting for the writer: for metrics and back-pressure. */
int	store_queued(struct store *);

/* Consistent online copy, fsynced, through SQLite's backup API. */
int	store_backup(struct store *, const char *outfile, char **errstr);

/* Small key/value facts about this database (heartbeat, instance id). */
int	store_meta_put(struct store_tx *, const char *key, const char *value);
/* Read connection; returns a malloc'd copy or NULL when absent. */
char	*store_meta_get(struct store *, const char *key);

#endif
