/*
 * Counters and histograms for GET /metrics (Prometheus text format).
 * Thread-safe: the loop records requests, the writer thread commits.
 */
#ifndef EXAMD_METRICS_H
#define EXAMD_METRICS_H

#include <stddef.h>

struct evbuffer;

void	metrics_request(const char *route, int status, double seconds);
void	metrics_connections(int delta);
void	metrics_loop_lag(double seconds);
void	metrics_store_commit(int batch, double seconds, int failed);
/* A gauge sampled when /metrics is read. */
typedef double (*metrics_gauge_fn)(void *arg);
void	metrics_gauge(const char *name, const char *help, metrics_gauge_fn, void *arg);
void	metrics_render(struct evbuffer *out);
int	metrics_open_connections(void);
/* Frees what metrics_gauge and metrics_request allocated (tests, shutdown). */
void	metrics_reset(void);

#endif
