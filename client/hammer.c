/*
 * examc hammer: N keep-alive connections each sending GET PATH back to
 * back for S seconds. The reference for every throughput figure: the
 * stack's ceiling over TLS, without disk.
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "examc.h"
#include "httpc.h"
#include "log.h"
#include "stats.h"

struct hammer;

struct hammer_conn {
	struct hammer	*h;
	struct httpc	*c;
	double		 t0;
};

struct hammer {
	struct examc	*ex;
	const char	*path;
	double		 secs, start, end;
	int		 running;
	int		 warming;	/* connections still on their first request */
	struct hammer_conn *conns;
	int		 nconns;
	struct stats	 st;
};

static void hammer_send(struct hammer_conn *);
static void hammer_done(int, const char *, size_t, void *);

/*
 * The first request on each connection pays for the TLS handshake: it is
 * not measured. The clock starts when every connection is up.
 */
static void
hammer_warm(int status, const char *body, size_t len, void *arg)
{
	struct hammer_conn *hc = arg;
	struct hammer *h = hc->h;
	int i;

	(void)body;
	(void)len;
	if (status != 200)
		fatalx("warm-up request failed (status %d)", status);
	if (--h->warming > 0)
		return;
	h->start = stats_now();
	h->end = h->start + h->secs;
	for (i = 0; i < h->nconns; i++)
		hammer_send(&h->conns[i]);
}

static void
hammer_done(int status, const char *body, size_t len, void *arg)
{
	struct hammer_conn *hc = arg;
	struct hammer *h = hc->h;
	double t = stats_now();

	(void)body;
	(void)len;
	if (status == 200)
		stats_add(&h->st, (t - hc->t0) * 1e3);
	else
		stats_error(&h->st);
	if (t >= h->end || status == 0) {
		if (--h->running == 0)
			event_base_loopbreak(h->ex->base);
		return;
	}
	hammer_send(hc);
}

static void
hammer_send(struct hammer_conn *hc)
{
	hc->t0 = stats_now();
	if (httpc_request(hc->c, "GET", hc->h->path, NULL, NULL, 0,
	    hammer_done, hc) == -1) {
		stats_error(&hc->h->st);
		if (--hc->h->running == 0)
			event_base_loopbreak(hc->h->ex->base);
	}
}

int
examc_hammer(struct examc *ex, int argc, char **argv)
{
	struct hammer h = { 0 };
	struct hammer_conn *conns;
	long n = examc_opt_long(argc, argv, "--conns", 100, 1, 100000);
	long secs = examc_opt_long(argc, argv, "--seconds", 5, 1, 3600);
	double t0;
	long i;

	h.ex = ex;
	h.path = examc_opt(argc, argv, "--path");
	if (h.path == NULL)
		h.path = "/healthz";
	h.st.name = h.path;
	if ((conns = calloc(n, sizeof *conns)) == NULL)
		fatal("hammer");
	h.secs = secs;
	h.conns = conns;
	h.nconns = h.running = h.warming = n;
	for (i = 0; i < n; i++) {
		conns[i].h = &h;
		if ((conns[i].c = httpc_new(ex->base, ex->ctx, ex->host,
		    ex->port)) == NULL ||
		    httpc_request(conns[i].c, "GET", h.path, NULL, NULL, 0,
		    hammer_warm, &conns[i]) == -1)
			fatalx("cannot create a connection");
	}
	event_base_loop(ex->base, EVLOOP_NO_EXIT_ON_EMPTY);
	t0 = stats_now() - h.start;
	printf("%ld connections, %.1f s\n", n, t0);
	stats_print_header(stdout);
	stats_print(stdout, &h.st, t0);
	for (i = 0; i < n; i++)
		httpc_free(conns[i].c);
	free(conns);
	i = h.st.n == 0 || h.st.errors > 0;
	stats_free(&h.st);
	return (int)i;
}
