/*
 * The scheduling API. Coordinators set up sittings of their association,
 * register candidates (one by one or from CSV, all or nothing) with their
 * accommodations, hand out access codes and assign proctors; proctors see
 * the sittings assigned to them. Every change is one store unit holding
 * the change and its audit entries; the reply follows once it is durable.
 *
 *	GET  /api/v1/sittings					admin, coordinator, proctor (assigned)
 *	POST /api/v1/sittings					coordinator
 *	GET  /api/v1/sittings/{sid}				admin, coordinator, proctor (assigned)
 *	PUT  /api/v1/sittings/{sid}				coordinator; before the window opens
 *	POST /api/v1/sittings/{sid}/cancel {"reason"?}		coordinator
 *	GET  /api/v1/sittings/{sid}/candidates[?format=csv]	admin, coordinator, proctor (assigned)
 *	POST /api/v1/sittings/{sid}/candidates			coordinator; JSON, or text/csv (bulk)
 *	GET  /api/v1/sittings/{sid}/candidates/{cid}		admin, coordinator, proctor (assigned)
 *	POST /api/v1/sittings/{sid}/candidates/{cid}/access-code	coordinator: a new code
 *	POST /api/v1/sittings/{sid}/access-codes[?format=csv]	coordinator: new codes for
 *								everyone not yet signed in
 *	POST /api/v1/sittings/{sid}/proctors {"username"}	coordinator
 *	DELETE /api/v1/sittings/{sid}/proctors/{uid}		coordinator
 *
 * Access codes are stored only as hashes, so a code is shown exactly once:
 * in the reply that creates it (registration, reissue). Letters are
 * printed from those replies (?format=csv gives a mail-merge CSV).
 *
 * "Started": a candidate who has been admitted (candidates.status is kept
 * by delivery, schema/006: anything but "registered", "waiting" or
 * "absent"); a sitting with one cannot change its form or window, nor be
 * cancelled.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "audit.h"
#include "auth.h"
#include "bounds.h"
#include "http.h"
#include "log.h"
#include "scheduling.h"
#include "server.h"
#include "store.h"
#include "store_identity.h"
#include "store_sched.h"
#include "tz.h"

/* Unit results beyond STORE_OK / STORE_DUP: the state changed under us. */
#define SCHED_EGONE		10	/* the object no longer exists */
#define SCHED_ECANCELLED	11
#define SCHED_ECLOSED		12
#define SCHED_EOPEN		13	/* the window has opened: no more edits */
#define SCHED_ESTARTED		14	/* a candidate has started */
#define SCHED_EFULL		15
#define SCHED_ECAPACITY		16	/* capacity below those registered */
#define SCHED_ESTALE		17	/* the form changed while registering */

enum sched_kind {
	SK_SITTING_CREATE, SK_SITTING_UPDATE, SK_SITTING_CANCEL, SK_REGISTER,
	SK_REISSUE, SK_REISSUE_ALL, SK_PROCTOR_ADD, SK_PROCTOR_REMOVE
};

/* One registration or code change, with the code shown once. */
struct sched_reg {
	struct store_cand	 c;
	char			 code[AUTH_CODE_PRINT];
	int			 row;		/* CSV record number; 0 for JSON */
	int			 changed;	/* reissue: got a new code */
};

/* One change: what the loop decided, what the unit found. */
struct sched_op {
	struct req		*req;		/* NULL for examctl */
	int			 kind;
	struct audit_rec	 rec;		/* actor, role, request id */
	char			 actor[48];
	struct store_sitting	 s;		/* create/update: new values */
	char			 reason[SITTING_REASON_MAX + 1];
	struct sched_reg	*regs;
	int			 nregs, csv, format_csv;
	int64_t			 uid;
	char			 username[USERNAME_MAX + 1];
	/* Filled by the unit. */
	int64_t			 id;
	int			 dup_index, revoked, left;
};

static void
sched_op_free(struct sched_op *op)
{
	if (op == NULL)
		return;
	if (op->regs != NULL) {
		explicit_bzero(op->regs, op->nregs * sizeof *op->regs);
		free(op->regs);
	}
	free(op);
}

static struct sched_op *
sched_op_new(struct req *req, int kind, int nregs)
{
	struct sched_op *op;

	if ((op = calloc(1, sizeof *op)) == NULL ||
	    (nregs > 0 && (op->regs = calloc(nregs, sizeof *op->regs)) == NULL))
		fatal("sched_op_new");
	op->req = req;
	op->kind = kind;
	op->nregs = nregs;
	op->dup_index = -1;
	if (req != NULL)
		audit_rec_from_req(&op->rec, req, op->actor, sizeof op->actor);
	else {
		snprintf(op->actor, sizeof op->actor, "examctl");
		op->rec.actor = op->actor;
		op->rec.role = "-";
	}
	return op;
}

/* --- JSON and CSV views ---------------------------------------------------- */

static const char *
sched_status(const struct store_sitting *s, int64_t now)
{
	if (strcmp(s->status, "cancelled") == 0)
		return "cancelled";
	if (now < s->opens_at)
		return "scheduled";
	return now < s->closes_at ? "open" : "closed";
}

/* UTC and local forms of ms as "key" and "key_local". */
static void
sched_json_time(json_t *o, const char *key, int64_t ms, const struct tz *z)
{
	char utc[40], local[40], k[48];

	auth_time_format(ms, utc, sizeof utc);
	json_object_set_new(o, key, json_string(utc));
	if (z != NULL)
		tz_format(z, ms, local, sizeof local);
	snprintf(k, sizeof k, "%s_local", key);
	json_object_set_new(o, k, json_string(z != NULL ? local : utc));
}

static json_t *
sched_sitting_json(struct store *st, const struct store_sitting *s)
{
	const struct tz *z = tz_get(s->timezone);
	json_t *o, *p = json_array();
	char t[40];

	o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:I,s:I}",
	    "id", (json_int_t)s->id, "exam_id", s->exam_id, "title", s->title,
	    "timezone", s->timezone,
	    "capacity", s->capacity ? json_integer(s->capacity) : json_null(),
	    "admission_mode", s->admission_mode,
	    "status", sched_status(s, auth_now_ms()),
	    "registered", (json_int_t)s->registered,
	    "started", (json_int_t)s->started);
	sched_json_time(o, "opens_at", s->opens_at, z);
	sched_json_time(o, "closes_at", s->closes_at, z);
	auth_time_format(s->created_at, t, sizeof t);
	json_object_set_new(o, "created_at", json_string(t));
	if (s->cancelled_at) {
		auth_time_format(s->cancelled_at, t, sizeof t);
		json_object_set_new(o, "cancelled_at", json_string(t));
		json_object_set_new(o, "cancel_reason",
		    json_string(s->cancel_reason));
	}
	if (store_sitting_proctors(st, s->id, p) == -1)
		json_array_clear(p);
	json_object_set_new(o, "proctors", p);
	return o;
}

static json_t *
sched_accommodations_json(const struct store_cand *c, int64_t opens_at)
{
	char day[16];

	if (c->approved_at)
		sched_date_format(c->approved_at, day, sizeof day);
	return json_pack("{s:f,s:I,s:I,s:b,s:s?,s:s?,s:b}",
	    "time_multiplier", c->time_multiplier,
	    "extra_minutes_mc", (json_int_t)(c->extra_ms_mc / 60000),
	    "extra_minutes_essay", (json_int_t)(c->extra_ms_essay / 60000),
	    "breaks_allowed", c->breaks_allowed,
	    "note", c->note[0] ? c->note : NULL,
	    "approved_on", c->approved_at ? day : NULL,
	    "late_approval", sched_late_approval(c, opens_at));
}

/* Only ever served to coordinators, proctors and admins: never to graders. */
static json_t *
sched_cand_json(const struct store_cand *c, const struct store_sitting *s)
{
	char t[40];

	auth_time_format(c->code_issued_at, t, sizeof t);
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:b,s:s,s:o}",
	    "id", (json_int_t)c->id, "sitting_id", (json_int_t)c->sitting_id,
	    "name", c->name, "email", c->email, "track", c->track,
	    "status", c->status, "signed_in", c->signed_in,
	    "code_issued_at", t,
	    "accommodations", sched_accommodations_json(c, s->opens_at));
}

/*
 * One CSV field, RFC 4180 quoted when needed. A cell that a spreadsheet
 * would run as a formula (= + - @ tab) gets a leading apostrophe.
 */
static void
sched_csv_cell(struct evbuffer *b, const char *s, int last)
{
	const char *p;

	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		evbuffer_add(b, "'", 1);
	if (strpbrk(s, ",\"\r\n") == NULL)
		evbuffer_add(b, s, strlen(s));
	else {
		evbuffer_add(b, "\"", 1);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				evbuffer_add(b, "\"", 1);
			evbuffer_add(b, p, 1);
		}
		evbuffer_add(b, "\"", 1);
	}
	evbuffer_add(b, last ? "\r\n" : ",", last ? 2 : 1);
}

static void
sched_csv_cells(struct evbuffer *b, const char **cells, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sched_csv_cell(b, cells[i] ? cells[i] : "", i == n - 1);
}

static void
sched_csv_reply(struct req *req, int status, struct evbuffer *b,
    const char *name)
{
	char disp[96];

	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
	evhttp_add_header(evhttp_request_get_output_headers(req->evreq),
	    "Content-Disposition", disp);
	http_reply_buffer(req, status, "text/csv; charset=utf-8", b);
	evbuffer_free(b);
}

/* The letters file: one row per code handed out. */
static void
sched_letters_csv(struct req *req, int status, const struct sched_op *op,
    const struct store_sitting *s)
{
	static const char *head[] = { "candidate_id", "name", "email", "track",
	    "access_code", "sitting", "opens_at_local", "closes_at_local",
	    "timezone" };
	const struct tz *z = tz_get(s->timezone);
	struct evbuffer *b = evbuffer_new();
	char id[24], o[40], c[40], name[48];
	const char *cells[9];
	int i;

	if (b == NULL)
		fatal("sched_letters_csv");
	evbuffer_add(b, "\xef\xbb\xbf", 3);	/* spreadsheets want the BOM for UTF-8 */
	sched_csv_cells(b, head, 9);
	if (z != NULL) {
		tz_format(z, s->opens_at, o, sizeof o);
		tz_format(z, s->closes_at, c, sizeof c);
	} else {
		auth_time_format(s->opens_at, o, sizeof o);
		auth_time_format(s->closes_at, c, sizeof c);
	}
	for (i = 0; i < op->nregs; i++) {
		if (op->kind == SK_REISSUE_ALL && !op->regs[i].changed)
			continue;
		snprintf(id, sizeof id, "%" PRId64, op->regs[i].c.id);
		cells[0] = id;
		cells[1] = op->regs[i].c.name;
		cells[2] = op->regs[i].c.email;
		cells[3] = op->regs[i].c.track;
		cells[4] = op->regs[i].code;
		cells[5] = s->title;
		cells[6] = o;
		cells[7] = c;
		cells[8] = s->timezone;
		sched_csv_cells(b, cells, 9);
	}
	snprintf(name, sizeof name, "sitting-%" PRId64 "-codes.csv", s->id);
	sched_csv_reply(req, status, b, name);
}

/* --- the units --------------------------------------------------------------- */

static int
sched_audit(struct store_tx *tx, struct sched_op *op, const char *action,
    const char *kind, int64_t id, int64_t cand, json_t *details)
{
	struct audit_rec rec = op->rec;
	char object[48];
	int rc;

	snprintf(object, sizeof object, "%s:%" PRId64, kind, id);
	rec.action = action;
	rec.object = object;
	rec.association_id = op->s.association_id;
	rec.candidate_id = cand;
	rec.details = details;
	rc = store_audit_append(tx, &rec);
	json_decref(details);
	return rc == 0 ? STORE_OK : STORE_EFAIL;
}

/* The sitting as the unit sees it, checked for the change at hand. */
static int
sched_unit_sitting(struct store_tx *tx, struct sched_op *op,
    struct store_sitting *cur, int64_t now)
{
	switch (store_sitting_get_tx(tx, op->s.id, cur)) {
	case 1:
		break;
	case 0:
		return SCHED_EGONE;
	default:
		return STORE_EFAIL;
	}
	if (strcmp(cur->status, "cancelled") == 0)
		return SCHED_ECANCELLED;
	switch (op->kind) {
	case SK_SITTING_UPDATE:
		if (now >= cur->opens_at)
			return SCHED_EOPEN;
		if (cur->started > 0 && (strcmp(cur->exam_id, op->s.exam_id) ||
		    cur->opens_at != op->s.opens_at ||
		    cur->closes_at != op->s.closes_at))
			return SCHED_ESTARTED;
		if (op->s.capacity && op->s.capacity < cur->registered)
			return SCHED_ECAPACITY;
		break;
	case SK_SITTING_CANCEL:
		if (now >= cur->closes_at)
			return SCHED_ECLOSED;
		if (cur->started > 0)
			return SCHED_ESTARTED;
		break;
	case SK_REGISTER:
		if (now >= cur->closes_at)
			return SCHED_ECLOSED;
		if (strcmp(cur->exam_id, op->s.exam_id) != 0)
			return SCHED_ESTALE;
		op->left = (int)((cur->capacity ? cur->capacity :
		    EXAMD_MAX_CAPACITY) - cur->registered);
		if (op->nregs > op->left)
			return SCHED_EFULL;
		break;
	case SK_REISSUE:
	case SK_REISSUE_ALL:
		if (now >= cur->closes_at)
			return SCHED_ECLOSED;
		break;
	}
	return STORE_OK;
}

static json_t *
sched_sitting_details(const struct store_sitting *s)
{
	char o[40], c[40];

	auth_time_format(s->opens_at, o, sizeof o);
	auth_time_format(s->closes_at, c, sizeof c);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "exam_id", s->exam_id,
	    "title", s->title, "opens_at", o, "closes_at", c, "timezone",
	    s->timezone, "capacity", (json_int_t)s->capacity, "admission_mode",
	    s->admission_mode);
}

static int
sched_unit_register(struct store_tx *tx, struct sched_op *op,
    const struct store_sitting *cur)
{
	struct sched_reg *r;
	int i, rc;

	for (i = 0; i < op->nregs; i++) {
		r = &op->regs[i];
		if ((rc = store_cand_insert(tx, &r->c, &r->c.id)) == STORE_DUP) {
			op->dup_index = i;
			return STORE_DUP;
		}
		if (rc != 0)
			return STORE_EFAIL;
		/* No names or e-mails in the chain: it can never be erased. */
		if (sched_audit(tx, op, "candidate.register", "candidate",
		    r->c.id, r->c.id, json_pack("{s:I,s:s,s:b,s:b,s:i}",
		    "sitting", (json_int_t)op->s.id, "track", r->c.track,
		    "accommodations", sched_has_accommodations(&r->c),
		    "late_approval", sched_late_approval(&r->c, cur->opens_at),
		    "row", r->row)) != STORE_OK)
			return STORE_EFAIL;
	}
	if (op->csv)
		return sched_audit(tx, op, "candidate.bulk_register", "sitting",
		    op->s.id, 0, json_pack("{s:i}", "registered", op->nregs));
	return STORE_OK;
}

static int
sched_unit_codes(struct store_tx *tx, struct sched_op *op, int64_t now)
{
	struct sched_reg *r;
	int i, n = 0;

	for (i = 0; i < op->nregs; i++) {
		r = &op->regs[i];
		if (store_cand_set_code(tx, r->c.id, r->c.code_hash,
		    op->kind == SK_REISSUE_ALL, now, &r->changed) != 0)
			return STORE_EFAIL;
		if (!r->changed) {
			if (op->kind == SK_REISSUE)
				return SCHED_EGONE;
			continue;
		}
		n++;
		if (sched_audit(tx, op, "candidate.access_code_reissue",
		    "candidate", r->c.id, r->c.id, json_pack("{s:I}", "sitting",
		    (json_int_t)op->s.id)) != STORE_OK)
			return STORE_EFAIL;
	}
	op->left = n;
	return STORE_OK;
}

static int
sched_op_work(struct store_tx *tx, void *arg)
{
	struct sched_op *op = arg;
	struct store_sitting cur;
	int64_t now = auth_now_ms();
	int rc, n;

	if (op->kind != SK_SITTING_CREATE &&
	    (rc = sched_unit_sitting(tx, op, &cur, now)) != STORE_OK)
		return rc;
	switch (op->kind) {
	case SK_SITTING_CREATE:
		op->s.created_at = now;
		if (store_sitting_insert(tx, &op->s, &op->id) != 0)
			return STORE_EFAIL;
		op->s.id = op->id;
		return sched_audit(tx, op, "sitting.create", "sitting", op->id,
		    0, sched_sitting_details(&op->s));
	case SK_SITTING_UPDATE:
		if (store_sitting_update(tx, &op->s, now) != 0)
			return STORE_EFAIL;
		return sched_audit(tx, op, "sitting.update", "sitting",
		    op->s.id, 0, json_pack("{s:o,s:o}", "before",
		    sched_sitting_details(&cur), "after",
		    sched_sitting_details(&op->s)));
	case SK_SITTING_CANCEL:
		if (store_sitting_cancel(tx, op->s.id, op->reason, now,
		    &op->revoked) != 0)
			return STORE_EFAIL;
		return sched_audit(tx, op, "sitting.cancel", "sitting",
		    op->s.id, 0, json_pack("{s:s,s:i,s:I}", "reason",
		    op->reason, "sessions_ended", op->revoked, "registered",
		    (json_int_t)cur.registered));
	case SK_REGISTER:
		return sched_unit_register(tx, op, &cur);
	case SK_REISSUE:
	case SK_REISSUE_ALL:
		return sched_unit_codes(tx, op, now);
	case SK_PROCTOR_ADD:
		if ((rc = store_sitting_proctor_add(tx, op->s.id, op->uid)) != 0)
			return rc == STORE_DUP ? STORE_DUP : STORE_EFAIL;
		return sched_audit(tx, op, "sitting.proctor_assign", "sitting",
		    op->s.id, 0, json_pack("{s:I,s:s}", "user",
		    (json_int_t)op->uid, "username", op->username));
	case SK_PROCTOR_REMOVE:
		if (store_sitting_proctor_remove(tx, op->s.id, op->uid, &n) != 0)
			return STORE_EFAIL;
		if (n == 0)
			return SCHED_EGONE;
		return sched_audit(tx, op, "sitting.proctor_unassign",
		    "sitting", op->s.id, 0, json_pack("{s:I}", "user",
		    (json_int_t)op->uid));
	}
	return STORE_EFAIL;
}

/*
 * What a unit's conflict means to a person: the status, code and message
 * for an API reply (status 0 for STORE_OK and the store's own failures).
 */
static int
sched_conflict(const struct sched_op *op, int rc, const char **code,
    char *msg, size_t len)
{
	switch (rc) {
	case STORE_DUP:
		if (op->kind == SK_PROCTOR_ADD) {
			*code = "already_assigned";
			snprintf(msg, len, "%s is already a proctor of this "
			    "sitting", op->username);
		} else {
			*code = "duplicate_email";
			snprintf(msg, len, "%s is already registered for this "
			    "sitting", op->dup_index >= 0 ?
			    op->regs[op->dup_index].c.email : "a candidate");
		}
		return 409;
	case SCHED_EGONE:
		*code = "not_found";
		snprintf(msg, len, "no such resource");
		return 404;
	case SCHED_ECANCELLED:
		*code = "sitting_cancelled";
		snprintf(msg, len, "the sitting is cancelled");
		return 409;
	case SCHED_ECLOSED:
		*code = "sitting_closed";
		snprintf(msg, len, "the sitting's window has closed");
		return 409;
	case SCHED_EOPEN:
		*code = "sitting_open";
		snprintf(msg, len, "a sitting can be changed only before its "
		    "window opens");
		return 409;
	case SCHED_ESTARTED:
		*code = "candidates_started";
		snprintf(msg, len, op->kind == SK_SITTING_CANCEL ? "candidates "
		    "have started: void their attempts instead of cancelling" :
		    "candidates have started: the form and window can no "
		    "longer change");
		return 409;
	case SCHED_EFULL:
		*code = "sitting_full";
		snprintf(msg, len, "the sitting has %d place%s left; %d "
		    "candidate%s asked for: nothing was registered",
		    op->left < 0 ? 0 : op->left, op->left == 1 ? "" : "s",
		    op->nregs, op->nregs == 1 ? "" : "s");
		return 409;
	case SCHED_ECAPACITY:
		*code = "invalid_capacity";
		snprintf(msg, len, "more candidates are registered than the new "
		    "capacity");
		return 422;
	case SCHED_ESTALE:
		*code = "sitting_changed";
		snprintf(msg, len, "the sitting changed meanwhile: try again");
		return 409;
	}
	return 0;
}

/* --- replies --------------------------------------------------------------- */

static void
sched_reply_regs(struct req *req, const struct sched_op *op,
    const struct store_sitting *s)
{
	json_t *a = json_array(), *o;
	int i, late = 0;

	for (i = 0; i < op->nregs; i++) {
		if (op->kind == SK_REISSUE_ALL && !op->regs[i].changed)
			continue;
		o = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id",
		    (json_int_t)op->regs[i].c.id, "name", op->regs[i].c.name,
		    "email", op->regs[i].c.email, "track", op->regs[i].c.track,
		    "access_code", op->regs[i].code);
		if (op->regs[i].row)
			json_object_set_new(o, "row",
			    json_integer(op->regs[i].row));
		if (op->kind == SK_REGISTER &&
		    sched_late_approval(&op->regs[i].c, s->opens_at)) {
			json_object_set_new(o, "late_approval", json_true());
			late++;
		}
		json_array_append_new(a, o);
	}
	o = json_pack("{s:I,s:i,s:o}", "sitting_id", (json_int_t)s->id,
	    op->kind == SK_REGISTER ? "registered" : "reissued",
	    op->kind == SK_REGISTER ? op->nregs : op->left, "candidates", a);
	if (late)
		json_object_set_new(o, "warnings", json_pack("[s]",
		    "some accommodations were approved less than 14 days "
		    "before the sitting opens: check them (late_approval)"));
	http_reply_json(req, op->kind == SK_REGISTER ? 201 : 200, o);
}

static void
sched_op_done(int rc, void *arg)
{
	struct sched_op *op = arg;
	struct req *req = op->req;
	struct store_sitting s;
	struct store_cand c;
	const char *code;
	char msg[256];
	json_t *o, *w;
	int status;

	if ((status = sched_conflict(op, rc, &code, msg, sizeof msg)) != 0) {
		http_error(req, status, code, "%s", msg);
		goto out;
	}
	if (rc != STORE_OK) {
		http_store_failed(req, rc);
		goto out;
	}
	if (store_sitting_get(req->srv->store, op->s.id, &s) != 1) {
		/* Durable, but not readable back now: say what we know. */
		http_reply_json(req, 200, json_pack("{s:I}", "id",
		    (json_int_t)op->s.id));
		goto out;
	}
	switch (op->kind) {
	case SK_SITTING_CREATE:
		http_reply_json(req, 201, sched_sitting_json(req->srv->store, &s));
		break;
	case SK_REGISTER:
		if (op->format_csv) {
			sched_letters_csv(req, 201, op, &s);
			break;
		}
		if (op->csv) {
			sched_reply_regs(req, op, &s);
			break;
		}
		if (store_cand_get(req->srv->store, s.id, op->regs[0].c.id,
		    &c) != 1)
			c = op->regs[0].c;
		o = sched_cand_json(&c, &s);
		json_object_set_new(o, "access_code",
		    json_string(op->regs[0].code));
		if (sched_late_approval(&c, s.opens_at)) {
			w = json_pack("[s]", "the accommodations were approved "
			    "less than 14 days before the sitting opens");
			json_object_set_new(o, "warnings", w);
		}
		http_reply_json(req, 201, o);
		break;
	case SK_REISSUE:
		http_reply_json(req, 200, json_pack("{s:I,s:s}", "id",
		    (json_int_t)op->regs[0].c.id, "access_code",
		    op->regs[0].code));
		break;
	case SK_REISSUE_ALL:
		if (op->format_csv)
			sched_letters_csv(req, 200, op, &s);
		else
			sched_reply_regs(req, op, &s);
		break;
	case SK_PROCTOR_ADD:
		http_reply_json(req, 201, sched_sitting_json(req->srv->store, &s));
		break;
	default:
		http_reply_json(req, 200, sched_sitting_json(req->srv->store, &s));
		break;
	}
out:
	sched_op_free(op);
}

static void
sched_op_submit(struct sched_op *op)
{
	if (store_submit(op->req->srv->store, sched_op_work, sched_op_done,
	    op) == -1) {
		http_store_failed(op->req, STORE_EBUSY);
		sched_op_free(op);
	}
}

/* --- loading what the URL names ------------------------------------------- */

/* The sitting {sid} if the caller may see it; 0 after a reply otherwise. */
static int
sched_sitting_load(struct req *req, struct store_sitting *s)
{
	int64_t sid = http_param_id(req, 0);
	char obj[40];

	snprintf(obj, sizeof obj, "sitting:%s", req->params[0]);
	switch (sid > 0 ? auth_may_sitting(req, sid) : 0) {
	case 1:
		break;
	case 0:
		auth_deny(req, obj);
		return 0;
	default:
		http_error(req, 503, "store_unavailable", "try again");
		return 0;
	}
	if (store_sitting_get(req->srv->store, sid, s) != 1) {
		http_error(req, 503, "store_unavailable", "try again");
		return 0;
	}
	return 1;
}

static int
sched_cand_load(struct req *req, struct store_sitting *s, struct store_cand *c)
{
	int64_t cid = http_param_id(req, 1);

	if (!sched_sitting_load(req, s))
		return 0;
	switch (cid > 0 ? store_cand_get(req->srv->store, s->id, cid, c) : 0) {
	case 1:
		return 1;
	case 0:
		http_not_found(req);
		return 0;
	}
	http_error(req, 503, "store_unavailable", "try again");
	return 0;
}

/* A sitting that takes no more registrations or codes: 0 after a reply. */
static int
sched_sitting_writable(struct req *req, const struct store_sitting *s)
{
	if (strcmp(s->status, "cancelled") == 0) {
		http_error(req, 409, "sitting_cancelled", "the sitting is "
		    "cancelled");
		return 0;
	}
	if (auth_now_ms() >= s->closes_at) {
		http_error(req, 409, "sitting_closed", "the sitting's window "
		    "has closed");
		return 0;
	}
	return 1;
}

static int
sched_want_csv(struct req *req)
{
	const char *f = http_query(req, "format"), *a;

	if (f != NULL)
		return strcmp(f, "csv") == 0;
	a = http_header(req, "Accept");
	return a != NULL && strncasecmp(a, "text/csv", 8) == 0;
}

/* --- sittings ------------------------------------------------------------- */

struct sched_list {
	struct store	*store;
	json_t		*array;
};

static int
sched_list_one(const struct store_sitting *s, void *arg)
{
	struct sched_list *l = arg;

	json_array_append_new(l->array, sched_sitting_json(l->store, s));
	return 0;
}

static void
sched_sittings_list(struct req *req)
{
	struct sched_list l = { req->srv->store, json_array() };
	int64_t assoc = 0, proctor = 0;

	if (req->who.role != ROLE_ADMIN)
		assoc = req->who.association_id;
	if (req->who.role == ROLE_PROCTOR)
		proctor = req->who.user_id;	/* only the assigned ones */
	if (store_sittings_each(req->srv->store, assoc, proctor,
	    sched_list_one, &l) == -1) {
		json_decref(l.array);
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "sittings", l.array));
}

static void
sched_sitting_get(struct req *req)
{
	struct store_sitting s;

	if (sched_sitting_load(req, &s))
		http_reply_json(req, 200, sched_sitting_json(req->srv->store, &s));
}

/* A time field as ms; -1 after a reply when present and malformed. */
static int
sched_json_time_field(struct req *req, const char *key, int required,
    int64_t *ms)
{
	const char *v;

	if (http_json_string(req, key, required, 64, &v) == -1)
		return -1;
	if (v != NULL && auth_time_parse(v, ms) == -1) {
		http_error(req, 422, "invalid_time", "field \"%s\" must be an "
		    "RFC 3339 time such as 2027-03-14T09:00:00-04:00 or "
		    "2027-03-14T13:00:00Z", key);
		return -1;
	}
	return 0;
}

/*
 * Reads a sitting's fields from the body over s (all required when create;
 * only those present otherwise) and checks them all. The form's program
 * goes to program. 0, or -1 after a reply.
 */
static int
sched_sitting_read(struct req *req, struct store_sitting *s, int create,
    char program[FORM_PROGRAM_MAX + 1])
{
	const char *exam, *title, *zone, *mode;
	json_t *cap = json_object_get(req->body, "capacity");
	int64_t v = 0;
	int published;
	char why[256];

	if (http_json_string(req, "exam_id", create, FORM_ID_MAX, &exam) ||
	    http_json_string(req, "title", create, SITTING_TITLE_MAX, &title) ||
	    sched_json_time_field(req, "opens_at", create, &s->opens_at) ||
	    sched_json_time_field(req, "closes_at", create, &s->closes_at) ||
	    http_json_string(req, "timezone", create, TZ_NAME_MAX, &zone) ||
	    http_json_string(req, "admission_mode", 0, 16, &mode))
		return -1;
	if (cap != NULL && !json_is_null(cap) && http_json_int(req, "capacity",
	    0, 1, EXAMD_MAX_CAPACITY, &v) == -1)
		return -1;
	if (cap != NULL)
		s->capacity = v;	/* null: no limit but EXAMD_MAX_CAPACITY */
	if (exam != NULL)
		snprintf(s->exam_id, sizeof s->exam_id, "%s", exam);
	if (title != NULL)
		snprintf(s->title, sizeof s->title, "%s", title);
	if (zone != NULL)
		snprintf(s->timezone, sizeof s->timezone, "%s", zone);
	if (mode != NULL)
		snprintf(s->admission_mode, sizeof s->admission_mode, "%s", mode);
	else if (create)
		snprintf(s->admission_mode, sizeof s->admission_mode, "proctor");
	if (s->title[0] == '\0' || !sched_text_valid(s->title, 0)) {
		http_error(req, 422, "invalid_field", "field \"title\" must be "
		    "a non-empty line of text");
		return -1;
	}
	if (strcmp(s->admission_mode, "proctor") != 0 &&
	    strcmp(s->admission_mode, "auto") != 0) {
		http_error(req, 422, "invalid_field", "field \"admission_mode\" "
		    "must be \"proctor\" (a proctor admits each candidate) or "
		    "\"auto\" (admitted on sign-in inside the window)");
		return -1;
	}
	if (tz_get(s->timezone) == NULL) {
		http_error(req, 422, "unknown_timezone", "\"%s\" is not a time "
		    "zone of the tz database (such as America/New_York)",
		    s->timezone);
		return -1;
	}
	if (sched_window_problem(s->opens_at, s->closes_at, why,
	    sizeof why) == -1) {
		http_error(req, 422, "invalid_window", "%s", why);
		return -1;
	}
	if (create && s->closes_at <= auth_now_ms()) {
		http_error(req, 422, "invalid_window", "the window has already "
		    "closed (closes_at is in the past)");
		return -1;
	}
	switch (store_sched_form_program(req->srv->store, s->exam_id, program,
	    &published)) {
	case 1:
		break;
	case 0:
		http_error(req, 422, "unknown_form", "there is no exam form "
		    "\"%s\" in the item bank", s->exam_id);
		return -1;
	default:
		http_error(req, 503, "store_unavailable", "the item bank could "
		    "not be read: try again");
		return -1;
	}
	if (!published) {
		http_error(req, 422, "form_not_published", "exam form \"%s\" is "
		    "not published yet", s->exam_id);
		return -1;
	}
	return 0;
}

static void
sched_sitting_create(struct req *req)
{
	struct sched_op *op = sched_op_new(req, SK_SITTING_CREATE, 0);
	char program[FORM_PROGRAM_MAX + 1];

	op->s.association_id = req->who.association_id;
	if (sched_sitting_read(req, &op->s, 1, program) == -1) {
		sched_op_free(op);
		return;
	}
	sched_op_submit(op);
}

struct sched_tracks {
	const char	*program;
	char		 why[256];
	int		 bad;
};

static int
sched_track_check(const struct store_cand *c, void *arg)
{
	struct sched_tracks *t = arg;

	if (!t->bad && sched_track_problem(c->track, t->program, t->why,
	    sizeof t->why) == -1)
		t->bad = 1;
	return 0;
}

static void
sched_sitting_update(struct req *req)
{
	struct sched_op *op = sched_op_new(req, SK_SITTING_UPDATE, 0);
	struct sched_tracks t;
	char program[FORM_PROGRAM_MAX + 1];

	if (!sched_sitting_load(req, &op->s) ||
	    sched_sitting_read(req, &op->s, 0, program) == -1) {
		sched_op_free(op);
		return;
	}
	/* A new form must suit everyone registered. */
	memset(&t, 0, sizeof t);
	t.program = program;
	if (store_cands_each(req->srv->store, op->s.id, sched_track_check,
	    &t) == -1) {
		http_error(req, 503, "store_unavailable", "try again");
		sched_op_free(op);
		return;
	}
	if (t.bad) {
		http_error(req, 422, "ineligible_track", "a registered "
		    "candidate cannot sit this form: %s", t.why);
		sched_op_free(op);
		return;
	}
	sched_op_submit(op);
}

/* An optional JSON object body (routes without HTTP_JSON_BODY); -1 after a reply. */
static int
sched_optional_body(struct req *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->evreq);
	size_t len = evbuffer_get_length(in);

	if (len == 0)
		return 0;
	if (len > EXAMD_MAX_JSON_BODY ||
	    (req->body = json_loadb((const char *)evbuffer_pullup(in, len),
	    len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(req->body)) {
		http_error(req, 400, "malformed_json", "the body must be a "
		    "JSON object, or empty");
		return -1;
	}
	return 0;
}

static void
sched_sitting_cancel(struct req *req)
{
	struct sched_op *op = sched_op_new(req, SK_SITTING_CANCEL, 0);
	const char *reason = NULL;

	if (!sched_sitting_load(req, &op->s) || sched_optional_body(req) ||
	    http_json_string(req, "reason", 0, SITTING_REASON_MAX, &reason)) {
		sched_op_free(op);
		return;
	}
	snprintf(op->reason, sizeof op->reason, "%s", reason ? reason : "");
	sched_op_submit(op);
}

/* --- candidates ------------------------------------------------------------ */

struct sched_cands {
	const struct store_sitting	*s;
	json_t				*array;
	struct evbuffer			*csv;
};

static int
sched_cands_one(const struct store_cand *c, void *arg)
{
	struct sched_cands *l = arg;
	char id[24], mult[32], mc[24], es[24], day[16];
	const char *cells[11];

	if (l->array != NULL) {
		json_array_append_new(l->array, sched_cand_json(c, l->s));
		return 0;
	}
	snprintf(id, sizeof id, "%" PRId64, c->id);
	snprintf(mult, sizeof mult, "%g", c->time_multiplier);
	snprintf(mc, sizeof mc, "%" PRId64, c->extra_ms_mc / 60000);
	snprintf(es, sizeof es, "%" PRId64, c->extra_ms_essay / 60000);
	day[0] = '\0';
	if (c->approved_at)
		sched_date_format(c->approved_at, day, sizeof day);
	cells[0] = id;
	cells[1] = c->name;
	cells[2] = c->email;
	cells[3] = c->track;
	cells[4] = c->status;
	cells[5] = mult;
	cells[6] = mc;
	cells[7] = es;
	cells[8] = c->breaks_allowed ? "yes" : "no";
	cells[9] = c->note;
	cells[10] = day;
	sched_csv_cells(l->csv, cells, 11);
	return 0;
}

/* The roster: JSON, or CSV without access codes (those are shown once). */
static void
sched_cands_list(struct req *req)
{
	static const char *head[] = { "candidate_id", "name", "email", "track",
	    "status", "time_multiplier", "extra_minutes_mc",
	    "extra_minutes_essay", "breaks_allowed", "accommodations_note",
	    "accommodations_approved_on" };
	struct store_sitting s;
	struct sched_cands l;
	char name[48];

	if (!sched_sitting_load(req, &s))
		return;
	memset(&l, 0, sizeof l);
	l.s = &s;
	if (sched_want_csv(req)) {
		if ((l.csv = evbuffer_new()) == NULL)
			fatal("sched_cands_list");
		evbuffer_add(l.csv, "\xef\xbb\xbf", 3);
		sched_csv_cells(l.csv, head, 11);
	} else
		l.array = json_array();
	if (store_cands_each(req->srv->store, s.id, sched_cands_one, &l) == -1) {
		json_decref(l.array);
		if (l.csv != NULL)
			evbuffer_free(l.csv);
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	if (l.csv != NULL) {
		snprintf(name, sizeof name, "sitting-%" PRId64 "-roster.csv",
		    s.id);
		sched_csv_reply(req, 200, l.csv, name);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:I,s:o}", "sitting_id",
	    (json_int_t)s.id, "candidates", l.array));
}

static void
sched_cand_get(struct req *req)
{
	struct store_sitting s;
	struct store_cand c;

	if (sched_cand_load(req, &s, &c))
		http_reply_json(req, 200, sched_cand_json(&c, &s));
}

/* A new access code into r (plain, for the reply; hashed, for the store). */
static void
sched_reg_code(struct sched_reg *r)
{
	auth_code_new(r->code);
	if (auth_code_hash(r->code, r->c.code_hash) == -1)
		fatalx("sched_reg_code: a fresh code does not hash");
}

/* Fills the fields every registration shares, and its code. */
static void
sched_reg_init(struct sched_reg *r, const struct store_sitting *s)
{
	r->c.sitting_id = s->id;
	r->c.association_id = s->association_id;
	r->c.created_at = auth_now_ms();
	sched_reg_code(r);
}

/* JSON registration fields into c; -1 after a reply. */
static int
sched_cand_from_json(struct req *req, struct store_cand *c)
{
	const char *name, *email, *track, *note, *day;
	json_t *m = json_object_get(req->body, "time_multiplier");
	json_t *b = json_object_get(req->body, "breaks_allowed");
	int64_t mc = 0, es = 0;

	if (http_json_string(req, "name", 1, CAND_NAME_MAX, &name) ||
	    http_json_string(req, "email", 1, CAND_EMAIL_MAX, &email) ||
	    http_json_string(req, "track", 1, CAND_TRACK_MAX, &track) ||
	    http_json_string(req, "accommodations_note", 0, CAND_NOTE_MAX,
	    &note) ||
	    http_json_string(req, "accommodations_approved_on", 0, 40, &day) ||
	    http_json_int(req, "extra_minutes_mc", 0, 0,
	    EXAMD_MAX_EXTRA_MINUTES, &mc) ||
	    http_json_int(req, "extra_minutes_essay", 0, 0,
	    EXAMD_MAX_EXTRA_MINUTES, &es))
		return -1;
	if (m != NULL && !json_is_null(m) && !json_is_number(m)) {
		http_error(req, 422, "invalid_field", "field \"time_multiplier\" "
		    "must be a number from 1.0 to 3.0");
		return -1;
	}
	if (b != NULL && !json_is_null(b) && !json_is_boolean(b)) {
		http_error(req, 422, "invalid_field", "field \"breaks_allowed\" "
		    "must be true or false");
		return -1;
	}
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->email, sizeof c->email, "%s", email);
	snprintf(c->track, sizeof c->track, "%s", track);
	snprintf(c->note, sizeof c->note, "%s", note ? note : "");
	c->time_multiplier = m != NULL && json_is_number(m) ?
	    json_number_value(m) : 1.0;
	c->breaks_allowed = b != NULL && json_is_true(b);
	c->extra_ms_mc = mc * 60000;
	c->extra_ms_essay = es * 60000;
	if (day != NULL && sched_date_parse(day, &c->approved_at) == -1) {
		http_error(req, 422, "invalid_field", "field "
		    "\"accommodations_approved_on\" must be a date such as "
		    "2027-02-20");
		return -1;
	}
	return 0;
}

/* The form's program for eligibility; -1 after a reply. */
static int
sched_program(struct req *req, const struct store_sitting *s,
    char program[FORM_PROGRAM_MAX + 1])
{
	int published;

	if (store_sched_form_program(req->srv->store, s->exam_id, program,
	    &published) == 1)
		return 0;
	http_error(req, 503, "store_unavailable", "the item bank could not be "
	    "read: try again");
	return -1;
}

static void
sched_register_one(struct req *req, struct sched_op *op,
    const struct store_sitting *s, const char *program)
{
	struct store_cand *c = &op->regs[0].c;
	char why[256];

	if (sched_cand_from_json(req, c) == -1)
		goto fail;
	if (sched_cand_problem(c, program, auth_now_ms(), why,
	    sizeof why) == -1) {
		http_error(req, 422, strstr(why, "track") != NULL ||
		    strstr(why, "written exam") != NULL ? "ineligible_track" :
		    "invalid_candidate", "%s", why);
		goto fail;
	}
	switch (store_cand_email_taken(req->srv->store, s->id, c->email)) {
	case 0:
		break;
	case 1:
		http_error(req, 409, "duplicate_email", "%s is already "
		    "registered for this sitting", c->email);
		goto fail;
	default:
		http_error(req, 503, "store_unavailable", "try again");
		goto fail;
	}
	sched_reg_init(&op->regs[0], s);
	sched_op_submit(op);
	return;
fail:
	sched_op_free(op);
}

/*
 * Bulk: checks every row before anything is written and lists every bad
 * one; the unit then writes all rows or none.
 */
static void
sched_register_csv(struct req *req, struct sched_op *op,
    const struct store_sitting *s, const char *program)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->evreq);
	size_t len = evbuffer_get_length(in);
	struct sched_csv *csv = NULL;
	struct sched_cols cols;
	struct store_cand *c;
	json_t *bad = NULL;
	const char *code;
	char *err = NULL, why[300];
	int i, j, n, rc;

	if (len == 0) {
		http_error(req, 422, "invalid_csv", "the file is empty");
		goto out;
	}
	if (sched_csv_parse((const char *)evbuffer_pullup(in, len), len, &csv,
	    &err) == -1) {
		http_error(req, 422, "invalid_csv", "%s: nothing was "
		    "registered", err);
		goto out;
	}
	if (csv->nrows < 2) {
		http_error(req, 422, "invalid_csv", "the file needs a header "
		    "row and at least one candidate");
		goto out;
	}
	if (sched_csv_header(&csv->rows[0], &cols, why, sizeof why) == -1) {
		http_error(req, 422, "invalid_csv", "row 1 (header): %s", why);
		goto out;
	}
	n = csv->nrows - 1;
	if ((op->regs = calloc(n, sizeof *op->regs)) == NULL)
		fatal("sched_register_csv");
	op->nregs = n;
	op->csv = 1;
	bad = json_array();
	for (i = 0; i < n; i++) {
		c = &op->regs[i].c;
		op->regs[i].row = csv->rows[i + 1].num;
		rc = sched_csv_cand(&cols, &csv->rows[i + 1], c, why, sizeof why);
		if (rc == 0)
			rc = sched_cand_problem(c, program, auth_now_ms(), why,
			    sizeof why);
		for (j = 0; rc == 0 && j < i; j++)
			if (strcasecmp(op->regs[j].c.email, c->email) == 0) {
				snprintf(why, sizeof why, "e-mail %s is also on "
				    "row %d", c->email, op->regs[j].row);
				rc = -1;
			}
		if (rc == 0) {
			switch (store_cand_email_taken(req->srv->store, s->id,
			    c->email)) {
			case 0:
				break;
			case 1:
				snprintf(why, sizeof why, "%s is already "
				    "registered for this sitting", c->email);
				rc = -1;
				break;
			default:
				http_error(req, 503, "store_unavailable",
				    "try again");
				goto out;
			}
		}
		if (rc == -1)
			json_array_append_new(bad, json_pack("{s:i,s:s}", "row",
			    op->regs[i].row, "reason", why));
		else
			sched_reg_init(&op->regs[i], s);
	}
	if (json_array_size(bad) > 0) {
		snprintf(why, sizeof why, "%zu of %d rows have problems; nothing "
		    "was registered", json_array_size(bad), n);
		http_reply_json(req, 422, json_pack("{s:{s:s,s:s,s:O}}",
		    "error", "code", "invalid_rows", "message", why, "rows",
		    bad));
		goto out;
	}
	if (s->registered + n > (s->capacity ? s->capacity :
	    EXAMD_MAX_CAPACITY)) {
		op->left = (int)((s->capacity ? s->capacity :
		    EXAMD_MAX_CAPACITY) - s->registered);
		sched_conflict(op, SCHED_EFULL, &code, why, sizeof why);
		http_error(req, 409, code, "%s", why);
		goto out;
	}
	sched_csv_free(csv);
	json_decref(bad);
	sched_op_submit(op);
	return;
out:
	free(err);
	json_decref(bad);
	sched_csv_free(csv);
	sched_op_free(op);
}

static void
sched_cands_add(struct req *req)
{
	struct sched_op *op;
	struct store_sitting s;
	char program[FORM_PROGRAM_MAX + 1];
	int csv = req->body == NULL;

	if (!sched_sitting_load(req, &s) || !sched_sitting_writable(req, &s) ||
	    sched_program(req, &s, program) == -1)
		return;
	if (!csv && s.registered >= (s.capacity ? s.capacity :
	    EXAMD_MAX_CAPACITY)) {
		http_error(req, 409, "sitting_full", "the sitting is full "
		    "(capacity %" PRId64 ")", s.capacity);
		return;
	}
	op = sched_op_new(req, SK_REGISTER, csv ? 0 : 1);
	op->s = s;
	op->format_csv = sched_want_csv(req);
	if (csv)
		sched_register_csv(req, op, &s, program);
	else
		sched_register_one(req, op, &s, program);
}

static void
sched_code_reissue(struct req *req)
{
	struct sched_op *op;
	struct store_sitting s;
	struct store_cand c;

	if (!sched_cand_load(req, &s, &c) || !sched_sitting_writable(req, &s))
		return;
	op = sched_op_new(req, SK_REISSUE, 1);
	op->s = s;
	op->regs[0].c = c;
	sched_reg_code(&op->regs[0]);
	sched_op_submit(op);
}

struct sched_fresh {
	struct sched_op	*op;
	int		 cap;
};

static int
sched_fresh_one(const struct store_cand *c, void *arg)
{
	struct sched_fresh *f = arg;
	struct sched_reg *r;

	if (strcmp(c->status, "registered") != 0 || c->signed_in)
		return 0;
	if (f->op->nregs == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 32;
		if ((r = reallocarray(f->op->regs, f->cap, sizeof *r)) == NULL)
			fatal("sched_fresh_one");
		f->op->regs = r;
	}
	r = &f->op->regs[f->op->nregs++];
	memset(r, 0, sizeof *r);
	r->c = *c;
	sched_reg_code(r);
	return 0;
}

/* New codes for everyone who has not signed in yet: for printing letters. */
static void
sched_codes_reissue_all(struct req *req)
{
	struct sched_op *op;
	struct store_sitting s;
	struct sched_fresh f;

	if (!sched_sitting_load(req, &s) || !sched_sitting_writable(req, &s))
		return;
	op = sched_op_new(req, SK_REISSUE_ALL, 0);
	op->s = s;
	op->format_csv = sched_want_csv(req);
	f.op = op;
	f.cap = 0;
	if (store_cands_each(req->srv->store, s.id, sched_fresh_one, &f) == -1) {
		http_error(req, 503, "store_unavailable", "try again");
		sched_op_free(op);
		return;
	}
	sched_op_submit(op);
}

/* --- proctors -------------------------------------------------------------- */

static void
sched_proctor_add(struct req *req)
{
	struct sched_op *op;
	struct store_sitting s;
	struct store_user u;
	const char *name;
	int rc;

	if (!sched_sitting_load(req, &s) ||
	    http_json_string(req, "username", 1, USERNAME_MAX, &name))
		return;
	if (strcmp(s.status, "cancelled") == 0) {
		http_error(req, 409, "sitting_cancelled", "the sitting is "
		    "cancelled");
		return;
	}
	rc = store_user_find(req->srv->store, name, &u);
	if (rc == -1) {
		http_error(req, 503, "store_unavailable", "try again");
		return;
	}
	/* Another association's staff are reported like unknown ones. */
	if (rc == 0 || u.association_id != s.association_id) {
		http_error(req, 422, "unknown_proctor", "no staff account "
		    "\"%s\" in this association", name);
		goto out;
	}
	if (u.role != ROLE_PROCTOR) {
		http_error(req, 422, "not_a_proctor", "\"%s\" is a %s, not a "
		    "proctor", u.username, store_role_name(u.role));
		goto out;
	}
	if (u.disabled) {
		http_error(req, 422, "account_disabled", "\"%s\" is disabled",
		    u.username);
		goto out;
	}
	op = sched_op_new(req, SK_PROCTOR_ADD, 0);
	op->s = s;
	op->uid = u.id;
	snprintf(op->username, sizeof op->username, "%s", u.username);
	sched_op_submit(op);
out:
	explicit_bzero(&u, sizeof u);
}

static void
sched_proctor_remove(struct req *req)
{
	struct sched_op *op;
	struct store_sitting s;
	int64_t uid = http_param_id(req, 1);

	if (!sched_sitting_load(req, &s))
		return;
	if (uid <= 0) {
		http_not_found(req);
		return;
	}
	op = sched_op_new(req, SK_PROCTOR_REMOVE, 0);
	op->s = s;
	op->uid = uid;
	sched_op_submit(op);
}

/* --- examctl ---------------------------------------------------------------- */

static int
sched_ctl_run(struct store *st, struct sched_op *op, char **errstr)
{
	const char *code;
	char msg[256], *err = NULL;
	int rc;

	rc = store_run(st, sched_op_work, op, &err);
	if (rc == STORE_OK) {
		free(err);
		return 0;
	}
	if (sched_conflict(op, rc, &code, msg, sizeof msg) != 0)
		*errstr = xasprintf("%s", msg);
	else
		*errstr = xasprintf("%s", err ? err : "the change could not be "
		    "stored");
	free(err);
	return -1;
}

int
sched_ctl_sitting_create(struct store *st, struct store_sitting *s,
    char **errstr)
{
	struct sched_op *op = sched_op_new(NULL, SK_SITTING_CREATE, 0);
	int rc;

	op->s = *s;
	if ((rc = sched_ctl_run(st, op, errstr)) == 0)
		s->id = op->id;
	sched_op_free(op);
	return rc;
}

int
sched_ctl_register(struct store *st, struct store_cand *c,
    char code[AUTH_CODE_PRINT], char **errstr)
{
	struct sched_op *op = sched_op_new(NULL, SK_REGISTER, 1);
	struct store_sitting s;
	int rc;

	if (store_sitting_get(st, c->sitting_id, &s) != 1) {
		*errstr = xasprintf("no sitting %" PRId64, c->sitting_id);
		sched_op_free(op);
		return -1;
	}
	op->s = s;
	op->regs[0].c = *c;
	sched_reg_init(&op->regs[0], &s);
	if ((rc = sched_ctl_run(st, op, errstr)) == 0) {
		c->id = op->regs[0].c.id;
		memcpy(code, op->regs[0].code, AUTH_CODE_PRINT);
	}
	sched_op_free(op);
	return rc;
}

int
sched_ctl_proctor_add(struct store *st, int64_t sid, int64_t assoc,
    int64_t uid, char **errstr)
{
	struct sched_op *op = sched_op_new(NULL, SK_PROCTOR_ADD, 0);
	int rc;

	op->s.id = sid;
	op->s.association_id = assoc;
	op->uid = uid;
	snprintf(op->username, sizeof op->username, "user:%" PRId64, uid);
	rc = sched_ctl_run(st, op, errstr);
	sched_op_free(op);
	return rc;
}

#define SCHED_SEE	(ROLE_ADMIN | ROLE_COORDINATOR | ROLE_PROCTOR)

const struct route sched_routes[] = {
	{ "GET", "/api/v1/sittings", SCHED_SEE, 0, sched_sittings_list },
	{ "POST", "/api/v1/sittings", ROLE_COORDINATOR, HTTP_JSON_BODY,
	    sched_sitting_create },
	{ "GET", "/api/v1/sittings/{sid}", SCHED_SEE, 0, sched_sitting_get },
	{ "PUT", "/api/v1/sittings/{sid}", ROLE_COORDINATOR, HTTP_JSON_BODY,
	    sched_sitting_update },
	{ "POST", "/api/v1/sittings/{sid}/cancel", ROLE_COORDINATOR, 0,
	    sched_sitting_cancel },
	{ "GET", "/api/v1/sittings/{sid}/candidates", SCHED_SEE, 0,
	    sched_cands_list },
	{ "POST", "/api/v1/sittings/{sid}/candidates", ROLE_COORDINATOR,
	    HTTP_JSON_BODY | HTTP_CSV_BODY, sched_cands_add },
	{ "GET", "/api/v1/sittings/{sid}/candidates/{cid}", SCHED_SEE, 0,
	    sched_cand_get },
	{ "POST", "/api/v1/sittings/{sid}/candidates/{cid}/access-code",
	    ROLE_COORDINATOR, 0, sched_code_reissue },
	{ "POST", "/api/v1/sittings/{sid}/access-codes", ROLE_COORDINATOR, 0,
	    sched_codes_reissue_all },
	{ "POST", "/api/v1/sittings/{sid}/proctors", ROLE_COORDINATOR,
	    HTTP_JSON_BODY, sched_proctor_add },
	{ "DELETE", "/api/v1/sittings/{sid}/proctors/{uid}", ROLE_COORDINATOR,
	    0, sched_proctor_remove },
	{ NULL, NULL, 0, 0, NULL }
};
