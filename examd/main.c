/* examd: the exam-delivery daemon. See examd(8). */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "server.h"

int
main(int argc, char **argv)
{
	struct config cfg;
	struct server srv;
	char *err = NULL;
	int rc;

	log_init("examd", 0);
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
