#include <pthread.h>
#include <stdlib.h>

#include "async.h"
#include "log.h"

struct pool_job {
	async_fn		 job, done;
	void			*arg;
	struct pool_job		*next;
};

struct pool {
	struct async		*async;
	pthread_t		*threads;
	int			 nthreads;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct pool_job		*head, *tail;
	int			 pending;
	int			 stopping;
};

static void *
pool_main(void *arg)
{
	struct pool *p = arg;
	struct pool_job *j;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if ((j = p->head) == NULL) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		if ((p->head = j->next) == NULL)
			p->tail = NULL;
		p->pending--;
		pthread_mutex_unlock(&p->mu);

		j->job(j->arg);
		if (j->done != NULL)
			async_post(p->async, j->done, j->arg);
		free(j);
	}
}

struct pool *
pool_new(struct async *async, int nthreads)
{
	struct pool *p;
	int i;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	p->async = async;
	p->nthreads = nthreads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if ((p->threads = calloc(nthreads, sizeof *p->threads)) == NULL)
		fatal("pool_new");
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&p->threads[i], NULL, pool_main, p) != 0)
			fatalx("pool_new: cannot start a worker thread");
	return p;
}

void
pool_free(struct pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void
pool_submit(struct pool *p, async_fn job, async_fn done, void *arg)
{
	struct pool_job *j;

	if ((j = malloc(sizeof *j)) == NULL)
		fatal("pool_submit");
	j->job = job;
	j->done = done;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->pending++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int
pool_pending(struct pool *p)
{
	int n;

	pthread_mutex_lock(&p->mu);
	n = p->pending;
	pthread_mutex_unlock(&p->mu);
	return n;
}
