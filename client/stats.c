#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "stats.h"

void
stats_add(struct stats *s, double ms)
{
	double *m;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		if ((m = realloc(s->ms, s->cap * sizeof *m)) == NULL)
			fatal("stats_add");
		s->ms = m;
	}
	s->ms[s->n++] = ms;
}

void
stats_error(struct stats *s)
{
	s->errors++;
}

static int
stats_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
stats_pct(struct stats *s, double p)
{
	size_t i;

	if (s->n == 0)
		return 0;
	qsort(s->ms, s->n, sizeof *s->ms, stats_cmp);
	i = (size_t)(p * (s->n - 1) + 0.5);
	return s->ms[i < s->n ? i : s->n - 1];
}

void
stats_print_header(FILE *f)
{
	fprintf(f, "%-14s %9s %10s %8s %8s %8s %8s %7s\n", "kind", "n",
	    "per s", "p50 ms", "p99 ms", "p99.9", "max ms", "errors");
}

void
stats_print(FILE *f, struct stats *s, double seconds)
{
	fprintf(f, "%-14s %9zu %10.0f %8.2f %8.2f %8.2f %8.2f %7zu\n",
	    s->name, s->n, seconds > 0 ? s->n / seconds : 0,
	    stats_pct(s, 0.5), stats_pct(s, 0.99), stats_pct(s, 0.999),
	    stats_pct(s, 1.0), s->errors);
}

void
stats_free(struct stats *s)
{
	free(s->ms);
	s->ms = NULL;
	s->n = s->cap = 0;
}

double
stats_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
