/*
 * examc: the command-line client. Commands are rows of a table; each
 * speaks HTTPS to examd with the peer verified against --cacert.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "evbase.h"
#include "examc.h"
#include "httpc.h"
#include "log.h"
#include "stats.h"
#include "tls.h"

static const struct examc_cmd examc_cmds[] = {
	{ "hammer", "hammer [--path /healthz] [--conns N] [--seconds S]",
	    examc_hammer },
	{ "load", "load --codes FILE [--candidates N] [--mode saturate|realistic|"
	    "start-storm|essay|deadline] [--think-ms MS] [--seconds S] "
	    "[--ramp-ms MS] [--preconnect] [--barrier] [--events] [--ledger FILE] "
	    "[--essay-saves N] [--max-starting N]"
	    " [--settle-seconds S]", examc_load },
	{ NULL, NULL, NULL }
};

static int
usage(void)
{
	const struct examc_cmd *c;

	fprintf(stderr, "usage: examc --addr HOST:PORT --cacert PEM COMMAND ...\n");
	for (c = examc_cmds; c->name != NULL; c++)
		fprintf(stderr, "  examc ... %s\n", c->usage);
	return 2;
}

/* Reads "--name value" from argv; NULL when absent. */
const char *
examc_opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

long
examc_opt_long(int argc, char **argv, const char *name, long def, long min,
    long max)
{
	const char *v = examc_opt(argc, argv, name);
	char *end;
	long n;

	if (v == NULL)
		return def;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max) {
		log_warnx("%s: expected a number from %ld to %ld", name, min,
		    max);
		exit(2);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const struct examc_cmd *c;
	struct examc ex;
	const char *addr, *ca;
	char *err = NULL;
	int i;

	log_init("examc", 0);
	memset(&ex, 0, sizeof ex);
	addr = examc_opt(argc, argv, "--addr");
	ca = examc_opt(argc, argv, "--cacert");
	if (addr == NULL)
		addr = "127.0.0.1:8443";
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			i++;
			continue;
		}
		break;
	}
	if (i >= argc)
		return usage();
	for (c = examc_cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[i]) == 0)
			break;
	if (c->name == NULL) {
		log_warnx("unknown command \"%s\"", argv[i]);
		return usage();
	}
	if (httpc_parse_addr(addr, ex.host, sizeof ex.host, &ex.port) == -1) {
		log_warnx("--addr %s: expected HOST:PORT", addr);
		return 2;
	}
	if ((ex.ctx = tls_client_ctx(ca, &err)) == NULL) {
		log_warnx("%s", err);
		free(err);
		return 1;
	}
	/* A peer that closes first must not kill the client: EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	if ((ex.base = evbase_new()) == NULL) {
		log_warnx("cannot create the event loop");
		SSL_CTX_free(ex.ctx);
		return 1;
	}
	i = c->fn(&ex, argc - i - 1, argv + i + 1);
	event_base_free(ex.base);
	SSL_CTX_free(ex.ctx);
	return i;
}
