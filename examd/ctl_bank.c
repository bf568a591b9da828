/* examctl import, export. See examctl(8) and items/README.md. */
#include <sys/stat.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bank.h"
#include "bank_io.h"
#include "ctl.h"
#include "log.h"
#include "qti.h"
#include "store.h"

#ifndef EXAMD_SHARE_DIR
#define EXAMD_SHARE_DIR	"/usr/local/share/examd"
#endif

static int
is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * The XSDs: $EXAMD_QTI_SCHEMA_DIR, else items/schema in the working
 * folder (a checkout), else next to the binary (BIN/../items/schema), else
 * the installed copy.
 */
static void
ctl_schema_dir(void)
{
	static char buf[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("EXAMD_QTI_SCHEMA_DIR") != NULL ||
	    is_dir(QTI_SCHEMA_DIR_DEFAULT))
		return;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		snprintf(buf, sizeof(buf), "%s/../items/schema", dirname(exe));
		if (is_dir(buf)) {
			qti_set_schema_dir(buf);
			return;
		}
	}
	snprintf(buf, sizeof(buf), "%s/items/schema", EXAMD_SHARE_DIR);
	if (is_dir(buf))
		qti_set_schema_dir(buf);
}

int
ctl_import(const char *db, int argc, char **argv)
{
	struct bank_import_report rep;
	struct store *s;
	char *err = NULL;
	int dry = 0, i = 0;

	if (argc > 0 && (strcmp(argv[0], "-n") == 0 ||
	    strcmp(argv[0], "--dry-run") == 0)) {
		dry = 1;
		i++;
	}
	if (i >= argc) {
		log_warnx("usage: examctl --db FILE import [-n] PATH...");
		return 2;
	}
	for (int j = i; j < argc; j++)
		if (argv[j][0] == '-') {
			log_warnx("import: unknown option %s", argv[j]);
			return 2;
		}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	ctl_schema_dir();
	if (bank_import(s, argv + i, (size_t)(argc - i), dry, &rep,
	    &err) == -1) {
		fprintf(stderr, "%s\n", err ? err : "import failed");
		fprintf(stderr, "examctl: import refused: nothing was "
		    "imported\n");
		free(err);
		store_close(s);
		return 1;
	}
	store_close(s);
	if (rep.warnings)
		fputs(rep.warnings, stderr);
	free(rep.warnings);
	printf("%s%zu files: items %zu new, %zu new version, %zu unchanged; "
	    "forms %zu new, %zu replaced, %zu unchanged; %zu images\n",
	    dry ? "checked (nothing stored) " : "", rep.files, rep.items_new,
	    rep.items_new_version, rep.items_unchanged, rep.forms_new,
	    rep.forms_replaced, rep.forms_unchanged, rep.assets);
	if (getenv("EXAMCTL_TIMING") != NULL)
		printf("parse %.3f s, store %.3f s\n", rep.parse_seconds,
		    rep.store_seconds);
	return 0;
}

int
ctl_export(const char *db, int argc, char **argv)
{
	struct store *s;
	const char *form = NULL, *dir = NULL;
	char *err = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--form") == 0 && i + 1 < argc)
			form = argv[++i];
		else if (strncmp(argv[i], "--form=", 7) == 0)
			form = argv[i] + 7;
		else if (argv[i][0] == '-' || dir != NULL) {
			log_warnx("usage: examctl --db FILE export --form ID DIR");
			return 2;
		} else
			dir = argv[i];
	}
	if (form == NULL || dir == NULL) {
		log_warnx("usage: examctl --db FILE export --form ID DIR");
		return 2;
	}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	if (bank_export_form(s, form, dir, &err) == -1) {
		log_warnx("%s", err ? err : "export failed");
		free(err);
		store_close(s);
		return 1;
	}
	store_close(s);
	printf("%s/imsmanifest.xml\n", dir);
	return 0;
}
