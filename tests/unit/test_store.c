/*
 * The store's promises: migrations are idempotent, every submitted unit
 * gets exactly one answer, a failing unit leaves no trace beside its
 * neighbours, a batch that cannot be made durable is acknowledged to
 * nobody and leaves nothing behind, and the batch that ends an outage
 * begins with the recovery unit.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include <sqlite3.h>

#include "async.h"
#include "store.h"

struct fixture {
	char			 dir[64];
	char			 path[96];
	struct event_base	*base;
	struct async		*async;
	struct store		*store;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *err = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/examd-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	assert_int_equal(store_open(f->path, STORE_CREATE, &f->store, &err), 0);
	assert_int_equal(store_migrate(f->store, &err), 0);
	evthread_use_pthreads();
	f->base = event_base_new();
	f->async = async_new(f->base);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->store);
	async_free(f->async);
	event_base_free(f->base);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
test_migrate_is_idempotent(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;

	assert_int_equal(store_migrate(f->store, &err), 0);
	assert_int_equal(store_check_schema(f->store, &err), 0);
	assert_true(store_schema_latest() >= 1);
}

static int
page_size_of(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A new database has 1 KiB pages (a save's WAL frame); one made with
 * another size opens as it is. */
static void
test_page_size_of_new_and_old_databases(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	sqlite3 *db;
	char old[128], *err = NULL;

	assert_int_equal(page_size_of(f->path), 1024);
	snprintf(old, sizeof old, "%s/old.db", f->dir);
	assert_int_equal(sqlite3_open(old, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA page_size=4096; PRAGMA "
	    "journal_mode=WAL; CREATE TABLE t(x)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(old, 0, &s, &err), 0);
	store_close(s);
	assert_int_equal(page_size_of(old), 4096);
}

static void
test_open_refuses_a_missing_file(void **state)
{
	struct store *s = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(store_open("/nonexistent/x.db", 0, &s, &err), -1);
	assert_null(s);
	assert_non_null(strstr(err, "examctl"));
	free(err);
}

/* A unit that stores key=value, or fails after writing when asked. */
struct put {
	char		 key[32];
	char		*value;
	int		 fail;
	int		 rc;
	int		 answered;
	int		 order;		/* when its work ran, for ordering tests */
	int		*pending;
	struct event_base *base;
};

static int
put_work(struct store_tx *tx, void *arg)
{
	struct put *p = arg;

	if (store_meta_put(tx, p->key, p->value ? p->value : "v") == -1)
		return STORE_EFAIL;
	if (p->fail) {
		store_tx_fail(tx, "asked to fail");
		return STORE_EFAIL;
	}
	return STORE_OK;
}

static void
put_done(int rc, void *arg)
{
	struct put *p = arg;

	p->rc = rc;
	p->answered++;
	if (--*p->pending == 0)
		event_base_loopbreak(p->base);
}

static void
run_until_answered(struct fixture *f, int *pending)
{
	while (*pending > 0)
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
}

static void
test_concurrent_submitters_all_complete(void **state)
{
	struct fixture *f = *state;
	enum { N = 2000 };
	struct put *puts = calloc(N, sizeof *puts);
	char *err = NULL, *v;
	int i, pending = N;

	assert_int_equal(store_start(f->store, f->async, 0, &err), 0);
	for (i = 0; i < N; i++) {
		snprintf(puts[i].key, sizeof puts[i].key, "k%d", i);
		puts[i].pending = &pending;
		puts[i].base = f->base;
		assert_int_equal(store_submit(f->store, put_work, put_done,
		    &puts[i]), 0);
	}
	run_until_answered(f, &pending);
	for (i = 0; i < N; i++) {
		assert_int_equal(puts[i].answered, 1);
		assert_int_equal(puts[i].rc, STORE_OK);
		v = store_meta_get(f->store, puts[i].key);
		assert_non_null(v);
		free(v);
	}
	free(puts);
}

static void
test_failed_unit_leaves_no_trace_beside_its_neighbours(void **state)
{
	struct fixture *f = *state;
	struct put p[3];
	char *err = NULL, *v;
	int i, pending = 3;

	memset(p, 0, sizeof p);
	assert_int_equal(store_start(f->store, f->async, 0, &err), 0);
	for (i = 0; i < 3; i++) {
		snprintf(p[i].key, sizeof p[i].key, "n%d", i);
		p[i].fail = (i == 1);
		p[i].pending = &pending;
		p[i].base = f->base;
		assert_int_equal(store_submit(f->store, put_work, put_done,
		    &p[i]), 0);
	}
	run_until_answered(f, &pending);
	assert_int_equal(p[0].rc, STORE_OK);
	assert_int_equal(p[1].rc, STORE_EFAIL);
	assert_int_equal(p[2].rc, STORE_OK);
	assert_null(store_meta_get(f->store, "n1"));
	assert_non_null(v = store_meta_get(f->store, "n2"));
	free(v);
}

static void
test_store_run_waits_for_the_writer(void **state)
{
	struct fixture *f = *state;
	struct put p = { .key = "sync" };
	char *err = NULL, *v;

	assert_int_equal(store_start(f->store, f->async, 0, &err), 0);
	assert_int_equal(store_run(f->store, put_work, &p, &err), STORE_OK);
	assert_non_null(v = store_meta_get(f->store, "sync"));
	free(v);
	p.fail = 1;
	snprintf(p.key, sizeof p.key, "sync-fail");
	assert_int_equal(store_run(f->store, put_work, &p, &err), STORE_EFAIL);
	assert_string_equal(err, "asked to fail");
	free(err);
	assert_null(store_meta_get(f->store, "sync-fail"));
}

/*
 * A full disk, for real: the child lowers RLIMIT_FSIZE so the WAL cannot
 * grow, submits large units, and checks that every waiter hears
 * STORE_ECOMMIT and that a fresh connection finds none of them.
 */
static int
commit_failure_child(struct fixture *f)
{
	enum { N = 40 };
	struct put *p = calloc(N, sizeof *p);
	struct rlimit rl;
	struct store *check;
	char *err = NULL, *big, *v;
	int i, pending = N, bad = 0;

	signal(SIGXFSZ, SIG_IGN);
	big = malloc(256 * 1024);
	memset(big, 'x', 256 * 1024 - 1);
	big[256 * 1024 - 1] = '\0';
	if (store_start(f->store, f->async, 0, &err) == -1)
		return 10;
	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = 64 * 1024;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 11;
	for (i = 0; i < N; i++) {
		snprintf(p[i].key, sizeof p[i].key, "big%d", i);
		p[i].value = big;
		p[i].pending = &pending;
		p[i].base = f->base;
		if (store_submit(f->store, put_work, put_done, &p[i]) == -1)
			return 12;
	}
	run_until_answered(f, &pending);
	for (i = 0; i < N; i++)
		if (p[i].answered != 1 || (p[i].rc != STORE_ECOMMIT &&
		    p[i].rc != STORE_EFAIL))
			bad++;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_FSIZE, &rl);
	if (store_open(f->path, STORE_READONLY, &check, &err) == -1)
		return 13;
	for (i = 0; i < N; i++)
		if ((v = store_meta_get(check, p[i].key)) != NULL) {
			bad++;
			free(v);
		}
	store_close(check);
	free(big);
	free(p);
	return bad > 0 ? 1 : 0;
}

/*
 * Tests that lower the file-size limit run in a child, so that the limit
 * and the store they break stay there; the child's exit code says which
 * check failed.
 */
static void
in_child(struct fixture *f, int (*child)(struct fixture *))
{
	pid_t pid;
	int status;

	if ((pid = fork()) == 0)
		_exit(child(f));
	assert_int_not_equal(pid, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_commit_failure_reaches_every_waiter(void **state)
{
	in_child(*state, commit_failure_child);
}

/*
 * Outages: while the store is out a batch runs only after a probe commit
 * succeeds, and then begins with the recovery unit: the batch that ends
 * the outage runs it before the units queued with it.
 */
static int	order;		/* writer thread; read after the answers */

struct recovery {
	int	 calls, done_ok, done_failed, at_order;
	int	 fail;		/* the work fails on its own */
	int64_t	 ms;
};

static int
recovery_work(struct store_tx *tx, void *arg)
{
	struct store_outage *o = arg;
	struct recovery *r = o->arg;

	r->calls++;
	r->at_order = ++order;
	if (r->fail)
		return STORE_EFAIL;
	return store_meta_put(tx, "recovered", "yes") == 0 ? STORE_OK :
	    STORE_EFAIL;
}

static void
recovery_done(int rc, void *arg)
{
	struct store_outage *o = arg;
	struct recovery *r = o->arg;

	if (rc == STORE_OK) {
		r->done_ok++;
		r->ms = o->ms;
	} else
		r->done_failed++;
}

static int
ordered_work(struct store_tx *tx, void *arg)
{
	struct put *p = arg;

	p->order = ++order;
	return put_work(tx, arg);
}

static int
submit_one(struct fixture *f, struct put *p, const char *key)
{
	int pending = 1;

	memset(p, 0, sizeof *p);
	snprintf(p->key, sizeof p->key, "%s", key);
	p->pending = &pending;
	p->base = f->base;
	if (store_submit(f->store, ordered_work, put_done, p) == -1)
		return -1;
	run_until_answered(f, &pending);
	return p->rc;
}

/* The file-size limit: on 0, a full disk; on 1, room again. */
static int
room(int on)
{
	struct rlimit rl;

	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = on ? rl.rlim_max : 0;
	return setrlimit(RLIMIT_FSIZE, &rl);
}

/* Starts the writer with r as its recovery, on a full disk (no room). */
static int
start_full(struct fixture *f, struct recovery *r)
{
	char *err = NULL;

	signal(SIGXFSZ, SIG_IGN);
	store_on_recovery(f->store, recovery_work, recovery_done, r);
	if (store_start(f->store, f->async, 0, &err) == -1)
		return 10;
	return room(0) == -1 ? 11 : 0;
}

static int
recovery_child(struct fixture *f)
{
	struct recovery r = { 0 };
	struct put p;
	char *v;
	int rc;

	if ((rc = start_full(f, &r)) != 0)
		return rc;
	/* The first lost batch puts the store out: no recovery in it. */
	if (submit_one(f, &p, "a") != STORE_ECOMMIT || r.calls != 0)
		return 12;
	/* Out: the next batch carries the recovery, but its probe fails
	 * first, so neither runs; both are answered. */
	if (submit_one(f, &p, "b") != STORE_ECOMMIT || r.calls != 0 ||
	    p.order != 0 || r.done_failed != 1 || r.done_ok != 0)
		return 13;
	usleep(100 * 1000);
	room(1);
	/* Room: the recovery runs first, in the batch that commits. */
	if (submit_one(f, &p, "c") != STORE_OK || r.calls != 1 ||
	    r.done_ok != 1 || r.at_order >= p.order || r.ms < 100)
		return 14;
	/* Back: no more recovery units. */
	if (submit_one(f, &p, "d") != STORE_OK || r.calls != 1)
		return 15;
	if ((v = store_meta_get(f->store, "recovered")) == NULL)
		return 16;
	free(v);
	if ((v = store_meta_get(f->store, "b")) != NULL)
		return 17;
	return 0;
}

static void
test_recovery_leads_the_batch_that_ends_an_outage(void **state)
{
	in_child(*state, recovery_child);
}

/*
 * A recovery unit that fails on its own does not keep the store out: the
 * batch with it commits, and the next batch runs without it.
 */
static int
failed_recovery_child(struct fixture *f)
{
	struct recovery r = { .fail = 1 };
	struct put p;
	char *v;
	int rc;

	if ((rc = start_full(f, &r)) != 0)
		return rc;
	if (submit_one(f, &p, "a") != STORE_ECOMMIT)
		return 12;
	room(1);
	if (submit_one(f, &p, "b") != STORE_OK || r.calls != 1 ||
	    r.done_failed != 1 || r.done_ok != 0)
		return 13;
	if (submit_one(f, &p, "c") != STORE_OK || r.calls != 1)
		return 14;
	if ((v = store_meta_get(f->store, "b")) == NULL)
		return 15;
	free(v);
	return 0;
}

static void
test_failed_recovery_does_not_keep_the_store_out(void **state)
{
	in_child(*state, failed_recovery_child);
}

/*
 * Checkpoints run beside the writer: after writing four times the
 * checkpoint threshold in rounds, the WAL stays well below what was written.
 */
static void
test_wal_is_checkpointed_beside_the_writer(void **state)
{
	struct fixture *f = *state;
	enum { ROUNDS = 16, PER = 64, VALUE = 16 * 1024 };
	struct put *p = calloc(PER, sizeof *p);
	struct stat sb;
	char wal[128], *err = NULL, *big;
	int r, i, pending;

	big = malloc(VALUE);
	memset(big, 'w', VALUE - 1);
	big[VALUE - 1] = '\0';
	assert_int_equal(store_start(f->store, f->async, 0, &err), 0);
	for (r = 0; r < ROUNDS; r++) {
		pending = PER;
		for (i = 0; i < PER; i++) {
			snprintf(p[i].key, sizeof p[i].key, "w%d", i);
			p[i].value = big;
			p[i].answered = 0;
			p[i].pending = &pending;
			p[i].base = f->base;
			assert_int_equal(store_submit(f->store, put_work,
			    put_done, &p[i]), 0);
		}
		run_until_answered(f, &pending);
		usleep(20000);
	}
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_int_equal(stat(wal, &sb), 0);
	/* 16 MiB were written; without checkpoints the WAL would hold it all. */
	assert_true(sb.st_size < (off_t)ROUNDS * PER * VALUE / 2);
	free(big);
	free(p);
}

static void
test_backup_is_a_consistent_copy(void **state)
{
	struct fixture *f = *state;
	struct put p = { .key = "before-backup" };
	struct store *copy;
	char out[128], *err = NULL, *v;

	assert_int_equal(store_run(f->store, put_work, &p, &err), STORE_OK);
	snprintf(out, sizeof out, "%s/copy.db", f->dir);
	assert_int_equal(store_backup(f->store, out, &err), 0);
	assert_int_equal(store_backup(f->store, out, &err), -1);	/* exists */
	free(err);
	assert_int_equal(store_open(out, 0, &copy, &err), 0);
	assert_int_equal(store_check_schema(copy, &err), 0);
	assert_non_null(v = store_meta_get(copy, "before-backup"));
	free(v);
	store_close(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_page_size_of_new_and_old_databases,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_is_idempotent,
		    setup, teardown),
		cmocka_unit_test(test_open_refuses_a_missing_file),
		cmocka_unit_test_setup_teardown(
		    test_concurrent_submitters_all_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_unit_leaves_no_trace_beside_its_neighbours,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_store_run_waits_for_the_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_commit_failure_reaches_every_waiter, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_recovery_leads_the_batch_that_ends_an_outage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_recovery_does_not_keep_the_store_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_wal_is_checkpointed_beside_the_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_backup_is_a_consistent_copy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
