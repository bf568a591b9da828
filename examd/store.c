#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "async.h"
#include "bounds.h"
#include "log.h"
#include "metrics.h"
#include "store_int.h"

struct store_wait {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 finished;
};

struct store_unit {
	store_work_fn		 work;
	store_done_fn		 done;
	void			*arg;
	int			 rc;
	char			*err;	/* the unit's store_tx_fail() text */
	struct store_wait	*wait;	/* store_run() from another thread */
	int			 own_arg;	/* freed after done */
	struct store_unit	*next;
};

/* A committed (or failed) batch travels back to the loop as one message. */
struct store_batch {
	struct store		*store;
	struct store_unit	*units;
};

struct store {
	char			*path;
	int			 flags;
	struct store_conn	*writer, *reader;
	struct async		*async;
	int			 max_batch;

	pthread_t		 thread;
	int			 running;

	/* Checkpoints run on their own thread so that commits never wait for them. */
	struct store_conn	*ckpt_conn;
	pthread_t		 ckpt_thread;
	pthread_mutex_t		 ckpt_mu;
	pthread_cond_t		 ckpt_cv;
	int			 ckpt_wanted, ckpt_stopping, ckpt_running;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct store_unit	*head, *tail;
	int			 queued;
	int			 stopping;
	_Atomic uint64_t	 sessions_gen;

	/* Outages: store_on_recovery()'s unit (under mu); out: writer. */
	store_work_fn		 recover_work;
	store_done_fn		 recover_done;
	void			*recover_arg;
	int			 out;
	struct timespec		 out_since;
	_Atomic int64_t		 out_wall_ms;	/* store_out_since() */
};

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_savepoint[] = "SAVEPOINT unit";
static const char sql_release[] = "RELEASE unit";
static const char sql_rollback_to[] = "ROLLBACK TO unit";

int
store_open(const char *path, int flags, struct store **out, char **errstr)
{
	struct store *s;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL)
		fatal("store_open");
	s->path = strdup(path);
	s->flags = flags;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_init(&s->ckpt_mu, NULL);
	pthread_cond_init(&s->ckpt_cv, NULL);
	if (store_conn_open(path, flags, &s->writer, errstr) == -1 ||
	    store_conn_open(path, (flags & ~STORE_CREATE) | STORE_READONLY,
	    &s->reader, errstr) == -1) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* Tells a thread waiting on cv to stop, and waits for it. */
static void
store_thread_stop(pthread_t t, pthread_mutex_t *mu, pthread_cond_t *cv,
    int *stopping, int *running)
{
	if (!*running)
		return;
	pthread_mutex_lock(mu);
	*stopping = 1;
	pthread_cond_signal(cv);
	pthread_mutex_unlock(mu);
	pthread_join(t, NULL);
	*running = 0;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	/* The writer first: its last commits may still wake the checkpointer. */
	store_thread_stop(s->thread, &s->mu, &s->cv, &s->stopping,
	    &s->running);
	store_thread_stop(s->ckpt_thread, &s->ckpt_mu, &s->ckpt_cv,
	    &s->ckpt_stopping, &s->ckpt_running);
	store_conn_close(s->ckpt_conn);
	store_conn_close(s->reader);
	store_conn_close(s->writer);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->ckpt_cv);
	pthread_mutex_destroy(&s->ckpt_mu);
	free(s->path);
	free(s);
}

struct store_conn *
store_reader(struct store *s)
{
	return s->reader;
}

struct store_conn *
store_writer_conn(struct store *s)
{
	return s->writer;
}

void
store_tx_fail(struct store_tx *tx, const char *fmt, ...)
{
	va_list ap;

	free(tx->err);
	va_start(ap, fmt);
	if (vasprintf(&tx->err, fmt, ap) == -1)
		tx->err = NULL;
	va_end(ap);
}

static int
store_step_simple(struct store_conn *c, const char *sql)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(c, sql)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Runs a list of units in one transaction, each inside a savepoint so that
 * a unit that fails leaves no trace while its neighbours stand. Sets each
 * unit's rc. If the transaction itself is lost (BEGIN or COMMIT fails, or
 * SQLite rolled it back after an I/O error or a full disk), every unit gets
 * STORE_ECOMMIT: none of them may be acknowledged.
 */
static int
store_commit_units(struct store *s, struct store_unit *units, int n)
{
	struct store_conn *c = s->writer;
	struct store_tx tx = { c, NULL, 0 };
	struct store_unit *u;
	struct timespec t0, t1;
	int lost = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_step_simple(c, sql_begin) == -1) {
		log_warnx("store: begin: %s", sqlite3_errmsg(c->db));
		lost = 1;
	}
	for (u = units; u != NULL && !lost; u = u->next) {
		if (store_step_simple(c, sql_savepoint) == -1) {
			lost = 1;
			break;
		}
		u->rc = u->work(&tx, u->arg);
		if (u->rc != STORE_OK) {
			u->err = tx.err;
			tx.err = NULL;
			if (sqlite3_get_autocommit(c->db)) {
				log_warnx("store: transaction lost: %s",
				    sqlite3_errmsg(c->db));
				lost = 1;
				break;
			}
			store_step_simple(c, sql_rollback_to);
		}
		free(tx.err);
		tx.err = NULL;
		if (store_step_simple(c, sql_release) == -1) {
			lost = 1;
			break;
		}
	}
	if (!lost && store_step_simple(c, sql_commit) == -1) {
		log_warnx("store: commit: %s", sqlite3_errmsg(c->db));
		lost = 1;
	}
	if (lost) {
		if (!sqlite3_get_autocommit(c->db))
			store_step_simple(c, sql_rollback);
		for (u = units; u != NULL; u = u->next)
			u->rc = STORE_ECOMMIT;
	}
	free(tx.err);
	/* After the commit: a reader that sees the old generation re-reads. */
	if (tx.sessions_changed)
		atomic_fetch_add(&s->sessions_gen, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_store_commit(n, (t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9, lost);
	return lost;
}

static void
store_batch_done(void *arg)
{
	struct store_batch *b = arg;
	struct store_unit *u, *next;

	for (u = b->units; u != NULL; u = next) {
		next = u->next;
		if (u->done != NULL)
			u->done(u->rc, u->arg);
		if (u->own_arg)
			free(u->arg);
		free(u->err);
		free(u);
	}
	free(b);
}

/* Hands store_run() units back to their threads; they own and free them. */
static void
store_wake_waiters(struct store_unit **list)
{
	struct store_unit *u, *next, **tail = list;

	for (u = *list; u != NULL; u = next) {
		next = u->next;
		if (u->wait == NULL) {
			*tail = u;
			tail = &u->next;
			continue;
		}
		pthread_mutex_lock(&u->wait->mu);
		u->wait->finished = 1;
		pthread_cond_signal(&u->wait->cv);
		pthread_mutex_unlock(&u->wait->mu);
	}
	*tail = NULL;
}

void
store_on_recovery(struct store *s, store_work_fn work, store_done_fn done,
    void *arg)
{
	pthread_mutex_lock(&s->mu);
	s->recover_work = work;
	s->recover_done = done;
	s->recover_arg = arg;
	pthread_mutex_unlock(&s->mu);
}

/*
 * While the store is out, the batch begins with the recovery unit (called
 * with mu held). Returns it, or NULL when there is none to run.
 */
/* The wall clock, in ms, at monotonic time `then` (in the past). */
static int64_t
store_wall_ms_at(const struct timespec *then)
{
	struct timespec mono, wall;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	return (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000 -
	    ((int64_t)(mono.tv_sec - then->tv_sec) * 1000 +
	    (mono.tv_nsec - then->tv_nsec) / 1000000);
}

static struct store_unit *
store_recovery_unit(struct store *s, struct store_unit **batch,
    const struct timespec *now)
{
	struct store_unit *u;
	struct store_outage *o;

	if (!s->out || s->recover_work == NULL)
		return NULL;
	if ((u = calloc(1, sizeof *u)) == NULL ||
	    (o = calloc(1, sizeof *o)) == NULL)
		fatal("store_recovery_unit");
	o->ms = (int64_t)(now->tv_sec - s->out_since.tv_sec) * 1000 +
	    (now->tv_nsec - s->out_since.tv_nsec) / 1000000;
	o->arg = s->recover_arg;
	u->work = s->recover_work;
	u->done = s->recover_done;
	u->arg = o;
	u->own_arg = 1;
	u->next = *batch;
	*batch = u;
	return u;
}

static int
store_probe_work(struct store_tx *tx, void *arg)
{
	char buf[32];

	(void)arg;
	snprintf(buf, sizeof buf, "%lld", (long long)time(NULL));
	return store_meta_put(tx, "outage_probe", buf) == 0 ? STORE_OK :
	    STORE_EFAIL;
}

/*
 * While out, a batch first tries a one-row commit. If even that fails the
 * batch is lost without running its units: the recovery unit's work (a
 * credit to every open part: about a second at 10,000) would be lost
 * with it, batch after batch, for as long as the disk is full.
 */
static int
store_probe(struct store *s)
{
	struct store_unit p;
	int lost;

	memset(&p, 0, sizeof p);
	p.work = store_probe_work;
	lost = store_commit_units(s, &p, 1);
	free(p.err);
	return lost || p.rc != STORE_OK ? -1 : 0;
}

static void *
store_writer_main(void *arg)
{
	struct store *s = arg;
	struct store_unit *batch, *last, *rec, *u;
	struct store_batch *b;
	struct timespec now;
	int n, lost;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->head == NULL && !s->stopping)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->head == NULL) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		/* Everything that queued while the last commit ran goes now. */
		batch = last = s->head;
		for (n = 1; n < s->max_batch && last->next != NULL; n++)
			last = last->next;
		s->head = last->next;
		if (s->head == NULL)
			s->tail = NULL;
		last->next = NULL;
		s->queued -= n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((rec = store_recovery_unit(s, &batch, &now)) != NULL)
			n++;
		pthread_mutex_unlock(&s->mu);

		if (rec != NULL && store_probe(s) == -1) {
			for (u = batch; u != NULL; u = u->next)
				u->rc = STORE_ECOMMIT;
			lost = 1;
		} else
			lost = store_commit_units(s, batch, n);
		if (lost && !s->out) {
			s->out = 1;
			s->out_since = now;
			atomic_store(&s->out_wall_ms, store_wall_ms_at(&now));
			log_warnx("store: out: nothing can be committed until "
			    "a batch commits again");
		} else if (!lost && s->out) {
			/* Saves are acknowledged again: a recovery that failed
			 * on its own is not run again with every batch. */
			s->out = 0;
			atomic_store(&s->out_wall_ms, 0);
			log_info("store: back: batches commit again");
		}
		store_wake_waiters(&batch);
		if (batch == NULL)
			continue;
		if ((b = malloc(sizeof *b)) == NULL)
			fatal("store_writer_main");
		b->store = s;
		b->units = batch;
		async_post(s->async, store_batch_done, b);
	}
}

/*
 * Runs on the writer thread after each commit, with the WAL's size in
 * pages. Past EXAMD_CHECKPOINT_PAGES it wakes the checkpointer: copying
 * pages back into the database (and its fsync) then happens beside the
 * commits instead of inside one of them, as SQLite's auto-checkpoint does.
 */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *s = arg;

	(void)db;
	(void)name;
	if (pages >= EXAMD_CHECKPOINT_PAGES) {
		pthread_mutex_lock(&s->ckpt_mu);
		s->ckpt_wanted = 1;
		pthread_cond_signal(&s->ckpt_cv);
		pthread_mutex_unlock(&s->ckpt_mu);
	}
	return SQLITE_OK;
}

static void *
store_ckpt_main(void *arg)
{
	struct store *s = arg;
	int logged, done, rc;

	for (;;) {
		pthread_mutex_lock(&s->ckpt_mu);
		while (!s->ckpt_wanted && !s->ckpt_stopping)
			pthread_cond_wait(&s->ckpt_cv, &s->ckpt_mu);
		if (s->ckpt_stopping) {
			pthread_mutex_unlock(&s->ckpt_mu);
			return NULL;
		}
		s->ckpt_wanted = 0;
		pthread_mutex_unlock(&s->ckpt_mu);
		/*
		 * PASSIVE: never blocks the writer or readers, and gives up
		 * with SQLITE_BUSY when a lock it needs is held at that
		 * moment (seen in bench_store at 256 submitters): nothing is
		 * lost, the WAL just waits for the next wake-up.
		 */
		rc = sqlite3_wal_checkpoint_v2(s->ckpt_conn->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &logged, &done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warnx("store: checkpoint: %s",
			    sqlite3_errmsg(s->ckpt_conn->db));
	}
}

int
store_start(struct store *s, struct async *async, int max_batch,
    char **errstr)
{
	s->async = async;
	s->max_batch = max_batch > 0 ? max_batch : EXAMD_MAX_BATCH;
	if (store_conn_open(s->path, s->flags & ~STORE_CREATE, &s->ckpt_conn,
	    errstr) == -1)
		return -1;
	sqlite3_wal_autocheckpoint(s->writer->db, 0);
	sqlite3_wal_hook(s->writer->db, store_wal_hook, s);
	if (pthread_create(&s->ckpt_thread, NULL, store_ckpt_main, s) != 0) {
		*errstr = xasprintf("store: cannot start the checkpoint thread");
		return -1;
	}
	s->ckpt_running = 1;
	if (pthread_create(&s->thread, NULL, store_writer_main, s) != 0) {
		*errstr = xasprintf("store: cannot start the writer thread");
		return -1;
	}
	s->running = 1;
	return 0;
}

/* Queues u for the writer; -1 when full or stopping and bounded is set. */
static int
store_enqueue(struct store *s, struct store_unit *u, int bounded)
{
	pthread_mutex_lock(&s->mu);
	if (bounded && (s->stopping || s->queued >= EXAMD_MAX_QUEUED)) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	if (s->tail != NULL)
		s->tail->next = u;
	else
		s->head = u;
	s->tail = u;
	s->queued++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int
store_submit(struct store *s, store_work_fn work, store_done_fn done,
    void *arg)
{
	struct store_unit *u;

	if ((u = calloc(1, sizeof *u)) == NULL)
		fatal("store_submit");
	u->work = work;
	u->done = done;
	u->arg = arg;
	if (store_enqueue(s, u, 1) == -1) {
		free(u);
		return -1;
	}
	return 0;
}

void
store_tx_sessions_changed(struct store_tx *tx)
{
	tx->sessions_changed = 1;
}

uint64_t
store_sessions_gen(struct store *s)
{
	return atomic_load(&s->sessions_gen);
}

int64_t
store_out_since(struct store *s)
{
	return atomic_load(&s->out_wall_ms);
}

int
store_queued(struct store *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->queued;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/*
 * store_run(): with no writer thread the unit runs here; with one, it is
 * queued like any other and the writer wakes us directly (not through the
 * loop, which the caller may be blocking at start-up).
 */
int
store_run(struct store *s, store_work_fn work, void *arg, char **errstr)
{
	struct store_wait w;
	struct store_unit *u;
	int rc;

	if ((u = calloc(1, sizeof *u)) == NULL)
		fatal("store_run");
	u->work = work;
	u->arg = arg;
	if (!s->running) {
		store_commit_units(s, u, 1);
	} else {
		memset(&w, 0, sizeof w);
		pthread_mutex_init(&w.mu, NULL);
		pthread_cond_init(&w.cv, NULL);
		u->wait = &w;
		store_enqueue(s, u, 0);
		pthread_mutex_lock(&w.mu);
		while (!w.finished)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
	}
	rc = u->rc;
	if (rc != STORE_OK && errstr != NULL)
		*errstr = rc == STORE_ECOMMIT ?
		    xasprintf("the database could not commit the change") :
		    u->err != NULL ? u->err : xasprintf("failed");
	else
		free(u->err);
	free(u);
	return rc;
}

int
store_backup(struct store *s, const char *outfile, char **errstr)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc, fd;

	if (access(outfile, F_OK) == 0) {
		*errstr = xasprintf("%s: already exists", outfile);
		return -1;
	}
	if (sqlite3_open_v2(outfile, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		*errstr = xasprintf("%s: %s", outfile, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return -1;
	}
	/* The backup API copies a consistent snapshot even while examd writes. */
	if ((b = sqlite3_backup_init(dst, "main", s->reader->db, "main")) ==
	    NULL) {
		*errstr = xasprintf("%s: %s", outfile, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		unlink(outfile);
		return -1;
	}
	while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK ||
	    rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(5);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		*errstr = xasprintf("%s: backup failed: %s", outfile,
		    sqlite3_errstr(rc));
		sqlite3_close(dst);
		unlink(outfile);
		return -1;
	}
	sqlite3_close(dst);
	/* The copy is only a backup once it is on disk. */
	if ((fd = open(outfile, O_RDONLY)) == -1 || fsync(fd) == -1) {
		*errstr = xasprintf("%s: fsync: %s", outfile, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static const char sql_meta_put[] =
    "INSERT INTO meta(key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?";

int
store_meta_put(struct store_tx *tx, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_conn_stmt(tx->conn, sql_meta_put)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_tx_fail(tx, "meta %s: %s", key,
		    sqlite3_errmsg(tx->conn->db));
		return -1;
	}
	return 0;
}

char *
store_meta_get(struct store *s, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if ((st = store_conn_stmt(s->reader, sql_meta_get)) == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return v;
}
