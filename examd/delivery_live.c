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

struct dv {
	struct server	*srv;
	struct dv_att	*buckets[DV_BUCKETS];
	size_t		 natt;
	struct dv_att	**heap;
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
	struct dv_att *t = d->heap[i];

	d->heap[i] = d->heap[j];
	d->heap[j] = t;
	d->heap[i]->heap_idx = i;
	d->heap[j]->heap_idx = j;
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
dv_heap_remove(struct dv *d, struct dv_att *t)
{
	size_t i = t->heap_idx;

	if (!t->in_heap)
		return;
	t->in_heap = 0;
	d->nheap--;
	if (i != d->nheap) {
		d->heap[i] = d->heap[d->nheap];
		d->heap[i]->heap_idx = i;
		dv_heap_fix(d, i);
	}
}

static void
dv_heap_put(struct dv *d, struct dv_att *t, int64_t due)
{
	t->due = due;
	if (t->in_heap) {
		dv_heap_fix(d, t->heap_idx);
		return;
	}
	if (d->nheap == d->capheap) {
		d->capheap = d->capheap ? d->capheap * 2 : 256;
		if ((d->heap = reallocarray(d->heap, d->capheap,
		    sizeof *d->heap)) == NULL)
			fatal("dv_heap_put");
	}
	t->in_heap = 1;
	t->heap_idx = d->nheap;
	d->heap[d->nheap++] = t;
	dv_heap_fix(d, t->heap_idx);
}

/* The timer waits for the earliest due part. */
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
		dv_heap_remove(d, t);
	} else {
		c = &t->a.sections[idx].clock;
		dv_heap_put(d, t, delivery_clock_deadline(c) +
		    EXAMD_SAVE_GRACE_MS + 1);
	}
	dv_timer_reset(d);
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
	t->sitting_id = c.sitting_id;
	t->association_id = c.association_id;
	t->opens_at = c.opens_at;
	t->closes_at = c.closes_at;
	if (rc == 1)
		dv_copy(t, o);
	free(o);
	*p = t;
	d->natt++;
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

	if (t == NULL || t->id == 0 || a->n_sections != t->a.n_sections)
		return;
	t->a = *a;
	t->completed_at = completed_at;
	if (pos >= 0 && by != NULL)
		snprintf(t->sec[pos].submitted_by,
		    sizeof t->sec[pos].submitted_by, "%s", by);
	dv_arm(dv_of(srv), t);
}

int64_t *
dv_open_in_sitting(struct server *srv, int64_t sid, size_t *n)
{
	struct dv *d = dv_of(srv);
	struct dv_att *t;
	int64_t *v = NULL;
	size_t i, cap = 0;

	*n = 0;
	for (i = 0; i < DV_BUCKETS; i++)
		for (t = d->buckets[i]; t != NULL; t = t->next) {
			if (t->sitting_id != sid || t->id == 0 ||
			    delivery_attempt_open_section(&t->a) < 0)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((v = reallocarray(v, cap, sizeof *v)) ==
				    NULL)
					fatal("dv_open_in_sitting");
			}
			v[(*n)++] = t->cid;
		}
	return v;
}

/* ---- JSON ---- */

json_t *
dv_time_json(const struct dv_att *t, int64_t now)
{
	int idx = t->id ? delivery_attempt_open_section(&t->a) : -1;
	const struct delivery_clock *c;

	if (idx < 0 || t->a.state == DELIVERY_ATTEMPT_VOID)
		return json_pack("{s:n,s:s}", "section", "status",
		    delivery_attempt_state_name(t->a.state));
	c = &t->a.sections[idx].clock;
	return json_pack("{s:s,s:I,s:o,s:b}", "section", t->sec[idx].ident,
	    "remaining_ms", (json_int_t)delivery_clock_remaining(c, now),
	    "deadline", dv_time_or_null(c->paused_since ? 0 :
	    delivery_clock_deadline(c)), "paused", c->paused_since != 0);
}

json_t *
dv_roster_row(struct server *srv, const struct dv_att *t, int signed_in,
    int64_t now)
{
	int idx = t->id ? delivery_attempt_open_section(&t->a) : -1;
	const char *status;
	char topic[48];
	int connected;

	if (t->id != 0)
		status = delivery_attempt_state_name(t->a.state);
	else
		status = signed_in || t->last_seen ? "waiting" : "registered";
	snprintf(topic, sizeof topic, "candidate:%" PRId64, t->cid);
	connected = events_subscribers(srv, topic) > 0 ||
	    (t->last_seen != 0 && now - t->last_seen < DV_CONNECTED_MS);
	return json_pack("{s:I,s:s,s:s,s:s?,s:o,s:b,s:b,s:o}",
	    "id", (json_int_t)t->cid, "name", t->name ? t->name : "",
	    "status", status, "section", idx >= 0 ? t->sec[idx].ident : NULL,
	    "remaining_ms", idx >= 0 ? json_integer(delivery_clock_remaining(
	    &t->a.sections[idx].clock, now)) : json_null(),
	    "paused", idx >= 0 && t->a.sections[idx].clock.paused_since != 0,
	    "connected", connected, "last_save_at",
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

/* ---- submission (writer thread) ---- */

int
dv_submit_tx(struct store_tx *tx, struct sd_attempt *o, int pos,
    const char *by, int64_t now, struct audit_rec *rec)
{
	struct delivery_score sc;
	json_t *saves, *details;
	char **answers = NULL, **keys = NULL, *err = NULL, object[48];
	size_t n = 0;
	int scored = 0, rc;

	if (delivery_section_submit(&o->a, pos, now, &err) == -1) {
		store_tx_fail(tx, "submit: %s", err);
		free(err);
		return -1;
	}
	if (o->sec[pos].kind == BANK_MC) {
		if (store_mc_keyed_tx(tx, o->id, pos, &answers, &keys, &n) ==
		    -1)
			return -1;
		rc = delivery_score_mc((const char *const *)answers,
		    (const char *const *)keys, n, o->sec[pos].cut_percent,
		    &sc, &err);
		store_mc_keyed_free(answers, keys, n);
		if (rc == -1) {
			store_tx_fail(tx, "scoring: %s", err);
			free(err);
			return -1;
		}
		if (store_mc_score_put(tx, o->id, pos, &sc) == -1)
			return -1;
		scored = 1;
	}
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
	if (scored)
		json_object_set_new(details, "mc", json_pack("{s:i,s:i}",
		    "raw", sc.raw, "max", sc.max));
	snprintf(object, sizeof object, "attempt:%" PRId64, o->id);
	rec->action = "section.submit";
	rec->object = object;
	rec->details = details;
	rec->candidate_id = o->candidate_id;
	rec->association_id = o->association_id;
	rc = store_audit_append(tx, rec);
	json_decref(details);
	rec->details = NULL;
	return rc;
}

static void
dv_server_rec(struct audit_rec *rec)
{
	memset(rec, 0, sizeof *rec);
	rec->actor = "examd";
	rec->role = "-";
}

/* ---- the deadline pass ---- */

struct dv_closed {
	int64_t			 cid, completed_at;
	int			 pos;	/* -1: not submitted (no longer due) */
	struct delivery_attempt	 a;
};

struct dv_close_op {
	struct server		*srv;
	size_t			 n;
	struct dv_closed	*v;
	int64_t			 now;
};

static int
dv_close_work(struct store_tx *tx, void *arg)
{
	struct dv_close_op *op = arg;
	struct sd_attempt *o;
	struct audit_rec rec;
	size_t i;
	int idx, rc = STORE_OK;

	if ((o = malloc(sizeof *o)) == NULL)
		fatal("dv_close_work");
	op->now = dv_now();
	for (i = 0; i < op->n && rc == STORE_OK; i++) {
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
			if (dv_submit_tx(tx, o, idx, "server", op->now, &rec) ==
			    -1) {
				rc = STORE_EFAIL;
				break;
			}
			op->v[i].pos = idx;
		}
		op->v[i].a = o->a;
		op->v[i].completed_at = o->completed_at;
	}
	free(o);
	return rc;
}

static void
dv_close_done(int rc, void *arg)
{
	struct dv_close_op *op = arg;
	struct server *srv = op->srv;
	struct dv *d = dv_of(srv);
	struct dv_att *t;
	size_t i;

	for (i = 0; d != NULL && i < op->n; i++) {
		if ((t = dv_get(srv, op->v[i].cid)) == NULL)
			continue;
		t->closing = 0;
		if (rc != STORE_OK) {
			/* Nothing was stored: try again shortly. */
			dv_heap_put(d, t, dv_now() + DV_RETRY_MS);
			continue;
		}
		dv_apply_state(srv, t->cid, &op->v[i].a, op->v[i].completed_at,
		    op->v[i].pos, "server");
		if (op->v[i].pos < 0)
			continue;
		d->closed_by_server++;
		dv_notify(srv, t, "submitted", json_pack("{s:s,s:s,s:s}",
		    "section", t->sec[op->v[i].pos].ident, "by", "server",
		    "status", delivery_attempt_state_name(t->a.state)));
	}
	if (rc != STORE_OK)
		log_warnx("delivery: closing %zu parts at their deadline "
		    "failed (%d); retrying", op->n, rc);
	else
		log_debug("delivery: closed %zu parts at their deadline", op->n);
	if (d != NULL)
		dv_timer_reset(d);
	free(op->v);
	free(op);
}

static void
dv_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct dv *d = arg;
	struct dv_close_op *op;
	struct dv_att *t;
	int64_t now = dv_now();
	size_t cap = 0;

	(void)fd;
	(void)what;
	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("dv_deadline");
	op->srv = d->srv;
	while (d->nheap > 0 && d->heap[0]->due <= now) {
		t = d->heap[0];
		dv_heap_remove(d, t);
		t->closing = 1;
		if (op->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((op->v = reallocarray(op->v, cap, sizeof *op->v)) ==
			    NULL)
				fatal("dv_deadline");
		}
		memset(&op->v[op->n], 0, sizeof op->v[op->n]);
		op->v[op->n++].cid = t->cid;
	}
	if (op->n == 0) {
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
			if (t->in_heap || t->closing || now - t->last_seen <
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

/* ---- start-up ---- */

struct dv_restart {
	int64_t		*ids;
	size_t		 n;
	int64_t		 heartbeat, now;
	size_t		 credited, submitted;
};

static int
dv_restart_work(struct store_tx *tx, void *arg)
{
	struct dv_restart *r = arg;
	struct sd_attempt *o;
	struct audit_rec rec;
	struct delivery_clock *c;
	json_t *details;
	char buf[32], object[48], down[40], up[40];
	int64_t credit;
	size_t i;
	int idx, rc = STORE_OK;

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
		c = &o->a.sections[idx].clock;
		credit = r->heartbeat > 0 ? delivery_clock_credit_downtime(c,
		    r->heartbeat, r->now) : 0;
		if (credit > 0) {
			r->credited++;
			auth_time_format(r->heartbeat, down, sizeof down);
			auth_time_format(r->now, up, sizeof up);
			details = json_pack("{s:s,s:I,s:s,s:s}", "section",
			    o->sec[idx].ident, "credit_ms", (json_int_t)credit,
			    "down_from", down, "down_until", up);
			snprintf(object, sizeof object, "attempt:%" PRId64,
			    o->id);
			dv_server_rec(&rec);
			rec.action = "section.restart_credit";
			rec.object = object;
			rec.details = details;
			rec.candidate_id = o->candidate_id;
			rec.association_id = o->association_id;
			if (store_section_put(tx, o, idx, NULL) == -1 ||
			    store_clock_log(tx, o->id, idx, "restart_credit",
			    credit, NULL, 0, r->now) == -1 ||
			    store_audit_append(tx, &rec) == -1)
				rc = STORE_EFAIL;
			json_decref(details);
			if (rc != STORE_OK)
				break;
		}
		if (delivery_attempt_due(&o->a, r->now, EXAMD_SAVE_GRACE_MS) ==
		    idx) {
			dv_server_rec(&rec);
			if (dv_submit_tx(tx, o, idx, "server", r->now, &rec) ==
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
	for (i = 0; i < r.n; i++)
		(void)dv_get(srv, r.ids[i]);
	free(r.ids);
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
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < DV_BUCKETS; i++)
		for (t = d->buckets[i]; t != NULL; t = next) {
			next = t->next;
			dv_att_free(t);
		}
	event_free(d->deadline_ev);
	event_free(d->sync_ev);
	event_free(d->heartbeat_ev);
	free(d->heap);
	free(d);
	srv->mod[MOD_DELIVERY] = NULL;
}
