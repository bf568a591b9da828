/*
 * delivery.c: attempt and section states, sequence numbers, MC scoring.
 * No I/O: see delivery.h.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "delivery_priv.h"
#include "qti.h"

void
delivery_err(char **errstr, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (errstr == NULL || *errstr != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	*errstr = s;
}

/* ---- names ---- */

static const char *const attempt_names[] = {
	[DELIVERY_ATTEMPT_REGISTERED] = "registered",
	[DELIVERY_ATTEMPT_WAITING] = "waiting",
	[DELIVERY_ATTEMPT_ADMITTED] = "admitted",
	[DELIVERY_ATTEMPT_IN_SECTION] = "in_section",
	[DELIVERY_ATTEMPT_BETWEEN_SECTIONS] = "between_sections",
	[DELIVERY_ATTEMPT_COMPLETE] = "complete",
	[DELIVERY_ATTEMPT_VOID] = "void",
};
#define N_ATTEMPT_STATES (sizeof(attempt_names) / sizeof(attempt_names[0]))

static const char *const section_names[] = {
	[DELIVERY_SECTION_NOT_STARTED] = "not_started",
	[DELIVERY_SECTION_OPEN] = "open",
	[DELIVERY_SECTION_SUBMITTED] = "submitted",
};
#define N_SECTION_STATES (sizeof(section_names) / sizeof(section_names[0]))

/* Look a name up in a table; the index or -1. */
static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
delivery_attempt_state_name(enum delivery_attempt_state st)
{
	if ((size_t)st >= N_ATTEMPT_STATES)
		return "unknown";
	return attempt_names[st];
}

int
delivery_attempt_state_parse(const char *s, enum delivery_attempt_state *st)
{
	int i = name_index(attempt_names, N_ATTEMPT_STATES, s);

	if (i < 0)
		return -1;
	*st = (enum delivery_attempt_state)i;
	return 0;
}

const char *
delivery_section_state_name(enum delivery_section_state st)
{
	if ((size_t)st >= N_SECTION_STATES)
		return "unknown";
	return section_names[st];
}

int
delivery_section_state_parse(const char *s, enum delivery_section_state *st)
{
	int i = name_index(section_names, N_SECTION_STATES, s);

	if (i < 0)
		return -1;
	*st = (enum delivery_section_state)i;
	return 0;
}

/* ---- attempt ---- */

int
delivery_attempt_init(struct delivery_attempt *a, uint64_t seed,
    size_t n_sections, const int64_t *limit_ms, int32_t multiplier,
    int64_t extra_ms, char **errstr)
{
	size_t i;

	if (n_sections < 1 || n_sections > EXAMD_MAX_SECTIONS) {
		delivery_err(errstr, "an exam form has 1 to %d parts, not %zu",
		    EXAMD_MAX_SECTIONS, n_sections);
		return -1;
	}
	if (multiplier < 1000 || multiplier > EXAMD_MAX_TIME_MULTIPLIER) {
		delivery_err(errstr, "time multiplier %d.%03d is outside "
		    "1.000 to %d.%03d", (int)multiplier / 1000,
		    (int)multiplier % 1000, EXAMD_MAX_TIME_MULTIPLIER / 1000,
		    EXAMD_MAX_TIME_MULTIPLIER % 1000);
		return -1;
	}
	if (extra_ms < 0 || extra_ms > EXAMD_MAX_EXTRA_MS) {
		delivery_err(errstr, "extra time %lld ms is outside 0 to %lld",
		    (long long)extra_ms, (long long)EXAMD_MAX_EXTRA_MS);
		return -1;
	}
	for (i = 0; i < n_sections; i++)
		if (limit_ms[i] < 1 || limit_ms[i] > QTI_MAX_TIME_MS) {
			delivery_err(errstr, "part %zu: time limit %lld ms is "
			    "outside 1 to %lld", i + 1, (long long)limit_ms[i],
			    (long long)QTI_MAX_TIME_MS);
			return -1;
		}
	memset(a, 0, sizeof(*a));
	a->state = DELIVERY_ATTEMPT_REGISTERED;
	a->seed = seed;
	a->n_sections = n_sections;
	for (i = 0; i < n_sections; i++) {
		a->sections[i].state = DELIVERY_SECTION_NOT_STARTED;
		a->sections[i].clock.limit_ms = limit_ms[i];
		a->sections[i].clock.multiplier = multiplier;
		a->sections[i].clock.extra_ms = extra_ms;
	}
	return 0;
}

bool
delivery_attempt_transition_ok(enum delivery_attempt_state from,
    enum delivery_attempt_state to)
{
	if ((size_t)from >= N_ATTEMPT_STATES || (size_t)to >= N_ATTEMPT_STATES)
		return false;
	if (to == DELIVERY_ATTEMPT_VOID)
		return from != DELIVERY_ATTEMPT_VOID;
	switch (from) {
	case DELIVERY_ATTEMPT_REGISTERED:
		return to == DELIVERY_ATTEMPT_WAITING;
	case DELIVERY_ATTEMPT_WAITING:
		return to == DELIVERY_ATTEMPT_ADMITTED;
	case DELIVERY_ATTEMPT_ADMITTED:
		/* between_sections, complete: parts forfeited unstarted */
		return to == DELIVERY_ATTEMPT_IN_SECTION ||
		    to == DELIVERY_ATTEMPT_BETWEEN_SECTIONS ||
		    to == DELIVERY_ATTEMPT_COMPLETE;
	case DELIVERY_ATTEMPT_IN_SECTION:
		return to == DELIVERY_ATTEMPT_BETWEEN_SECTIONS ||
		    to == DELIVERY_ATTEMPT_COMPLETE;
	case DELIVERY_ATTEMPT_BETWEEN_SECTIONS:
		return to == DELIVERY_ATTEMPT_IN_SECTION ||
		    to == DELIVERY_ATTEMPT_COMPLETE;
	case DELIVERY_ATTEMPT_COMPLETE:
	case DELIVERY_ATTEMPT_VOID:
		return false;
	}
	return false;
}

/* Count the parts in each state. */
static void
count_sections(const struct delivery_attempt *a, size_t *not_started,
    size_t *open, size_t *submitted)
{
	size_t i;

	*not_started = *open = *submitted = 0;
	for (i = 0; i < a->n_sections; i++)
		switch (a->sections[i].state) {
		case DELIVERY_SECTION_NOT_STARTED:
			(*not_started)++;
			break;
		case DELIVERY_SECTION_OPEN:
			(*open)++;
			break;
		case DELIVERY_SECTION_SUBMITTED:
			(*submitted)++;
			break;
		}
}

int
delivery_attempt_set(struct delivery_attempt *a,
    enum delivery_attempt_state to, char **errstr)
{
	size_t ns, no, nsub;

	if (!delivery_attempt_transition_ok(a->state, to)) {
		delivery_err(errstr, "an attempt cannot go from %s to %s",
		    delivery_attempt_state_name(a->state),
		    delivery_attempt_state_name(to));
		return -1;
	}
	count_sections(a, &ns, &no, &nsub);
	switch (to) {
	case DELIVERY_ATTEMPT_IN_SECTION:
		if (no != 1) {
			delivery_err(errstr, "an attempt in a part needs exactly "
			    "one open part, not %zu", no);
			return -1;
		}
		break;
	case DELIVERY_ATTEMPT_BETWEEN_SECTIONS:
		if (no != 0 || ns == 0) {
			delivery_err(errstr, "an attempt between parts needs no "
			    "open part and one not started");
			return -1;
		}
		break;
	case DELIVERY_ATTEMPT_COMPLETE:
		if (nsub != a->n_sections) {
			delivery_err(errstr, "an attempt is complete only when "
			    "every part is submitted (%zu of %zu)", nsub,
			    a->n_sections);
			return -1;
		}
		break;
	default:
		break;
	}
	a->state = to;
	return 0;
}

int
delivery_attempt_open_section(const struct delivery_attempt *a)
{
	size_t i;

	for (i = 0; i < a->n_sections; i++)
		if (a->sections[i].state == DELIVERY_SECTION_OPEN)
			return (int)i;
	return -1;
}

/* Common checks of the section functions: idx in range. */
static int
check_idx(const struct delivery_attempt *a, size_t idx, char **errstr)
{
	if (idx >= a->n_sections) {
		delivery_err(errstr, "the exam has no part %zu", idx + 1);
		return -1;
	}
	return 0;
}

/* After a part was submitted or forfeited: the attempt moves on. */
static int
attempt_after_part(struct delivery_attempt *a, char **errstr)
{
	size_t ns, no, nsub;

	count_sections(a, &ns, &no, &nsub);
	if (nsub == a->n_sections)
		return delivery_attempt_set(a, DELIVERY_ATTEMPT_COMPLETE, errstr);
	if (a->state != DELIVERY_ATTEMPT_BETWEEN_SECTIONS)
		return delivery_attempt_set(a,
		    DELIVERY_ATTEMPT_BETWEEN_SECTIONS, errstr);
	return 0;
}

int
delivery_section_start(struct delivery_attempt *a, size_t idx, int64_t now,
    int64_t opens_at, int64_t closes_at, char **errstr)
{
	struct delivery_section *s;
	size_t i;

	if (check_idx(a, idx, errstr) == -1)
		return -1;
	s = &a->sections[idx];
	if (a->state != DELIVERY_ATTEMPT_ADMITTED &&
	    a->state != DELIVERY_ATTEMPT_BETWEEN_SECTIONS) {
		delivery_err(errstr, "a part cannot start while the attempt "
		    "is %s", delivery_attempt_state_name(a->state));
		return -1;
	}
	if (s->state != DELIVERY_SECTION_NOT_STARTED) {
		delivery_err(errstr, "part %zu is already %s", idx + 1,
		    s->state == DELIVERY_SECTION_OPEN ? "open" : "submitted");
		return -1;
	}
	for (i = 0; i < idx; i++)
		if (a->sections[i].state != DELIVERY_SECTION_SUBMITTED) {
			delivery_err(errstr, "part %zu must be submitted before "
			    "part %zu starts", i + 1, idx + 1);
			return -1;
		}
	if (opens_at != 0 && now < opens_at) {
		delivery_err(errstr, "the sitting has not opened yet");
		return -1;
	}
	if (closes_at != 0 && now >= closes_at) {
		delivery_err(errstr, "the sitting has closed");
		return -1;
	}
	s->state = DELIVERY_SECTION_OPEN;
	s->clock.started_at = now;
	if (delivery_attempt_set(a, DELIVERY_ATTEMPT_IN_SECTION, errstr) == -1) {
		/* Unreachable by the checks above; undo to stay consistent. */
		s->state = DELIVERY_SECTION_NOT_STARTED;
		s->clock.started_at = 0;
		return -1;
	}
	return 0;
}

int
delivery_section_submit(struct delivery_attempt *a, size_t idx, int64_t now,
    char **errstr)
{
	struct delivery_section *s;

	if (check_idx(a, idx, errstr) == -1)
		return -1;
	s = &a->sections[idx];
	if (a->state != DELIVERY_ATTEMPT_IN_SECTION ||
	    s->state != DELIVERY_SECTION_OPEN) {
		delivery_err(errstr, "part %zu is %s, not open", idx + 1,
		    a->state == DELIVERY_ATTEMPT_VOID ? "void" :
		    delivery_section_state_name(s->state));
		return -1;
	}
	if (s->clock.paused_since != 0) {
		if (now > s->clock.paused_since)
			s->clock.paused_total_ms += now - s->clock.paused_since;
		s->clock.paused_since = 0;
	}
	s->state = DELIVERY_SECTION_SUBMITTED;
	s->clock.submitted_at = now;
	return attempt_after_part(a, errstr);
}

int
delivery_section_forfeit(struct delivery_attempt *a, size_t idx, int64_t now,
    char **errstr)
{
	struct delivery_section *s;

	if (check_idx(a, idx, errstr) == -1)
		return -1;
	s = &a->sections[idx];
	if (a->state != DELIVERY_ATTEMPT_ADMITTED &&
	    a->state != DELIVERY_ATTEMPT_BETWEEN_SECTIONS) {
		delivery_err(errstr, "a part cannot be forfeited while the "
		    "attempt is %s", delivery_attempt_state_name(a->state));
		return -1;
	}
	if (s->state != DELIVERY_SECTION_NOT_STARTED) {
		delivery_err(errstr, "part %zu is %s: only a part not started "
		    "is forfeited", idx + 1, delivery_section_state_name(s->state));
		return -1;
	}
	s->state = DELIVERY_SECTION_SUBMITTED;
	s->clock.submitted_at = now;
	return attempt_after_part(a, errstr);
}

enum delivery_save
delivery_attempt_may_save(const struct delivery_attempt *a, size_t idx,
    int64_t now, int64_t grace_ms)
{
	if (a->state == DELIVERY_ATTEMPT_VOID)
		return DELIVERY_SAVE_VOID;
	if (idx >= a->n_sections)
		return DELIVERY_SAVE_NOT_OPEN;
	switch (a->sections[idx].state) {
	case DELIVERY_SECTION_NOT_STARTED:
		return DELIVERY_SAVE_NOT_OPEN;
	case DELIVERY_SECTION_SUBMITTED:
		return DELIVERY_SAVE_CLOSED;
	case DELIVERY_SECTION_OPEN:
		break;
	}
	return delivery_clock_may_save(&a->sections[idx].clock, now, grace_ms);
}

const char *
delivery_save_code(enum delivery_save v)
{
	switch (v) {
	case DELIVERY_SAVE_OK:
		return "ok";
	case DELIVERY_SAVE_NOT_OPEN:
		return "section_not_open";
	case DELIVERY_SAVE_CLOSED:
		return "section_closed";
	case DELIVERY_SAVE_PAUSED:
		return "paused";
	case DELIVERY_SAVE_VOID:
		return "attempt_void";
	}
	return "unknown";
}

int
delivery_attempt_due(const struct delivery_attempt *a, int64_t now,
    int64_t grace_ms)
{
	int i;

	if (a->state != DELIVERY_ATTEMPT_IN_SECTION ||
	    (i = delivery_attempt_open_section(a)) < 0)
		return -1;
	return delivery_clock_is_due(&a->sections[i].clock, now, grace_ms) ?
	    i : -1;
}

/* ---- saves and scoring ---- */

bool
delivery_seq_accept(int64_t stored_seq, int64_t new_seq)
{
	return new_seq > stored_seq;
}

int
delivery_score_mc(const char *const *answers, const char *const *keys,
    size_t n, int cut_percent, struct delivery_score *sc, char **errstr)
{
	size_t i;
	int raw = 0;

	if (n == 0 || n > INT_MAX / 1000) {
		delivery_err(errstr, "a multiple-choice part has 1 to %d items, "
		    "not %zu", INT_MAX / 1000, n);
		return -1;
	}
	if (cut_percent < 1 || cut_percent > 100) {
		delivery_err(errstr, "cut percent %d is outside 1 to 100",
		    cut_percent);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (keys[i] == NULL) {
			delivery_err(errstr, "item %zu has no key", i + 1);
			return -1;
		}
		if (answers[i] != NULL && strcmp(answers[i], keys[i]) == 0)
			raw++;
	}
	sc->raw = raw;
	sc->max = (int)n;
	sc->percent_tenths = (int)((long long)raw * 1000 / (long long)n);
	sc->passed = (long long)raw * 100 >= (long long)cut_percent * (long long)n;
	return 0;
}
