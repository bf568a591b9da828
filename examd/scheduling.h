/*
 * Scheduling (not sched.h: that would hide the system header of that name):
 * sittings, candidate registration with accommodations, access
 * codes, proctor assignment. One section per file.
 */
#ifndef EXAMD_SCHEDULING_H
#define EXAMD_SCHEDULING_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "bounds.h"
#include "http.h"
#include "store_sched.h"

struct store;

/* --- sched.c: the API, and the same units for examctl ------------------- */

extern const struct route sched_routes[];

/*
 * The units the API submits, run synchronously for examctl (audited with
 * actor "examctl"). Input is validated by the caller with the sched_rule.c
 * checks first. 0, or -1 with a message for a person in *errstr (caller
 * frees).
 */
int	sched_ctl_sitting_create(struct store *, struct store_sitting *,
	    char **errstr);
int	sched_ctl_register(struct store *, struct store_cand *,
	    char code[AUTH_CODE_PRINT], char **errstr);
int	sched_ctl_proctor_add(struct store *, int64_t sid, int64_t assoc,
	    int64_t uid, char **errstr);

/* --- sched_rule.c: the rules, no I/O -------------------------------------- */

#define SCHED_LATE_APPROVAL_MS	(14LL * 86400 * 1000)	/* requests are due two weeks ahead */
#define SCHED_MULT_MIN		1.0
#define SCHED_MULT_MAX		3.0

/*
 * The exam program a track sits ("IMH" or "ECMH"). NULL with *known 1 for
 * a track that takes no written exam (IFA, IFS), NULL with *known 0 for an
 * unknown code.
 */
const char *sched_track_program(const char *track, int *known);
/* 0 when track may sit a form of program; -1 with the reason in why. */
int	sched_track_problem(const char *track, const char *program, char *why,
	    size_t len);
/*
 * Everything about one registration that needs no database: name, e-mail,
 * track against the form's program, accommodations (multiplier 1.0-3.0,
 * extra minutes, an approval date not in the future and required when an
 * accommodation is granted). 0 or -1 with the reason.
 */
int	sched_cand_problem(const struct store_cand *, const char *program,
	    int64_t now, char *why, size_t len);
/* 1 when the accommodations were approved less than 14 days before opens_at. */
int	sched_late_approval(const struct store_cand *, int64_t opens_at);
/* 1 when any accommodation is granted. */
int	sched_has_accommodations(const struct store_cand *);
/* The window's own rules: end after start, at most EXAMD_MAX_WINDOW_DAYS. */
int	sched_window_problem(int64_t opens, int64_t closes, char *why,
	    size_t len);
int	sched_email_valid(const char *);
/* Text without control characters (names, titles); tabs and newlines too. */
int	sched_text_valid(const char *, int allow_newlines);
/* "2027-02-20" (midnight UTC) or an RFC 3339 time, to ms. 0 or -1. */
int	sched_date_parse(const char *, int64_t *ms);
/* "2027-02-20" of ms (UTC) into buf (>= 11 bytes). */
void	sched_date_format(int64_t ms, char *buf, size_t len);

/* CSV columns a registration file may have; the header row names them. */
enum sched_col {
	COL_NAME, COL_EMAIL, COL_TRACK, COL_MULTIPLIER, COL_EXTRA_MC,
	COL_EXTRA_ESSAY, COL_BREAKS, COL_NOTE, COL_APPROVED, COL_N
};
struct sched_cols {
	int	 idx[COL_N];	/* column of each, -1 when absent */
	int	 n;		/* columns in the header */
};
struct sched_csv_row;
/* Maps the header; -1 with the reason (unknown, repeated or missing column). */
int	sched_csv_header(const struct sched_csv_row *, struct sched_cols *,
	    char *why, size_t len);
/* One data row into c (zeroed first); -1 with the reason. Checks shapes only. */
int	sched_csv_cand(const struct sched_cols *, const struct sched_csv_row *,
	    struct store_cand *c, char *why, size_t len);

/* --- sched_csv.c: RFC 4180 parsing, no I/O -------------------------------- */

#define SCHED_CSV_MAX_BYTES	EXAMD_MAX_BODY
#define SCHED_CSV_MAX_ROWS	EXAMD_MAX_CAPACITY	/* data rows */
#define SCHED_CSV_MAX_COLS	32
#define SCHED_CSV_MAX_FIELD	EXAMD_CSV_MAX_FIELD

struct sched_csv_row {
	char	**f;		/* fields, NUL-terminated UTF-8 */
	int	  n;
	int	  num;		/* record number: the header is 1 */
	int	  line;		/* physical line it starts on */
};

struct sched_csv {
	struct sched_csv_row	*rows;	/* rows[0] is the header */
	int			 nrows;
};

/*
 * Parses buf (a UTF-8 BOM is skipped). Refuses the whole file, with the
 * line in *errstr (caller frees), on invalid UTF-8, a NUL byte, a quote
 * that is not closed or not around a whole field, a field over
 * SCHED_CSV_MAX_FIELD, more than SCHED_CSV_MAX_ROWS data rows or
 * SCHED_CSV_MAX_COLS columns, or more than SCHED_CSV_MAX_BYTES. Blank
 * lines are skipped. Row lengths are not checked here.
 */
int	sched_csv_parse(const char *buf, size_t len, struct sched_csv **,
	    char **errstr);
void	sched_csv_free(struct sched_csv *);

#endif
