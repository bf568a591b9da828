/*
 * Logging to standard error. One line per message; the access log is one
 * line per request. Never pass a token or password to any of these.
 */
#ifndef EXAMD_LOG_H
#define EXAMD_LOG_H

#include <stdarg.h>

void	log_init(const char *progname, int verbose);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* appends strerror(errno) */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	log_access(const char *peer, const char *method, const char *path,
	    int status, size_t bytes, double ms);
/* Drains OpenSSL's error queue into one warning line prefixed by what. */
void	log_ssl(const char *what);

/* asprintf that aborts on allocation failure; for error strings. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
