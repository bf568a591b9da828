/* examctl init, gen-cert, backup. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "log.h"
#include "store.h"
#include "tls.h"

struct store *
ctl_open(const char *db)
{
	struct store *s;
	char *err = NULL;

	if (store_open(db, 0, &s, &err) == -1 ||
	    store_check_schema(s, &err) == -1) {
		log_warnx("%s", err);
		free(err);
		store_close(s);
		return NULL;
	}
	return s;
}

int
ctl_init(const char *db, int argc, char **argv)
{
	struct store *s;
	char *err = NULL;

	(void)argv;
	if (argc != 0)
		return 2;
	if (store_open(db, STORE_CREATE, &s, &err) == -1 ||
	    store_migrate(s, &err) == -1) {
		log_warnx("%s", err);
		free(err);
		store_close(s);
		return 1;
	}
	store_close(s);
	printf("%s: schema at version %d\n", db, store_schema_latest());
	return 0;
}

int
ctl_gen_cert(const char *db, int argc, char **argv)
{
	char *err = NULL;

	(void)db;
	if (argc != 1) {
		log_warnx("usage: examctl gen-cert DIR");
		return 2;
	}
	if (tls_gen_cert(argv[0], &err) == -1) {
		log_warnx("%s", err);
		free(err);
		return 1;
	}
	printf("%s/cert.pem\n%s/key.pem\n", argv[0], argv[0]);
	return 0;
}

int
ctl_backup(const char *db, int argc, char **argv)
{
	struct store *s;
	char *err = NULL;

	if (argc != 1) {
		log_warnx("usage: examctl --db FILE backup OUTFILE");
		return 2;
	}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	if (store_backup(s, argv[0], &err) == -1) {
		log_warnx("%s", err);
		free(err);
		store_close(s);
		return 1;
	}
	store_close(s);
	printf("%s\n", argv[0]);
	return 0;
}
