/*
 * examc load: N simulated candidates on one event loop, each on its own
 * keep-alive HTTPS connection, doing a candidate's real flow against
 * CONTRACT.md's API: sign in, GET /attempt, start the next part, read it,
 * answer with think time (MC) or autosave a growing text (essays), submit
 * or run into the deadline. Prints latency percentiles per request kind and
 * appends one ledger line per acknowledged save, so a checker can prove
 * afterwards that every acknowledged save is in the database.
 *
 * Modes:
 *   saturate     answer saves back to back (think 0 by default), never submit
 *   realistic    answer every item once with think time, submit, autosave
 *                the essays (K prompts meeting the rule's group minimums),
 *                submit; until --seconds or done
 *   start-storm  sign in, start, read the first part; done at the first question
 *   essay        submit Part 1 at once, then autosave essays until --seconds
 *   deadline     start, answer with think time, never submit: done when the
 *                server has submitted the part (409 on a save, or the
 *                "submitted" event with --events)
 *
 * A candidate has at most one request in flight on its connection (the
 * event stream, with --events, has a connection of its own). A transport
 * failure replaces the connection on a later loop turn (an httpc must not
 * be freed from its own callback) and repeats the step.
 */
#include <sys/resource.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "auth.h"
#include "examc.h"
#include "httpc.h"
#include "log.h"
#include "stats.h"

#define LOAD_MAX_SECTIONS	16	/* parts of a form we follow */
#define LOAD_MAX_CHOICES	8	/* choices per item we keep */
#define LOAD_MAX_PROMPTS	16	/* essay prompts per part we keep (a bit each) */
#define LOAD_MAX_GROUPS		8	/* group minimums per essay rule we follow */
#define LOAD_ID_LEN		48	/* section, choice and prompt ids */
#define LOAD_TOKEN_LEN		128
#define LOAD_RETRY_MS		200	/* after a transport failure, 429 or 503 */
#define LOAD_WAIT_MS		500	/* polling GET /attempt while not admitted */
#define LOAD_DRAIN_SECONDS	10	/* after the end, for replies in flight */
#define LOAD_ESSAY_WORDS	12	/* words added per autosave */
#define LOAD_ESSAY_MAX_WORDS	2500	/* then the text starts again */
#define LOAD_SCRATCH		(64 * 1024)
#define LOAD_MAX_STATUSES	8	/* distinct error statuses kept per kind */
#define LOAD_CONNECT_RATE	1000	/* --preconnect: new TLS connections a second */
#define LOAD_SETTLE_DEFAULT	120	/* s: saves are measured once all are in, or after this */
#define LOAD_BACKOFF_MAX_MS	5000	/* reconnects back off up to this */

enum load_mode {
	MODE_SATURATE, MODE_REALISTIC, MODE_START_STORM, MODE_ESSAY,
	MODE_DEADLINE
};

static const char *const load_mode_names[] = {
	"saturate", "realistic", "start-storm", "essay", "deadline", NULL
};

enum load_kind {
	K_CONNECT, K_LOGIN, K_ATTEMPT, K_START, K_SECTION, K_ANSWER, K_ESSAY,
	K_SUBMIT, K_EVENTS, K_FIRST, K_TOLD, K_NKINDS
};

/* K_FIRST and K_TOLD are derived: time to the first question, and how
 * long after its deadline a candidate heard that the part was submitted. */
static const char *const load_kind_names[K_NKINDS] = {
	"connect", "login", "attempt", "start", "section", "answer", "essay",
	"submit", "events", "first-question", "told-late"
};

enum cand_state { C_IDLE, C_BUSY, C_WAIT, C_DONE, C_FAILED };

struct load_item {
	int	 n;
	int	 nch;
	char	 ch[LOAD_MAX_CHOICES][LOAD_ID_LEN];
};

struct load_section {
	char	 id[LOAD_ID_LEN];
	char	 kind;		/* 'm' mc, 'e' essay */
	char	 status;	/* 'n' not started, 'o' open, 's' submitted */
};

struct load;

struct cand {
	struct load	*l;
	int		 idx;
	const char	*code;
	char		 token[LOAD_TOKEN_LEN];
	struct httpc	*c, *dead;
	struct httpc	*ev, *evdead;
	struct event	*timer;
	enum cand_state	 st;
	enum load_kind	 kind;		/* of the request in flight */
	void		(*step)(struct cand *);	/* what the timer does */
	double		 t0;		/* request sent */
	double		 t_begin;	/* first sign-in sent */
	int		 have_first;
	int		 starting;	/* counted in l->starting */
	int		 at_barrier;
	int		 fails;		/* transport failures in a row */
	int		 nsec, sec;
	struct load_section secs[LOAD_MAX_SECTIONS];
	int		 nitems, cursor;
	struct load_item *items;
	int		 nprompts, nwrite;
	char		 prompts[LOAD_MAX_PROMPTS][LOAD_ID_LEN];
	int		 words, saves_here;
	long		 seq, sent_seq;
	char		 sent_val[72];	/* choice or text hash of the save in flight */
	char		 sent_key[LOAD_ID_LEN];
	double		 deadline;	/* monotonic s; 0 unknown */
	int		 told, server_submitted;
	int		 ev_open;
	char		 evline[256];
	size_t		 evlen;
	char		 evname[32];
	unsigned int	 rng;
};

struct load_errs {
	int	 status[LOAD_MAX_STATUSES];
	size_t	 count[LOAD_MAX_STATUSES];
};

struct load {
	struct examc	*ex;
	enum load_mode	 mode;
	long		 n, think_ms, seconds, ramp_ms, essay_saves;
	int		 events, preconnect;
	FILE		*ledger;
	const char	*ledger_path;
	struct cand	*cands;
	char		**codes;
	long		 ncodes;
	struct stats	 st[K_NKINDS];
	double		 first_at[K_NKINDS], last_at[K_NKINDS];
	struct load_errs errs[K_NKINDS];
	double		 t_start, t_flows, t_end, t_measure;
	long		 inflight, done, failed, connected;
	long		 reconnects, stale, ledger_lines, events_seen;
	long		 max_starting, starting, unmeasured, first_count;
	long		 settle;	/* s to wait for all to be in */
	int		 barrier, released;
	long		 at_barrier;
	long		*queue, qhead, qtail;	/* waiting to start: --max-starting */
	long		 submitted_events, streams;
	double		 last_first, last_told, min_deadline, max_deadline;
	int		 stopping;
	struct event	*end_timer, *drain_timer;
	char		 scratch[LOAD_SCRATCH];
	char		 body[LOAD_SCRATCH + 256];
};

static void cand_login(struct cand *);
static void cand_attempt(struct cand *);
static void cand_start(struct cand *);
static void cand_section(struct cand *);
static void cand_save(struct cand *);
static void cand_submit(struct cand *);
static void cand_events(struct cand *);
static void cand_done(int, const char *, size_t, void *);
static void load_check_end(struct load *);
static void load_all_in(struct load *);
static void cand_started(struct cand *);
static void load_barrier(struct cand *);

static int
load_measures_saves(struct load *l)
{
	return l->mode == MODE_SATURATE || l->mode == MODE_REALISTIC ||
	    l->mode == MODE_ESSAY;
}

static unsigned int
cand_rand(struct cand *cd)
{
	unsigned int x = cd->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return cd->rng = x;
}

/* Think time: uniform in [0.5, 1.5) x the mean, so candidates drift apart. */
static double
cand_think(struct cand *cd)
{
	if (cd->l->think_ms <= 0)
		return 0;
	return cd->l->think_ms * (0.5 + (cand_rand(cd) % 10000) / 10000.0);
}

static void
load_err(struct load *l, enum load_kind k, int status)
{
	struct load_errs *e = &l->errs[k];
	int i;

	stats_error(&l->st[k]);
	for (i = 0; i < LOAD_MAX_STATUSES; i++) {
		if (e->count[i] == 0)
			e->status[i] = status;
		if (e->status[i] == status) {
			e->count[i]++;
			return;
		}
	}
}

static void
load_sample(struct load *l, enum load_kind k, double t0, double t1)
{
	/* Saves during the ramp are not the steady state: --measure-after. */
	if ((k == K_ANSWER || k == K_ESSAY) && t0 < l->t_measure) {
		l->unmeasured++;
		return;
	}
	if (l->st[k].n == 0 || t0 < l->first_at[k])
		l->first_at[k] = t0;
	if (t1 > l->last_at[k])
		l->last_at[k] = t1;
	stats_add(&l->st[k], (t1 - t0) * 1e3);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cand *cd = arg;
	void (*step)(struct cand *) = cd->step;

	(void)fd;
	(void)what;
	/* Connections that failed are freed here, outside their callbacks. */
	httpc_free(cd->dead);
	cd->dead = NULL;
	httpc_free(cd->evdead);
	cd->evdead = NULL;
	cd->step = NULL;
	if (cd->st == C_DONE || cd->st == C_FAILED || step == NULL)
		return;
	if (cd->l->stopping) {
		cd->st = C_IDLE;
		load_check_end(cd->l);
		return;
	}
	step(cd);
}

/* After a transport failure: 200 ms doubling to 5 s, jittered, so a
 * server that drops connections is not answered with a reconnect storm. */
static double
cand_backoff(struct cand *cd)
{
	double ms = LOAD_RETRY_MS;
	int i;

	for (i = 1; i < cd->fails && ms < LOAD_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > LOAD_BACKOFF_MAX_MS)
		ms = LOAD_BACKOFF_MAX_MS;
	return ms * (0.5 + (cand_rand(cd) % 1000) / 1000.0);
}

/* Runs step after ms (0: on the next loop turn). */
static void
cand_later(struct cand *cd, void (*step)(struct cand *), double ms)
{
	struct timeval tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = (long)(ms / 1000);
	tv.tv_usec = (long)((ms - tv.tv_sec * 1000.0) * 1000);
	cd->st = C_WAIT;
	cd->step = step;
	evtimer_add(cd->timer, &tv);
}

static void
cand_finish(struct cand *cd, int ok)
{
	struct load *l = cd->l;

	if (cd->st == C_DONE || cd->st == C_FAILED)
		return;
	cd->st = ok ? C_DONE : C_FAILED;
	if (ok)
		l->done++;
	else {
		l->failed++;
		cand_started(cd);
		load_all_in(l);
		if (l->barrier)
			load_barrier(NULL);
	}
	load_check_end(l);
}

static void
cand_send(struct cand *cd, enum load_kind k, const char *method,
    const char *path, const char *body)
{
	struct load *l = cd->l;

	if (cd->c == NULL && (cd->c = httpc_new(l->ex->base, l->ex->ctx,
	    l->ex->host, l->ex->port)) == NULL)
		fatalx("cannot create a connection");
	if (l->events && !cd->ev_open && cd->token[0] != '\0')
		cand_events(cd);
	cd->kind = k;
	cd->st = C_BUSY;
	cd->t0 = stats_now();
	l->inflight++;
	if (httpc_request(cd->c, method, path, k == K_CONNECT ||
	    k == K_LOGIN ? NULL : cd->token, body, body ? strlen(body) : 0,
	    cand_done, cd) == -1) {
		l->inflight--;
		load_err(l, k, 0);
		cd->dead = cd->c;
		cd->c = NULL;
		l->reconnects++;
		cd->fails++;
		cand_later(cd, cd->step ? cd->step : cand_attempt,
		    cand_backoff(cd));
	}
}

static void
cand_connect(struct cand *cd)
{
	cd->step = cand_connect;
	cand_send(cd, K_CONNECT, "GET", "/healthz", NULL);
}

static void
cand_login(struct cand *cd)
{
	struct load *l = cd->l;

	if (cd->t_begin == 0)
		cd->t_begin = stats_now();
	cd->step = cand_login;
	snprintf(l->body, sizeof l->body, "{\"access_code\":\"%s\"}", cd->code);
	cand_send(cd, K_LOGIN, "POST", "/api/v1/login", l->body);
}

static void
cand_attempt(struct cand *cd)
{
	cd->step = cand_attempt;
	cand_send(cd, K_ATTEMPT, "GET", "/api/v1/attempt", NULL);
}

/* A request on the current part: /api/v1/attempt/sections/{id}SUFFIX. */
static void
cand_part(struct cand *cd, void (*step)(struct cand *), enum load_kind k,
    const char *method, const char *suffix)
{
	char path[256];

	cd->step = step;
	snprintf(path, sizeof path, "/api/v1/attempt/sections/%s%s",
	    cd->secs[cd->sec].id, suffix);
	cand_send(cd, k, method, path, NULL);
}

static void
cand_start(struct cand *cd)
{
	cand_part(cd, cand_start, K_START, "POST", "/start");
}

static void
cand_section(struct cand *cd)
{
	cand_part(cd, cand_section, K_SECTION, "GET", "");
}

static void
cand_submit(struct cand *cd)
{
	cand_part(cd, cand_submit, K_SUBMIT, "POST", "/submit");
}

/*
 * The essay text after `words` words: the same for the same candidate,
 * prompt and length, so each autosave is the last one plus a few words.
 */
static size_t
essay_text(struct cand *cd, int prompt, int words, char *out, size_t cap)
{
	static const char *const w[] = {
	    "the", "infant", "caregiver", "relationship", "attachment",
	    "reflective", "supervision", "parent", "child", "development",
	    "assessment", "trauma", "culture", "family", "secure", "base",
	    "observation", "home", "visit", "referral", "strengths", "goal",
	    "plan", "safety", "feelings", "play", "regulation", "sleep",
	    "feeding", "support", "mother", "father" };
	unsigned int x = (unsigned int)(cd->idx * 7919 + prompt * 104729 + 1);
	size_t o = 0, k;
	int i;

	for (i = 0; i < words; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		k = strlen(w[x % 32]);
		if (o + k + 2 >= cap)
			break;
		if (i > 0)
			out[o++] = (i % 15 == 0) ? '\n' : ' ';
		memcpy(out + o, w[x % 32], k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

static void
cand_save(struct cand *cd)
{
	struct load *l = cd->l;
	struct load_section *s = &cd->secs[cd->sec];
	struct load_item *it;
	char path[256];
	size_t len;
	int p;

	cd->step = cand_save;
	cd->sent_seq = ++cd->seq;
	if (s->kind == 'm') {
		it = &cd->items[cd->cursor % cd->nitems];
		snprintf(cd->sent_key, sizeof cd->sent_key, "%d", it->n);
		snprintf(cd->sent_val, sizeof cd->sent_val, "%s",
		    it->ch[cand_rand(cd) % it->nch]);
		snprintf(path, sizeof path,
		    "/api/v1/attempt/sections/%s/answers/%d", s->id, it->n);
		snprintf(l->body, sizeof l->body,
		    "{\"choice\":\"%s\",\"seq\":%ld}", cd->sent_val, cd->seq);
		cand_send(cd, K_ANSWER, "PUT", path, l->body);
		return;
	}
	p = cd->cursor % cd->nwrite;
	cd->words += LOAD_ESSAY_WORDS;
	if (cd->words > LOAD_ESSAY_MAX_WORDS)
		cd->words = LOAD_ESSAY_WORDS;
	len = essay_text(cd, p, cd->words, l->scratch, sizeof l->scratch);
	auth_sha256_hex(l->scratch, len, cd->sent_val);
	snprintf(cd->sent_key, sizeof cd->sent_key, "%s", cd->prompts[p]);
	snprintf(path, sizeof path, "/api/v1/attempt/sections/%s/essays/%s",
	    s->id, cd->prompts[p]);
	/* The words are plain ASCII letters, spaces and \n: escape only \n. */
	{
		size_t i, o = 0;

		o += snprintf(l->body, sizeof l->body, "{\"text\":\"");
		for (i = 0; i < len && o + 8 < sizeof l->body; i++) {
			if (l->scratch[i] == '\n') {
				l->body[o++] = '\\';
				l->body[o++] = 'n';
			} else
				l->body[o++] = l->scratch[i];
		}
		snprintf(l->body + o, sizeof l->body - o, "\",\"seq\":%ld}",
		    cd->seq);
	}
	cand_send(cd, K_ESSAY, "PUT", path, l->body);
}

/* What comes after a part's view or an acknowledged save. */
static void
cand_next_save(struct cand *cd, int first)
{
	struct load *l = cd->l;
	struct load_section *s = &cd->secs[cd->sec];
	int total;

	if (!first)
		cd->cursor++;
	if (l->mode == MODE_ESSAY && s->kind == 'm') {
		cand_submit(cd);
		return;
	}
	if (l->mode == MODE_DEADLINE && cd->told) {
		cand_finish(cd, 1);
		return;
	}
	if (l->mode == MODE_REALISTIC) {
		total = s->kind == 'm' ? cd->nitems :
		    cd->nwrite * (int)l->essay_saves;
		if (cd->cursor >= total) {
			cand_later(cd, cand_submit, cand_think(cd));
			return;
		}
	}
	if ((s->kind == 'm' && cd->nitems == 0) ||
	    (s->kind == 'e' && cd->nwrite == 0)) {
		cand_later(cd, cand_submit, cand_think(cd));
		return;
	}
	if (l->think_ms <= 0)
		cand_save(cd);
	else
		cand_later(cd, cand_save, cand_think(cd));
}

static int
copy_id(char *dst, json_t *v)
{
	const char *s = json_string_value(v);
	char buf[32];

	if (s == NULL && json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		s = buf;
	}
	if (s == NULL || strlen(s) >= LOAD_ID_LEN || strpbrk(s, "/?#\"\\ ") != NULL)
		return -1;
	strcpy(dst, s);
	return 0;
}

static int
parse_attempt(struct cand *cd, json_t *root)
{
	json_t *secs = json_object_get(root, "sections"), *s;
	const char *kind, *status;
	size_t i;

	cd->nsec = 0;
	json_array_foreach(secs, i, s) {
		if (cd->nsec == LOAD_MAX_SECTIONS)
			break;
		kind = json_string_value(json_object_get(s, "kind"));
		status = json_string_value(json_object_get(s, "status"));
		if (kind == NULL || status == NULL ||
		    copy_id(cd->secs[cd->nsec].id, json_object_get(s, "id")))
			return -1;
		cd->secs[cd->nsec].kind = strcmp(kind, "essay") == 0 ? 'e' : 'm';
		cd->secs[cd->nsec].status = status[0];
		cd->nsec++;
	}
	return 0;
}

/*
 * The essay rule of a part as the section view gives it: answer K of the
 * prompts, at least min[g] of them from group g. member[g] has bit p set
 * when the p-th prompt kept (cd->prompts) is in group g.
 */
struct load_rule {
	int		 k, ngroups;
	int		 min[LOAD_MAX_GROUPS];
	unsigned int	 member[LOAD_MAX_GROUPS];
};

static int
bits(unsigned int v)
{
	int n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

static int
rule_met(const struct load_rule *r, unsigned int set)
{
	int g;

	if (bits(set) != r->k)
		return 0;
	for (g = 0; g < r->ngroups; g++)
		if (bits(set & r->member[g]) < r->min[g])
			return 0;
	return 1;
}

/*
 * Which of the n prompts to write: K that meet every group minimum and
 * keep the ones already written (have), chosen at random among the sets
 * that do, so that candidates spread over the prompts as people would.
 * Tries every subset: n <= LOAD_MAX_PROMPTS, at most 2^16, once per
 * candidate and part. 0 when no set meets the rule.
 */
static unsigned int
essay_pick(struct cand *cd, const struct load_rule *r, int n,
    unsigned int have)
{
	unsigned int set, pick = 0, seen = 0;

	for (set = 1; set < 1u << n; set++)
		if ((set & have) == have && rule_met(r, set) &&
		    cand_rand(cd) % ++seen == 0)
			pick = set;
	return pick;
}

/*
 * How many prompts to write: the rule's K when it names one ("answer",
 * "k", "choose" or "count"), else 1.
 */
static int
essay_k(json_t *rule)
{
	static const char *const names[] = { "answer", "k", "choose", "count",
	    "required", NULL };
	json_int_t k;
	int i;

	for (i = 0; names[i] != NULL; i++) {
		k = json_integer_value(json_object_get(rule, names[i]));
		if (k > 0 && k <= LOAD_MAX_PROMPTS)
			return (int)k;
	}
	return 1;
}

/* Is name one of the strings in array a? */
static int
json_strv_has(json_t *a, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

/*
 * An essay part's prompts and what to write: the rule's K prompts, meeting
 * its group minimums ("require": [{"group","min"}] against each prompt's
 * "groups"), first in cd->prompts (cand_save writes prompts 0..nwrite-1).
 * When no choice meets the rule (or the prompts were cut at
 * LOAD_MAX_PROMPTS), the first K: examd then says why (422 essay_rule).
 */
static void
essay_choose(struct cand *cd, json_t *prompts, json_t *rule,
    json_t *responses)
{
	struct load_rule r;
	json_t *p, *req;
	const char *group[LOAD_MAX_GROUPS];	/* borrowed from rule */
	char tmp[LOAD_ID_LEN];
	unsigned int have = 0, set;
	size_t i;
	int g, n, j;

	memset(&r, 0, sizeof r);
	r.k = essay_k(rule);
	json_array_foreach(json_object_get(rule, "require"), i, req) {
		if (r.ngroups == LOAD_MAX_GROUPS)
			break;
		if ((group[r.ngroups] = json_string_value(json_object_get(req,
		    "group"))) == NULL)
			continue;
		r.min[r.ngroups] = (int)json_integer_value(json_object_get(req,
		    "min"));
		r.ngroups++;
	}
	n = 0;
	json_array_foreach(prompts, i, p) {
		if (n == LOAD_MAX_PROMPTS)
			break;
		if (copy_id(cd->prompts[n], json_object_get(p, "id")) == -1)
			continue;
		for (g = 0; g < r.ngroups; g++)
			if (json_strv_has(json_object_get(p, "groups"),
			    group[g]))
				r.member[g] |= 1u << n;
		if (json_object_get(responses, cd->prompts[n]) != NULL)
			have |= 1u << n;
		n++;
	}
	cd->nprompts = n;
	if ((set = essay_pick(cd, &r, n, have)) == 0) {
		cd->nwrite = r.k < n ? r.k : n;
		return;
	}
	cd->nwrite = bits(set);
	for (i = 0, j = 0; (int)i < n; i++) {
		if (!(set & 1u << i))
			continue;
		if ((int)i != j) {
			memcpy(tmp, cd->prompts[j], sizeof tmp);
			memcpy(cd->prompts[j], cd->prompts[i], sizeof tmp);
			memcpy(cd->prompts[i], tmp, sizeof tmp);
		}
		j++;
	}
}

static int
parse_section(struct cand *cd, json_t *root)
{
	struct load_section *s = &cd->secs[cd->sec];
	json_t *items, *it, *choices, *ch, *prompts;
	json_int_t rem;
	int64_t dl;
	size_t i, j;

	/* The deadline on the monotonic clock: from the absolute deadline
	 * (same machine, same wall clock), else from remaining_ms, which
	 * is late by the reply's time in flight. */
	rem = json_integer_value(json_object_get(root, "remaining_ms"));
	if (auth_time_parse(json_string_value(json_object_get(root,
	    "deadline")) ? json_string_value(json_object_get(root,
	    "deadline")) : "", &dl) == 0)
		rem = dl - auth_now_ms();
	else if (!json_is_integer(json_object_get(root, "remaining_ms")))
		rem = -1;
	if (rem >= 0) {
		cd->deadline = stats_now() + rem / 1e3;
		if (cd->l->min_deadline == 0 || cd->deadline < cd->l->min_deadline)
			cd->l->min_deadline = cd->deadline;
		if (cd->deadline > cd->l->max_deadline)
			cd->l->max_deadline = cd->deadline;
	}
	cd->cursor = 0;
	cd->words = 0;
	if ((items = json_object_get(root, "items")) != NULL) {
		s->kind = 'm';
		free(cd->items);
		cd->nitems = 0;
		if ((cd->items = calloc(json_array_size(items) + 1,
		    sizeof *cd->items)) == NULL)
			fatal("load");
		json_array_foreach(items, i, it) {
			struct load_item *li = &cd->items[cd->nitems];

			li->n = (int)json_integer_value(json_object_get(it, "n"));
			choices = json_object_get(it, "choices");
			json_array_foreach(choices, j, ch) {
				if (li->nch == LOAD_MAX_CHOICES)
					break;
				if (copy_id(li->ch[li->nch],
				    json_object_get(ch, "id")) == 0)
					li->nch++;
			}
			if (li->nch > 0)
				cd->nitems++;
		}
		return 0;
	}
	if ((prompts = json_object_get(root, "prompts")) != NULL) {
		s->kind = 'e';
		essay_choose(cd, prompts, json_object_get(root, "rule"),
		    json_object_get(root, "responses"));
		return 0;
	}
	return -1;
}

/*
 * Deadline mode, once the server has submitted the part: through, unless
 * the "submitted" event is still to come (cand_event finishes it then).
 */
static void
cand_deadline_passed(struct cand *cd)
{
	if (!cd->l->events || cd->told)
		cand_finish(cd, 1);
	else
		cd->st = C_IDLE;
}

/*
 * --barrier: every candidate signs in and is admitted first; then all
 * start their part together, spread over --ramp-ms, so that the parts
 * end as close together as examd lets them start.
 */
static void
load_barrier(struct cand *cd)
{
	struct load *l = cd->l;
	long i, k = 0;

	if (cd != NULL) {
		cd->st = C_IDLE;
		cd->at_barrier = 1;
		l->at_barrier++;
	}
	if (l->released || l->at_barrier + l->failed < l->n)
		return;
	l->released = 1;
	l->t_flows = stats_now();
	for (i = 0; i < l->n; i++)
		if (l->cands[i].at_barrier)
			cand_later(&l->cands[i], cand_start, l->at_barrier > 1 ?
			    (double)l->ramp_ms * k++ / l->at_barrier : 0);
}

/* After GET /attempt: start or read the next part, or finish. */
static void
cand_go(struct cand *cd)
{
	struct load *l = cd->l;
	int i;

	for (i = 0; i < cd->nsec; i++)
		if (cd->secs[i].status != 's')
			break;
	if (i == cd->nsec) {
		cand_finish(cd, 1);
		return;
	}
	if (l->mode == MODE_DEADLINE && cd->server_submitted) {
		cand_deadline_passed(cd);
		return;
	}
	cd->sec = i;
	if (cd->secs[i].status == 'o')
		cand_section(cd);
	else if (l->barrier && !l->released)
		load_barrier(cd);
	else
		cand_start(cd);
}

static void
ledger_add(struct cand *cd)
{
	struct load *l = cd->l;

	if (l->ledger == NULL)
		return;
	fprintf(l->ledger, "%s\t%s\t%s\t%s\t%ld\t%s\n", cd->code,
	    cd->secs[cd->sec].id, cd->secs[cd->sec].kind == 'm' ? "mc" :
	    "essay", cd->sent_key, cd->sent_seq, cd->sent_val);
	l->ledger_lines++;
}

/*
 * Modes that measure saves do so for --seconds from the moment the last
 * candidate has its first question: the sign-in storm is not the figure.
 */
static void
load_all_in(struct load *l)
{
	struct timeval tv = { l->seconds, 0 };

	if (!load_measures_saves(l) || l->t_measure < 1e300 ||
	    l->first_count + l->failed < l->n)
		return;
	l->t_measure = stats_now();
	evtimer_add(l->end_timer, &tv);
}

static void
cand_first_question(struct cand *cd, double t)
{
	struct load *l = cd->l;

	if (cd->have_first)
		return;
	cd->have_first = 1;
	load_sample(l, K_FIRST, cd->t_begin, t);
	if (t > l->last_first)
		l->last_first = t;
	l->first_count++;
	cand_started(cd);
	load_all_in(l);
}

/* A save answered: into the ledger if acknowledged, then the next one. */
static void
cand_save_answered(struct cand *cd, int acked)
{
	if (acked)
		ledger_add(cd);
	if (!cd->l->stopping)
		cand_next_save(cd, 0);
}

static void
cand_reply(struct cand *cd, int status, json_t *root, double t)
{
	struct load *l = cd->l;
	const char *tok;
	json_t *v;
	int acked = 0;

	switch (cd->kind) {
	case K_CONNECT:
		l->connected++;
		cd->st = C_IDLE;
		load_check_end(l);
		return;
	case K_LOGIN:
		tok = json_string_value(json_object_get(root, "token"));
		if (tok == NULL || strlen(tok) >= sizeof cd->token) {
			load_err(l, K_LOGIN, status);
			cand_finish(cd, 0);
			return;
		}
		snprintf(cd->token, sizeof cd->token, "%s", tok);
		cand_attempt(cd);
		return;
	case K_ATTEMPT:
		if (parse_attempt(cd, root) == -1) {
			load_err(l, K_ATTEMPT, status);
			cand_finish(cd, 0);
			return;
		}
		if (cd->nsec == 0) {	/* not admitted yet */
			cand_later(cd, cand_attempt, LOAD_WAIT_MS);
			return;
		}
		cand_go(cd);
		return;
	case K_START:
	case K_SECTION:
		if (parse_section(cd, root) == -1) {
			load_err(l, cd->kind, status);
			cand_finish(cd, 0);
			return;
		}
		cd->secs[cd->sec].status = 'o';
		cand_first_question(cd, t);
		if (l->mode == MODE_START_STORM) {
			cand_finish(cd, 1);
			return;
		}
		cand_next_save(cd, 1);
		return;
	case K_ANSWER:
	case K_ESSAY:
		v = json_object_get(root, "seq");
		if (!json_is_true(json_object_get(root, "saved")) ||
		    !json_is_integer(v)) {
			load_err(l, cd->kind, status);
		} else if (json_integer_value(v) != cd->sent_seq ||
		    json_is_false(json_object_get(root, "applied"))) {
			/* A stored seq above ours (an earlier run): catch up. */
			l->stale++;
			if (json_integer_value(v) > cd->seq)
				cd->seq = json_integer_value(v);
		} else
			acked = 1;
		cand_save_answered(cd, acked);
		return;
	case K_SUBMIT:
		cd->secs[cd->sec].status = 's';
		cand_attempt(cd);
		return;
	default:
		return;
	}
}

/*
 * The common save reply, examd's fixed text for "applied, at the seq we
 * sent", is recognised without a JSON tree: parsing it with jansson cost
 * examc more than a whole /healthz request, CPU that examd then lacked on
 * a machine the two share. Any other reply takes cand_reply's full path.
 */
static int
cand_acked(struct cand *cd, const char *body, size_t len)
{
	char want[64];
	int n;

	if (cd->kind != K_ANSWER && cd->kind != K_ESSAY)
		return 0;
	n = snprintf(want, sizeof want,
	    "{\"saved\":true,\"applied\":true,\"seq\":%ld,", cd->sent_seq);
	if (n <= 0 || (size_t)n >= sizeof want || len < (size_t)n ||
	    memcmp(body, want, n) != 0)
		return 0;
	cand_save_answered(cd, 1);
	return 1;
}

static void
cand_done(int status, const char *body, size_t len, void *arg)
{
	struct cand *cd = arg;
	struct load *l = cd->l;
	enum load_kind k = cd->kind;
	double t = stats_now();
	json_t *root = NULL;

	l->inflight--;
	cd->st = C_IDLE;
	if (status == 0) {	/* transport: replace the connection */
		load_err(l, k, 0);
		cd->dead = cd->c;
		cd->c = NULL;
		l->reconnects++;
		cd->fails++;
		if (!l->stopping)
			cand_later(cd, cd->step, cand_backoff(cd));
		load_check_end(l);
		return;
	}
	cd->fails = 0;
	if (status >= 200 && status < 300) {
		load_sample(l, k, cd->t0, t);
		if (cand_acked(cd, body, len)) {
			load_check_end(l);
			return;
		}
		if (k == K_CONNECT || (root = json_loadb(body, len, 0, NULL))
		    != NULL) {
			if (!l->stopping || k == K_CONNECT || k == K_ANSWER ||
			    k == K_ESSAY)
				cand_reply(cd, status, root, t);
		} else {
			/* A reply we cannot read: try the step again, never stall. */
			load_err(l, k, status);
			if (!l->stopping)
				cand_later(cd, cd->step, LOAD_RETRY_MS);
		}
		json_decref(root);
		load_check_end(l);
		return;
	}
	load_err(l, k, status);
	if (l->stopping) {
		load_check_end(l);
		return;
	}
	switch (status) {
	case 401:
		if (k == K_LOGIN)
			cand_finish(cd, 0);
		else
			cand_later(cd, cand_login, 0);
		break;
	case 409:
		/* The part changed under us (submitted by the deadline). */
		if (k == K_ANSWER || k == K_ESSAY || k == K_SUBMIT) {
			cd->secs[cd->sec].status = 's';
			if (!cd->server_submitted) {
				cd->server_submitted = 1;
				if (!l->events && cd->deadline > 0)
					load_sample(l, K_TOLD, cd->deadline, t);
			}
		}
		if (l->mode == MODE_DEADLINE && cd->server_submitted)
			cand_deadline_passed(cd);
		else
			cand_later(cd, cand_attempt, 0);
		break;
	case 429:
	case 503:
		cand_later(cd, cd->step, LOAD_RETRY_MS);
		break;
	default:
		if (k == K_ANSWER || k == K_ESSAY)
			cand_next_save(cd, 0);
		else
			cand_finish(cd, 0);
		break;
	}
	load_check_end(l);
}

/* ---- the candidate's event stream ---- */

static void
cand_event(struct cand *cd, const char *name)
{
	struct load *l = cd->l;
	double t = stats_now();

	l->events_seen++;
	if (strcmp(name, "submitted") != 0)
		return;
	l->submitted_events++;
	if (cd->told)
		return;
	cd->told = 1;
	if (cd->deadline > 0 && l->mode == MODE_DEADLINE)
		load_sample(l, K_TOLD, cd->deadline, t);
	if (t > l->last_told)
		l->last_told = t;
	if (l->mode == MODE_DEADLINE) {
		cd->server_submitted = 1;
		/* A request in flight finishes the candidate when it returns. */
		if (cd->st == C_WAIT) {
			evtimer_del(cd->timer);
			cd->st = C_IDLE;
		}
		if (cd->st == C_IDLE)
			cand_finish(cd, 1);
	}
}

/* SSE: "event: NAME" lines, a blank line ends an event. */
static void
ev_chunk(const char *data, size_t len, void *arg)
{
	struct cand *cd = arg;
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] != '\n') {
			if (data[i] != '\r' && cd->evlen < sizeof cd->evline - 1)
				cd->evline[cd->evlen++] = data[i];
			continue;
		}
		cd->evline[cd->evlen] = '\0';
		if (cd->evlen == 0) {
			if (cd->evname[0] != '\0')
				cand_event(cd, cd->evname);
			cd->evname[0] = '\0';
		} else if (strncmp(cd->evline, "event:", 6) == 0) {
			snprintf(cd->evname, sizeof cd->evname, "%s",
			    cd->evline + 6 + (cd->evline[6] == ' '));
		}
		cd->evlen = 0;
	}
}

static void
ev_done(int status, const char *body, size_t len, void *arg)
{
	struct cand *cd = arg;
	struct load *l = cd->l;

	(void)body;
	(void)len;
	cd->ev_open = 0;
	if (status != 200)
		load_err(l, K_EVENTS, status);
	cd->evdead = cd->ev;
	cd->ev = NULL;
	/* The next request of the candidate's flow opens it again. */
	if (!l->stopping && cd->st != C_DONE && cd->st != C_FAILED)
		l->reconnects++;
}

static void
cand_events(struct cand *cd)
{
	struct load *l = cd->l;

	httpc_free(cd->evdead);
	cd->evdead = NULL;
	if ((cd->ev = httpc_new(l->ex->base, l->ex->ctx, l->ex->host,
	    l->ex->port)) == NULL)
		fatalx("cannot create a connection");
	cd->ev_open = 1;
	cd->evlen = 0;
	cd->evname[0] = '\0';
	if (httpc_stream(cd->ev, "/api/v1/attempt/events", cd->token,
	    ev_chunk, ev_done, cd) == -1) {
		load_err(l, K_EVENTS, 0);
		cd->ev_open = 0;
		return;
	}
	l->streams++;
}

/* ---- the run ---- */

static void
load_stop(struct load *l)
{
	struct timeval tv = { LOAD_DRAIN_SECONDS, 0 };
	long i;

	if (l->stopping)
		return;
	l->stopping = 1;
	l->t_end = stats_now();
	for (i = 0; i < l->n; i++)
		if (l->cands[i].st == C_WAIT) {
			evtimer_del(l->cands[i].timer);
			l->cands[i].st = C_IDLE;
		}
	evtimer_add(l->drain_timer, &tv);
	load_check_end(l);
}

/* A candidate begins (signs in) unless --max-starting are signing in. */
static void
cand_begin(struct cand *cd)
{
	struct load *l = cd->l;

	if (l->max_starting > 0 && l->starting >= l->max_starting) {
		l->queue[l->qtail++] = cd->idx;
		cd->st = C_IDLE;
		return;
	}
	l->starting++;
	cd->starting = 1;
	cand_login(cd);
}

/* The candidate has its first question, or gave up: let the next begin. */
static void
cand_started(struct cand *cd)
{
	struct load *l = cd->l;

	if (!cd->starting)
		return;
	cd->starting = 0;
	l->starting--;
	/* Directly, so that no ramp timer takes the free place first. */
	if (l->qhead < l->qtail && !l->stopping)
		cand_begin(&l->cands[l->queue[l->qhead++]]);
}

static void
load_begin_flows(struct load *l)
{
	long i;

	l->t_flows = stats_now();
	for (i = 0; i < l->n; i++)
		cand_later(&l->cands[i], cand_begin,
		    l->n > 1 ? (double)l->ramp_ms * i / l->n : 0);
}

static void
load_check_end(struct load *l)
{
	if (l->stopping) {
		if (l->inflight == 0)
			event_base_loopbreak(l->ex->base);
		return;
	}
	if (l->preconnect && l->t_flows == 0 && l->connected == l->n &&
	    l->inflight == 0) {
		load_begin_flows(l);
		return;
	}
	if (l->done + l->failed == l->n)
		load_stop(l);
}

static void
end_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load *l = arg;
	struct timeval tv = { l->seconds, 0 };

	(void)fd;
	(void)what;
	if (load_measures_saves(l) && l->t_measure >= 1e300) {
		/* --settle-seconds ran out: measure those who are in. */
		log_warnx("load: %ld of %ld candidates in after %ld s; measuring "
		    "saves from now", l->first_count, l->n, l->settle);
		l->t_measure = stats_now();
		evtimer_add(l->end_timer, &tv);
		return;
	}
	load_stop(l);
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load *l = arg;

	(void)fd;
	(void)what;
	log_warnx("%ld requests still in flight after %d s; giving up on them",
	    l->inflight, LOAD_DRAIN_SECONDS);
	event_base_loopbreak(l->ex->base);
}

static int
load_read_codes(struct load *l, const char *path)
{
	FILE *f;
	char line[256], *p, *e;
	long cap = 0, lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		log_warnx("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		e = p + strcspn(p, " \t\r\n");
		*e = '\0';
		if (e - p < 20 || e - p > 32) {
			log_warnx("%s:%ld: expected an access code", path,
			    lineno);
			fclose(f);
			return -1;
		}
		if (l->ncodes == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((l->codes = reallocarray(l->codes, cap,
			    sizeof *l->codes)) == NULL)
				fatal("load");
		}
		if ((l->codes[l->ncodes++] = strdup(p)) == NULL)
			fatal("load");
	}
	fclose(f);
	if (l->ncodes == 0) {
		log_warnx("%s: no access codes", path);
		return -1;
	}
	return 0;
}

static void
raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if ((long)rl.rlim_cur < want)
		log_warnx("open files limited to %ld (hard limit), %ld wanted",
		    (long)rl.rlim_cur, want);
}

/* Every argument must be an option we know; exit 2 otherwise. */
static void
load_check_args(int argc, char **argv)
{
	static const char *const valued[] = { "--codes", "--candidates",
	    "--think-ms", "--seconds", "--mode", "--ledger", "--ramp-ms",
	    "--essay-saves", "--max-starting", "--settle-seconds", NULL };
	static const char *const flags[] = { "--events", "--preconnect",
	    "--barrier", NULL };
	int i, j, ok;

	for (i = 0; i < argc; i++) {
		ok = 0;
		for (j = 0; valued[j] != NULL; j++)
			if (strcmp(argv[i], valued[j]) == 0) {
				if (i + 1 >= argc) {
					log_warnx("load: %s needs a value",
					    argv[i]);
					exit(2);
				}
				i++;
				ok = 1;
			}
		for (j = 0; flags[j] != NULL; j++)
			if (strcmp(argv[i], flags[j]) == 0)
				ok = 1;
		if (!ok) {
			log_warnx("load: unknown argument \"%s\"", argv[i]);
			exit(2);
		}
	}
}

static int
load_flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static void
load_print(struct load *l)
{
	double span, total = l->t_end - l->t_start;
	struct rusage ru;
	struct load_errs *e;
	int k, i, any = 0;

	printf("load: mode %s, %ld candidates, %.1f s, think %ld ms, ramp %ld ms, "
	    "at most %ld signing in%s%s\n", load_mode_names[l->mode], l->n,
	    total, l->think_ms, l->ramp_ms, l->max_starting,
	    l->events ? ", events" : "", l->preconnect ? ", preconnect" : "");
	stats_print_header(stdout);
	for (k = 0; k < K_NKINDS; k++) {
		if (l->st[k].n == 0 && l->st[k].errors == 0)
			continue;
		/* Rates are over the span in which that kind was answered. */
		span = l->last_at[k] - l->first_at[k];
		if (k == K_FIRST || k == K_TOLD || k == K_EVENTS || span <= 0)
			span = 0;
		stats_print(stdout, &l->st[k], span);
	}
	for (k = 0; k < K_NKINDS; k++) {
		e = &l->errs[k];
		for (i = 0; i < LOAD_MAX_STATUSES && e->count[i] > 0; i++) {
			printf("%s%s %d x%zu", any ? ", " : "errors: ",
			    load_kind_names[k], e->status[i], e->count[i]);
			any = 1;
		}
	}
	if (any)
		printf("  (status 0: transport)\n");
	if (load_measures_saves(l))
		printf("saves measured for %.1f s from when every candidate had "
		    "a question (%ld before it left out)\n", l->t_end -
		    (l->t_measure < 1e300 ? l->t_measure : l->t_end),
		    l->unmeasured);
	getrusage(RUSAGE_SELF, &ru);
	printf("examc CPU: %.1f s (this client shares the machine with examd)\n",
	    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	printf("candidates: %ld done, %ld failed, %ld unfinished; "
	    "reconnects %ld, stale saves %ld\n", l->done, l->failed,
	    l->n - l->done - l->failed, l->reconnects, l->stale);
	if (l->st[K_FIRST].n > 0)
		printf("first question: %zu of %ld candidates, all within %.1f ms "
		    "of the storm's start (%s), slowest %.1f ms from its own "
		    "sign-in\n", l->st[K_FIRST].n,
		    l->n, (l->last_first - l->t_flows) * 1e3, l->barrier ?
		    "the barrier's release" : "the first sign-in",
		    stats_pct(&l->st[K_FIRST], 1.0));
	if (l->mode == MODE_DEADLINE)
		printf("deadlines: %.1f ms apart (first to last); told: %zu of %ld, "
		    "last %.1f ms after the last deadline, %.1f ms after the "
		    "first\n", (l->max_deadline - l->min_deadline) * 1e3,
		    l->st[K_TOLD].n, l->n,
		    ((l->events ? l->last_told : l->last_at[K_TOLD]) -
		    l->max_deadline) * 1e3,
		    ((l->events ? l->last_told : l->last_at[K_TOLD]) -
		    l->min_deadline) * 1e3);
	if (l->events)
		printf("events: %ld streams opened, %ld events received, "
		    "%ld \"submitted\"\n", l->streams, l->events_seen,
		    l->submitted_events);
	if (l->ledger != NULL)
		printf("ledger: %ld acknowledged saves appended to %s\n",
		    l->ledger_lines, l->ledger_path);
}

int
examc_load(struct examc *ex, int argc, char **argv)
{
	struct load *l;
	struct timeval tv;
	const char *codes, *mode;
	struct timespec now;
	long i, ncodes, seq0;
	int k, rc;

	load_check_args(argc, argv);
	if ((l = calloc(1, sizeof *l)) == NULL)
		fatal("load");
	l->ex = ex;
	mode = examc_opt(argc, argv, "--mode");
	if (mode == NULL)
		mode = "saturate";
	for (k = 0; load_mode_names[k] != NULL; k++)
		if (strcmp(mode, load_mode_names[k]) == 0)
			break;
	if (load_mode_names[k] == NULL) {
		log_warnx("load: --mode %s: expected saturate, realistic, "
		    "start-storm, essay or deadline", mode);
		exit(2);
	}
	l->mode = (enum load_mode)k;
	if ((codes = examc_opt(argc, argv, "--codes")) == NULL) {
		log_warnx("load: --codes FILE is required");
		exit(2);
	}
	l->n = examc_opt_long(argc, argv, "--candidates", 0, 1, 100000);
	l->think_ms = examc_opt_long(argc, argv, "--think-ms",
	    l->mode == MODE_SATURATE || l->mode == MODE_START_STORM ? 0 :
	    1000, 0, 3600 * 1000);
	l->seconds = examc_opt_long(argc, argv, "--seconds", 0, 0, 24 * 3600);
	l->ramp_ms = examc_opt_long(argc, argv, "--ramp-ms", -1, 0,
	    3600 * 1000);
	l->essay_saves = examc_opt_long(argc, argv, "--essay-saves", 20, 1,
	    100000);
	l->max_starting = examc_opt_long(argc, argv, "--max-starting", 0, 0,
	    100000);
	l->settle = examc_opt_long(argc, argv, "--settle-seconds",
	    LOAD_SETTLE_DEFAULT, 0, 24 * 3600);
	l->events = load_flag(argc, argv, "--events");
	l->preconnect = load_flag(argc, argv, "--preconnect");
	l->barrier = load_flag(argc, argv, "--barrier");
	if (l->seconds == 0 && (l->mode == MODE_SATURATE ||
	    l->mode == MODE_ESSAY)) {
		log_warnx("load: --mode %s runs until --seconds S", mode);
		exit(2);
	}
	if (load_read_codes(l, codes) == -1)
		return 1;
	ncodes = l->ncodes;
	if (l->n == 0)
		l->n = ncodes;
	if (l->n > ncodes) {
		log_warnx("load: --candidates %ld but %s has %ld codes", l->n,
		    codes, ncodes);
		exit(2);
	}
	if (l->ramp_ms < 0)	/* default: 2,000 candidates a second */
		l->ramp_ms = l->n / 2;
	raise_nofile(l->n * (l->events ? 2 : 1) + 64);
	if ((l->ledger_path = examc_opt(argc, argv, "--ledger")) != NULL &&
	    (l->ledger = fopen(l->ledger_path, "a")) == NULL) {
		log_warn("load: %s", l->ledger_path);
		return 1;
	}
	for (k = 0; k < K_NKINDS; k++)
		l->st[k].name = load_kind_names[k];
	/* seq starts at the wall clock in ms, so a second run over the same
	 * attempts saves above the first instead of being taken as replays. */
	clock_gettime(CLOCK_REALTIME, &now);
	seq0 = (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if ((l->cands = calloc(l->n, sizeof *l->cands)) == NULL ||
	    (l->queue = calloc(l->n, sizeof *l->queue)) == NULL)
		fatal("load");
	for (i = 0; i < l->n; i++) {
		struct cand *cd = &l->cands[i];

		cd->l = l;
		cd->idx = (int)i;
		cd->code = l->codes[i];
		cd->rng = (unsigned int)(i * 2654435761u) ^ (unsigned int)time(NULL);
		cd->seq = seq0;
		if (cd->rng == 0)
			cd->rng = 1;
		if ((cd->timer = evtimer_new(ex->base, timer_cb, cd)) == NULL)
			fatalx("evtimer_new");
	}
	if ((l->end_timer = evtimer_new(ex->base, end_cb, l)) == NULL ||
	    (l->drain_timer = evtimer_new(ex->base, drain_cb, l)) == NULL)
		fatalx("evtimer_new");
	l->t_start = stats_now();
	if (load_measures_saves(l))	/* from when everyone is in */
		l->t_measure = 1e300;
	if (l->preconnect) {
		/* Connections first, then every flow at once over --ramp-ms:
		 * a room that is already on the page. */
		for (i = 0; i < l->n; i++)
			cand_later(&l->cands[i], cand_connect,
			    i * 1000.0 / LOAD_CONNECT_RATE);
	} else
		load_begin_flows(l);
	if (l->seconds > 0) {
		tv.tv_sec = (load_measures_saves(l) ? l->settle : l->seconds) +
		    (l->preconnect ? l->n / LOAD_CONNECT_RATE : 0);
		tv.tv_usec = 0;
		evtimer_add(l->end_timer, &tv);
	}
	event_base_loop(ex->base, EVLOOP_NO_EXIT_ON_EMPTY);
	if (l->t_end == 0)
		l->t_end = stats_now();
	if (l->ledger != NULL && fclose(l->ledger) != 0) {
		log_warn("load: %s", l->ledger_path);
		l->failed++;
	}
	l->ledger = NULL;
	load_print(l);
	rc = l->failed > 0 || l->st[K_LOGIN].n == 0 ||
	    (l->mode != MODE_START_STORM && l->st[K_ANSWER].n +
	    l->st[K_ESSAY].n == 0);
	for (i = 0; i < l->n; i++) {
		struct cand *cd = &l->cands[i];

		httpc_free(cd->c);
		httpc_free(cd->dead);
		httpc_free(cd->ev);
		httpc_free(cd->evdead);
		event_free(cd->timer);
		free(cd->items);
	}
	for (i = 0; i < l->ncodes; i++)
		free(l->codes[i]);
	for (k = 0; k < K_NKINDS; k++)
		stats_free(&l->st[k]);
	event_free(l->end_timer);
	event_free(l->drain_timer);
	free(l->codes);
	free(l->cands);
	free(l->queue);
	free(l);
	return rc;
}
