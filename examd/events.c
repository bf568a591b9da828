#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "auth.h"
#include "bounds.h"
#include "config.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "store.h"
#include "store_identity.h"

#define EVENTS_BUCKETS	4096

struct ev_sub {
	struct http_stream	*st;
	struct ev_topic		*topic;
	struct ev_sub		*prev, *next;
	struct events		*hub;
	void			(*closed)(struct server *, const char *);
	int64_t			 session_id;	/* whose sign-in the stream lives on */
	int			 staff;		/* a staff session: the stream is its activity */
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
	struct event		*touch;		/* records the streams' activity */
	int			 touch_busy;	/* a touch unit is queued */
	uint64_t		 next_id;
	uint64_t		 boot_id;	/* ids below this are from before a restart */
	int			 nsubs;
	/* When to look again for streams whose session ended. */
	uint64_t		 sessions_gen;	/* store_sessions_gen() at the last look */
	int64_t			 next_look;	/* ms: a session may end by then */
	int64_t			 recheck_ms;	/* the longest between looks */
	int			 new_subs;	/* streams opened since the last look */
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

/* The one teardown of a subscriber, after its stream is gone. */
static void
ev_sub_free(struct ev_sub *s)
{
	ev_unlink(s);
	if (s->closed != NULL)
		s->closed(s->hub->srv, s->topic->name);
	free(s);
}

/* The client went away: evhttp is freeing the connection. */
static void
ev_closed(void *arg)
{
	ev_sub_free(arg);
}

/*
 * Ends a stream from our side: a last "session_ended" event (the client
 * should not reconnect with the same token), the end of the reply, then
 * the teardown a departed client gets, so delivery sees it disconnected.
 */
static void
ev_end(struct ev_sub *s)
{
	static const char bye[] = "event: session_ended\ndata: {}\n\n";

	log_debug("events: session %" PRId64 " ended, closing its stream on %s",
	    s->session_id, s->topic->name);
	(void)http_stream_write(s->st, bye, sizeof bye - 1);
	http_stream_end(s->st);
	ev_sub_free(s);
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

static int64_t
ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
ev_cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Ends the streams whose session has ended (revoked by a takeover, a
 * logout, a disabled account, a new password, a cancelled sitting; or run
 * out), so an old device stops receiving events. One read for all streams,
 * and only when something may have changed: a commit revoked or extended a
 * session (the generation moved), a stream opened, a session's end by the
 * clock has come, or recheck_ms passed since the last look (examctl, a
 * separate process, revokes sessions without moving the generation). A
 * failed read is retried at the next tick.
 */
static void
ev_sessions_check(struct events *hub)
{
	struct store *store = hub->srv->store;
	struct ev_topic *t;
	struct ev_sub *s, *next;
	int64_t *ids, *ended, now = ev_now_ms();
	uint64_t gen = store_sessions_gen(store);
	size_t n = 0;
	int i, nended;

	if (hub->nsubs == 0 || (gen == hub->sessions_gen && !hub->new_subs &&
	    now < hub->next_look))
		return;
	if ((ids = calloc(2 * (size_t)hub->nsubs, sizeof *ids)) == NULL)
		fatal("ev_sessions_check");
	ended = ids + hub->nsubs;
	for (i = 0; i < EVENTS_BUCKETS; i++)
		for (t = hub->buckets[i]; t != NULL; t = t->next)
			for (s = t->subs; s != NULL; s = s->next)
				ids[n++] = s->session_id;
	if ((nended = store_sessions_ended(store, ids, n, now, ended,
	    &hub->next_look)) == -1) {
		hub->next_look = now;	/* the read set it: look again */
		free(ids);
		return;
	}
	if (hub->next_look - now > hub->recheck_ms)
		hub->next_look = now + hub->recheck_ms;
	hub->sessions_gen = gen;
	hub->new_subs = 0;
	qsort(ended, (size_t)nended, sizeof *ended, ev_cmp_id);
	/* Ending a stream frees only its own subscriber: next stays valid. */
	for (i = 0; nended > 0 && i < EVENTS_BUCKETS; i++)
		for (t = hub->buckets[i]; t != NULL; t = t->next)
			for (s = t->subs; s != NULL; s = next) {
				next = s->next;
				if (bsearch(&s->session_id, ended,
				    (size_t)nended, sizeof *ended,
				    ev_cmp_id) != NULL)
					ev_end(s);
			}
	free(ids);
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
	ev_sessions_check(hub);
	for (i = 0; i < EVENTS_BUCKETS; i++)
		for (t = hub->buckets[i]; t != NULL; t = t->next)
			for (s = t->subs; s != NULL; s = next) {
				next = s->next;
				ev_send(s, ":\n\n", 3);
			}
}

struct ev_touch {
	struct server	*srv;
	int64_t		 now;
	size_t		 n;
	int64_t		 ids[];
};

static int
ev_touch_work(struct store_tx *tx, void *arg)
{
	struct ev_touch *t = arg;

	return store_sessions_touch(tx, t->ids, t->n, t->now) == 0 ?
	    STORE_OK : STORE_EFAIL;
}

static void
ev_touch_done(int rc, void *arg)
{
	struct ev_touch *t = arg;
	struct events *hub = t->srv->mod[MOD_EVENTS];

	if (rc != STORE_OK)
		log_warnx("events: the activity of %zu streams was not stored "
		    "(%d)", t->n, rc);
	if (hub != NULL)
		hub->touch_busy = 0;
	free(t);
}

/*
 * An open stream is activity: a proctor who only watches a sitting must not
 * be signed out by the idle timeout. Every auth_touch_every() of the idle
 * timeout (as often as a busy session's requests are recorded), one unit
 * records it for every staff session with a stream open. The absolute end,
 * a revocation or a logout still end the session, and then the stream.
 */
static void
ev_touch(evutil_socket_t fd, short what, void *arg)
{
	struct events *hub = arg;
	struct ev_topic *t;
	struct ev_sub *s;
	struct ev_touch *u;
	size_t n = 0;
	int i;

	(void)fd;
	(void)what;
	if (hub->touch_busy || hub->nsubs == 0)
		return;
	if ((u = malloc(sizeof *u + (size_t)hub->nsubs * sizeof u->ids[0])) ==
	    NULL)
		fatal("ev_touch");
	for (i = 0; i < EVENTS_BUCKETS; i++)
		for (t = hub->buckets[i]; t != NULL; t = t->next)
			for (s = t->subs; s != NULL; s = s->next)
				if (s->staff)
					u->ids[n++] = s->session_id;
	if (n == 0) {
		free(u);
		return;
	}
	u->srv = hub->srv;
	u->now = ev_now_ms();
	u->n = n;
	hub->touch_busy = 1;
	if (store_submit(hub->srv->store, ev_touch_work, ev_touch_done,
	    u) == -1)
		ev_touch_done(STORE_EBUSY, u);
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
	struct timeval tv = { EXAMD_STREAM_HEARTBEAT, 0 }, every;
	struct timespec now;
	int64_t touch_ms = auth_touch_every(srv->cfg->session_idle * 1000);

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
	hub->recheck_ms = srv->cfg->stream_recheck * 1000;
	every.tv_sec = touch_ms / 1000;
	every.tv_usec = touch_ms % 1000 * 1000;
	hub->touch = event_new(srv->base, -1, EV_PERSIST, ev_touch, hub);
	event_add(hub->touch, &every);
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
	event_free(hub->touch);
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
	s->session_id = req->who.session_id;
	s->staff = (req->who.role & ROLE_STAFF) != 0;
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
	hub->new_subs = 1;
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
