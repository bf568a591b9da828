#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "bounds.h"
#include "log.h"

enum config_type { CFG_STR, CFG_LONG, CFG_FLAG };

struct config_opt {
	const char	*name;
	enum config_type type;
	size_t		 off;
	long		 min, max;
	const char	*help;
};

#define OFF(f)	offsetof(struct config, f)

/* One table for flags and the config file. */
static const struct config_opt config_opts[] = {
	{ "db", CFG_STR, OFF(db), 0, 0, "FILE  SQLite database (examctl init makes it)" },
	{ "cert", CFG_STR, OFF(cert), 0, 0, "PEM   certificate chain" },
	{ "key", CFG_STR, OFF(key), 0, 0, "PEM   private key (mode 0600)" },
	{ "listen", CFG_STR, OFF(listen), 0, 0, "ADDR:PORT (default 127.0.0.1:8443)" },
	{ "web", CFG_STR, OFF(web), 0, 0, "DIR   browser pages to serve" },
	{ "config", CFG_STR, OFF(config_file), 0, 0, "FILE  settings file" },
	{ "max-headers", CFG_LONG, OFF(max_headers), 1024, 1 << 20, "BYTES request line and headers" },
	{ "max-body", CFG_LONG, OFF(max_body), 1024, 64 << 20, "BYTES request body" },
	{ "idle-timeout", CFG_LONG, OFF(idle_timeout), 1, 3600, "SECS  between requests on a connection" },
	{ "handshake-timeout", CFG_LONG, OFF(handshake_timeout), 1, 300, "SECS  absolute, to finish TLS and send the first request" },
	{ "max-conns-per-addr", CFG_LONG, OFF(max_conns_per_addr), 1, 1000000, "N     connections from one address" },
	{ "max-conns", CFG_LONG, OFF(max_conns), 1, 1000000, "N     connections in all" },
	{ "workers", CFG_LONG, OFF(workers), 1, 64, "N     hashing/report threads" },
	{ "max-batch", CFG_LONG, OFF(max_batch), 1, 65536, "N     units per group commit (1: off)" },
	{ "access-log", CFG_LONG, OFF(access_log), 0, 1, "0|1   one line per request on stderr" },
	{ "session-idle", CFG_LONG, OFF(session_idle), 1, 86400, "SECS  staff sign-in idle timeout" },
	{ "session-max", CFG_LONG, OFF(session_max), 1, 7 * 86400, "SECS  staff sign-in absolute lifetime" },
	{ "throttle-max-delay", CFG_LONG, OFF(throttle_max_delay), 1, 86400, "SECS  longest sign-in delay after failures" },
	{ "stream-recheck", CFG_LONG, OFF(stream_recheck), 1, 3600, "SECS  longest an event stream's session goes unchecked" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct config_opt *
config_find(const char *name)
{
	const struct config_opt *o;

	for (o = config_opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static int
config_set(struct config *c, const struct config_opt *o, const char *value,
    char **errstr)
{
	char **sp = (char **)((char *)c + o->off);
	long *lp = (long *)((char *)c + o->off);
	char *end;
	long v;

	switch (o->type) {
	case CFG_STR:
		if (value[0] == '\0') {
			*errstr = xasprintf("%s: empty value", o->name);
			return -1;
		}
		free(*sp);
		*sp = strdup(value);
		return 0;
	case CFG_LONG:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < o->min ||
		    v > o->max) {
			*errstr = xasprintf("%s: \"%s\" is not a number from %ld "
			    "to %ld", o->name, value, o->min, o->max);
			return -1;
		}
		*lp = v;
		return 0;
	case CFG_FLAG:
		*lp = 1;
		return 0;
	}
	return -1;
}

static void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->max_headers = EXAMD_MAX_HEADERS;
	c->max_body = EXAMD_MAX_BODY;
	c->idle_timeout = EXAMD_IDLE_TIMEOUT;
	c->handshake_timeout = EXAMD_HANDSHAKE_TIMEOUT;
	c->max_conns_per_addr = EXAMD_MAX_CONNS_PER_ADDR;
	c->max_conns = EXAMD_MAX_CONNS;
	c->workers = EXAMD_WORKERS;
	c->max_batch = EXAMD_MAX_BATCH;
	c->access_log = 1;
	c->session_idle = EXAMD_SESSION_IDLE;
	c->session_max = EXAMD_SESSION_MAX;
	c->throttle_max_delay = EXAMD_THROTTLE_MAX_DELAY;
	c->stream_recheck = EXAMD_STREAM_RECHECK;
}

int
config_load_file(struct config *c, const char *path, char **errstr)
{
	const struct config_opt *o;
	char line[1024], *p, *name, *value, *err = NULL;
	FILE *f;
	int lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			*errstr = xasprintf("%s:%d: line too long", path, lineno);
			goto fail;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line + strlen(line); p > line && isspace((unsigned char)p[-1]); )
			*--p = '\0';
		for (name = line; isspace((unsigned char)*name); name++)
			;
		if (*name == '\0')
			continue;
		for (value = name; *value && !isspace((unsigned char)*value) &&
		    *value != '='; value++)
			;
		if (*value != '\0')
			*value++ = '\0';
		while (isspace((unsigned char)*value) || *value == '=')
			value++;
		if ((o = config_find(name)) == NULL || o->off == OFF(config_file)) {
			*errstr = xasprintf("%s:%d: unknown setting \"%s\"", path,
			    lineno, name);
			goto fail;
		}
		if (config_set(c, o, value, &err) == -1) {
			*errstr = xasprintf("%s:%d: %s", path, lineno, err);
			free(err);
			goto fail;
		}
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

void
config_usage(void)
{
	const struct config_opt *o;

	fprintf(stderr, "usage: examd --db FILE --cert PEM --key PEM "
	    "[--listen ADDR:PORT] [--web DIR] [-n] [-v]\n");
	for (o = config_opts; o->name != NULL; o++)
		fprintf(stderr, "  --%-19s %s\n", o->name, o->help);
	fprintf(stderr, "  -n                    check the settings and exit\n"
	    "  -v                    verbose\n");
}

int
config_parse(struct config *c, int argc, char **argv, char **errstr)
{
	const struct config_opt *o;
	const char *arg, *value, *eq;
	char name[64];
	int i;

	config_defaults(c);
	/* The file first, so that flags override it. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc &&
		    config_load_file(c, argv[i + 1], errstr) == -1)
			return -1;
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "-n") == 0) {
			c->check_only = 1;
			continue;
		}
		if (strcmp(arg, "-v") == 0) {
			c->verbose = 1;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return 2;
		if (strncmp(arg, "--", 2) != 0) {
			*errstr = xasprintf("unexpected argument \"%s\"", arg);
			return 2;
		}
		arg += 2;
		if ((eq = strchr(arg, '=')) != NULL) {
			snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
			value = eq + 1;
		} else {
			snprintf(name, sizeof name, "%s", arg);
			if (i + 1 >= argc) {
				*errstr = xasprintf("--%s needs a value", name);
				return 2;
			}
			value = argv[++i];
		}
		if ((o = config_find(name)) == NULL) {
			*errstr = xasprintf("unknown option --%s", name);
			return 2;
		}
		if (o->off == OFF(config_file))
			continue;
		if (config_set(c, o, value, errstr) == -1)
			return 2;
	}
	if (c->listen == NULL)
		c->listen = strdup("127.0.0.1:8443");
	if (c->db == NULL || c->cert == NULL || c->key == NULL) {
		*errstr = xasprintf("--db, --cert and --key are required");
		return 2;
	}
	return 0;
}

void
config_free(struct config *c)
{
	free(c->db);
	free(c->cert);
	free(c->key);
	free(c->web);
	free(c->listen);
	free(c->config_file);
	memset(c, 0, sizeof *c);
}
