#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "log.h"

static const char *log_prog = "examd";
static int log_verbose;

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
}

static void
log_vline(const char *errnostr, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (errnostr != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_prog, msg, errnostr);
	else
		fprintf(stderr, "%s: %s\n", log_prog, msg);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vline(e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vline(e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_access(const char *peer, const char *method, const char *path, int status,
    size_t bytes, double ms)
{
	char when[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s \"%s %s\" %d %zu %.1fms\n", when,
	    ts.tv_nsec / 1000000, peer, method, path, status, bytes, ms);
}

void
log_ssl(const char *what)
{
	char buf[256], line[1024];
	unsigned long e;
	size_t off = 0;

	line[0] = '\0';
	while ((e = ERR_get_error()) != 0 && off < sizeof line - 1) {
		ERR_error_string_n(e, buf, sizeof buf);
		off += snprintf(line + off, sizeof line - off, "%s%s",
		    off ? "; " : "", buf);
	}
	log_warnx("%s%s%s", what, line[0] ? ": " : "", line);
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	return s;
}
