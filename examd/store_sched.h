/*
 * Storage for scheduling (store_sched.c): sittings, their proctors, and
 * candidate registrations with their accommodations.
 *
 * Conventions as in store_identity.h: readers run on the loop thread through
 * the read connection and return 1 found, 0 not found, -1 on error
 * (logged); *_tx readers and writers run inside a unit on the writer thread
 * and return 0, STORE_DUP when a unique key is taken, or -1 after
 * store_tx_fail().
 */
#ifndef EXAMD_STORE_SCHED_H
#define EXAMD_STORE_SCHED_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "bounds.h"
#include "tz.h"

struct store;
struct store_tx;

#define FORM_ID_MAX		128
#define FORM_PROGRAM_MAX	8	/* "IMH", "ECMH" */
#define SITTING_TITLE_MAX	200
#define SITTING_REASON_MAX	500
#define CAND_NAME_MAX		200
#define CAND_EMAIL_MAX		254	/* RFC 5321 path limit */
#define CAND_TRACK_MAX		16
#define CAND_NOTE_MAX		EXAMD_CSV_MAX_FIELD

struct store_sitting {
	int64_t		 id, association_id;
	char		 exam_id[FORM_ID_MAX + 1];
	char		 title[SITTING_TITLE_MAX + 1];
	int64_t		 opens_at, closes_at;		/* ms, UTC */
	char		 timezone[TZ_NAME_MAX + 1];
	int64_t		 capacity;
	char		 admission_mode[16];		/* "proctor" | "auto" */
	char		 status[16];			/* "scheduled" | "cancelled" */
	char		 cancel_reason[SITTING_REASON_MAX + 1];
	int64_t		 created_at, updated_at, cancelled_at;	/* 0: never */
	int64_t		 registered, started;		/* candidate counts (readers) */
};

struct store_cand {
	int64_t		 id, sitting_id, association_id;
	char		 name[CAND_NAME_MAX + 1];
	char		 email[CAND_EMAIL_MAX + 1];
	char		 track[CAND_TRACK_MAX + 1];
	char		 code_hash[AUTH_HASH_HEX];
	double		 time_multiplier;		/* 1.0 .. 3.0 */
	int64_t		 extra_ms_mc, extra_ms_essay;
	int		 breaks_allowed;
	char		 note[CAND_NOTE_MAX + 1];	/* accommodations note */
	int64_t		 approved_at;			/* ms; 0 none */
	char		 status[24];			/* "registered", ... */
	int64_t		 created_at, code_issued_at;
	int		 signed_in;			/* has had a session (readers) */
};

/*
 * The exam form's program ("IMH" or "ECMH") and whether it is published,
 * from the item bank's forms table. 1 found, 0 no such form, -1 on error
 * (including an item bank that is not installed).
 */
int	store_sched_form_program(struct store *, const char *form_id,
	    char program[FORM_PROGRAM_MAX + 1], int *published);

/* Sittings (with candidate counts). */
int	store_sitting_get(struct store *, int64_t id, struct store_sitting *);
int	store_sitting_get_tx(struct store_tx *, int64_t id, struct store_sitting *);
typedef int (*store_sitting_fn)(const struct store_sitting *, void *arg);
/* assoc 0: every association; proctor non-0: only sittings assigned to that user. 0 or -1. */
int	store_sittings_each(struct store *, int64_t assoc, int64_t proctor,
	    store_sitting_fn, void *arg);
int	store_sitting_insert(struct store_tx *, const struct store_sitting *,
	    int64_t *id);
/* Writes every editable field of s (by s->id) and updated_at. */
int	store_sitting_update(struct store_tx *, const struct store_sitting *,
	    int64_t now);
/* Marks it cancelled and ends its candidates' sessions (*revoked of them). */
int	store_sitting_cancel(struct store_tx *, int64_t id, const char *reason,
	    int64_t now, int *revoked);

/* Proctors: [{"id","username"}]. */
int	store_sitting_proctors(struct store *, int64_t sid, json_t *array);
int	store_sitting_proctor_add(struct store_tx *, int64_t sid, int64_t uid);
/* *n: rows removed (0 when the user was not assigned). */
int	store_sitting_proctor_remove(struct store_tx *, int64_t sid,
	    int64_t uid, int *n);

/* Candidates. */
int	store_cand_insert(struct store_tx *, struct store_cand *, int64_t *id);
int	store_cand_get(struct store *, int64_t sid, int64_t cid, struct store_cand *);
typedef int (*store_cand_fn)(const struct store_cand *, void *arg);
int	store_cands_each(struct store *, int64_t sid, store_cand_fn, void *arg);
/* 1 when a candidate of the sitting has this e-mail (ASCII case ignored). */
int	store_cand_email_taken(struct store *, int64_t sid, const char *email);
/*
 * Replaces the access code. only_fresh: only while the candidate is
 * "registered" and has never signed in (*changed 0 otherwise). Ends the
 * candidate's sessions either way the code changes (*changed 1).
 */
int	store_cand_set_code(struct store_tx *, int64_t cid, const char *hash,
	    int only_fresh, int64_t now, int *changed);

#endif
