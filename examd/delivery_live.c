/*
 * delivery_live.c: attempts as the loop knows them, and time.
 *
 * Deadlines: every cached attempt with a running open part sits in a
 * min-heap keyed by its due time (deadline + EXAMD_SAVE_GRACE_MS + 1 ms:
 * delivery_clock_is_due() is strict). One evtimer waits for the earliest.
 * It fires DV_COALESCE_MS after the earliest due time, and every part due
 * by then is submitted in ONE unit, so a sitting whose parts end together
 * closes in one pass (a save in between is refused by the unit's own clock
 * check, so the delay never lets a late save in); the done
 * callback pushes "submitted" (by "server") to each candidate and a roster
 * row to each sitting. A paused part is not in the heap: its clock stands.
 *
 * Restarts: "heartbeat_ms" in meta is written every DV_HEARTBEAT_SECONDS.
 * At start-up, before examd accepts connections, every running open part
 * gets now - heartbeat credited (delivery_clock_credit_downtime, audited
 * "section.restart_credit"), parts already due are submitted with what was
 * saved, and the rest are armed. Without a heartbeat (first start) nothing
 * is credited.
 *
 * Store outages (a full disk): from the first batch the store could not
 * commit until one commits again, no save was acknowledged; that time is
 * credited the same way ("section.outage_credit") in the batch that ends
 * the outage, ahead of everything else in it (store_on_recovery).
 *
 * Both give a sitting's window that closed in the downtime what it lost
 * of itself (delivery_window_credit, "sitting.restart_credit" and
 * "sitting.outage_credit"), before anything looks at the window: nobody
 * could sign in or start a part then.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "audit.h"
#include "auth.h"
#include "bank.h"
#include "delivery_live.h"
#include "events.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "store.h"

#define DV_BUCKETS	4096
#define DV_SIT_BUCKETS	256
#define DV_MAX_WAIT_MS	(24 * 3600 * 1000)	/* the timer looks again daily */

/* A sitting whose window examd has still to close. */
struct dv_sit {
	int64_t		 id;
	struct dv_due	 hd;		/* due: closes_at */
	int		 closing;	/* in a unit now */
	struct dv_sit	*next;
};

struct dv {
	struct server	*srv;
	struct dv_att	*buckets[DV_BUCKETS];
	struct dv_sit	*sits[DV_SIT_BUCKETS];
	size_t		 natt;
	struct dv_due	**heap;
	size_t		 nheap, capheap;
	struct event	*deadline_ev, *sync_ev, *heartbeat_ev;
	int		 heartbeat_busy;
	int64_t		 closed_by_server;	/* for metrics */
};

static int64_t		 dv_wall0;
static struct timespec	 dv_mono0;

int64_t
dv_now(void)
{
	struct timespec m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	return dv_wall0 + (int64_t)(m.tv_sec - dv_mono0.tv_sec) * 1000 +
	    (m.tv_nsec - dv_mono0.tv_nsec) / 1000000;
}

static struct dv *
dv_of(struct server *srv)
{
	return srv->mod[MOD_DELIVERY];
}

json_t *
dv_time_or_null(int64_t ms)
{
	char buf[40];

	if (ms <= 0)
		return json_null();
	auth_time_format(ms, buf, sizeof buf);
	return json_string(buf);
}

/* ---- the deadline heap ---- */

static void
dv_heap_swap(struct dv *d, size_t i, size_t j)
{
	struct dv_due *t = d->heap[i];

	d->heap[i] = d->heap[j];
	d->heap[j] = t;
	d->heap[i]->idx = i;
	d->heap[j]->idx = j;
}

static void
dv_heap_fix(struct dv *d, size_t i)
{
	size_t l, r, m;

	while (i > 0 && d->heap[(i - 1) / 2]->due > d->heap[i]->due) {
		dv_heap_swap(d, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < d->nheap && d->heap[l]->due < d->heap[m]->due)
			m = l;
		if (r < d->nheap && d->heap[r]->due < d->heap[m]->due)
			m = r;
		if (m == i)
			break;
		dv_heap_swap(d, i, m);
		i = m;
	}
}

static void
dv_heap_remove(struct dv *d, struct dv_due *t)
{
	size_t i = t->idx;

	if (!t->in_heap)
		return;
	t->in_heap = 0;
	d->nheap--;
	if (i != d->nheap) {
		d->heap[i] = d->heap[d->nheap];
		d->heap[i]->idx = i;
		dv_heap_fix(d, i);
	}
}

static void
dv_heap_put(struct dv *d, struct dv_due *t, int64_t due)
{
	t->due = due;
	if (t->in_heap) {
		dv_heap_fix(d, t->idx);
		return;
	}
	if (d->nheap == d->capheap) {
		d->capheap = d->capheap ? d->capheap * 2 : 256;
		if ((d->heap = reallocarray(d->heap, d->capheap,
		    sizeof *d->heap)) == NULL)
			fatal("dv_heap_put");
	}
	t->in_heap = 1;
	t->idx = d->nheap;
	d->heap[d->nheap++] = t;
	dv_heap_fix(d, t->idx);
}

/* The timer waits for the earliest due part or window. */
static void
dv_timer_reset(struct dv *d)
{
	struct timeval tv;
	int64_t wait;

	if (d->nheap == 0) {
		event_del(d->deadline_ev);
		return;
	}
	wait = d->heap[0]->due + DV_COALESCE_MS - dv_now();
	if (wait < 0)
		wait = 0;
	/* A window months away: wake daily and look again. */
	if (wait > DV_MAX_WAIT_MS)
		wait = DV_MAX_WAIT_MS;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	event_add(d->deadline_ev, &tv);
}

/* Puts t in the heap if it has a running open part, else takes it out. */
static void
dv_arm(struct dv *d, struct dv_att *t)
{
	int idx = delivery_attempt_open_section(&t->a);
	const struct delivery_clock *c;

	if (idx < 0 || t->a.state == DELIVERY_ATTEMPT_VOID || t->closing ||
	    t->a.sections[idx].clock.paused_since != 0) {
		dv_heap_remove(d, &t->hd);
	} else {
		c = &t->a.sections[idx].clock;
		dv_heap_put(d, &t->hd, delivery_clock_deadline(c) +
		    EXAMD_SAVE_GRACE_MS + 1);
	}
	dv_timer_reset(d);
}

/* ---- sittings' windows ---- */

static struct dv_sit **
dv_sit_slot(struct dv *d, int64_t sid)
{
	struct dv_sit **p = &d->sits[(uint64_t)sid % DV_SIT_BUCKETS];

	while (*p != NULL && (*p)->id != sid)
		p = &(*p)->next;
	return p;
}

/*
 * Arms the closing of sitting sid's window at closes_at (again, if it
 * moved). Called for every sitting examd has not closed yet: at start-up,
 * every DV_SYNC_SECONDS, and whenever one of its candidates is loaded, so
 * a sitting created or moved while examd runs is armed too.
 */
static void
dv_sit_arm(struct dv *d, int64_t sid, int64_t closes_at)
{
	struct dv_sit **p = dv_sit_slot(d, sid), *s = *p;

	if (s == NULL) {
		if ((s = calloc(1, sizeof *s)) == NULL)
			fatal("dv_sit_arm");
		s->id = sid;
		s->hd.sit = s;
		*p = s;
	}
	if (s->closing || (s->hd.in_heap && s->hd.due == closes_at))
		return;
	dv_heap_put(d, &s->hd, closes_at);
	dv_timer_reset(d);
}

static void
dv_sit_arm_cb(int64_t sid, int64_t closes_at, void *arg)
{
	dv_sit_arm(arg, sid, closes_at);
}

/* The window is closed for good: the sitting leaves memory. */
static void
dv_sit_forget(struct dv *d, int64_t sid)
{
	struct dv_sit **p = dv_sit_slot(d, sid), *s = *p;

	if (s == NULL)
		return;
	dv_heap_remove(d, &s->hd);
	*p = s->next;
	free(s);
}

/* ---- the cache ---- */

static struct dv_att **
dv_slot(struct dv *d, int64_t cid)
{
	struct dv_att **p = &d->buckets[(uint64_t)cid % DV_BUCKETS];

	while (*p != NULL && (*p)->cid != cid)
		p = &(*p)->next;
	return p;
}

static void
dv_copy(struct dv_att *t, const struct sd_attempt *o)
{
	t->id = o->id;
	t->sitting_id = o->sitting_id;
	t->association_id = o->association_id;
	t->opens_at = o->opens_at;
	t->closes_at = o->closes_at;
	t->window_closed_at = o->window_closed_at;
	t->sitting_paused_at = o->sitting_paused_at;
	t->admitted_at = o->admitted_at;
	t->completed_at = o->completed_at;
	if (o->last_save_at > t->last_save_at)
		t->last_save_at = o->last_save_at;
	t->a = o->a;
	free(t->sec);
	if ((t->sec = calloc(o->a.n_sections ? o->a.n_sections : 1,
	    sizeof *t->sec)) == NULL)
		fatal("dv_copy");
	memcpy(t->sec, o->sec, o->a.n_sections * sizeof *t->sec);
}

struct dv_att *
dv_get(struct server *srv, int64_t cid)
{
	struct dv *d = dv_of(srv);
	struct dv_att **p, *t;
	struct sd_candidate c;
	struct sd_attempt *o;
	int rc;

	if (d == NULL)		/* a unit's answer after delivery_fini */
		return NULL;
	p = dv_slot(d, cid);
	if (*p != NULL)
		return *p;
	if (store_dcandidate_get(srv->store, cid, &c) != 1)
		return NULL;
	if ((o = malloc(sizeof *o)) == NULL)
		fatal("dv_get");
	if ((rc = store_attempt_get(srv->store, cid, o)) == -1) {
		free(o);
		return NULL;
	}
	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->name = strdup(c.name)) == NULL)
		fatal("dv_get");
	t->cid = cid;
	t->hd.att = t;
	t->sitting_id = c.sitting_id;
	t->association_id = c.association_id;
	t->opens_at = c.opens_at;
	t->closes_at = c.closes_at;
	t->window_closed_at = c.window_closed_at;
	t->sitting_paused_at = c.sitting_paused_at;
	snprintf(t->status, sizeof t->status, "%s", c.status);
	if (rc == 1)
		dv_copy(t, o);
	free(o);
	*p = t;
	d->natt++;
	if (c.window_closed_at == 0 && strcmp(c.sitting_status,
	    "cancelled") != 0)
		dv_sit_arm(d, c.sitting_id, c.closes_at);
	dv_arm(d, t);
	return t;
}

int
dv_section(const struct dv_att *t, const char *ident)
{
	size_t i;

	for (i = 0; i < t->a.n_sections; i++)
		if (strcmp(t->sec[i].ident, ident) == 0)
			return (int)i;
	return -1;
}

void
dv_apply(struct server *srv, const struct sd_attempt *o)
{
	struct dv_att *t = dv_get(srv, o->candidate_id);

	if (t == NULL)
		return;
	dv_copy(t, o);
	dv_arm(dv_of(srv), t);
}

void
dv_apply_state(struct server *srv, int64_t cid,
    const struct delivery_attempt *a, int64_t completed_at, int pos,
    const char *by)
{
	struct dv_att *t = dv_get(srv, cid);
	size_t i;

	if (t == NULL || t->id == 0 || a->n_sections != t->a.n_sections)
		return;
	for (i = 0; i < a->n_sections; i++)
		if (t->a.sections[i].state == DELIVERY_SECTION_NOT_STARTED &&
		    a->sections[i].state == DELIVERY_SECTION_SUBMITTED)
			snprintf(t->sec[i].submitted_by,
			    sizeof t->sec[i].submitted_by, "forfeit");
	t->a = *a;
	t->completed_at = completed_at;
	if (pos >= 0 && by != NULL)
		snprintf(t->sec[pos].submitted_by,
		    sizeof t->sec[pos].submitted_by, "%s", by);
	dv_arm(dv_of(srv), t);
}

void
dv_sitting_paused(struct server *srv, int64_t sid, int64_t since)
{
	struct dv *d = dv_of(srv);
	struct dv_att *t;
	size_t i;

	for (i = 0; d != NULL && i < DV_BUCKETS; i++)
		for (t = d->buckets[i]; t != NULL; t = t->next)
			if (t->sitting_id == sid)
				t->sitting_paused_at = since;
}

/* ---- JSON ---- */

json_t *
dv_time_json(const struct dv_att *t, int64_t now)
{
	int idx = t->id ? delivery_attempt_open_section(&t->a) : -1;
	const struct delivery_clock *c;

	if (idx < 0 || t->a.state == DELIVERY_ATTEMPT_VOID)
		return json_pack("{s:n,s:s,s:b}", "section", "status",
		    t->id ? delivery_attempt_state_name(t->a.state) :
		    t->status, "paused", t->sitting_paused_at != 0);
	c = &t->a.sections[idx].clock;
	return json_pack("{s:s,s:I,s:o,s:b}", "section", t->sec[idx].ident,
	    "remaining_ms", (json_int_t)delivery_clock_remaining(c, now),
	    "deadline", dv_time_or_null(c->paused_since ? 0 :
	    delivery_clock_deadline(c)), "paused", c->paused_since != 0);
}

/*
 * Connected: an event stream open now, or a request in the last
 * DV_CONNECTED_MS other than one whose stream has since closed (a closed
 * stream means the page went away; the next request says it is back).
 */
static int
dv_connected(struct server *srv, const struct dv_att *t, int64_t now)
{
	char topic[48];

	snprintf(topic, sizeof topic, "candidate:%" PRId64, t->cid);
	if (events_subscribers(srv, topic) > 0)
		return 1;
	return t->last_seen != 0 && now - t->last_seen < DV_CONNECTED_MS &&
	    t->last_seen > t->stream_closed_at;
}

json_t *
dv_roster_row(struct server *srv, const struct dv_att *t, int signed_in,
    int64_t now)
{
	int idx = t->id ? delivery_attempt_open_section(&t->a) : -1;
	const char *status;

	if (t->id != 0)
		status = delivery_attempt_state_name(t->a.state);
	else if (strcmp(t->status, "registered") == 0 &&
	    (signed_in || t->last_seen))
		status = "waiting";	/* signed in since it was read */
	else
		status = t->status;
	return json_pack("{s:I,s:s,s:s,s:s?,s:o,s:b,s:b,s:o}",
	    "id", (json_int_t)t->cid, "name", t->name ? t->name : "",
	    "status", status, "section", idx >= 0 ? t->sec[idx].ident : NULL,
	    "remaining_ms", idx >= 0 ? json_integer(delivery_clock_remaining(
	    &t->a.sections[idx].clock, now)) : json_null(),
	    "paused", idx >= 0 && t->a.sections[idx].clock.paused_since != 0,
	    "connected", dv_connected(srv, t, now), "last_save_at",
	    dv_time_or_null(t->last_save_at));
}

void
dv_notify(struct server *srv, const struct dv_att *t, const char *event,
    json_t *data)
{
	char topic[48];

	if (event != NULL) {
		snprintf(topic, sizeof topic, "candidate:%" PRId64, t->cid);
		events_publish(srv, topic, event, data);
	} else
		json_decref(data);
	snprintf(topic, sizeof topic, "sitting:%" PRId64, t->sitting_id);
	if (events_subscribers(srv, topic) > 0)
		events_publish(srv, topic, "candidate",
		    dv_roster_row(srv, t, 1, dv_now()));
}

void
dv_notify_forfeits(struct server *srv, const struct dv_att *t,
    const struct delivery_attempt *was)
{
	size_t i;

	if (t->id == 0 || was->n_sections != t->a.n_sections)
		return;
	for (i = 0; i < t->a.n_sections; i++)
		if (was->sections[i].state == DELIVERY_SECTION_NOT_STARTED &&
		    t->a.sections[i].state == DELIVERY_SECTION_SUBMITTED)
			dv_notify(srv, t, "submitted", json_pack(
			    "{s:s,s:s,s:s}", "section", t->sec[i].ident, "by",
			    "forfeit", "status",
			    delivery_attempt_state_name(t->a.state)));
}

void
dv_stream_closed(struct server *srv, const char *topic)
{
	struct dv_att *t;
	int64_t cid;

	if (sscanf(topic, "candidate:%" SCNd64, &cid) != 1 ||
	    (t = dv_get(srv, cid)) == NULL)
		return;
	t->stream_closed_at = dv_now();
	dv_notify(srv, t, NULL, NULL);
}

/* ---- submission (writer thread) ---- */

static void
dv_server_rec(struct audit_rec *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->actor = "examd";
	rec->role = "-";
}

/* Scores MC part pos from its stored answers and stores the score. */
static int
dv_score_tx(struct store_tx *tx, const struct sd_attempt *o, int pos,
    struct delivery_score *sc)
{
	char **answers = NULL, **keys = NULL, *err = NULL;
	size_t n = 0;
	int rc;

	if (store_mc_keyed_tx(tx, o->id, pos, &answers, &keys, &n) == -1)
		return -1;
	rc = delivery_score_mc((const char *const *)answers,
	    (const char *const *)keys, n, o->sec[pos].cut_percent, sc, &err);
	store_mc_keyed_free(answers, keys, n);
	if (rc == -1) {
		store_tx_fail(tx, "scoring: %s", err);
		free(err);
		return -1;
	}
	return store_mc_score_put(tx, o->id, pos, sc);
}

int
dv_submit_tx(struct store_tx *tx, struct sd_attempt *o, int pos,
    const char *by, const char *reason, int64_t now, struct audit_rec *rec)
{
	struct delivery_score sc;
	json_t *saves, *details;
	char *err = NULL, object[48];
	int rc;

	if (delivery_section_submit(&o->a, pos, now, &err) == -1) {
		store_tx_fail(tx, "submit: %s", err);
		free(err);
		return -1;
	}
	if (o->sec[pos].kind == BANK_MC && dv_score_tx(tx, o, pos, &sc) == -1)
		return -1;
	if (o->a.state == DELIVERY_ATTEMPT_COMPLETE)
		o->completed_at = now;
	snprintf(o->sec[pos].submitted_by, sizeof o->sec[pos].submitted_by,
	    "%s", by);
	if (store_section_put(tx, o, pos, by) == -1 ||
	    store_attempt_put(tx, o, NULL) == -1)
		return -1;
	saves = json_object();
	if (store_saves_summary_tx(tx, o->id, pos, saves) == -1) {
		json_decref(saves);
		return -1;
	}
	details = json_pack("{s:s,s:s,s:o,s:s}", "section", o->sec[pos].ident,
	    "by", by, "saves", saves, "attempt",
	    delivery_attempt_state_name(o->a.state));
	if (o->sec[pos].kind == BANK_MC)
		json_object_set_new(details, "mc", json_pack("{s:i,s:i}",
		    "raw", sc.raw, "max", sc.max));
	if (reason != NULL)
		json_object_set_new(details, "reason", json_string(reason));
	snprintf(object, sizeof object, "attempt:%" PRId64, o->id);
	rec->action = "section.submit";
	rec->object = object;
	rec->details = details;
	rec->candidate_id = o->candidate_id;
	rec->association_id = o->association_id;
	rc = store_audit_append(tx, rec);
	json_decref(details);
	rec->details = NULL;
	if (rc != 0)
		return -1;
	/* A part submitted after the window closed: the rest cannot start. */
	return dv_forfeit_tx(tx, o, now) == -1 ? -1 : 0;
}

int
dv_forfeit_tx(struct store_tx *tx, struct sd_attempt *o, int64_t now)
{
	struct delivery_score sc;
	struct audit_rec rec;
	json_t *parts, *details;
	char *err = NULL, object[48];
	size_t i;
	int n = 0, rc;

	if (o->closes_at == 0 || now < o->closes_at ||
	    (o->a.state != DELIVERY_ATTEMPT_ADMITTED &&
	    o->a.state != DELIVERY_ATTEMPT_BETWEEN_SECTIONS))
		return 0;
	parts = json_array();
	for (i = 0; i < o->a.n_sections; i++) {
		if (o->a.sections[i].state != DELIVERY_SECTION_NOT_STARTED)
			continue;
		if (delivery_section_forfeit(&o->a, i, now, &err) == -1) {
			store_tx_fail(tx, "forfeit: %s", err);
			free(err);
			json_decref(parts);
			return -1;
		}
		snprintf(o->sec[i].submitted_by, sizeof o->sec[i].submitted_by,
		    "forfeit");
		if ((o->sec[i].kind == BANK_MC &&
		    dv_score_tx(tx, o, (int)i, &sc) == -1) ||
		    store_section_put(tx, o, (int)i, "forfeit") == -1) {
			json_decref(parts);
			return -1;
		}
		json_array_append_new(parts, json_string(o->sec[i].ident));
		n++;
	}
	if (o->a.state == DELIVERY_ATTEMPT_COMPLETE)
		o->completed_at = now;
	if (store_attempt_put(tx, o, NULL) == -1) {
		json_decref(parts);
		return -1;
	}
	details = json_pack("{s:o,s:s,s:s}", "sections", parts, "reason",
	    "window_closed", "attempt", delivery_attempt_state_name(o->a.state));
	snprintf(object, sizeof object, "attempt:%" PRId64, o->id);
	dv_server_rec(&rec);
	rec.action = "section.forfeit";
	rec.object = object;
	rec.details = details;
	rec.candidate_id = o->candidate_id;
	rec.association_id = o->association_id;
	rc = store_audit_append(tx, &rec);
	json_decref(details);
	return rc == 0 ? n : -1;
}

int
dv_session_keep_tx(struct store_tx *tx, const struct sd_attempt *o,
    int64_t now)
{
	const struct delivery_clock *c;
	int idx = delivery_attempt_open_section(&o->a);
	int64_t until;

	if (idx < 0 || o->a.state == DELIVERY_ATTEMPT_VOID)
		return 0;
	c = &o->a.sections[idx].clock;
	until = c->paused_since ? now + delivery_clock_remaining(c, now) +
	    DV_SESSION_PAUSE_MS : delivery_clock_deadline(c);
	until += EXAMD_SAVE_GRACE_MS + DV_SESSION_SLACK_MS;
	if (o->closes_at != 0 && until <= o->closes_at)
		return 0;	/* the session lasts that long anyway */
	return store_sessions_keep(tx, o->candidate_id, until);
}

/* ---- the deadline pass ---- */

/* What the pass did to one candidate. */
struct dv_closed {
	int64_t			 cid, completed_at;
	int			 pos;	/* submitted at its deadline, or -1 */
	int			 absent;	/* marked absent */
	int			 attempt;	/* a is the state written */
	struct delivery_attempt	 a;
};

/* A sitting whose window the pass was to close. */
struct dv_window {
	int64_t			 sid;
	int64_t			 closes_at;	/* as found in the unit */
	int			 closed;	/* 0: not yet due (it moved) */
};

struct dv_close_op {
	struct server		*srv;
	size_t			 n, cap;
	struct dv_closed	*v;
	size_t			 nwin;
	struct dv_window	*win;
	int64_t			 now;
};

static struct dv_closed *
dv_closed_add(struct dv_close_op *op, int64_t cid)
{
	struct dv_closed *c;

	if (op->n == op->cap) {
		op->cap = op->cap ? op->cap * 2 : 64;
		if ((op->v = reallocarray(op->v, op->cap, sizeof *op->v)) ==
		    NULL)
			fatal("dv_closed_add");
	}
	c = &op->v[op->n++];
	memset(c, 0, sizeof *c);
	c->cid = cid;
	c->pos = -1;
	return c;
}

/*
 * Closes sitting w's window inside tx if it is due: every attempt with a
 * part still to start and none open gets the rest forfeited (one with a
 * part open runs to its deadline: its submission forfeits the rest); every
 * candidate never admitted becomes absent (no attempt is made: there was
 * none to take). Audited per attempt and candidate, and "sitting.close".
 */
static int
dv_window_tx(struct store_tx *tx, struct dv_close_op *op, struct dv_window *w,
    struct sd_attempt *o)
{
	struct sd_window sw;
	struct audit_rec rec;
	struct dv_closed *c;
	json_t *details;
	char object[48];
	int64_t *ids = NULL;
	size_t i, n, forfeited = 0, absent = 0;
	int rc;

	if ((rc = store_sitting_window_tx(tx, w->sid, &sw)) != 1) {
		w->closed = rc == 0;	/* gone: nothing to close */
		return rc == 0 ? 0 : -1;
	}
	w->closes_at = sw.closes_at;
	if (sw.window_closed_at != 0 || op->now < sw.closes_at)
		return 0;
	w->closed = 1;
	if (sw.cancelled)
		return store_sitting_closed_put(tx, w->sid, op->now);
	if (store_sitting_ids_tx(tx, w->sid, SD_UNSTARTED, &ids, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (store_attempt_get_tx(tx, ids[i], o) != 1 ||
		    (rc = dv_forfeit_tx(tx, o, op->now)) == -1)
			goto fail;
		if (rc == 0)
			continue;
		c = dv_closed_add(op, ids[i]);
		c->attempt = 1;
		c->a = o->a;
		c->completed_at = o->completed_at;
		forfeited++;
	}
	free(ids);
	if (store_sitting_ids_tx(tx, w->sid, SD_NOT_ADMITTED, &ids, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		dv_server_rec(&rec);
		snprintf(object, sizeof object, "candidate:%" PRId64, ids[i]);
		rec.action = "candidate.absent";
		rec.object = object;
		rec.candidate_id = ids[i];
		rec.association_id = sw.association_id;
		if (store_candidate_absent(tx, ids[i]) == -1 ||
		    store_audit_append(tx, &rec) != 0)
			goto fail;
		dv_closed_add(op, ids[i])->absent = 1;
		absent++;
	}
	free(ids);
	dv_server_rec(&rec);
	snprintf(object, sizeof object, "sitting:%" PRId64, w->sid);
	details = json_pack("{s:I,s:I}", "attempts_completed",
	    (json_int_t)forfeited, "absent", (json_int_t)absent);
	rec.action = "sitting.close";
	rec.object = object;
	rec.details = details;
	rec.association_id = sw.association_id;
	rc = store_audit_append(tx, &rec);
	json_decref(details);
	if (rc != 0)
		return -1;
	return store_sitting_closed_put(tx, w->sid, op->now);
fail:
	free(ids);
	return -1;
}

static int
dv_close_work(struct store_tx *tx, void *arg)
{
	struct dv_close_op *op = arg;
	struct sd_attempt *o;
	struct audit_rec rec;
	size_t i, n = op->n;
	int idx, rc = STORE_OK;

	if ((o = malloc(sizeof *o)) == NULL)
		fatal("dv_close_work");
	op->now = dv_now();
	/* Deadlines first: a part due now forfeits what follows it. */
	for (i = 0; i < n && rc == STORE_OK; i++) {
		op->v[i].pos = -1;
		if (store_attempt_get_tx(tx, op->v[i].cid, o) != 1) {
			rc = STORE_EFAIL;
			break;
		}
		idx = delivery_attempt_open_section(&o->a);
		/* The truth is here: a pause or an extension may have won. */
		if (idx >= 0 && delivery_attempt_due(&o->a, op->now,
		    EXAMD_SAVE_GRACE_MS) == idx) {
			dv_server_rec(&rec);
			if (dv_submit_tx(tx, o, idx, "server", NULL, op->now,
			    &rec) ==
			    -1) {
				rc = STORE_EFAIL;
				break;
			}
			op->v[i].pos = idx;
		}
		op->v[i].attempt = 1;
		op->v[i].a = o->a;
		op->v[i].completed_at = o->completed_at;
	}
	for (i = 0; i < op->nwin && rc == STORE_OK; i++)
		if (dv_window_tx(tx, op, &op->win[i], o) == -1)
			rc = STORE_EFAIL;
	free(o);
	return rc;
}

static void
dv_close_done(int rc, void *arg)
{
	struct dv_close_op *op = arg;
	struct server *srv = op->srv;
	struct dv *d = dv_of(srv);
	struct delivery_attempt was;
	struct dv_closed *c;
	struct dv_sit *s;
	struct dv_att *t;
	size_t i;

	for (i = 0; d != NULL && i < op->nwin; i++) {
		if ((s = *dv_sit_slot(d, op->win[i].sid)) == NULL)
			continue;
		s->closing = 0;
		if (rc != STORE_OK)
			dv_heap_put(d, &s->hd, dv_now() + DV_RETRY_MS);
		else if (op->win[i].closed)
			dv_sit_forget(d, s->id);
		else
			dv_sit_arm(d, s->id, op->win[i].closes_at);
	}
	for (i = 0; d != NULL && i < op->n; i++) {
		c = &op->v[i];
		if ((t = dv_get(srv, c->cid)) == NULL)
			continue;
		t->closing = 0;
		if (rc != STORE_OK) {
			/* Nothing was stored: try again shortly. */
			if (c->attempt)
				dv_heap_put(d, &t->hd, dv_now() + DV_RETRY_MS);
			continue;
		}
		if (c->absent) {
			snprintf(t->status, sizeof t->status, "absent");
			t->window_closed_at = op->now;
			dv_notify(srv, t, "time", dv_time_json(t, op->now));
			continue;
		}
		was = t->a;
		dv_apply_state(srv, t->cid, &c->a, c->completed_at, c->pos,
		    "server");
		if (c->pos >= 0) {
			d->closed_by_server++;
			dv_notify(srv, t, "submitted", json_pack(
			    "{s:s,s:s,s:s}", "section", t->sec[c->pos].ident,
			    "by", "server", "status",
			    delivery_attempt_state_name(t->a.state)));
		}
		dv_notify_forfeits(srv, t, &was);
	}
	if (rc != STORE_OK)
		log_warnx("delivery: closing %zu parts and %zu windows failed "
		    "(%d); retrying", op->n, op->nwin, rc);
	else
		log_debug("delivery: closed %zu parts and %zu windows", op->n,
		    op->nwin);
	if (d != NULL)
		dv_timer_reset(d);
	free(op->v);
	free(op->win);
	free(op);
}

static void
dv_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct dv *d = arg;
	struct dv_close_op *op;
	struct dv_due *h;
	int64_t now = dv_now();
	size_t capwin = 0;

	(void)fd;
	(void)what;
	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("dv_deadline");
	op->srv = d->srv;
	while (d->nheap > 0 && d->heap[0]->due <= now) {
		h = d->heap[0];
		dv_heap_remove(d, h);
		if (h->att != NULL) {
			h->att->closing = 1;
			dv_closed_add(op, h->att->cid);
			continue;
		}
		h->sit->closing = 1;
		if (op->nwin == capwin) {
			capwin = capwin ? capwin * 2 : 8;
			if ((op->win = reallocarray(op->win, capwin,
			    sizeof *op->win)) == NULL)
				fatal("dv_deadline");
		}
		memset(&op->win[op->nwin], 0, sizeof op->win[op->nwin]);
		op->win[op->nwin++].sid = h->sit->id;
	}
	if (op->n == 0 && op->nwin == 0) {
		free(op);
		dv_timer_reset(d);
		return;
	}
	if (store_submit(d->srv->store, dv_close_work, dv_close_done, op) ==
	    -1)
		dv_close_done(STORE_EBUSY, op);
	else
		dv_timer_reset(d);
}

/* ---- time sync and heartbeat ---- */

static void
dv_att_free(struct dv_att *t)
{
	free(t->name);
	free(t->sec);
	free(t);
}

/*
 * Forgets candidates idle for DV_FORGET_MS with no part open: dv_get()
 * reads them again if they come back, so memory follows the sittings in
 * progress, not every candidate ever seen.
 */
static void
dv_sweep(struct dv *d, int64_t now)
{
	struct dv_att **p, *t;
	size_t i;

	for (i = 0; i < DV_BUCKETS; i++)
		for (p = &d->buckets[i]; (t = *p) != NULL; ) {
			if (t->hd.in_heap || t->closing || now - t->last_seen <
			    DV_FORGET_MS || (t->id != 0 &&
			    delivery_attempt_open_section(&t->a) >= 0)) {
				p = &t->next;
				continue;
			}
			*p = t->next;
			d->natt--;
			dv_att_free(t);
		}
}

static void
dv_sync(evutil_socket_t fd, short what, void *arg)
{
	struct dv *d = arg;
	struct dv_att *t;
	char topic[48];
	int64_t now = dv_now();
	size_t i;

	(void)fd;
	(void)what;
	dv_sweep(d, now);
	/* Sittings created or moved since: their windows are armed too. */
	if (store_sittings_unclosed(d->srv->store, dv_sit_arm_cb, d) == -1)
		log_warnx("delivery: cannot read the sittings' windows");
	for (i = 0; i < DV_BUCKETS; i++)
		for (t = d->buckets[i]; t != NULL; t = t->next) {
			if (t->id == 0 ||
			    delivery_attempt_open_section(&t->a) < 0)
				continue;
			snprintf(topic, sizeof topic, "candidate:%" PRId64,
			    t->cid);
			if (events_subscribers(d->srv, topic) > 0)
				events_publish(d->srv, topic, "time",
				    dv_time_json(t, now));
		}
}

struct dv_hb {
	struct server	*srv;
	int64_t		 at;
};

static int
dv_heartbeat_work(struct store_tx *tx, void *arg)
{
	struct dv_hb *hb = arg;
	char buf[32];

	hb->at = dv_now();
	snprintf(buf, sizeof buf, "%" PRId64, hb->at);
	return store_meta_put(tx, "heartbeat_ms", buf) == 0 ? STORE_OK :
	    STORE_EFAIL;
}

static void
dv_heartbeat_done(int rc, void *arg)
{
	struct dv_hb *hb = arg;
	struct dv *d = dv_of(hb->srv);

	if (rc != STORE_OK)
		log_warnx("delivery: heartbeat not stored (%d)", rc);
	if (d != NULL)
		d->heartbeat_busy = 0;
	free(hb);
}

static void
dv_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct dv *d = arg;
	struct dv_hb *hb;

	(void)fd;
	(void)what;
	if (d->heartbeat_busy)
		return;
	if ((hb = calloc(1, sizeof *hb)) == NULL)
		fatal("dv_heartbeat");
	hb->srv = d->srv;
	d->heartbeat_busy = 1;
	if (store_submit(d->srv->store, dv_heartbeat_work, dv_heartbeat_done,
	    hb) == -1)
		dv_heartbeat_done(STORE_EBUSY, hb);
}

/* ---- time credits: restarts and store outages ---- */

/*
 * Credits the time from `from` to `until` that the store or examd was out
 * to part idx of o, if it ran then (delivery_clock_credit_downtime):
 * stored, logged on the part's clock as `kind`, audited as
 * "section.<kind>" and the session kept to the new deadline. 1 credited,
 * 0 nothing to credit, -1 failed.
 */
static int
dv_credit_tx(struct store_tx *tx, struct sd_attempt *o, int idx,
    int64_t from, int64_t until, const char *kind)
{
	struct delivery_clock *c = &o->a.sections[idx].clock;
	struct audit_rec rec;
	json_t *details;
	char object[48], action[48], down[40], up[40];
	int64_t credit;
	int rc;

	if ((credit = delivery_clock_credit_downtime(c, from, until,
	    EXAMD_SAVE_GRACE_MS)) == 0)
		return 0;
	auth_time_format(from, down, sizeof down);
	auth_time_format(until, up, sizeof up);
	details = json_pack("{s:s,s:I,s:s,s:s}", "section", o->sec[idx].ident,
	    "credit_ms", (json_int_t)credit, "down_from", down, "down_until",
	    up);
	snprintf(object, sizeof object, "attempt:%" PRId64, o->id);
	snprintf(action, sizeof action, "section.%s", kind);
	dv_server_rec(&rec);
	rec.action = action;
	rec.object = object;
	rec.details = details;
	rec.candidate_id = o->candidate_id;
	rec.association_id = o->association_id;
	rc = store_section_put(tx, o, idx, NULL) == -1 ||
	    store_clock_log(tx, o->id, idx, kind, credit, NULL, 0, until) ==
	    -1 || store_audit_append(tx, &rec) == -1 ||
	    dv_session_keep_tx(tx, o, until) == -1 ? -1 : 1;
	json_decref(details);
	return rc;
}

/*
 * Moves every window that closed in (from, until] by its credit, audited
 * "sitting.<kind>"; the candidates' sessions that were to end with it
 * last as long as it. *v: the windows moved, with their new closes_at.
 */
static int
dv_windows_credit_tx(struct store_tx *tx, int64_t from, int64_t until,
    const char *kind, struct sd_window **v, size_t *n)
{
	struct sd_window *w;
	struct audit_rec rec;
	json_t *details;
	char object[48], action[48], was[40], now[40], down[40], up[40];
	int64_t closes_at;
	size_t i;
	int rc;

	if (store_sittings_closing_tx(tx, from, until, v, n) == -1)
		return -1;
	auth_time_format(from, down, sizeof down);
	auth_time_format(until, up, sizeof up);
	snprintf(action, sizeof action, "sitting.%s", kind);
	for (i = 0; i < *n; i++) {
		w = &(*v)[i];
		closes_at = delivery_window_credit(w->opens_at, w->closes_at,
		    from, until);
		auth_time_format(w->closes_at, was, sizeof was);
		auth_time_format(closes_at, now, sizeof now);
		details = json_pack("{s:I,s:s,s:s,s:s,s:s}", "credit_ms",
		    (json_int_t)(closes_at - w->closes_at), "closes_at_was", was,
		    "closes_at", now, "down_from", down, "down_until", up);
		snprintf(object, sizeof object, "sitting:%" PRId64, w->id);
		dv_server_rec(&rec);
		rec.action = action;
		rec.object = object;
		rec.details = details;
		rec.association_id = w->association_id;
		rc = store_sitting_window_move(tx, w->id, w->closes_at,
		    closes_at) == -1 || store_audit_append(tx, &rec) != 0;
		json_decref(details);
		if (rc)
			return -1;
		w->closes_at = closes_at;
	}
	return 0;
}

/* Windows an outage moved (the outage unit's, for its done callback). */
struct dv_moved {
	struct sd_window	*v;
	size_t			 n;
};

/* The loop's copies of the windows moved: armed anew, and the candidates'. */
static void
dv_windows_moved(struct dv *d, const struct dv_moved *m)
{
	struct dv_att *t;
	size_t i, b;

	for (i = 0; i < m->n; i++) {
		for (b = 0; b < DV_BUCKETS; b++)
			for (t = d->buckets[b]; t != NULL; t = t->next)
				if (t->sitting_id == m->v[i].id)
					t->closes_at = m->v[i].closes_at;
		dv_sit_arm(d, m->v[i].id, m->v[i].closes_at);
	}
	if (m->n > 0)
		log_info("delivery: %zu sitting windows that closed while "
		    "nothing could be saved are open again for what they "
		    "lost", m->n);
}

/*
 * The first batch after a store outage begins with this unit: every part
 * that ran while nothing could be saved gets that time back, before a
 * deadline pass or a save of the same batch looks at its clock. The
 * outage runs from the first lost batch to now (a heartbeat every
 * DV_HEARTBEAT_SECONDS makes a batch, so now is at most that late).
 */
static int
dv_outage_work(struct store_tx *tx, void *arg)
{
	struct store_outage *out = arg;
	struct dv_moved *m;
	struct sd_attempt *o;
	char buf[32];
	int64_t *ids;
	size_t i, n;
	int idx, rc = STORE_OK;

	out->at = dv_now();
	if ((m = calloc(1, sizeof *m)) == NULL)
		fatal("dv_outage_work");
	out->mine = m;
	if (dv_windows_credit_tx(tx, out->at - out->ms, out->at,
	    "outage_credit", &m->v, &m->n) == -1 ||
	    store_attempts_open_tx(tx, &ids, &n) == -1)
		return STORE_EFAIL;
	if ((o = malloc(sizeof *o)) == NULL)
		fatal("dv_outage_work");
	for (i = 0; i < n && rc == STORE_OK; i++) {
		if (store_attempt_get_tx(tx, ids[i], o) != 1)
			rc = STORE_EFAIL;
		else if ((idx = delivery_attempt_open_section(&o->a)) >= 0 &&
		    o->a.state != DELIVERY_ATTEMPT_VOID &&
		    dv_credit_tx(tx, o, idx, out->at - out->ms, out->at,
		    "outage_credit") == -1)
			rc = STORE_EFAIL;
	}
	free(o);
	free(ids);
	/* A restart credits from here, not again from before the outage. */
	snprintf(buf, sizeof buf, "%" PRId64, out->at);
	if (rc == STORE_OK && store_meta_put(tx, "heartbeat_ms", buf) != 0)
		rc = STORE_EFAIL;
	return rc;
}

/*
 * The credit is stored: the loop's copies get the same credit (the same
 * function of the same clocks: done callbacks run in commit order, so the
 * copies are as stored before this batch), are armed again and told.
 */
static void
dv_outage_done(int rc, void *arg)
{
	struct store_outage *out = arg;
	struct dv *d = dv_of(out->arg);
	struct dv_moved *m = out->mine;
	struct delivery_clock *c;
	struct dv_att *t;
	size_t i, n = 0;
	int idx;

	if (m != NULL && d != NULL && rc == STORE_OK)
		dv_windows_moved(d, m);
	if (m != NULL)
		free(m->v);
	free(m);
	if (d == NULL)
		return;
	if (rc != STORE_OK) {
		if (rc != STORE_ECOMMIT)
			log_warnx("delivery: the outage of %" PRId64 " ms "
			    "could not be credited (%d)", out->ms, rc);
		return;
	}
	for (i = 0; i < DV_BUCKETS; i++)
		for (t = d->buckets[i]; t != NULL; t = t->next) {
			if (t->id == 0 || t->a.state == DELIVERY_ATTEMPT_VOID ||
			    (idx = delivery_attempt_open_section(&t->a)) < 0)
				continue;
			c = &t->a.sections[idx].clock;
			if (delivery_clock_credit_downtime(c, out->at - out->ms,
			    out->at, EXAMD_SAVE_GRACE_MS) == 0)
				continue;
			n++;
			dv_arm(d, t);
			dv_notify(d->srv, t, "time", dv_time_json(t, out->at));
		}
	log_info("delivery: nothing could be saved for %" PRId64 " ms; "
	    "credited to %zu open parts, stored and armed in %" PRId64 " ms",
	    out->ms, n, dv_now() - out->at);
}

/* ---- start-up ---- */

struct dv_restart {
	int64_t		*ids;
	size_t		 n;
	int64_t		 heartbeat, now;
	size_t		 credited, submitted, windows;
};

static int
dv_restart_work(struct store_tx *tx, void *arg)
{
	struct dv_restart *r = arg;
	struct sd_window *w = NULL;
	struct sd_attempt *o;
	struct audit_rec rec;
	char buf[32];
	size_t i;
	int idx, rc = STORE_OK;

	if (r->heartbeat > 0)
		rc = dv_windows_credit_tx(tx, r->heartbeat, r->now,
		    "restart_credit", &w, &r->windows) == -1 ? STORE_EFAIL :
		    STORE_OK;
	free(w);
	if (rc != STORE_OK)
		return rc;
	if ((o = malloc(sizeof *o)) == NULL)
		fatal("dv_restart_work");
	for (i = 0; i < r->n && rc == STORE_OK; i++) {
		if (store_attempt_get_tx(tx, r->ids[i], o) != 1) {
			rc = STORE_EFAIL;
			break;
		}
		if ((idx = delivery_attempt_open_section(&o->a)) < 0 ||
		    o->a.state == DELIVERY_ATTEMPT_VOID)
			continue;
		switch (r->heartbeat > 0 ? dv_credit_tx(tx, o, idx,
		    r->heartbeat, r->now, "restart_credit") : 0) {
		case -1:
			rc = STORE_EFAIL;
			continue;
		case 1:
			r->credited++;
			break;
		}
		if (delivery_attempt_due(&o->a, r->now, EXAMD_SAVE_GRACE_MS) ==
		    idx) {
			dv_server_rec(&rec);
			if (dv_submit_tx(tx, o, idx, "server", NULL, r->now,
			    &rec) ==
			    -1) {
				rc = STORE_EFAIL;
				break;
			}
			r->submitted++;
		}
	}
	free(o);
	snprintf(buf, sizeof buf, "%" PRId64, r->now);
	if (rc == STORE_OK && store_meta_put(tx, "heartbeat_ms", buf) != 0)
		rc = STORE_EFAIL;
	return rc;
}

struct dv_unclosed {
	struct dv_close_op	*op;
	size_t			 cap;
	int64_t			 now;
};

static void
dv_unclosed_add(int64_t sid, int64_t closes_at, void *arg)
{
	struct dv_unclosed *u = arg;
	struct dv_close_op *op = u->op;

	if (closes_at > u->now)
		return;
	if (op->nwin == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 8;
		if ((op->win = reallocarray(op->win, u->cap,
		    sizeof *op->win)) == NULL)
			fatal("dv_unclosed_add");
	}
	memset(&op->win[op->nwin], 0, sizeof op->win[op->nwin]);
	op->win[op->nwin++].sid = sid;
}

/*
 * Start-up, after the open parts and the restart's window credit: windows
 * still due (examd was up when they closed, but died before closing them;
 * no heartbeat) are closed now, before it accepts connections; the others
 * are armed.
 */
static int
dv_init_windows(struct dv *d, char **errstr)
{
	struct dv_close_op op;
	struct dv_unclosed u;
	int rc;

	memset(&op, 0, sizeof op);
	memset(&u, 0, sizeof u);
	op.srv = d->srv;
	u.op = &op;
	u.now = dv_now();
	if (store_sittings_unclosed(d->srv->store, dv_unclosed_add, &u) == -1) {
		*errstr = xasprintf("delivery: cannot read the sittings");
		return -1;
	}
	if (op.nwin > 0) {
		rc = store_run(d->srv->store, dv_close_work, &op, errstr);
		free(op.v);
		free(op.win);
		if (rc != STORE_OK) {
			if (*errstr == NULL)
				*errstr = xasprintf("delivery: closing the "
				    "windows that closed while examd was "
				    "down failed (%d)", rc);
			return -1;
		}
		log_info("delivery: %zu sitting windows closed while examd was "
		    "down were closed at start", op.nwin);
	}
	if (store_sittings_unclosed(d->srv->store, dv_sit_arm_cb, d) == -1) {
		*errstr = xasprintf("delivery: cannot read the sittings");
		return -1;
	}
	return 0;
}

static double
dv_gauge_open(void *arg)
{
	return (double)((struct dv *)arg)->nheap;
}

static double
dv_gauge_closed(void *arg)
{
	return (double)((struct dv *)arg)->closed_by_server;
}

int
dv_init(struct server *srv, char **errstr)
{
	struct dv *d;
	struct dv_restart r;
	struct timespec w;
	struct timeval sync = { DV_SYNC_SECONDS, 0 };
	struct timeval hb = { DV_HEARTBEAT_SECONDS, 0 };
	char *s;
	size_t i;
	int rc;

	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_MONOTONIC, &dv_mono0);
	dv_wall0 = (int64_t)w.tv_sec * 1000 + w.tv_nsec / 1000000;
	if ((d = calloc(1, sizeof *d)) == NULL)
		fatal("dv_init");
	d->srv = srv;
	srv->mod[MOD_DELIVERY] = d;
	d->deadline_ev = evtimer_new(srv->base, dv_deadline, d);
	d->sync_ev = event_new(srv->base, -1, EV_PERSIST, dv_sync, d);
	d->heartbeat_ev = event_new(srv->base, -1, EV_PERSIST, dv_heartbeat,
	    d);

	memset(&r, 0, sizeof r);
	if ((s = store_meta_get(srv->store, "heartbeat_ms")) != NULL) {
		r.heartbeat = strtoll(s, NULL, 10);
		free(s);
	}
	if (store_attempts_open(srv->store, &r.ids, &r.n) == -1) {
		*errstr = xasprintf("delivery: cannot read the open parts");
		return -1;
	}
	r.now = dv_now();
	rc = store_run(srv->store, dv_restart_work, &r, errstr);
	if (rc != STORE_OK) {
		free(r.ids);
		if (*errstr == NULL)
			*errstr = xasprintf("delivery: re-arming the open "
			    "parts failed (%d)", rc);
		return -1;
	}
	if (r.n > 0)
		log_info("delivery: %zu open parts re-armed, %zu credited "
		    "%" PRId64 " ms of downtime, %zu submitted at their "
		    "deadline", r.n, r.credited, r.heartbeat > 0 ?
		    r.now - r.heartbeat : 0, r.submitted);
	if (r.windows > 0)
		log_info("delivery: %zu sitting windows that closed while "
		    "examd was down are open again for what they lost",
		    r.windows);
	for (i = 0; i < r.n; i++)
		(void)dv_get(srv, r.ids[i]);
	free(r.ids);
	if (dv_init_windows(d, errstr) == -1)
		return -1;
	store_on_recovery(srv->store, dv_outage_work, dv_outage_done, srv);
	event_add(d->sync_ev, &sync);
	event_add(d->heartbeat_ev, &hb);
	dv_timer_reset(d);
	metrics_gauge("examd_delivery_running_parts",
	    "Open parts whose clock runs.", dv_gauge_open, d);
	metrics_gauge("examd_delivery_server_submissions",
	    "Parts submitted by the server at their deadline since start.",
	    dv_gauge_closed, d);
	return 0;
}

void
dv_fini(struct server *srv)
{
	struct dv *d = dv_of(srv);
	struct dv_att *t, *next;
	struct dv_sit *s, *snext;
	size_t i;

	if (d == NULL)
		return;
	store_on_recovery(srv->store, NULL, NULL, NULL);
	for (i = 0; i < DV_BUCKETS; i++)
		for (t = d->buckets[i]; t != NULL; t = next) {
			next = t->next;
			dv_att_free(t);
		}
	for (i = 0; i < DV_SIT_BUCKETS; i++)
		for (s = d->sits[i]; s != NULL; s = snext) {
			snext = s->next;
			free(s);
		}
	event_free(d->deadline_ev);
	event_free(d->sync_ev);
	event_free(d->heartbeat_ev);
	free(d->heap);
	free(d);
	srv->mod[MOD_DELIVERY] = NULL;
}
