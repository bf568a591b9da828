#include <pthread.h>
#include <stdlib.h>

#include <event2/event.h>

#include "async.h"
#include "log.h"

struct async_msg {
	async_fn		 fn;
	void			*arg;
	struct async_msg	*next;
};

struct async {
	struct event		*ev;
	pthread_mutex_t		 mu;
	struct async_msg	*head, *tail;
};

static void
async_run(evutil_socket_t fd, short what, void *arg)
{
	struct async *a = arg;
	struct async_msg *m, *next;

	(void)fd;
	(void)what;
	/* Take the whole list at once so posters never wait on our callbacks. */
	pthread_mutex_lock(&a->mu);
	m = a->head;
	a->head = a->tail = NULL;
	pthread_mutex_unlock(&a->mu);
	for (; m != NULL; m = next) {
		next = m->next;
		m->fn(m->arg);
		free(m);
	}
}

struct async *
async_new(struct event_base *base)
{
	struct async *a;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return NULL;
	pthread_mutex_init(&a->mu, NULL);
	if ((a->ev = event_new(base, -1, 0, async_run, a)) == NULL) {
		pthread_mutex_destroy(&a->mu);
		free(a);
		return NULL;
	}
	return a;
}

void
async_free(struct async *a)
{
	if (a == NULL)
		return;
	async_run(-1, 0, a);
	event_free(a->ev);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

void
async_post(struct async *a, async_fn fn, void *arg)
{
	struct async_msg *m;

	if ((m = malloc(sizeof *m)) == NULL)
		fatal("async_post");
	m->fn = fn;
	m->arg = arg;
	m->next = NULL;
	pthread_mutex_lock(&a->mu);
	if (a->tail != NULL)
		a->tail->next = m;
	else
		a->head = m;
	a->tail = m;
	pthread_mutex_unlock(&a->mu);
	/* Thread-safe with evthread_use_pthreads(); activating twice is harmless. */
	event_active(a->ev, 0, 0);
}
