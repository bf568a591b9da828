/*
 * delivery_api.c: the candidate's attempt and the proctor's actions over
 * HTTP (CONTRACT.md "Candidate" and "Proctoring").
 *
 *	GET  /api/v1/attempt					candidate
 *	POST /api/v1/attempt/sections/{secid}/start		candidate
 *	GET  /api/v1/attempt/sections/{secid}			candidate
 *	PUT  /api/v1/attempt/sections/{secid}/answers/{n}	candidate
 *	PUT  /api/v1/attempt/sections/{secid}/essays/{pid}	candidate
 *	POST /api/v1/attempt/sections/{secid}/submit		candidate
 *	GET  /api/v1/attempt/events				candidate (SSE)
 *	POST /api/v1/sittings/{sid}/candidates/{cid}/admit|pause|resume|void|extend|submit
 *	POST /api/v1/sittings/{sid}/pause|resume		the whole sitting
 *	GET  /api/v1/sittings/{sid}/roster
 *	GET  /api/v1/sittings/{sid}/events			proctor (SSE)
 *
 * Every write is a unit that re-reads the attempt inside its transaction
 * (the truth) and answers only once it is durable; its done callback hands
 * the new state to dv_apply() and pushes the events. Reads are cheap reads
 * on the loop: clocks come from the cache, item content from a cache of
 * immutable item versions. No candidate reply carries a key, an item id or
 * version, a score or another candidate's data.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/rand.h>

#include "audit.h"
#include "auth.h"
#include "bank.h"
#include "delivery.h"
#include "delivery_api.h"
#include "delivery_live.h"
#include "events.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "store_delivery.h"
#include "store_identity.h"

#define DV_REFUSED	100	/* a unit said no: op->status, code, msg */
#define DV_REASON_MAX	500	/* a proctor's reason, bytes */
#define DV_MAX_SEQ	((int64_t)1 << 53)	/* JSON numbers stay exact */
#define DV_MAX_EXTEND_S	(24 * 3600)

/* Immutable item versions as candidates see them, by item id. */
static json_t *dv_items;

/* ---- small helpers ---- */

static int64_t
dv_cid(struct req *req)
{
	return auth_candidate_id(req);
}

/* The caller's cached state; replies 404 (or 503) and returns NULL. */
static struct dv_att *
dv_me(struct req *req)
{
	struct dv_att *t = dv_get(req->srv, dv_cid(req));
	int64_t now = dv_now(), was;

	if (t == NULL) {
		http_error(req, 503, "store_unavailable", "try again");
		return NULL;
	}
	was = t->last_seen;
	t->last_seen = now;
	/* Signing in made the stored status "waiting" (schema/006). */
	if (t->id == 0 && strcmp(t->status, "registered") == 0)
		snprintf(t->status, sizeof t->status, "waiting");
	if (was == 0 || now - was >= DV_CONNECTED_MS ||
	    was <= t->stream_closed_at)
		dv_notify(req->srv, t, NULL, NULL);	/* now connected */
	return t;
}

/* The part {secid} of the caller's attempt; replies and returns -1. */
static int
dv_my_section(struct req *req, struct dv_att *t)
{
	int pos;

	if (t->id == 0) {
		if (t->a.state == DELIVERY_ATTEMPT_VOID)
			http_error(req, 409, "attempt_void",
			    "this attempt has been voided");
		else
			http_error(req, 409, "not_admitted", "wait until a "
			    "proctor admits you");
		return -1;
	}
	if ((pos = dv_section(t, req->params[0])) < 0) {
		http_not_found(req);
		return -1;
	}
	return pos;
}

static const char *
dv_kind(int kind)
{
	return kind == BANK_MC ? "mc" : "essay";
}

/* The cached candidate-facing view of an item (borrowed), or NULL. */
static json_t *
dv_item(struct server *srv, int64_t item_id)
{
	struct bank_item *it;
	json_t *j, *ch;
	char key[24];
	size_t i;

	snprintf(key, sizeof key, "%" PRId64, item_id);
	if ((j = json_object_get(dv_items, key)) != NULL)
		return j;
	if (store_item_get(srv->store, item_id, &it) != 0)
		return NULL;
	ch = json_array();
	for (i = 0; i < it->n_choices; i++)
		json_array_append_new(ch, json_pack("{s:s,s:s,s:b}", "id",
		    it->choices[i].id, "html", it->choices[i].html, "fixed",
		    it->choices[i].fixed));
	j = json_pack("{s:s,s:s,s:s,s:b,s:o}", "title", it->title ? it->title :
	    "", "stem", it->stem_html ? it->stem_html : "", "prompt",
	    it->prompt_html ? it->prompt_html : "", "shuffle", it->shuffle,
	    "choices", ch);
	bank_item_free(it);
	json_object_set_new(dv_items, key, j);
	return j;
}

/* The html of original choice id in an item view, or "". */
static const char *
dv_choice_html(json_t *item, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(item, "choices"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			return json_string_value(json_object_get(c, "html"));
	return "";
}

/* The letter under which original choice id is shown, or NULL. */
static json_t *
dv_letter(json_t *order, const char *id)
{
	char out[2];
	size_t i;

	if (id == NULL || id[0] == '\0')
		return json_null();
	for (i = 0; i < json_array_size(order); i++)
		if (strcmp(json_string_value(json_array_get(order, i)), id) ==
		    0 && delivery_choice_id(i, json_array_size(order), out) == 0)
			return json_string(out);
	return json_null();
}

static void
dv_clock_fields(json_t *o, const struct delivery_clock *c,
    enum delivery_section_state st, int64_t now)
{
	json_object_set_new(o, "remaining_ms",
	    json_integer(delivery_clock_remaining(c, now)));
	json_object_set_new(o, "deadline", dv_time_or_null(
	    st == DELIVERY_SECTION_OPEN && c->paused_since == 0 ?
	    delivery_clock_deadline(c) : 0));
	json_object_set_new(o, "paused", json_boolean(c->paused_since != 0));
}

/* GET /attempt's body for an attempt that exists. */
static json_t *
dv_attempt_json(const struct dv_att *t)
{
	int64_t now = dv_now();
	json_t *secs = json_array(), *s;
	size_t i;

	for (i = 0; i < t->a.n_sections; i++) {
		s = json_pack("{s:s,s:s,s:s,s:s}", "id", t->sec[i].ident,
		    "kind", dv_kind(t->sec[i].kind), "title", t->sec[i].title,
		    "status", delivery_section_state_name(
		    t->a.sections[i].state));
		dv_clock_fields(s, &t->a.sections[i].clock,
		    t->a.sections[i].state, now);
		/* "forfeit": the window closed before it was started. */
		json_object_set_new(s, "submitted_by",
		    t->sec[i].submitted_by[0] ? json_string(
		    t->sec[i].submitted_by) : json_null());
		json_array_append_new(secs, s);
	}
	return json_pack("{s:s,s:o,s:o,s:o,s:b}", "status",
	    delivery_attempt_state_name(t->a.state), "sections", secs,
	    "opens_at", dv_time_or_null(t->opens_at), "closes_at",
	    dv_time_or_null(t->closes_at), "paused", t->sitting_paused_at != 0);
}

/* ---- section views ---- */

struct dv_view {
	struct server	*srv;
	json_t		*arr, *obj;
	int		 fail;
};

static int
dv_view_item(const struct sd_answer *a, void *arg)
{
	struct dv_view *v = arg;
	json_t *item = dv_item(v->srv, a->item_id), *order, *choices, *id;
	char letter[2];
	size_t i;

	if (item == NULL || (order = json_loads(a->choice_order, 0, NULL)) ==
	    NULL) {
		v->fail = 1;
		return -1;
	}
	choices = json_array();
	json_array_foreach(order, i, id)
		if (delivery_choice_id(i, json_array_size(order), letter) == 0)
			json_array_append_new(choices, json_pack("{s:s,s:s}",
			    "id", letter, "text", dv_choice_html(item,
			    json_string_value(id))));
	json_array_append_new(v->arr, json_pack("{s:i,s:s,s:o,s:o,s:b,s:I}",
	    "n", a->n, "stem", json_string_value(json_object_get(item, "stem")),
	    "choices", choices, "answer", dv_letter(order, a->answer),
	    "flagged", a->flagged, "seq", (json_int_t)a->seq));
	json_decref(order);
	return 0;
}

static int
dv_view_essay(const struct sd_essay *e, void *arg)
{
	struct dv_view *v = arg;
	json_t *item = dv_item(v->srv, e->item_id), *groups;
	char *cat, *p, *save = NULL;

	if (item == NULL) {
		v->fail = 1;
		return -1;
	}
	groups = json_array();
	if ((cat = strdup(e->category)) == NULL)
		fatal("dv_view_essay");
	for (p = strtok_r(cat, " ", &save); p; p = strtok_r(NULL, " ", &save))
		json_array_append_new(groups, json_string(p));
	free(cat);
	/* The stem already holds the question, in place of the interaction. */
	json_array_append_new(v->arr, json_pack("{s:s,s:s,s:s,s:o}", "id",
	    e->pid, "title", json_string_value(json_object_get(item, "title")),
	    "text", json_string_value(json_object_get(item, "stem")),
	    "groups", groups));
	if (e->seq > 0)
		json_object_set_new(v->obj, e->pid, json_pack(
		    "{s:s%,s:I,s:I,s:o}", "text", e->text ? e->text : "",
		    e->text ? e->text_len : 0, "words", (json_int_t)e->words,
		    "seq", (json_int_t)e->seq, "saved_at",
		    dv_time_or_null(e->saved_at)));
	return 0;
}

/* The section view of CONTRACT.md; replies. */
static void
dv_reply_section(struct req *req, struct dv_att *t, int pos)
{
	const struct delivery_section *ds = &t->a.sections[pos];
	struct dv_view v;
	json_t *out, *rule;

	memset(&v, 0, sizeof v);
	v.srv = req->srv;
	v.arr = json_array();
	out = json_pack("{s:s,s:s,s:s,s:s}", "id", t->sec[pos].ident, "kind",
	    dv_kind(t->sec[pos].kind), "title", t->sec[pos].title, "status",
	    delivery_section_state_name(ds->state));
	if (t->sec[pos].kind == BANK_MC) {
		if (store_answers_list(req->srv->store, t->id, pos,
		    dv_view_item, &v) == -1)
			v.fail = 1;
		json_object_set_new(out, "items", v.arr);
	} else {
		v.obj = json_object();
		if (store_essays_list(req->srv->store, t->id, pos,
		    dv_view_essay, &v) == -1)
			v.fail = 1;
		rule = json_pack("{s:i,s:o}", "answer", t->sec[pos].essay_answer,
		    "require", json_loads(t->sec[pos].essay_require, 0, NULL));
		json_object_set_new(out, "prompts", v.arr);
		json_object_set_new(out, "rule", rule);
		json_object_set_new(out, "responses", v.obj);
	}
	if (v.fail) {
		json_decref(out);
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	dv_clock_fields(out, &ds->clock, ds->state, dv_now());
	http_reply_json(req, 200, out);
}

/* ---- admission: building the attempt ---- */

struct dv_op {
	struct req		*req;
	struct server		*srv;
	int			 kind;
	int64_t			 cid, sid, assoc;
	int			 pos;
	int64_t			 ms;
	char			 reason[DV_REASON_MAX + 1];
	int64_t			 now;
	/* results */
	int			 status;
	const char		*code;
	char			 msg[256];
	int			 unchanged;
	struct sd_attempt	 o;
	struct bank_form	*form;
	struct sd_plan		 plan;
	/* The plan's track: the unit runs on the writer thread, after the
	 * caller's candidate row (on the loop's stack) is gone. */
	char			 track[SD_IDENT_MAX + 1];
	/* sitting-wide */
	int64_t			*ids;
	size_t			 n, changed;
	struct delivery_attempt	*states;
};

enum { OP_ADMIT, OP_START, OP_SUBMIT, OP_PAUSE, OP_RESUME, OP_EXTEND,
    OP_VOID, OP_FORCE, OP_SITTING_PAUSE, OP_SITTING_RESUME };

static void
dv_op_free(struct dv_op *op)
{
	size_t i;

	for (i = 0; i < op->plan.n_sections; i++) {
		size_t j;

		for (j = 0; j < op->plan.sections[i].n; j++)
			free(op->plan.sections[i].items[j].choice_order);
		free(op->plan.sections[i].items);
		free(op->plan.sections[i].essay_require);
	}
	bank_form_free(op->form);
	free(op->ids);
	free(op->states);
	free(op);
}

static struct dv_op *
dv_op_new(struct req *req, int kind, int64_t cid)
{
	struct dv_op *op;

	if ((op = calloc(1, sizeof *op)) == NULL)
		fatal("dv_op_new");
	op->req = req;
	op->srv = req->srv;
	op->kind = kind;
	op->cid = cid;
	op->pos = -1;
	return op;
}

static int
dv_refuse(struct dv_op *op, int status, const char *code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
dv_refuse(struct dv_op *op, int status, const char *code, const char *fmt,
    ...)
{
	va_list ap;

	op->status = status;
	op->code = code;
	va_start(ap, fmt);
	vsnprintf(op->msg, sizeof op->msg, fmt, ap);
	va_end(ap);
	return DV_REFUSED;
}

/*
 * Builds the plan of a candidate's attempt on the loop (cheap reads: the
 * form and its items) so the unit only inserts. 0, or DV_REFUSED with the
 * reason in op.
 */
static int
dv_plan(struct dv_op *op, const struct sd_candidate *c)
{
	struct sd_plan *p = &op->plan;
	struct sd_plan_section *ps;
	const struct bank_section *bs;
	const struct bank_track *tr;
	const struct bank_form_item *fi;
	struct delivery_attempt chk;
	int64_t limits[EXAMD_MAX_SECTIONS];
	size_t perm[256], cperm[26], i, j, k, nc;
	bool fixed[26];
	json_t *item, *order, *req;
	char *err = NULL;
	int rc;

	if (strcmp(c->sitting_status, "cancelled") == 0)
		return dv_refuse(op, 409, "sitting_cancelled",
		    "this sitting has been cancelled");
	rc = store_form_get(op->srv->store, c->exam_id, &op->form, &err);
	free(err);
	if (rc != 0 || op->form == NULL)
		return dv_refuse(op, 409, "exam_form_missing", "the exam form "
		    "of this sitting is not in the item bank");
	if (op->form->n_sections == 0 ||
	    op->form->n_sections > EXAMD_MAX_SECTIONS)
		return dv_refuse(op, 409, "exam_form_invalid", "the exam form "
		    "has no usable parts");
	memset(p, 0, sizeof *p);
	p->candidate_id = c->id;
	p->sitting_id = c->sitting_id;
	p->association_id = c->association_id;
	p->form_id = op->form->identifier;
	snprintf(op->track, sizeof op->track, "%s", c->track);
	p->track = op->track;
	RAND_bytes((unsigned char *)&p->seed, sizeof p->seed);
	p->seed &= INT64_MAX;	/* stored as a positive SQLite integer */
	if (delivery_multiplier_from_double(c->multiplier,
	    &p->sections[0].multiplier, &err) == -1) {
		dv_refuse(op, 422, "invalid_accommodation", "%s", err);
		free(err);
		return DV_REFUSED;
	}
	for (i = 0; i < op->form->n_sections; i++) {
		bs = &op->form->sections[i];
		ps = &p->sections[i];
		p->n_sections = i + 1;
		ps->ident = bs->identifier;
		ps->title = bs->title;
		ps->kind = bs->kind;
		ps->cut_percent = bs->cut_percent;
		ps->limit_ms = limits[i] = bs->time_limit_ms;
		ps->multiplier = p->sections[0].multiplier;
		ps->extra_ms = bs->kind == BANK_MC ? c->extra_ms_mc :
		    c->extra_ms_essay;
		if (bs->kind == BANK_MC) {
			if (bs->n_items == 0 || bs->n_items > 256)
				return dv_refuse(op, 409, "exam_form_invalid",
				    "part %s has no usable items",
				    bs->identifier);
			ps->n = bs->n_items;
			if ((ps->items = calloc(ps->n, sizeof *ps->items)) ==
			    NULL)
				fatal("dv_plan");
			delivery_shuffle_items(p->seed, (uint32_t)i, ps->n, perm);
			for (j = 0; j < ps->n; j++) {
				fi = &bs->items[perm[j]];
				if ((item = dv_item(op->srv, fi->item_id)) ==
				    NULL)
					return dv_refuse(op, 409,
					    "exam_form_invalid", "an item of "
					    "part %s is missing",
					    bs->identifier);
				nc = json_array_size(json_object_get(item,
				    "choices"));
				if (nc == 0 || nc > 26)
					return dv_refuse(op, 409,
					    "exam_form_invalid", "an item of "
					    "part %s has %zu choices",
					    bs->identifier, nc);
				for (k = 0; k < nc; k++)
					fixed[k] = json_is_true(json_object_get(
					    json_array_get(json_object_get(item,
					    "choices"), k), "fixed"));
				delivery_shuffle_choices(p->seed, (uint32_t)i,
				    (uint32_t)j, nc, json_is_true(
				    json_object_get(item, "shuffle")), fixed,
				    cperm);
				order = json_array();
				for (k = 0; k < nc; k++)
					json_array_append(order, json_object_get(
					    json_array_get(json_object_get(item,
					    "choices"), cperm[k]), "id"));
				ps->items[j].item_id = fi->item_id;
				ps->items[j].choice_order = json_dumps(order,
				    JSON_COMPACT);
				json_decref(order);
			}
		} else {
			if ((tr = bank_section_track(bs, c->track)) == NULL ||
			    tr->n_items == 0 ||
			    tr->n_items > EXAMD_MAX_ESSAY_PROMPTS)
				return dv_refuse(op, 409, "track_not_in_form",
				    "the exam form has no vignettes for track "
				    "%s", c->track);
			p->track = op->track;
			ps->n = tr->n_items;
			if ((ps->items = calloc(ps->n, sizeof *ps->items)) ==
			    NULL)
				fatal("dv_plan");
			for (j = 0; j < ps->n; j++) {
				ps->items[j].item_id = tr->items[j].item_id;
				ps->items[j].category = tr->items[j].category;
			}
			ps->essay_answer = tr->answer;
			req = json_array();
			for (j = 0; j < tr->n_require; j++)
				json_array_append_new(req, json_pack("{s:s,s:i}",
				    "group", tr->require[j].group, "min",
				    tr->require[j].min));
			ps->essay_require = json_dumps(req, JSON_COMPACT);
			json_decref(req);
		}
	}
	p->track = op->track;
	if (delivery_attempt_init(&chk, p->seed, p->n_sections, limits,
	    p->sections[0].multiplier, c->extra_ms_mc > c->extra_ms_essay ?
	    c->extra_ms_mc : c->extra_ms_essay, &err) == -1) {
		dv_refuse(op, 422, "invalid_accommodation", "%s", err);
		free(err);
		return DV_REFUSED;
	}
	return 0;
}

/* An audit record for the op's caller (or examd itself for none). */
static void
dv_rec(struct dv_op *op, struct audit_rec *rec, char *actor, size_t len,
    const char *action, char *object, size_t olen, int64_t attempt_id)
{
	if (op->req != NULL)
		audit_rec_from_req(rec, op->req, actor, len);
	else {
		memset(rec, 0, sizeof *rec);
		rec->actor = "examd";
		rec->role = "-";
	}
	rec->action = action;
	snprintf(object, olen, "attempt:%" PRId64, attempt_id);
	rec->object = object;
	rec->candidate_id = op->o.candidate_id ? op->o.candidate_id : op->cid;
	if (op->o.association_id)
		rec->association_id = op->o.association_id;
}

static int
dv_audit(struct store_tx *tx, struct dv_op *op, const char *action,
    json_t *details)
{
	struct audit_rec rec;
	char actor[48], object[48];
	int rc;

	dv_rec(op, &rec, actor, sizeof actor, action, object, sizeof object,
	    op->o.id);
	rec.details = details;
	rc = store_audit_append(tx, &rec);
	json_decref(details);
	return rc == 0 ? STORE_OK : STORE_EFAIL;
}

static int
dv_admit_tx(struct store_tx *tx, struct dv_op *op)
{
	int64_t id;
	int rc;

	if ((rc = store_attempt_get_tx(tx, op->cid, &op->o)) == -1)
		return STORE_EFAIL;
	if (rc == 1) {
		op->unchanged = 1;
		return STORE_OK;
	}
	op->plan.now = op->now;
	if ((rc = store_attempt_insert(tx, &op->plan, &id)) != 0)
		return STORE_EFAIL;
	if (store_attempt_get_tx(tx, op->cid, &op->o) != 1)
		return STORE_EFAIL;
	return dv_audit(tx, op, "attempt.admit", json_pack("{s:s,s:s,s:i}",
	    "form", op->plan.form_id, "track", op->plan.track, "sections",
	    (int)op->plan.n_sections));
}

/* Refusals for a candidate's write to part pos, by the stored state. */
static int
dv_may_write(struct dv_op *op, int pos)
{
	enum delivery_save s;

	if (op->o.a.state == DELIVERY_ATTEMPT_VOID)
		return dv_refuse(op, 409, "attempt_void",
		    "this attempt has been voided");
	if (op->o.a.sections[pos].state == DELIVERY_SECTION_SUBMITTED)
		return dv_refuse(op, 409, "already_submitted",
		    "this part has been submitted");
	s = delivery_attempt_may_save(&op->o.a, (size_t)pos, op->now,
	    EXAMD_SAVE_GRACE_MS);
	if (s != DELIVERY_SAVE_OK)
		return dv_refuse(op, 409, delivery_save_code(s),
		    s == DELIVERY_SAVE_PAUSED ? "the exam is paused" :
		    s == DELIVERY_SAVE_NOT_OPEN ? "this part has not started" :
		    "the time for this part is over");
	return 0;
}

static int
dv_start_tx(struct store_tx *tx, struct dv_op *op)
{
	struct delivery_section *ds = &op->o.a.sections[op->pos];
	char *err = NULL;
	size_t i;

	if (op->o.a.state == DELIVERY_ATTEMPT_VOID)
		return dv_refuse(op, 409, "attempt_void",
		    "this attempt has been voided");
	if (ds->state == DELIVERY_SECTION_OPEN) {
		op->unchanged = 1;	/* a second device, a reload */
		return STORE_OK;
	}
	if (ds->state == DELIVERY_SECTION_SUBMITTED)
		return dv_refuse(op, 409, "already_submitted",
		    "this part has been submitted");
	for (i = 0; i < (size_t)op->pos; i++)
		if (op->o.a.sections[i].state != DELIVERY_SECTION_SUBMITTED)
			return dv_refuse(op, 409, "section_not_open",
			    "finish part %s first", op->o.sec[i].ident);
	if (op->o.opens_at && op->now < op->o.opens_at)
		return dv_refuse(op, 409, "window_not_open",
		    "the sitting has not opened yet");
	if (op->o.closes_at && op->now >= op->o.closes_at)
		return dv_refuse(op, 409, "window_closed",
		    "the sitting's window has closed");
	/* Read in this unit: a start and a sitting-wide pause never cross. */
	if (op->o.sitting_paused_at != 0)
		return dv_refuse(op, 409, "paused", "the sitting is paused: "
		    "the part can start once the proctor resumes it");
	if (delivery_section_start(&op->o.a, (size_t)op->pos, op->now,
	    op->o.opens_at, op->o.closes_at, &err) == -1) {
		dv_refuse(op, 409, "conflict", "%s", err);
		free(err);
		return DV_REFUSED;
	}
	if (store_section_put(tx, &op->o, op->pos, NULL) == -1 ||
	    store_attempt_put(tx, &op->o, NULL) == -1 ||
	    dv_session_keep_tx(tx, &op->o, op->now) == -1)
		return STORE_EFAIL;
	return dv_audit(tx, op, "section.start", json_pack("{s:s,s:I}",
	    "section", op->o.sec[op->pos].ident, "allowance_ms",
	    (json_int_t)delivery_clock_allowance(&ds->clock)));
}

/* The essay rule of part pos and its prompts, for the checks. */
struct dv_rule {
	struct delivery_essay_rule	 rule;
	struct delivery_essay_group	 groups[EXAMD_MAX_ESSAY_PROMPTS];
	struct delivery_essay_prompt	 prompts[EXAMD_MAX_ESSAY_PROMPTS];
	struct sd_essay			 rows[EXAMD_MAX_ESSAY_PROMPTS];
	size_t				 n;
	json_t				*req;
};

static int
dv_rule_load(struct store_tx *tx, int64_t att, int pos, int answer,
    const char *require, struct dv_rule *r)
{
	json_t *g;
	size_t i;

	memset(r, 0, sizeof *r);
	if (store_essays_tx(tx, att, pos, r->rows, EXAMD_MAX_ESSAY_PROMPTS,
	    &r->n) == -1)
		return -1;
	r->req = json_loads(require, 0, NULL);
	r->rule.answer = answer;
	r->rule.require = r->groups;
	json_array_foreach(r->req, i, g) {
		if (i >= EXAMD_MAX_ESSAY_PROMPTS)
			break;
		r->groups[i].group = json_string_value(json_object_get(g,
		    "group"));
		r->groups[i].min = (int)json_integer_value(json_object_get(g,
		    "min"));
		r->rule.n_require = i + 1;
	}
	for (i = 0; i < r->n; i++) {
		r->prompts[i].id = r->rows[i].pid;
		r->prompts[i].categories = r->rows[i].category;
	}
	return 0;
}

static int
dv_submit_op_tx(struct store_tx *tx, struct dv_op *op)
{
	struct audit_rec rec;
	struct dv_rule r;
	char actor[48], object[48], *err = NULL;
	bool answered[EXAMD_MAX_ESSAY_PROMPTS];
	size_t i;
	int rc;

	if ((rc = dv_may_write(op, op->pos)) != 0)
		return rc;
	if (op->o.sec[op->pos].kind == BANK_ESSAY) {
		if (dv_rule_load(tx, op->o.id, op->pos,
		    op->o.sec[op->pos].essay_answer,
		    op->o.sec[op->pos].essay_require, &r) == -1)
			return STORE_EFAIL;
		for (i = 0; i < r.n; i++)
			answered[i] = r.rows[i].words > 0;
		rc = delivery_essay_check_submit(&r.rule, r.prompts, r.n,
		    answered, &err) != DELIVERY_ESSAY_OK;
		json_decref(r.req);
		if (rc) {
			dv_refuse(op, 422, "essay_rule", "%s", err ? err :
			    "the essays do not meet the rule");
			free(err);
			return DV_REFUSED;
		}
	}
	dv_rec(op, &rec, actor, sizeof actor, "section.submit", object,
	    sizeof object, op->o.id);
	return dv_submit_tx(tx, &op->o, op->pos, "candidate", NULL, op->now,
	    &rec) == 0 ? STORE_OK : STORE_EFAIL;
}

/* The part a proctor's clock action applies to: the open one. */
static int
dv_open_pos(struct dv_op *op)
{
	if (op->o.id == 0)
		return dv_refuse(op, 409, "not_admitted",
		    "the candidate has not been admitted");
	if (op->o.a.state == DELIVERY_ATTEMPT_VOID)
		return dv_refuse(op, 409, "attempt_void",
		    "this attempt has been voided");
	if ((op->pos = delivery_attempt_open_section(&op->o.a)) < 0)
		return dv_refuse(op, 409, "section_not_open",
		    "the candidate has no part open");
	return 0;
}

/* A proctor submits the candidate's open part, with a reason: what was
 * saved counts, as at the deadline (no essay rule is checked). */
static int
dv_force_tx(struct store_tx *tx, struct dv_op *op)
{
	struct audit_rec rec;
	char actor[48], object[48];
	int rc;

	if ((rc = dv_open_pos(op)) != 0)
		return rc;
	dv_rec(op, &rec, actor, sizeof actor, "section.submit", object,
	    sizeof object, op->o.id);
	return dv_submit_tx(tx, &op->o, op->pos, "proctor", op->reason,
	    op->now, &rec) == 0 ? STORE_OK : STORE_EFAIL;
}

static int
dv_clock_tx(struct store_tx *tx, struct dv_op *op)
{
	struct delivery_clock *c;
	const char *action, *kind;
	char *err = NULL;
	int rc;

	if (op->kind == OP_EXTEND && op->o.id != 0 &&
	    op->o.a.state != DELIVERY_ATTEMPT_VOID &&
	    delivery_attempt_open_section(&op->o.a) < 0) {
		/* Nothing open: the extension goes to the next part. */
		for (op->pos = 0; op->pos < (int)op->o.a.n_sections; op->pos++)
			if (op->o.a.sections[op->pos].state ==
			    DELIVERY_SECTION_NOT_STARTED)
				break;
		if (op->pos == (int)op->o.a.n_sections)
			return dv_refuse(op, 409, "section_not_open",
			    "every part has been submitted");
	} else if ((rc = dv_open_pos(op)) != 0)
		return rc;
	c = &op->o.a.sections[op->pos].clock;
	switch (op->kind) {
	case OP_PAUSE:
		if (c->paused_since != 0)
			return dv_refuse(op, 409, "paused", "already paused");
		rc = delivery_clock_pause(c, op->now, &err);
		action = "section.pause";
		kind = "pause";
		break;
	case OP_RESUME:
		if (c->paused_since == 0)
			return dv_refuse(op, 409, "not_paused",
			    "the part is not paused");
		op->ms = op->now - c->paused_since;
		rc = delivery_clock_resume(c, op->now, &err);
		action = "section.resume";
		kind = "resume";
		break;
	default:
		rc = delivery_clock_extend(c, op->ms, &err);
		action = "section.extend";
		kind = "extend";
		break;
	}
	if (rc == -1) {
		dv_refuse(op, 409, "conflict", "%s", err);
		free(err);
		return DV_REFUSED;
	}
	if (store_section_put(tx, &op->o, op->pos, NULL) == -1 ||
	    store_clock_log(tx, op->o.id, op->pos, kind, op->ms > 0 ? op->ms :
	    0, op->reason[0] ? op->reason : NULL, op->req ?
	    op->req->who.user_id : 0, op->now) == -1 ||
	    dv_session_keep_tx(tx, &op->o, op->now) == -1)
		return STORE_EFAIL;
	return dv_audit(tx, op, action, json_pack("{s:s,s:I,s:s?,s:I}",
	    "section", op->o.sec[op->pos].ident, "ms", (json_int_t)op->ms,
	    "reason", op->reason[0] ? op->reason : NULL, "remaining_ms",
	    (json_int_t)delivery_clock_remaining(c, op->now)));
}

static int
dv_void_tx(struct store_tx *tx, struct dv_op *op)
{
	char *err = NULL;

	if (op->o.id == 0) {
		/* Never admitted: a void attempt without parts records it. */
		if (store_attempt_insert_void(tx, op->cid, op->sid,
		    op->o.association_id, "", "", op->reason, op->now,
		    &op->o.id) != 0)
			return STORE_EFAIL;
		if (store_attempt_get_tx(tx, op->cid, &op->o) != 1)
			return STORE_EFAIL;
	} else {
		if (op->o.a.state == DELIVERY_ATTEMPT_VOID)
			return dv_refuse(op, 409, "attempt_void",
			    "this attempt is already void");
		if (delivery_attempt_set(&op->o.a, DELIVERY_ATTEMPT_VOID,
		    &err) == -1) {
			dv_refuse(op, 409, "conflict", "%s", err);
			free(err);
			return DV_REFUSED;
		}
		op->o.completed_at = op->now;
		if (store_attempt_put(tx, &op->o, op->reason) == -1)
			return STORE_EFAIL;
	}
	return dv_audit(tx, op, "attempt.void", json_pack("{s:s}", "reason",
	    op->reason));
}

/*
 * Pause or resume every open part of a sitting, and the sitting itself:
 * while it is paused no part starts (dv_start_tx). The open parts are
 * read in this unit, so a part started just before is paused too.
 */
static int
dv_sitting_tx(struct store_tx *tx, struct dv_op *op)
{
	struct delivery_clock *c;
	struct audit_rec rec;
	struct sd_window sw;
	char actor[48], object[48];
	json_t *d;
	size_t i;
	int idx, rc;

	if ((rc = store_sitting_window_tx(tx, op->sid, &sw)) != 1)
		return rc == 0 ? dv_refuse(op, 404, "not_found",
		    "no such sitting") : STORE_EFAIL;
	op->ms = op->kind == OP_SITTING_PAUSE ? (sw.paused_at ? sw.paused_at :
	    op->now) : 0;
	if (op->ms != sw.paused_at &&
	    store_sitting_paused_put(tx, op->sid, op->ms) == -1)
		return STORE_EFAIL;
	if (store_sitting_ids_tx(tx, op->sid, SD_OPEN, &op->ids, &op->n) == -1)
		return STORE_EFAIL;
	if ((op->states = calloc(op->n ? op->n : 1, sizeof *op->states)) ==
	    NULL)
		fatal("dv_sitting_tx");
	for (i = 0; i < op->n; i++) {
		if (store_attempt_get_tx(tx, op->ids[i], &op->o) != 1)
			return STORE_EFAIL;
		op->states[i] = op->o.a;
		idx = delivery_attempt_open_section(&op->o.a);
		if (idx < 0 || op->o.a.state == DELIVERY_ATTEMPT_VOID)
			continue;
		c = &op->o.a.sections[idx].clock;
		if (op->kind == OP_SITTING_PAUSE) {
			if (c->paused_since != 0 || delivery_clock_pause(c,
			    op->now, NULL) == -1)
				continue;
		} else {
			if (c->paused_since == 0 || delivery_clock_resume(c,
			    op->now, NULL) == -1)
				continue;
		}
		if (store_section_put(tx, &op->o, idx, NULL) == -1 ||
		    store_clock_log(tx, op->o.id, idx, op->kind ==
		    OP_SITTING_PAUSE ? "pause" : "resume", 0, "sitting",
		    op->req->who.user_id, op->now) == -1 ||
		    dv_session_keep_tx(tx, &op->o, op->now) == -1)
			return STORE_EFAIL;
		if (dv_audit(tx, op, op->kind == OP_SITTING_PAUSE ?
		    "section.pause" : "section.resume", json_pack("{s:s,s:s}",
		    "section", op->o.sec[idx].ident, "scope", "sitting")) !=
		    STORE_OK)
			return STORE_EFAIL;
		op->states[i] = op->o.a;
		op->changed++;
	}
	audit_rec_from_req(&rec, op->req, actor, sizeof actor);
	snprintf(object, sizeof object, "sitting:%" PRId64, op->sid);
	rec.action = op->kind == OP_SITTING_PAUSE ? "sitting.pause" :
	    "sitting.resume";
	rec.object = object;
	d = json_pack("{s:I,s:b}", "parts", (json_int_t)op->changed,
	    "was_paused", sw.paused_at != 0);
	rec.details = d;
	rc = store_audit_append(tx, &rec);
	json_decref(d);
	return rc == 0 ? STORE_OK : STORE_EFAIL;
}

static int
dv_op_work(struct store_tx *tx, void *arg)
{
	struct dv_op *op = arg;
	int rc;

	op->now = dv_now();
	if (op->kind == OP_SITTING_PAUSE || op->kind == OP_SITTING_RESUME)
		return dv_sitting_tx(tx, op);
	if (op->kind == OP_ADMIT)
		return dv_admit_tx(tx, op);
	if ((rc = store_attempt_get_tx(tx, op->cid, &op->o)) == -1)
		return STORE_EFAIL;
	if (rc == 0) {
		memset(&op->o, 0, sizeof op->o);
		op->o.candidate_id = op->cid;
		op->o.sitting_id = op->sid;
		op->o.association_id = op->assoc;
	}
	switch (op->kind) {
	case OP_START:
	case OP_SUBMIT:
		if (op->o.id == 0 || op->pos >= (int)op->o.a.n_sections)
			return dv_refuse(op, 409, "not_admitted",
			    "wait until a proctor admits you");
		return op->kind == OP_START ? dv_start_tx(tx, op) :
		    dv_submit_op_tx(tx, op);
	case OP_VOID:
		return dv_void_tx(tx, op);
	case OP_FORCE:
		return dv_force_tx(tx, op);
	default:
		return dv_clock_tx(tx, op);
	}
}

/* The reply and the pushes of a done state change. */
static void
dv_op_done(int rc, void *arg)
{
	struct dv_op *op = arg;
	struct server *srv = op->srv;
	struct req *req = op->req;
	struct dv_att *t;
	const struct delivery_clock *c;
	struct delivery_attempt was;
	int64_t now = dv_now();
	size_t i;

	memset(&was, 0, sizeof was);
	if (rc == DV_REFUSED) {
		http_error(req, op->status, op->code, "%s", op->msg);
		goto out;
	}
	if (rc != STORE_OK) {
		http_store_failed(req, rc);
		goto out;
	}
	if (op->kind == OP_SITTING_PAUSE || op->kind == OP_SITTING_RESUME) {
		dv_sitting_paused(srv, op->sid, op->ms);
		for (i = 0; i < op->n; i++) {
			dv_apply_state(srv, op->ids[i], &op->states[i], 0, -1,
			    NULL);
			if ((t = dv_get(srv, op->ids[i])) != NULL)
				dv_notify(srv, t, op->kind == OP_SITTING_PAUSE ?
				    "paused" : "resumed", dv_time_json(t, now));
		}
		http_reply_json(req, 200, json_pack("{s:s,s:I,s:b}", "status",
		    op->kind == OP_SITTING_PAUSE ? "paused" : "resumed",
		    "parts", (json_int_t)op->changed, "paused", op->ms != 0));
		goto out;
	}
	if ((t = dv_get(srv, op->cid)) != NULL)
		was = t->a;
	if (op->o.id != 0)
		dv_apply(srv, &op->o);
	if ((t = dv_get(srv, op->cid)) == NULL) {
		http_error(req, 503, "store_unavailable", "try again");
		goto out;
	}
	switch (op->kind) {
	case OP_ADMIT:
		if (!op->unchanged)
			dv_notify(srv, t, "admitted", json_pack("{s:s}",
			    "status", delivery_attempt_state_name(t->a.state)));
		if (op->pos == -2)
			http_reply_json(req, 200, dv_attempt_json(t));
		else
			http_reply_json(req, 200, json_pack("{s:I,s:s}", "id",
			    (json_int_t)op->cid, "status",
			    delivery_attempt_state_name(t->a.state)));
		break;
	case OP_START:
		if (!op->unchanged)
			dv_notify(srv, t, "time", dv_time_json(t, now));
		dv_reply_section(req, t, op->pos);
		break;
	case OP_SUBMIT:
	case OP_FORCE:
		dv_notify(srv, t, "submitted", json_pack("{s:s,s:s,s:s}",
		    "section", t->sec[op->pos].ident, "by", op->kind ==
		    OP_FORCE ? "proctor" : "candidate",
		    "status", delivery_attempt_state_name(t->a.state)));
		/* Submitted after the window closed: the rest forfeited. */
		dv_notify_forfeits(srv, t, &was);
		http_reply_json(req, 200, json_pack("{s:I,s:s,s:s,s:s}", "id",
		    (json_int_t)op->cid, "status", "submitted", "section",
		    t->sec[op->pos].ident, "attempt",
		    delivery_attempt_state_name(t->a.state)));
		break;
	case OP_VOID:
		dv_notify(srv, t, "void", json_pack("{s:s}", "status", "void"));
		http_reply_json(req, 200, json_pack("{s:I,s:s}", "id",
		    (json_int_t)op->cid, "status", "void"));
		break;
	default:
		c = &t->a.sections[op->pos].clock;
		{
			json_t *d = dv_time_json(t, now);

			if (op->kind == OP_EXTEND)
				json_object_set_new(d, "added_ms",
				    json_integer(op->ms));
			dv_notify(srv, t, op->kind == OP_PAUSE ? "paused" :
			    op->kind == OP_RESUME ? "resumed" : "extended", d);
		}
		http_reply_json(req, 200, json_pack("{s:I,s:s,s:I,s:o,s:b}",
		    "id", (json_int_t)op->cid, "section", t->sec[op->pos].ident,
		    "remaining_ms", (json_int_t)delivery_clock_remaining(c, now),
		    "deadline", dv_time_or_null(c->paused_since ? 0 :
		    delivery_clock_deadline(c)), "paused", c->paused_since != 0));
		break;
	}
out:
	dv_op_free(op);
}

static void
dv_op_submit(struct dv_op *op)
{
	if (store_submit(op->srv->store, dv_op_work, dv_op_done, op) == -1)
		dv_op_done(STORE_EBUSY, op);
}

/* ---- saves ---- */

struct dv_save {
	struct req	*req;
	struct server	*srv;
	int64_t		 cid;
	int		 pos, n, essay;
	char		 pid[8];
	int		 choice_mode;	/* 0 keep, 1 clear, 2 set */
	char		 choice[4];
	int		 flagged;	/* -1 keep */
	const char	*text;		/* borrowed from req->body */
	size_t		 len;
	int64_t		 words, seq;
	/* results: the stored state after the unit */
	int		 status;
	const char	*code;
	char		 msg[256];
	int		 applied;
	char		 letter[2];	/* "" for no answer */
	int		 stored_flag;
	int64_t		 stored_seq, stored_words, remaining, now;
};

static int
dv_save_refuse(struct dv_save *sv, int status, const char *code,
    const char *msg)
{
	sv->status = status;
	sv->code = code;
	snprintf(sv->msg, sizeof sv->msg, "%s", msg);
	return DV_REFUSED;
}

static int
dv_save_check(struct dv_save *sv, const struct sd_slot *sl)
{
	enum delivery_save s;

	if (sl->astate == DELIVERY_ATTEMPT_VOID)
		return dv_save_refuse(sv, 409, "attempt_void",
		    "this attempt has been voided");
	s = delivery_clock_may_save(&sl->s.clock, sv->now, EXAMD_SAVE_GRACE_MS);
	if (sl->s.state == DELIVERY_SECTION_SUBMITTED)
		s = DELIVERY_SAVE_CLOSED;
	if (s != DELIVERY_SAVE_OK)
		return dv_save_refuse(sv, 409, delivery_save_code(s),
		    s == DELIVERY_SAVE_PAUSED ? "the exam is paused: nothing "
		    "was saved" : s == DELIVERY_SAVE_NOT_OPEN ? "this part has "
		    "not started" : "this part is closed: nothing was saved");
	return 0;
}

static int
dv_answer_tx(struct store_tx *tx, struct dv_save *sv, struct sd_slot *sl)
{
	struct sd_answer a;
	json_t *order;
	const char *ans;
	int rc, idx, flag;
	size_t i;

	if ((rc = store_answer_get_tx(tx, sl->attempt_id, sv->pos, sv->n,
	    &a)) != 1)
		return rc == 0 ? dv_save_refuse(sv, 404, "not_found",
		    "no such item") : STORE_EFAIL;
	if ((order = json_loads(a.choice_order, 0, NULL)) == NULL) {
		store_tx_fail(tx, "a stored choice order is not JSON");
		return STORE_EFAIL;
	}
	ans = a.answer[0] ? a.answer : NULL;
	flag = a.flagged;
	if (delivery_seq_accept(a.seq, sv->seq)) {
		if (sv->choice_mode == 1)
			ans = NULL;
		else if (sv->choice_mode == 2) {
			idx = delivery_choice_parse(sv->choice,
			    json_array_size(order));
			if (idx < 0) {
				json_decref(order);
				return dv_save_refuse(sv, 422, "invalid_choice",
				    "no such choice for this item");
			}
			ans = json_string_value(json_array_get(order,
			    (size_t)idx));
		}
		if (sv->flagged != -1)
			flag = sv->flagged;
		if (store_answer_put(tx, sl->attempt_id, sv->pos, sv->n, ans,
		    flag, sv->seq, sv->now) == -1) {
			json_decref(order);
			return STORE_EFAIL;
		}
		sv->applied = 1;
		a.seq = sv->seq;
	}
	sv->letter[0] = '\0';
	for (i = 0; ans != NULL && i < json_array_size(order); i++)
		if (strcmp(json_string_value(json_array_get(order, i)), ans) ==
		    0)
			delivery_choice_id(i, json_array_size(order),
			    sv->letter);
	json_decref(order);
	sv->stored_flag = flag;
	sv->stored_seq = a.seq;
	return STORE_OK;
}

static int
dv_essay_tx(struct store_tx *tx, struct dv_save *sv, struct sd_slot *sl)
{
	struct dv_rule r;
	bool chosen[EXAMD_MAX_ESSAY_PROMPTS];
	char *err = NULL;
	size_t i, idx = SIZE_MAX;
	int rc = STORE_OK;

	if (dv_rule_load(tx, sl->attempt_id, sv->pos, sl->essay_answer,
	    sl->essay_require, &r) == -1)
		return STORE_EFAIL;
	for (i = 0; i < r.n; i++) {
		chosen[i] = r.rows[i].chosen;
		if (strcmp(r.rows[i].pid, sv->pid) == 0)
			idx = i;
	}
	if (idx == SIZE_MAX) {
		json_decref(r.req);
		return dv_save_refuse(sv, 404, "not_found", "no such prompt");
	}
	sv->stored_seq = r.rows[idx].seq;
	sv->stored_words = r.rows[idx].words;
	if (!delivery_seq_accept(r.rows[idx].seq, sv->seq))
		goto out;
	if (sv->words > 0 && !chosen[idx] && delivery_essay_may_choose(
	    &r.rule, r.prompts, r.n, chosen, idx, &err) != DELIVERY_ESSAY_OK) {
		dv_save_refuse(sv, 422, "essay_rule", err ? err :
		    "this choice breaks the essay rule");
		free(err);
		rc = DV_REFUSED;
		goto out;
	}
	if (store_essay_put(tx, sl->attempt_id, sv->pos, sv->pid, sv->text,
	    sv->len, sv->words, sv->words > 0, sv->seq, sv->now) == -1) {
		rc = STORE_EFAIL;
		goto out;
	}
	sv->applied = 1;
	sv->stored_seq = sv->seq;
	sv->stored_words = sv->words;
out:
	json_decref(r.req);
	return rc;
}

static int
dv_save_work(struct store_tx *tx, void *arg)
{
	struct dv_save *sv = arg;
	struct sd_slot sl;
	int rc;

	sv->now = dv_now();
	if ((rc = store_slot_tx(tx, sv->cid, sv->pos, &sl)) != 1)
		return rc == 0 ? dv_save_refuse(sv, 404, "not_found",
		    "no such part") : STORE_EFAIL;
	if ((sl.kind == BANK_ESSAY) != sv->essay)
		return dv_save_refuse(sv, 404, "not_found", sv->essay ?
		    "this part has no essays" : "this part has no items");
	if ((rc = dv_save_check(sv, &sl)) != 0)
		return rc;
	sv->remaining = delivery_clock_remaining(&sl.s.clock, sv->now);
	return sv->essay ? dv_essay_tx(tx, sv, &sl) : dv_answer_tx(tx, sv, &sl);
}

static void
dv_save_done(int rc, void *arg)
{
	struct dv_save *sv = arg;
	struct req *req = sv->req;
	struct dv_att *t;

	if (rc == DV_REFUSED)
		http_error(req, sv->status, sv->code, "%s", sv->msg);
	else if (rc != STORE_OK)
		http_store_failed(req, rc);
	else {
		if (sv->applied && (t = dv_get(sv->srv, sv->cid)) != NULL &&
		    sv->now > t->last_save_at)
			t->last_save_at = sv->now;
		/* The hottest reply: no JSON tree (letter is [a-z]+). */
		if (sv->essay)
			http_reply_json_text(req, 200, "{\"saved\":true,"
			    "\"applied\":%s,\"seq\":%" PRId64 ",\"words\":%"
			    PRId64 ",\"remaining_ms\":%" PRId64 "}",
			    sv->applied ? "true" : "false", sv->stored_seq,
			    (int64_t)sv->stored_words, (int64_t)sv->remaining);
		else
			http_reply_json_text(req, 200, "{\"saved\":true,"
			    "\"applied\":%s,\"seq\":%" PRId64 ",\"remaining_ms"
			    "\":%" PRId64 ",\"choice\":%s%s%s,\"flagged\":%s}",
			    sv->applied ? "true" : "false", sv->stored_seq,
			    (int64_t)sv->remaining, sv->letter[0] ? "\"" : "",
			    sv->letter[0] ? sv->letter : "null",
			    sv->letter[0] ? "\"" : "",
			    sv->stored_flag ? "true" : "false");
	}
	free(sv);
}

static struct dv_save *
dv_save_new(struct req *req, int essay)
{
	struct dv_att *t;
	struct dv_save *sv;
	int pos;

	if ((t = dv_me(req)) == NULL || (pos = dv_my_section(req, t)) < 0)
		return NULL;
	if ((sv = calloc(1, sizeof *sv)) == NULL)
		fatal("dv_save_new");
	sv->req = req;
	sv->srv = req->srv;
	sv->cid = t->cid;
	sv->pos = pos;
	sv->essay = essay;
	sv->flagged = -1;
	return sv;
}

static void
dv_save_submit(struct dv_save *sv)
{
	if (store_submit(sv->srv->store, dv_save_work, dv_save_done, sv) == -1)
		dv_save_done(STORE_EBUSY, sv);
}

/* PUT /attempt/sections/{secid}/answers/{n} {"choice","flagged"?,"seq"} */
static void
dv_put_answer(struct req *req)
{
	struct dv_save *sv;
	json_t *ch = json_object_get(req->body, "choice"),
	    *fl = json_object_get(req->body, "flagged");
	int64_t n = http_param_id(req, 1);

	if (n < 1 || n > 100000) {
		http_not_found(req);
		return;
	}
	if (ch != NULL && !json_is_null(ch) && (!json_is_string(ch) ||
	    json_string_length(ch) == 0 || json_string_length(ch) > 2)) {
		http_error(req, 422, "invalid_choice", "\"choice\" must be a "
		    "choice id such as \"a\", or null to clear the answer");
		return;
	}
	if (fl != NULL && !json_is_boolean(fl)) {
		http_error(req, 422, "invalid_field",
		    "\"flagged\" must be true or false");
		return;
	}
	if (ch == NULL && fl == NULL) {
		http_error(req, 422, "missing_field",
		    "field \"choice\" is required");
		return;
	}
	if ((sv = dv_save_new(req, 0)) == NULL)
		return;
	if (http_json_int(req, "seq", 1, 1, DV_MAX_SEQ, &sv->seq) == -1) {
		free(sv);
		return;
	}
	sv->n = (int)n;
	if (ch != NULL) {
		sv->choice_mode = json_is_null(ch) ? 1 : 2;
		if (sv->choice_mode == 2)
			snprintf(sv->choice, sizeof sv->choice, "%s",
			    json_string_value(ch));
	}
	if (fl != NULL)
		sv->flagged = json_is_true(fl);
	dv_save_submit(sv);
}

/*
 * PUT /attempt/sections/{secid}/essays/{pid} {"text","seq"}. The body is
 * read raw: invalid UTF-8 is a 422 invalid_utf8 (not a JSON parse error),
 * and a text over EXAMD_MAX_ESSAY_BYTES a 413 essay_too_large.
 */
static void
dv_put_essay(struct req *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->evreq);
	size_t len = evbuffer_get_length(in);
	const char *ct = http_header(req, "Content-Type"), *raw;
	struct dv_save *sv;
	json_error_t jerr;
	json_t *text;

	if (ct != NULL && strncasecmp(ct, "application/json", 16) != 0) {
		http_error(req, 415, "unsupported_media_type",
		    "send the body as application/json");
		return;
	}
	if (len == 0 || len > EXAMD_MAX_JSON_BODY) {
		if (len == 0)
			http_error(req, 400, "malformed_json",
			    "a JSON body is required");
		else
			http_error(req, 413, "essay_too_large", "an essay may "
			    "have at most %d bytes", EXAMD_MAX_ESSAY_BYTES);
		return;
	}
	raw = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
	if (!delivery_utf8_valid(raw, len)) {
		http_error(req, 422, "invalid_utf8",
		    "the text is not valid UTF-8: nothing was saved");
		return;
	}
	req->body = json_loadb(raw, len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &jerr);
	if (req->body == NULL || !json_is_object(req->body)) {
		http_error(req, 400, "malformed_json", "malformed JSON: %s",
		    req->body ? "the body must be an object" : jerr.text);
		return;
	}
	text = json_object_get(req->body, "text");
	if (text == NULL || !json_is_string(text)) {
		http_error(req, 422, text ? "invalid_field" : "missing_field",
		    "field \"text\" must be a string");
		return;
	}
	switch (delivery_essay_text_check(json_string_value(text),
	    json_string_length(text))) {
	case DELIVERY_TEXT_TOO_LARGE:
		http_error(req, 413, "essay_too_large", "an essay may have at "
		    "most %d bytes: nothing was saved", EXAMD_MAX_ESSAY_BYTES);
		return;
	case DELIVERY_TEXT_BAD_UTF8:
		http_error(req, 422, "invalid_utf8", "the text is not valid "
		    "UTF-8 or holds a NUL character: nothing was saved");
		return;
	default:
		break;
	}
	if ((sv = dv_save_new(req, 1)) == NULL)
		return;
	if (http_json_int(req, "seq", 1, 1, DV_MAX_SEQ, &sv->seq) == -1) {
		free(sv);
		return;
	}
	snprintf(sv->pid, sizeof sv->pid, "%s", req->params[1]);
	sv->text = json_string_value(text);
	sv->len = json_string_length(text);
	sv->words = (int64_t)delivery_word_count(sv->text, sv->len);
	dv_save_submit(sv);
}

/* ---- candidate endpoints ---- */

/* GET /attempt */
static void
dv_get_attempt(struct req *req)
{
	struct dv_att *t;
	struct sd_candidate c;
	struct dv_op *op;
	int64_t now = dv_now();

	if ((t = dv_me(req)) == NULL)
		return;
	if (t->id != 0) {
		http_reply_json(req, 200, dv_attempt_json(t));
		return;
	}
	if (store_dcandidate_get(req->srv->store, t->cid, &c) != 1) {
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	if (strcmp(c.admission_mode, "auto") == 0 && now >= c.opens_at &&
	    now < c.closes_at) {
		/* Automatic admission: the reply is GET /attempt's. */
		op = dv_op_new(req, OP_ADMIT, t->cid);
		op->sid = c.sitting_id;
		op->assoc = c.association_id;
		if (dv_plan(op, &c) == DV_REFUSED) {
			dv_op_done(DV_REFUSED, op);
			return;
		}
		op->pos = -2;	/* reply with the attempt: dv_op_done */
		dv_op_submit(op);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s,s:[],s:o,s:o}", "status",
	    now >= c.closes_at ? "closed" : "waiting", "sections", "opens_at",
	    dv_time_or_null(c.opens_at), "closes_at",
	    dv_time_or_null(c.closes_at)));
}

/* POST /attempt/sections/{secid}/start */
static void
dv_post_start(struct req *req)
{
	struct dv_att *t;
	struct dv_op *op;
	int pos;

	if ((t = dv_me(req)) == NULL || (pos = dv_my_section(req, t)) < 0)
		return;
	op = dv_op_new(req, OP_START, t->cid);
	op->pos = pos;
	dv_op_submit(op);
}

/* GET /attempt/sections/{secid} */
static void
dv_get_section(struct req *req)
{
	struct dv_att *t;
	int pos;

	if ((t = dv_me(req)) == NULL || (pos = dv_my_section(req, t)) < 0)
		return;
	if (t->a.state == DELIVERY_ATTEMPT_VOID) {
		http_error(req, 409, "attempt_void",
		    "this attempt has been voided");
		return;
	}
	switch (t->a.sections[pos].state) {
	case DELIVERY_SECTION_NOT_STARTED:
		http_error(req, 409, "section_not_open",
		    "this part has not started");
		return;
	case DELIVERY_SECTION_SUBMITTED:
		http_error(req, 409, "already_submitted",
		    "this part has been submitted");
		return;
	default:
		dv_reply_section(req, t, pos);
	}
}

/* POST /attempt/sections/{secid}/submit */
static void
dv_post_submit(struct req *req)
{
	struct dv_att *t;
	struct dv_op *op;
	int pos;

	if ((t = dv_me(req)) == NULL || (pos = dv_my_section(req, t)) < 0)
		return;
	op = dv_op_new(req, OP_SUBMIT, t->cid);
	op->pos = pos;
	dv_op_submit(op);
}

/* GET /attempt/events: "time" first, then the candidate's pushes. */
static void
dv_get_events(struct req *req)
{
	struct server *srv = req->srv;
	struct dv_att *t;
	char topic[48];

	if ((t = dv_me(req)) == NULL)
		return;
	snprintf(topic, sizeof topic, "candidate:%" PRId64, t->cid);
	events_stream(req, topic, "time", dv_time_json(t, dv_now()),
	    dv_stream_closed);
	dv_notify(srv, t, NULL, NULL);	/* the roster sees it connected */
}

/* ---- proctor endpoints ---- */

/* The sitting {sid} and its candidate {cid} (when named); replies 404 and
 * returns NULL / -1 when the caller may not see them. */
static int
dv_staff_sitting(struct req *req, int64_t *sid)
{
	char object[48];
	int rc;

	*sid = http_param_id(req, 0);
	if ((rc = *sid > 0 ? auth_may_sitting(req, *sid) : 0) == -1) {
		http_error(req, 503, "store_unavailable", "try again");
		return -1;
	}
	if (rc == 0) {
		snprintf(object, sizeof object, "sitting:%s", req->params[0]);
		auth_deny(req, object);
		return -1;
	}
	return 0;
}

static struct dv_att *
dv_staff_candidate(struct req *req, int64_t *sid)
{
	struct dv_att *t;
	char object[48];
	int64_t cid;

	if (dv_staff_sitting(req, sid) == -1)
		return NULL;
	cid = http_param_id(req, 1);
	if (cid <= 0 || (t = dv_get(req->srv, cid)) == NULL ||
	    t->sitting_id != *sid) {
		snprintf(object, sizeof object, "candidate:%s", req->params[1]);
		auth_deny(req, object);
		return NULL;
	}
	return t;
}

static struct dv_op *
dv_staff_op(struct req *req, int kind)
{
	struct dv_att *t;
	struct dv_op *op;
	int64_t sid;

	if ((t = dv_staff_candidate(req, &sid)) == NULL)
		return NULL;
	op = dv_op_new(req, kind, t->cid);
	op->sid = sid;
	op->assoc = t->association_id;
	return op;
}

/* A required reason; replies 422 and returns -1 when missing. */
static int
dv_reason(struct req *req, struct dv_op *op, int required)
{
	const char *s;

	if (http_json_string(req, "reason", required, DV_REASON_MAX, &s) ==
	    -1)
		return -1;
	if (required && s[0] == '\0') {
		http_error(req, 422, "missing_field",
		    "field \"reason\" is required");
		return -1;
	}
	snprintf(op->reason, sizeof op->reason, "%s", s ? s : "");
	return 0;
}

/* POST .../candidates/{cid}/admit */
static void
dv_post_admit(struct req *req)
{
	struct sd_candidate c;
	struct dv_op *op;
	struct dv_att *t;
	int64_t sid;

	if ((t = dv_staff_candidate(req, &sid)) == NULL)
		return;
	if (store_dcandidate_get(req->srv->store, t->cid, &c) != 1) {
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	if (t->id != 0) {
		http_reply_json(req, 200, json_pack("{s:I,s:s}", "id",
		    (json_int_t)t->cid, "status",
		    delivery_attempt_state_name(t->a.state)));
		return;
	}
	if (dv_now() >= c.closes_at) {
		http_error(req, 409, "window_closed",
		    "the sitting's window has closed");
		return;
	}
	op = dv_op_new(req, OP_ADMIT, t->cid);
	op->sid = sid;
	op->assoc = c.association_id;
	if (dv_plan(op, &c) == DV_REFUSED) {
		dv_op_done(DV_REFUSED, op);
		return;
	}
	dv_op_submit(op);
}

static void
dv_post_clock(struct req *req, int kind)
{
	struct dv_op *op;
	int64_t secs;

	if ((op = dv_staff_op(req, kind)) == NULL)
		return;
	if (kind == OP_EXTEND && (http_json_int(req, "seconds", 1, 1,
	    DV_MAX_EXTEND_S, &secs) == -1 || dv_reason(req, op, 1) == -1)) {
		dv_op_free(op);
		return;
	}
	if (kind != OP_EXTEND && dv_reason(req, op, 0) == -1) {
		dv_op_free(op);
		return;
	}
	if (kind == OP_EXTEND)
		op->ms = secs * 1000;
	dv_op_submit(op);
}

static void
dv_post_pause(struct req *req)
{
	dv_post_clock(req, OP_PAUSE);
}

static void
dv_post_resume(struct req *req)
{
	dv_post_clock(req, OP_RESUME);
}

static void
dv_post_extend(struct req *req)
{
	dv_post_clock(req, OP_EXTEND);
}

/* A proctor's action that needs {"reason"}. */
static void
dv_post_reasoned(struct req *req, int kind)
{
	struct dv_op *op;

	if ((op = dv_staff_op(req, kind)) == NULL)
		return;
	if (dv_reason(req, op, 1) == -1) {
		dv_op_free(op);
		return;
	}
	dv_op_submit(op);
}

static void
dv_post_void(struct req *req)
{
	dv_post_reasoned(req, OP_VOID);
}

/* POST .../candidates/{cid}/submit {"reason"}: the open part, now. */
static void
dv_post_force(struct req *req)
{
	dv_post_reasoned(req, OP_FORCE);
}

static void
dv_post_sitting(struct req *req, int kind)
{
	struct dv_op *op;
	int64_t sid;

	if (dv_staff_sitting(req, &sid) == -1)
		return;
	op = dv_op_new(req, kind, 0);
	op->sid = sid;
	dv_op_submit(op);
}

static void
dv_post_sitting_pause(struct req *req)
{
	dv_post_sitting(req, OP_SITTING_PAUSE);
}

static void
dv_post_sitting_resume(struct req *req)
{
	dv_post_sitting(req, OP_SITTING_RESUME);
}

struct dv_roster {
	struct server	*srv;
	json_t		*arr;
	int64_t		 now;
};

static int
dv_roster_add(const struct sd_roster_row *r, void *arg)
{
	struct dv_roster *ro = arg;
	struct dv_att *t = dv_get(ro->srv, r->candidate_id);

	if (t == NULL)
		return -1;
	json_array_append_new(ro->arr, dv_roster_row(ro->srv, t, r->signed_in,
	    ro->now));
	return 0;
}

static json_t *
dv_roster(struct server *srv, int64_t sid)
{
	struct dv_roster ro = { srv, json_array(), dv_now() };

	if (store_roster_list(srv->store, sid, dv_roster_add, &ro) == -1) {
		json_decref(ro.arr);
		return NULL;
	}
	return json_pack("{s:o}", "candidates", ro.arr);
}

/* GET /sittings/{sid}/roster */
static void
dv_get_roster(struct req *req)
{
	json_t *r;
	int64_t sid;

	if (dv_staff_sitting(req, &sid) == -1)
		return;
	if ((r = dv_roster(req->srv, sid)) == NULL)
		http_error(req, 503, "store_unavailable", "try again");
	else
		http_reply_json(req, 200, r);
}

/* GET /sittings/{sid}/events: "roster" first, then "candidate" rows. */
static void
dv_get_sitting_events(struct req *req)
{
	json_t *r;
	char topic[48];
	int64_t sid;

	if (dv_staff_sitting(req, &sid) == -1)
		return;
	if ((r = dv_roster(req->srv, sid)) == NULL) {
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	snprintf(topic, sizeof topic, "sitting:%" PRId64, sid);
	events_stream(req, topic, "roster", r, NULL);
}

#define DV_STAFF	(ROLE_ADMIN | ROLE_COORDINATOR | ROLE_PROCTOR)
#define DV_SEC		"/api/v1/attempt/sections/{secid}"
#define DV_CAND		"/api/v1/sittings/{sid}/candidates/{cid}"

const struct route delivery_routes[] = {
	{ "GET", "/api/v1/attempt", ROLE_CANDIDATE, 0, dv_get_attempt },
	{ "GET", "/api/v1/attempt/events", ROLE_CANDIDATE, 0, dv_get_events },
	{ "GET", DV_SEC, ROLE_CANDIDATE, 0, dv_get_section },
	{ "POST", DV_SEC "/start", ROLE_CANDIDATE, 0, dv_post_start },
	{ "POST", DV_SEC "/submit", ROLE_CANDIDATE, 0, dv_post_submit },
	{ "PUT", DV_SEC "/answers/{n}", ROLE_CANDIDATE, HTTP_JSON_BODY,
	    dv_put_answer },
	{ "PUT", DV_SEC "/essays/{pid}", ROLE_CANDIDATE, HTTP_RAW_BODY,
	    dv_put_essay },
	{ "POST", DV_CAND "/admit", DV_STAFF, 0, dv_post_admit },
	{ "POST", DV_CAND "/pause", DV_STAFF, 0, dv_post_pause },
	{ "POST", DV_CAND "/resume", DV_STAFF, 0, dv_post_resume },
	{ "POST", DV_CAND "/extend", DV_STAFF, HTTP_JSON_BODY, dv_post_extend },
	{ "POST", DV_CAND "/void", DV_STAFF, HTTP_JSON_BODY, dv_post_void },
	{ "POST", DV_CAND "/submit", DV_STAFF, HTTP_JSON_BODY, dv_post_force },
	{ "POST", "/api/v1/sittings/{sid}/pause", DV_STAFF, 0,
	    dv_post_sitting_pause },
	{ "POST", "/api/v1/sittings/{sid}/resume", DV_STAFF, 0,
	    dv_post_sitting_resume },
	{ "GET", "/api/v1/sittings/{sid}/roster", DV_STAFF, 0, dv_get_roster },
	{ "GET", "/api/v1/sittings/{sid}/events", DV_STAFF, 0,
	    dv_get_sitting_events },
	{ NULL, NULL, 0, 0, NULL }
};

int
delivery_init(struct server *srv, char **errstr)
{
	if ((dv_items = json_object()) == NULL)
		fatal("delivery_init");
	return dv_init(srv, errstr);
}

void
delivery_fini(struct server *srv)
{
	dv_fini(srv);
	json_decref(dv_items);
	dv_items = NULL;
}
