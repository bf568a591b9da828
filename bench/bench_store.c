/*
 * Durable commits per second and commit latency with N concurrent
 * submitters, group commit on and off, in one run. Each unit is an upsert
 * the size of an answer save. Prints one row per case and the ratios.
 *
 * usage: bench_store DIR [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "async.h"
#include "store.h"

struct bench;

struct submitter {
	struct bench	*b;
	int		 id;
	unsigned long	 seq;
	double		 t0;
};

struct bench {
	struct store	*store;
	struct event_base *base;
	double		 end;
	double		*lat;
	size_t		 nlat, caplat;
	int		 running;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
save_work(struct store_tx *tx, void *arg)
{
	struct submitter *s = arg;
	char key[32], value[64];

	snprintf(key, sizeof key, "bench-%d", s->id);
	snprintf(value, sizeof value, "{\"choice\":\"c%lu\",\"seq\":%lu}",
	    s->seq % 4, s->seq);
	return store_meta_put(tx, key, value) == 0 ? STORE_OK : STORE_EFAIL;
}

static void submit(struct submitter *);

static void
save_done(int rc, void *arg)
{
	struct submitter *s = arg;
	struct bench *b = s->b;
	double t = now();

	if (rc != STORE_OK) {
		fprintf(stderr, "bench: commit failed (%d)\n", rc);
		exit(1);
	}
	if (b->nlat == b->caplat) {
		b->caplat = b->caplat ? b->caplat * 2 : 65536;
		b->lat = realloc(b->lat, b->caplat * sizeof *b->lat);
	}
	b->lat[b->nlat++] = t - s->t0;
	if (t < b->end) {
		submit(s);
		return;
	}
	if (--b->running == 0)
		event_base_loopbreak(b->base);
}

static void
submit(struct submitter *s)
{
	s->seq++;
	s->t0 = now();
	if (store_submit(s->b->store, save_work, save_done, s) == -1) {
		fprintf(stderr, "bench: queue full\n");
		exit(1);
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
run(const char *dir, int nsub, int max_batch, double secs, double *p50,
    double *p99, double *p999)
{
	struct bench b;
	struct async *async;
	struct submitter *subs;
	char path[512], *err = NULL;
	double t0, rate;
	int i;

	snprintf(path, sizeof path, "%s/bench-%d-%d.db", dir, nsub, max_batch);
	remove(path);
	memset(&b, 0, sizeof b);
	if (store_open(path, STORE_CREATE, &b.store, &err) == -1 ||
	    store_migrate(b.store, &err) == -1) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	b.base = event_base_new();
	async = async_new(b.base);
	store_start(b.store, async, max_batch, &err);
	subs = calloc(nsub, sizeof *subs);
	t0 = now();
	b.end = t0 + secs;
	b.running = nsub;
	for (i = 0; i < nsub; i++) {
		subs[i].b = &b;
		subs[i].id = i;
		submit(&subs[i]);
	}
	event_base_loop(b.base, EVLOOP_NO_EXIT_ON_EMPTY);
	rate = b.nlat / (now() - t0);
	qsort(b.lat, b.nlat, sizeof *b.lat, cmp);
	*p50 = b.lat[b.nlat / 2] * 1e3;
	*p99 = b.lat[(size_t)(b.nlat * 0.99)] * 1e3;
	*p999 = b.lat[(size_t)(b.nlat * 0.999)] * 1e3;
	store_close(b.store);
	async_free(async);
	event_base_free(b.base);
	free(subs);
	free(b.lat);
	snprintf(path, sizeof path, "%s/bench-%d-%d.db", dir, nsub, max_batch);
	remove(path);
	return rate;
}

int
main(int argc, char **argv)
{
	const int subs[] = { 1, 16, 256 };
	double secs = argc > 2 ? atof(argv[2]) : 3, on, off, a, b, c, x, y, z;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_store DIR [SECONDS]\n");
		return 2;
	}
	evthread_use_pthreads();
	printf("durable commits (synchronous=FULL, WAL), %.0f s per case\n",
	    secs);
	printf("%-11s %-12s %10s %9s %9s %9s\n", "submitters", "group commit",
	    "commits/s", "p50 ms", "p99 ms", "p99.9 ms");
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		off = run(argv[1], subs[i], 1, secs, &x, &y, &z);
		printf("%-11d %-12s %10.0f %9.2f %9.2f %9.2f\n", subs[i], "off",
		    off, x, y, z);
		on = run(argv[1], subs[i], 0, secs, &a, &b, &c);
		printf("%-11d %-12s %10.0f %9.2f %9.2f %9.2f\n", subs[i], "on",
		    on, a, b, c);
		printf("%-11d ratio on/off: %.1fx throughput, p99 %.2fx\n",
		    subs[i], on / off, b / y);
	}
	return 0;
}
