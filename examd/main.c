/* examd: the exam-delivery daemon. See examd(8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "server.h"

/*
 * examd --routes: every API route as "METHOD PATTERN ROLES" (ROLES a comma
 * list, or "public"), for the authorization matrix test and for operators.
 */
static int
main_routes(void)
{
	static const char *names[] = {
		"candidate", "admin", "coordinator", "proctor", "grader"
	};
	const struct module *m;
	const struct route *r;
	int i, n;

	for (m = server_modules; m->name != NULL; m++)
		for (r = m->routes; r != NULL && r->pattern != NULL; r++) {
			printf("%s %s ", r->method, r->pattern);
			for (i = 0, n = 0; i < 5; i++)
				if (r->roles & (1 << i))
					printf("%s%s", n++ ? "," : "", names[i]);
			printf("%s\n", n ? "" : "public");
		}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct server srv;
	char *err = NULL;
	int rc;

	log_init("examd", 0);
	if (argc == 2 && strcmp(argv[1], "--routes") == 0)
		return main_routes();
	if ((rc = config_parse(&cfg, argc, argv, &err)) != 0) {
		if (err != NULL)
			log_warnx("%s", err);
		if (rc == 2)
			config_usage();
		free(err);
		config_free(&cfg);
		return rc == 2 ? 2 : 1;
	}
	log_init("examd", cfg.verbose);
	if (server_init(&srv, &cfg, &err) == -1) {
		log_warnx("%s", err);
		free(err);
		server_free(&srv);
		config_free(&cfg);
		return 1;
	}
	if (cfg.check_only) {
		log_info("configuration OK");
		server_free(&srv);
		config_free(&cfg);
		return 0;
	}
	rc = server_run(&srv);
	server_free(&srv);
	config_free(&cfg);
	log_info("stopped");
	return rc == -1 ? 1 : 0;
}
