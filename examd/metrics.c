#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "log.h"
#include "metrics.h"

#define METRICS_NBUCKETS	12
#define METRICS_MAX_GAUGES	16

/* Latency buckets (seconds): 0.5 ms to 5 s covers a save and a report. */
static const double metrics_le[METRICS_NBUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5
};
static const double metrics_batch_le[METRICS_NBUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096
};

struct histogram {
	unsigned long	 bucket[METRICS_NBUCKETS];
	unsigned long	 count;
	double		 sum;
};

struct req_counter {
	char			*route;
	int			 status;
	unsigned long		 n;
	struct req_counter	*next;
};

struct gauge {
	const char		*name, *help;
	metrics_gauge_fn	 fn;
	void			*arg;
};

static pthread_mutex_t metrics_mu = PTHREAD_MUTEX_INITIALIZER;
static struct req_counter *metrics_reqs;
static struct histogram metrics_req_latency, metrics_commit_latency,
    metrics_batch, metrics_lag;
static unsigned long metrics_commit_failures;
static int metrics_conns;
static double metrics_lag_max;
static struct gauge metrics_gauges[METRICS_MAX_GAUGES];
static int metrics_ngauges;

static void
histogram_add(struct histogram *h, const double *le, double v)
{
	int i;

	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (v <= le[i])
			h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void
metrics_request(const char *route, int status, double seconds)
{
	struct req_counter *c;

	pthread_mutex_lock(&metrics_mu);
	for (c = metrics_reqs; c != NULL; c = c->next)
		if (c->status == status && strcmp(c->route, route) == 0)
			break;
	if (c == NULL) {
		if ((c = calloc(1, sizeof *c)) == NULL ||
		    (c->route = strdup(route)) == NULL)
			fatal("metrics_request");
		c->status = status;
		c->next = metrics_reqs;
		metrics_reqs = c;
	}
	c->n++;
	histogram_add(&metrics_req_latency, metrics_le, seconds);
	pthread_mutex_unlock(&metrics_mu);
}

void
metrics_connections(int delta)
{
	pthread_mutex_lock(&metrics_mu);
	metrics_conns += delta;
	pthread_mutex_unlock(&metrics_mu);
}

int
metrics_open_connections(void)
{
	int n;

	pthread_mutex_lock(&metrics_mu);
	n = metrics_conns;
	pthread_mutex_unlock(&metrics_mu);
	return n;
}

void
metrics_loop_lag(double seconds)
{
	pthread_mutex_lock(&metrics_mu);
	histogram_add(&metrics_lag, metrics_le, seconds);
	if (seconds > metrics_lag_max)
		metrics_lag_max = seconds;
	pthread_mutex_unlock(&metrics_mu);
}

void
metrics_store_commit(int batch, double seconds, int failed)
{
	pthread_mutex_lock(&metrics_mu);
	histogram_add(&metrics_commit_latency, metrics_le, seconds);
	histogram_add(&metrics_batch, metrics_batch_le, batch);
	if (failed)
		metrics_commit_failures++;
	pthread_mutex_unlock(&metrics_mu);
}

void
metrics_gauge(const char *name, const char *help, metrics_gauge_fn fn,
    void *arg)
{
	pthread_mutex_lock(&metrics_mu);
	if (metrics_ngauges < METRICS_MAX_GAUGES)
		metrics_gauges[metrics_ngauges++] =
		    (struct gauge){ name, help, fn, arg };
	pthread_mutex_unlock(&metrics_mu);
}

static void
histogram_render(struct evbuffer *out, const char *name, const char *help,
    const struct histogram *h, const double *le)
{
	int i;

	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name,
	    help, name);
	for (i = 0; i < METRICS_NBUCKETS; i++)
		evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %lu\n", name,
		    le[i], h->bucket[i]);
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %.6f\n"
	    "%s_count %lu\n", name, h->count, name, h->sum, name, h->count);
}

void
metrics_render(struct evbuffer *out)
{
	struct req_counter *c;
	int i;

	pthread_mutex_lock(&metrics_mu);
	evbuffer_add_printf(out, "# HELP examd_requests_total HTTP requests "
	    "by route and status.\n# TYPE examd_requests_total counter\n");
	for (c = metrics_reqs; c != NULL; c = c->next)
		evbuffer_add_printf(out, "examd_requests_total{route=\"%s\","
		    "status=\"%d\"} %lu\n", c->route, c->status, c->n);
	histogram_render(out, "examd_request_duration_seconds",
	    "Time from request read to reply queued.", &metrics_req_latency,
	    metrics_le);
	evbuffer_add_printf(out, "# HELP examd_open_connections Open client "
	    "connections.\n# TYPE examd_open_connections gauge\n"
	    "examd_open_connections %d\n", metrics_conns);
	histogram_render(out, "examd_loop_lag_seconds",
	    "Delay of a periodic event-loop timer beyond its due time.",
	    &metrics_lag, metrics_le);
	evbuffer_add_printf(out, "# HELP examd_loop_lag_max_seconds Largest "
	    "event-loop lag seen.\n# TYPE examd_loop_lag_max_seconds gauge\n"
	    "examd_loop_lag_max_seconds %.6f\n", metrics_lag_max);
	histogram_render(out, "examd_store_commit_seconds",
	    "Duration of one group commit, fsync included.",
	    &metrics_commit_latency, metrics_le);
	histogram_render(out, "examd_store_batch_size",
	    "Units of work per group commit.", &metrics_batch,
	    metrics_batch_le);
	evbuffer_add_printf(out, "# HELP examd_store_commit_failures_total "
	    "Batches that could not be made durable.\n# TYPE "
	    "examd_store_commit_failures_total counter\n"
	    "examd_store_commit_failures_total %lu\n", metrics_commit_failures);
	for (i = 0; i < metrics_ngauges; i++)
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n",
		    metrics_gauges[i].name, metrics_gauges[i].help,
		    metrics_gauges[i].name, metrics_gauges[i].name,
		    metrics_gauges[i].fn(metrics_gauges[i].arg));
	pthread_mutex_unlock(&metrics_mu);
}

void
metrics_reset(void)
{
	struct req_counter *c, *next;

	pthread_mutex_lock(&metrics_mu);
	for (c = metrics_reqs; c != NULL; c = next) {
		next = c->next;
		free(c->route);
		free(c);
	}
	metrics_reqs = NULL;
	metrics_ngauges = 0;
	pthread_mutex_unlock(&metrics_mu);
}
