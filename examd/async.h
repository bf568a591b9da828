/*
 * Handing work back to the event loop from other threads. A thread calls
 * async_post(); the function then runs on the loop thread, in order, on a
 * later loop turn. This is the only way results cross into the loop.
 */
#ifndef EXAMD_ASYNC_H
#define EXAMD_ASYNC_H

struct event_base;
struct async;

typedef void (*async_fn)(void *arg);

/* Requires evthread_use_pthreads() before the base was made. */
struct async	*async_new(struct event_base *base);
/* Runs what is still queued, then frees. NULL-safe. */
void		 async_free(struct async *);
/* Thread-safe. Never fails: the queue is a linked list. */
void		 async_post(struct async *, async_fn fn, void *arg);

/*
 * A bounded pool of worker threads for CPU-heavy or blocking jobs
 * (password hashing, reports). job runs on a worker; done runs on the loop
 * afterwards with the same arg.
 */
struct pool;
struct pool	*pool_new(struct async *, int nthreads);
/* Finishes queued jobs, joins the threads, frees. NULL-safe. */
void		 pool_free(struct pool *);
void		 pool_submit(struct pool *, async_fn job, async_fn done, void *arg);
/* Jobs queued and not yet started: for metrics and back-pressure. */
int		 pool_pending(struct pool *);

#endif
