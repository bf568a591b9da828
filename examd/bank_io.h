/*
 * bank_io.h: the item bank's files: import QTI (items, forms, folders,
 * unpacked content packages) into the store, and export a form as a QTI
 * 3.0 content package. For examctl (blocking, file system); never on the
 * daemon's loop. Conventions: items/README.md.
 */
#ifndef EXAMD_BANK_IO_H
#define EXAMD_BANK_IO_H

#include <stddef.h>

struct store;

#define IMPORT_MAX_FILES	20000	/* QTI files in one run; a whole bank is a few thousand */
#define IMPORT_MAX_DEPTH	16	/* folder nesting below a PATH argument */
#define IMPORT_MAX_ERRORS	50	/* problems listed before "and more" */

struct bank_import_report {
	size_t	 items_new;		/* identifiers seen for the first time */
	size_t	 items_new_version;	/* known identifiers, new content */
	size_t	 items_unchanged;	/* content already stored */
	size_t	 forms_new, forms_replaced, forms_unchanged;
	size_t	 assets;		/* images stored */
	size_t	 files;			/* QTI files read */
	double	 parse_seconds;		/* reading and checking */
	double	 store_seconds;		/* the one transaction */
	char	*warnings;		/* "FILE: warning: ..." lines, or NULL; caller frees */
};

/*
 * Import everything under `paths` all-or-nothing: every file is parsed and
 * checked first; only when nothing is wrong is everything stored, in one
 * transaction. On failure returns -1 and sets *errstr to every problem, one
 * "FILE:LINE: reason" per line (caller frees); nothing is stored. With
 * dry_run, checks only. Fills *report on success (free report->warnings).
 */
int	bank_import(struct store *, char *const *paths, size_t n_paths,
	    int dry_run, struct bank_import_report *report, char **errstr);

/*
 * Write form `form_id` and the item versions it pins as a QTI 3.0 content
 * package in `dir` (created; must not exist or be empty): imsmanifest.xml,
 * FORM.xml, items/IDENT/IDENT.xml and their images. Importing the package
 * gives the same content hashes. 0 or -1 with *errstr (caller frees).
 */
int	bank_export_form(struct store *, const char *form_id, const char *dir,
	    char **errstr);

#endif
