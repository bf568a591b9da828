/*
 * Time zones without touching the process's TZ: zones are read from the
 * system tz database (tzdata, /usr/share/zoneinfo or $TZDIR) once each,
 * parsed from their TZif form, and kept for the life of the process. The
 * offset after a file's last transition comes from its POSIX TZ footer
 * ("EST5EDT,M3.2.0,M11.1.0"), so far-future dates follow the current rules.
 *
 * Thread-safe (a mutex guards the cache); zones are never freed, so a
 * pointer from tz_get() stays valid. The cache is bounded by the number of
 * zones in the database (TZ_CACHE_MAX as a backstop).
 */
#ifndef EXAMD_TZ_H
#define EXAMD_TZ_H

#include <stddef.h>
#include <stdint.h>

#define TZ_NAME_MAX	64	/* longest IANA name is ~32 */
#define TZ_CACHE_MAX	1024	/* zones loaded at once; tzdata has ~600 */
#define TZ_FILE_MAX	(256 * 1024)	/* largest TZif file is ~5 KB */

struct tz;

/* 1 when name is shaped like an IANA zone name (no "..", not absolute). */
int		 tz_name_valid(const char *name);
/* The zone, loaded on first use; NULL when unknown or unreadable (logged once). */
const struct tz	*tz_get(const char *name);
const char	*tz_name(const struct tz *);
/* Seconds east of UTC in force at t (seconds since the epoch). */
int		 tz_offset(const struct tz *, int64_t t);
/* "2027-03-14T09:00:00-04:00": the local time of ms in the zone (>= 32 bytes). */
void		 tz_format(const struct tz *, int64_t ms, char *buf, size_t len);

/* For tests: parse a TZif image in memory (caller frees with tz_free). */
struct tz	*tz_parse(const char *name, const unsigned char *buf, size_t len);
void		 tz_free(struct tz *);

#endif
