/*
 * Scheduling rules that need no database: who may sit which form, what an
 * accommodation may be, the shape of a window and of a CSV row. See
 * sched.h. Eligibility is the table below, not code.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scheduling.h"

/* DESIGN.md 1: levels I and II take no written exam; ECMH has its own form. */
static const struct {
	const char	*code;
	const char	*program;	/* NULL: no written exam */
	const char	*who;
} sched_tracks[] = {
	{ "IFA", NULL, "Infant Family Associate" },
	{ "IFS", NULL, "Infant Family Specialist" },
	{ "IMHS", "IMH", NULL },
	{ "IMHM-C", "IMH", NULL },
	{ "IMHM-P", "IMH", NULL },
	{ "IMHM-RF", "IMH", NULL },
	{ "ECMHS", "ECMH", NULL },
	{ "ECMHM-C", "ECMH", NULL },
	{ "ECMHM-P", "ECMH", NULL },
	{ "ECMHM-RF", "ECMH", NULL },
	{ NULL, NULL, NULL }
};

static int
sched_track_find(const char *track)
{
	int i;

	for (i = 0; sched_tracks[i].code != NULL; i++)
		if (strcmp(track, sched_tracks[i].code) == 0)
			return i;
	return -1;
}

const char *
sched_track_program(const char *track, int *known)
{
	int i = sched_track_find(track);

	*known = i >= 0;
	return i >= 0 ? sched_tracks[i].program : NULL;
}

int
sched_track_problem(const char *track, const char *program, char *why,
    size_t len)
{
	int i = sched_track_find(track);

	if (i < 0) {
		snprintf(why, len, "unknown track \"%s\": one of IMHS, IMHM-C, "
		    "IMHM-P, IMHM-RF, ECMHS, ECMHM-C, ECMHM-P, ECMHM-RF", track);
		return -1;
	}
	if (sched_tracks[i].program == NULL) {
		snprintf(why, len, "%s (%s) takes no written exam", track,
		    sched_tracks[i].who);
		return -1;
	}
	if (program != NULL && strcmp(program, sched_tracks[i].program) != 0) {
		snprintf(why, len, "track %s cannot sit an %s form (it sits "
		    "the %s exam)", track, program, sched_tracks[i].program);
		return -1;
	}
	return 0;
}

int
sched_text_valid(const char *s, int allow_newlines)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			if (allow_newlines && (*s == '\n' || *s == '\r' ||
			    *s == '\t'))
				continue;
			return 0;
		}
	return 1;
}

int
sched_email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n < 3 || n > CAND_EMAIL_MAX || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL ||
	    at[1] == '.' || s[n - 1] == '.')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == ',' ||
		    *s == ';' || *s == '<' || *s == '>' || *s == '"')
			return 0;
	return 1;
}

int
sched_has_accommodations(const struct store_cand *c)
{
	return c->time_multiplier != 1.0 || c->extra_ms_mc != 0 ||
	    c->extra_ms_essay != 0 || c->breaks_allowed;
}

int
sched_cand_problem(const struct store_cand *c, const char *program,
    int64_t now, char *why, size_t len)
{
	char day[16];

	if (c->name[0] == '\0' || !sched_text_valid(c->name, 0)) {
		snprintf(why, len, "a name is required, on one line");
		return -1;
	}
	if (!sched_email_valid(c->email)) {
		snprintf(why, len, "\"%s\" is not an e-mail address", c->email);
		return -1;
	}
	if (sched_track_problem(c->track, program, why, len) == -1)
		return -1;
	if (!(c->time_multiplier >= SCHED_MULT_MIN &&
	    c->time_multiplier <= SCHED_MULT_MAX)) {
		snprintf(why, len, "time multiplier %g is outside 1.0 to 3.0",
		    c->time_multiplier);
		return -1;
	}
	if (c->extra_ms_mc < 0 || c->extra_ms_essay < 0 ||
	    c->extra_ms_mc > EXAMD_MAX_EXTRA_MINUTES * 60000LL ||
	    c->extra_ms_essay > EXAMD_MAX_EXTRA_MINUTES * 60000LL) {
		snprintf(why, len, "extra minutes per part must be from 0 to %d",
		    EXAMD_MAX_EXTRA_MINUTES);
		return -1;
	}
	if (!sched_text_valid(c->note, 1)) {
		snprintf(why, len, "the accommodations note contains control "
		    "characters");
		return -1;
	}
	if (sched_has_accommodations(c) && c->approved_at == 0) {
		snprintf(why, len, "accommodations need the date they were "
		    "approved");
		return -1;
	}
	if (c->approved_at > now) {
		sched_date_format(c->approved_at, day, sizeof day);
		snprintf(why, len, "the approval date %s is in the future", day);
		return -1;
	}
	return 0;
}

int
sched_late_approval(const struct store_cand *c, int64_t opens_at)
{
	return c->approved_at != 0 &&
	    c->approved_at > opens_at - SCHED_LATE_APPROVAL_MS;
}

int
sched_window_problem(int64_t opens, int64_t closes, char *why, size_t len)
{
	if (closes <= opens) {
		snprintf(why, len, "the window must end after it starts "
		    "(closes_at after opens_at)");
		return -1;
	}
	if (closes - opens > EXAMD_MAX_WINDOW_DAYS * 86400000LL) {
		snprintf(why, len, "a window may be at most %d days long",
		    EXAMD_MAX_WINDOW_DAYS);
		return -1;
	}
	return 0;
}

int
sched_date_parse(const char *s, int64_t *ms)
{
	struct tm tm;
	char *end, back[16];

	if (strlen(s) == 10) {
		memset(&tm, 0, sizeof tm);
		end = strptime(s, "%Y-%m-%d", &tm);
		if (end == NULL || *end != '\0' || !isdigit((unsigned char)s[0]))
			return -1;
		*ms = (int64_t)timegm(&tm) * 1000;
		/* strptime accepts 2027-02-31: check it round-trips. */
		sched_date_format(*ms, back, sizeof back);
		return strcmp(back, s) == 0 ? 0 : -1;
	}
	return auth_time_parse(s, ms);
}

void
sched_date_format(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* --- CSV rows ------------------------------------------------------------- */

static const char *sched_col_names[COL_N] = {
	"name", "email", "track", "time_multiplier", "extra_minutes_mc",
	"extra_minutes_essay", "breaks_allowed", "accommodations_note",
	"accommodations_approved_on"
};

/* Header cells match without regard to case, spaces, '-' or '_' ("E-Mail"). */
static void
sched_col_norm(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < len; in++)
		if (strchr(" \t-_", *in) == NULL)
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

int
sched_csv_header(const struct sched_csv_row *h, struct sched_cols *cols,
    char *why, size_t len)
{
	char name[64], known[64];
	int i, j;

	for (j = 0; j < COL_N; j++)
		cols->idx[j] = -1;
	cols->n = h->n;
	for (i = 0; i < h->n; i++) {
		sched_col_norm(h->f[i], name, sizeof name);
		for (j = 0; j < COL_N; j++) {
			sched_col_norm(sched_col_names[j], known, sizeof known);
			if (strcmp(name, known) == 0)
				break;
		}
		if (j == COL_N) {
			snprintf(why, len, "unknown column \"%.60s\": the "
			    "columns are name, email, track, time_multiplier, "
			    "extra_minutes_mc, extra_minutes_essay, "
			    "breaks_allowed, accommodations_note, "
			    "accommodations_approved_on", h->f[i]);
			return -1;
		}
		if (cols->idx[j] != -1) {
			snprintf(why, len, "column \"%s\" appears twice",
			    sched_col_names[j]);
			return -1;
		}
		cols->idx[j] = i;
	}
	for (j = COL_NAME; j <= COL_TRACK; j++)
		if (cols->idx[j] == -1) {
			snprintf(why, len, "the header row has no \"%s\" column "
			    "(name, email and track are required)",
			    sched_col_names[j]);
			return -1;
		}
	return 0;
}

/* A cell, trimmed of surrounding spaces into buf; "" when the column is absent. */
static const char *
sched_cell(const struct sched_cols *cols, const struct sched_csv_row *r,
    int col, char *buf, size_t len)
{
	const char *s;
	size_t n;

	buf[0] = '\0';
	if (cols->idx[col] < 0)
		return buf;
	s = r->f[cols->idx[col]];
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

/* A cell into dst; -1 with the reason when it does not fit. */
static int
sched_cell_copy(const struct sched_cols *cols, const struct sched_csv_row *r,
    int col, char *dst, size_t dstlen, const char *what, char *why,
    size_t len)
{
	char buf[SCHED_CSV_MAX_FIELD + 1];
	const char *s = sched_cell(cols, r, col, buf, sizeof buf);

	if (strlen(s) >= dstlen) {
		snprintf(why, len, "%s is longer than %zu bytes", what,
		    dstlen - 1);
		return -1;
	}
	snprintf(dst, dstlen, "%s", s);
	return 0;
}

static int
sched_minutes(const char *s, int64_t *ms)
{
	char *end;
	long v;

	if (*s == '\0') {
		*ms = 0;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || v > 100000)
		return -1;
	*ms = v * 60000LL;
	return 0;
}

int
sched_csv_cand(const struct sched_cols *cols, const struct sched_csv_row *r,
    struct store_cand *c, char *why, size_t len)
{
	char buf[SCHED_CSV_MAX_FIELD + 1];
	const char *s;
	char *end;

	memset(c, 0, sizeof *c);
	if (r->n != cols->n) {
		snprintf(why, len, "%d fields where the header has %d columns", r->n,
		    cols->n);
		return -1;
	}
	if (sched_cell_copy(cols, r, COL_NAME, c->name, sizeof c->name,
	    "the name", why, len) == -1 || sched_cell_copy(cols, r, COL_EMAIL,
	    c->email, sizeof c->email, "the e-mail address", why, len) == -1)
		return -1;
	s = sched_cell(cols, r, COL_TRACK, buf, sizeof buf);
	snprintf(c->track, sizeof c->track, "%s", s);
	if (strlen(s) > CAND_TRACK_MAX)
		c->track[0] = '?';	/* reported as an unknown track */
	s = sched_cell(cols, r, COL_MULTIPLIER, buf, sizeof buf);
	c->time_multiplier = 1.0;
	if (*s != '\0') {
		c->time_multiplier = strtod(s, &end);
		if (*end != '\0' || !isfinite(c->time_multiplier) ||
		    !(isdigit((unsigned char)*s) || *s == '.')) {
			snprintf(why, len, "time_multiplier \"%.40s\" is not a "
			    "number such as 1.5", s);
			return -1;
		}
	}
	if (sched_minutes(sched_cell(cols, r, COL_EXTRA_MC, buf, sizeof buf),
	    &c->extra_ms_mc) == -1 || sched_minutes(sched_cell(cols, r,
	    COL_EXTRA_ESSAY, buf, sizeof buf), &c->extra_ms_essay) == -1) {
		snprintf(why, len, "extra minutes must be whole minutes such "
		    "as 30");
		return -1;
	}
	s = sched_cell(cols, r, COL_BREAKS, buf, sizeof buf);
	if (*s == '\0' || strcasecmp(s, "no") == 0 || strcasecmp(s, "n") == 0 ||
	    strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
		c->breaks_allowed = 0;
	else if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "y") == 0 ||
	    strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
		c->breaks_allowed = 1;
	else {
		snprintf(why, len, "breaks_allowed \"%.40s\" must be yes or no",
		    s);
		return -1;
	}
	snprintf(c->note, sizeof c->note, "%s",
	    sched_cell(cols, r, COL_NOTE, buf, sizeof buf));
	s = sched_cell(cols, r, COL_APPROVED, buf, sizeof buf);
	if (*s != '\0' && sched_date_parse(s, &c->approved_at) == -1) {
		snprintf(why, len, "accommodations_approved_on \"%.40s\" is not "
		    "a date such as 2027-02-20", s);
		return -1;
	}
	return 0;
}
