/* examctl: offline administration on the database file. See examctl(8). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "store.h"

static const struct ctl_cmd ctl_cmds[] = {
	{ "gen-cert", "gen-cert DIR", 0, ctl_gen_cert },
	{ "init", "--db FILE init", 1, ctl_init },
	{ "backup", "--db FILE backup OUTFILE", 1, ctl_backup },
	{ "association", "--db FILE association add CODE NAME", 1,
	    ctl_association },
	{ "user", "--db FILE user add USERNAME --role admin|coordinator|proctor|"
	    "grader [--association CODE] [--endorsement TRACK] [--adjudicator]"
	    "   (password on stdin)\n  examctl --db FILE user passwd USERNAME",
	    1, ctl_user },
	{ "audit", "--db FILE audit verify", 1, ctl_audit_cmd },
	{ "demo", "--db FILE demo", 1, ctl_demo },
	{ "import", "--db FILE import [-n] PATH...", 1, ctl_import },
	{ "export", "--db FILE export --form ID DIR", 1, ctl_export },
	{ NULL, NULL, 0, NULL }
};

static int
usage(void)
{
	const struct ctl_cmd *c;

	fprintf(stderr, "usage:\n");
	for (c = ctl_cmds; c->name != NULL; c++)
		fprintf(stderr, "  examctl %s\n", c->usage);
	return 2;
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd *c;
	const char *db = NULL;
	int i = 1;

	log_init("examctl", getenv("EXAMCTL_VERBOSE") != NULL);
	/* A file-size limit fails the write, as a full disk does: an error
	 * message and no half-made file, not a core dump. */
	signal(SIGXFSZ, SIG_IGN);
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			db = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		} else {
			log_warnx("unknown option %s", argv[i]);
			return usage();
		}
	}
	if (i >= argc)
		return usage();
	for (c = ctl_cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[i]) == 0)
			break;
	if (c->name == NULL) {
		log_warnx("unknown command \"%s\"", argv[i]);
		return usage();
	}
	if (c->needs_db && db == NULL) {
		log_warnx("%s needs --db FILE", c->name);
		return usage();
	}
	return c->fn(db, argc - i - 1, argv + i + 1);
}
