#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bounds.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "server.h"

#define EVENTS_BUCKETS	4096

struct ev_sub {
	struct http_stream	*st;
	struct ev_topic		*topic;
	struct ev_sub		*prev, *next;
	struct events		*hub;
	void			(*closed)(struct server *, const char *);
};

struct ev_msg {
	uint64_t	 id;
	char		*text;		/* the whole "id:..\nevent:..\ndata:..\n\n" */
	size_t		 len;
};

struct ev_topic {
	char			*name;
	struct ev_sub		*subs;
	struct ev_msg		 ring[EXAMD_STREAM_RING];
	int			 nring, head;	/* head: next slot */
	uint64_t		 dropped_upto;	/* ids <= this fell off the ring */
	struct ev_topic		*next;
};

struct events {
	struct server		*srv;
	struct ev_topic		*buckets[EVENTS_BUCKETS];
	struct event		*heartbeat;
	uint64_t		 next_id;
	uint64_t		 boot_id;	/* ids below this are from before a restart */
	int			 nsubs;
};

static unsigned
ev_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % EVENTS_BUCKETS;
}

static struct ev_topic *
ev_topic(struct events *hub, const char *name, int create)
{
	struct ev_topic **t;

	for (t = &hub->buckets[ev_hash(name)]; *t != NULL; t = &(*t)->next)
		if (strcmp((*t)->name, name) == 0)
			return *t;
	if (!create)
		return NULL;
	if ((*t = calloc(1, sizeof **t)) == NULL ||
	    ((*t)->name = strdup(name)) == NULL)
		fatal("ev_topic");
	return *t;
}

static void
ev_unlink(struct ev_sub *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		s->topic->subs = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->hub->nsubs--;
}

/* The client went away: evhttp is freeing the connection. */
static void
ev_closed(void *arg)
{
	struct ev_sub *s = arg;

	ev_unlink(s);
	if (s->closed != NULL)
		s->closed(s->hub->srv, s->topic->name);
	free(s);
}

static void
ev_send(struct ev_sub *s, const char *text, size_t len)
{
	if (http_stream_write(s->st, text, len) == -1) {
		log_debug("events: dropping a stalled reader on %s",
		    s->topic->name);
		http_stream_abort(s->st);	/* ev_closed follows */
	}
}

static void
ev_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct events *hub = arg;
	struct ev_topic *t;
	struct ev_sub *s, *next;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < EVENTS_BUCKETS; i++)
		for (t = hub->buckets[i]; t != NULL; t = t->next)
			for (s = t->subs; s != NULL; s = next) {
				next = s->next;
				ev_send(s, ":\n\n", 3);
			}
}

static double
ev_gauge(void *arg)
{
	return ((struct events *)arg)->nsubs;
}

int
events_init(struct server *srv, char **errstr)
{
	struct events *hub;
	struct timeval tv = { EXAMD_STREAM_HEARTBEAT, 0 };
	struct timespec now;

	(void)errstr;
	if ((hub = calloc(1, sizeof *hub)) == NULL)
		fatal("events_init");
	hub->srv = srv;
	/* Ids grow across restarts: a client's old id is below boot_id. */
	clock_gettime(CLOCK_REALTIME, &now);
	hub->boot_id = hub->next_id =
	    (uint64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	hub->heartbeat = event_new(srv->base, -1, EV_PERSIST, ev_heartbeat,
	    hub);
	event_add(hub->heartbeat, &tv);
	srv->mod[MOD_EVENTS] = hub;
	metrics_gauge("examd_event_streams", "Open event streams.", ev_gauge,
	    hub);
	return 0;
}

void
events_fini(struct server *srv)
{
	struct events *hub = srv->mod[MOD_EVENTS];
	struct ev_topic *t, *tn;
	struct ev_sub *s, *sn;
	int i, j;

	if (hub == NULL)
		return;
	for (i = 0; i < EVENTS_BUCKETS; i++)
		for (t = hub->buckets[i]; t != NULL; t = tn) {
			tn = t->next;
			for (s = t->subs; s != NULL; s = sn) {
				sn = s->next;
				http_stream_end(s->st);
				free(s);
			}
			for (j = 0; j < t->nring; j++)
				free(t->ring[j].text);
			free(t->name);
			free(t);
		}
	event_free(hub->heartbeat);
	free(hub);
	srv->mod[MOD_EVENTS] = NULL;
}

static struct ev_msg *
ev_ring_at(struct ev_topic *t, int i)	/* i = 0 is the oldest */
{
	int start = (t->head - t->nring + EXAMD_STREAM_RING) % EXAMD_STREAM_RING;

	return &t->ring[(start + i) % EXAMD_STREAM_RING];
}

void
events_publish(struct server *srv, const char *topic, const char *event,
    json_t *data)
{
	struct events *hub = srv->mod[MOD_EVENTS];
	struct ev_topic *t;
	struct ev_sub *s, *next;
	struct ev_msg *m;
	char *json;

	if (hub == NULL) {
		json_decref(data);
		return;
	}
	t = ev_topic(hub, topic, 1);
	json = data ? json_dumps(data, JSON_COMPACT) : strdup("{}");
	json_decref(data);
	if (json == NULL)
		fatal("events_publish");
	m = &t->ring[t->head];
	if (t->nring == EXAMD_STREAM_RING) {
		t->dropped_upto = m->id;
		free(m->text);
	} else
		t->nring++;
	t->head = (t->head + 1) % EXAMD_STREAM_RING;
	m->id = hub->next_id++;
	m->text = xasprintf("id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", m->id,
	    event, json);
	m->len = strlen(m->text);
	free(json);
	for (s = t->subs; s != NULL; s = next) {
		next = s->next;
		ev_send(s, m->text, m->len);
	}
}

void
events_stream(struct req *req, const char *topic, const char *hello,
    json_t *data, void (*closed)(struct server *, const char *))
{
	struct events *hub = req->srv->mod[MOD_EVENTS];
	const char *lei = http_header(req, "Last-Event-ID");
	struct ev_topic *t;
	struct ev_sub *s;
	struct ev_msg *m;
	uint64_t last = 0;
	char *end, *text, *json;
	int i, resync = 0;

	if (hub == NULL) {
		json_decref(data);
		http_error(req, 503, "unavailable", "events are not available");
		return;
	}
	if (lei != NULL) {
		last = strtoull(lei, &end, 10);
		if (*end != '\0')
			last = 0;
	}
	t = ev_topic(hub, topic, 1);
	if ((s = calloc(1, sizeof *s)) == NULL)
		fatal("events_stream");
	s->hub = hub;
	s->topic = t;
	s->closed = closed;
	if ((s->st = http_stream_start(req, ev_closed, s)) == NULL) {
		free(s);
		json_decref(data);
		return;
	}
	s->next = t->subs;
	if (t->subs != NULL)
		t->subs->prev = s;
	t->subs = s;
	hub->nsubs++;
	ev_send(s, "retry: 2000\n\n", 13);
	if (lei != NULL) {
		/* Missed events are gone if they predate this process or the ring. */
		resync = last < hub->boot_id || last < t->dropped_upto;
		if (resync)
			ev_send(s, "event: resync\ndata: {}\n\n", 24);
		else
			for (i = 0; i < t->nring; i++) {
				m = ev_ring_at(t, i);
				if (m->id > last)
					ev_send(s, m->text, m->len);
			}
	}
	if (hello != NULL) {
		json = data ? json_dumps(data, JSON_COMPACT) : strdup("{}");
		text = xasprintf("event: %s\ndata: %s\n\n", hello,
		    json ? json : "{}");
		ev_send(s, text, strlen(text));
		free(text);
		free(json);
	}
	json_decref(data);
}

int
events_subscribers(struct server *srv, const char *topic)
{
	struct events *hub = srv->mod[MOD_EVENTS];
	struct ev_topic *t;
	struct ev_sub *s;
	int n = 0;

	if (hub == NULL || (t = ev_topic(hub, topic, 0)) == NULL)
		return 0;
	for (s = t->subs; s != NULL; s = s->next)
		n++;
	return n;
}

int
events_open_streams(struct server *srv)
{
	struct events *hub = srv->mod[MOD_EVENTS];

	return hub ? hub->nsubs : 0;
}
