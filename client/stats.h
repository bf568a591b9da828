/* Latency samples per request kind, and their percentiles. */
#ifndef EXAMD_STATS_H
#define EXAMD_STATS_H

#include <stddef.h>
#include <stdio.h>

struct stats {
	const char	*name;
	double		*ms;
	size_t		 n, cap;
	size_t		 errors;
};

void	stats_add(struct stats *, double ms);
void	stats_error(struct stats *);
/* p in [0,1]; sorts in place. */
double	stats_pct(struct stats *, double p);
/* "NAME  n  rate/s  p50  p99  p99.9  max  errors" */
void	stats_print(FILE *, struct stats *, double seconds);
void	stats_print_header(FILE *);
void	stats_free(struct stats *);
double	stats_now(void);	/* monotonic seconds */

#endif
