/* Time zones from the system tz database: see tz.h. */
#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tz.h"

#define TZ_DEFAULT_DIR	"/usr/share/zoneinfo"
#define TZ_MAX_TIMES	4000	/* transitions per file; real files have < 300 */
#define TZ_MAX_TYPES	256

/* A POSIX TZ rule "Mm.w.d/time": month, week (5 = last), weekday, seconds. */
struct tz_rule {
	int	 month, week, wday;
	int	 secs;
};

struct tz {
	char		 name[TZ_NAME_MAX + 1];
	int64_t		*times;		/* transition instants, ascending */
	unsigned char	*idx;		/* type in force from times[i] */
	int		*utoff;		/* per type, seconds east */
	int		 ntimes, ntypes;
	/* The footer: std/dst offsets (seconds east) and the DST rules. */
	int		 has_footer, has_dst;
	int		 std_off, dst_off;
	struct tz_rule	 start, end;
};

static pthread_mutex_t	 tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz	*tz_cache[TZ_CACHE_MAX];
static int		 tz_ncache;

int
tz_name_valid(const char *name)
{
	const char *p;
	size_t n = strlen(name);

	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_+-/", *p) == NULL)
			return 0;
		/* '.' is not allowed at all, so neither is "..". */
		if (*p == '/' && p[1] == '/')
			return 0;
	}
	return 1;
}

static int64_t
tz_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t
tz_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
tz_civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
tz_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* --- the POSIX TZ footer ------------------------------------------------ */

static const char *
tz_posix_name(const char *p)
{
	if (*p == '<') {
		while (*p != '\0' && *p != '>')
			p++;
		return *p == '>' ? p + 1 : NULL;
	}
	if (!isalpha((unsigned char)*p))
		return NULL;
	while (isalpha((unsigned char)*p))
		p++;
	return p;
}

/* [+-]hh[:mm[:ss]] into seconds; NULL when malformed. */
static const char *
tz_posix_hms(const char *p, int *secs)
{
	int sign = 1, h = 0, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p) && h < 1000)
		h = h * 10 + (*p++ - '0');
	if (*p == ':') {
		p++;
		while (isdigit((unsigned char)*p) && m < 100)
			m = m * 10 + (*p++ - '0');
		if (*p == ':') {
			p++;
			while (isdigit((unsigned char)*p) && s < 100)
				s = s * 10 + (*p++ - '0');
		}
	}
	if (h > 167)
		return NULL;
	*secs = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
tz_posix_rule(const char *p, struct tz_rule *r)
{
	if (*p++ != 'M' ||
	    sscanf(p, "%d.%d.%d", &r->month, &r->week, &r->wday) != 3 ||
	    r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 ||
	    r->wday < 0 || r->wday > 6)
		return NULL;
	while (*p != '\0' && *p != '/' && *p != ',')
		p++;
	r->secs = 2 * 3600;
	if (*p == '/')
		p = tz_posix_hms(p + 1, &r->secs);
	return p;
}

/* 0, or -1 for a footer this parser does not know (Julian day rules). */
static int
tz_posix_parse(struct tz *z, const char *s)
{
	const char *p = s;
	int off;

	if ((p = tz_posix_name(p)) == NULL || (p = tz_posix_hms(p, &off)) == NULL)
		return -1;
	z->std_off = -off;		/* POSIX counts west of Greenwich */
	z->has_footer = 1;
	if (*p == '\0')
		return 0;
	if ((p = tz_posix_name(p)) == NULL)
		return -1;
	z->dst_off = z->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = tz_posix_hms(p, &off)) == NULL)
			return -1;
		z->dst_off = -off;
	}
	if (*p++ != ',' || (p = tz_posix_rule(p, &z->start)) == NULL ||
	    *p++ != ',' || (p = tz_posix_rule(p, &z->end)) == NULL || *p != '\0')
		return -1;
	z->has_dst = 1;
	return 0;
}

/* The instant (UTC seconds) a rule fires in year y, given the offset before it. */
static int64_t
tz_rule_at(const struct tz_rule *r, int64_t y, int off_before)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int64_t first = tz_days(y, r->month, 1);
	int wd1 = (int)((first % 7 + 11) % 7);	/* 1970-01-01 was a Thursday */
	int dim = mdays[r->month - 1], d;

	if (r->month == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	d = 1 + (r->wday - wd1 + 7) % 7 + (r->week - 1) * 7;
	while (d > dim)
		d -= 7;
	return (first + d - 1) * 86400 + r->secs - off_before;
}

static int
tz_posix_offset(const struct tz *z, int64_t t)
{
	int64_t y, start, end;
	int m, d;

	if (!z->has_dst)
		return z->std_off;
	tz_civil(tz_floordiv(t, 86400), &y, &m, &d);
	start = tz_rule_at(&z->start, y, z->std_off);
	end = tz_rule_at(&z->end, y, z->dst_off);
	if (start < end)
		return t >= start && t < end ? z->dst_off : z->std_off;
	return t >= end && t < start ? z->std_off : z->dst_off;
}

/* --- TZif ---------------------------------------------------------------- */

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->times);
	free(z->idx);
	free(z->utoff);
	free(z);
}

struct tz *
tz_parse(const char *name, const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf, *end = buf + len;
	int64_t cnt[6];
	size_t tsz = 4, need;
	struct tz *z;
	char footer[128];
	const unsigned char *nl;
	int i, pass;

	if ((z = calloc(1, sizeof *z)) == NULL)
		fatal("tz_parse");
	snprintf(z->name, sizeof z->name, "%s", name);
	for (pass = 0; pass < 2; pass++) {
		if (end - p < 44 || memcmp(p, "TZif", 4) != 0)
			goto bad;
		for (i = 0; i < 6; i++)
			cnt[i] = tz_be(p + 20 + 4 * i, 4);
		/* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
		if (cnt[3] < 0 || cnt[3] > TZ_MAX_TIMES || cnt[4] < 1 ||
		    cnt[4] > TZ_MAX_TYPES || cnt[0] < 0 || cnt[1] < 0 ||
		    cnt[2] < 0 || cnt[2] > 1000 || cnt[5] < 0 || cnt[5] > 1000)
			goto bad;
		need = cnt[3] * (tsz + 1) + cnt[4] * 6 + cnt[5] +
		    cnt[2] * (tsz + 4) + cnt[1] + cnt[0];
		if ((size_t)(end - p) - 44 < need)
			goto bad;
		if (pass == 0 && p[4] >= '2') {
			/* Skip the 32-bit block: version 2+ repeats it in 64 bits. */
			p += 44 + need;
			tsz = 8;
			continue;
		}
		p += 44;
		z->ntimes = (int)cnt[3];
		z->ntypes = (int)cnt[4];
		if ((z->times = calloc(z->ntimes + 1, sizeof *z->times)) == NULL ||
		    (z->idx = calloc(z->ntimes + 1, 1)) == NULL ||
		    (z->utoff = calloc(z->ntypes, sizeof *z->utoff)) == NULL)
			fatal("tz_parse");
		for (i = 0; i < z->ntimes; i++, p += tsz)
			z->times[i] = tz_be(p, (int)tsz);
		for (i = 0; i < z->ntimes; i++, p++) {
			if (*p >= z->ntypes)
				goto bad;
			z->idx[i] = *p;
		}
		for (i = 0; i < z->ntypes; i++, p += 6)
			z->utoff[i] = (int)tz_be(p, 4);
		p += cnt[5] + cnt[2] * (tsz + 4) + cnt[1] + cnt[0];
		break;
	}
	/* Version 2+: "\nTZ-string\n" after the 64-bit block. */
	if (tsz == 8 && end - p >= 2 && *p == '\n' &&
	    (nl = memchr(p + 1, '\n', end - p - 1)) != NULL &&
	    nl - p - 1 < (ptrdiff_t)sizeof footer && nl - p > 1) {
		memcpy(footer, p + 1, nl - p - 1);
		footer[nl - p - 1] = '\0';
		if (tz_posix_parse(z, footer) == -1) {
			log_warnx("tz: %s: footer \"%s\" not understood; using "
			    "the last transition", name, footer);
			z->has_footer = z->has_dst = 0;
		}
	}
	return z;
bad:
	tz_free(z);
	return NULL;
}

int
tz_offset(const struct tz *z, int64_t t)
{
	int lo, hi, mid;

	if (z->ntimes == 0)
		return z->has_footer ? tz_posix_offset(z, t) : z->utoff[0];
	if (t < z->times[0])
		return z->utoff[0];
	if (t >= z->times[z->ntimes - 1] && z->has_footer)
		return tz_posix_offset(z, t);
	lo = 0;
	hi = z->ntimes - 1;
	while (lo < hi) {			/* last i with times[i] <= t */
		mid = (lo + hi + 1) / 2;
		if (z->times[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return z->utoff[z->idx[lo]];
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

void
tz_format(const struct tz *z, int64_t ms, char *buf, size_t len)
{
	int64_t t = tz_floordiv(ms, 1000), local, y, secs;
	int off = tz_offset(z, t), m, d, aoff = off < 0 ? -off : off;

	local = t + off;
	tz_civil(tz_floordiv(local, 86400), &y, &m, &d);
	secs = local - tz_floordiv(local, 86400) * 86400;
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	    (long long)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60), off < 0 ? '-' : '+', aoff / 3600,
	    aoff / 60 % 60);
}

/* Reads dir/name when it is a regular file of sane size; malloc'd or NULL. */
static unsigned char *
tz_read(const char *name, size_t *len)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : TZ_DEFAULT_DIR,
	    name);
	/* O_NONBLOCK: a FIFO planted in the tree must not hang the loop. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > TZ_FILE_MAX || st.st_size < 44 ||
	    (buf = malloc(st.st_size)) == NULL)
		goto out;
	while (got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	if (got != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

const struct tz *
tz_get(const char *name)
{
	struct tz *z = NULL;
	unsigned char *buf;
	size_t len;
	int i;

	if (!tz_name_valid(name))
		return NULL;
	pthread_mutex_lock(&tz_lock);
	for (i = 0; i < tz_ncache; i++)
		if (strcmp(tz_cache[i]->name, name) == 0) {
			z = tz_cache[i];
			goto out;
		}
	if (tz_ncache == TZ_CACHE_MAX) {
		log_warnx("tz: more than %d zones in use", TZ_CACHE_MAX);
		goto out;
	}
	if ((buf = tz_read(name, &len)) == NULL)
		goto out;
	z = tz_parse(name, buf, len);
	free(buf);
	if (z != NULL)
		tz_cache[tz_ncache++] = z;
out:
	pthread_mutex_unlock(&tz_lock);
	return z;
}
