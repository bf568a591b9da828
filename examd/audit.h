/*
 * The audit chain: an append-only table in which every entry carries the
 * SHA-256 of the entry before it, so that a changed, deleted, inserted or
 * reordered entry is detectable offline (`examctl audit verify`).
 *
 * Canonical entry (the bytes that are hashed), one field per line, fields
 * in this order, integers in decimal, a NULL integer as the empty string:
 *
 *	seq \n at \n actor \n role \n association_id \n candidate_id \n
 *	action \n object \n details \n request_id
 *
 * where details is the stored JSON text (written compact, keys sorted) and
 * no field may contain a newline (append replaces one by a space).
 * hash = hex(SHA-256(prev_hash_hex "\n" canonical)); the first entry's
 * prev_hash is 64 zeros.
 *
 * Writing: call store_audit_append() inside the store unit that makes the
 * change it records, so that both commit or neither does. For entries that
 * record no change of their own (sign-in failures, denials) audit_submit()
 * queues a unit that holds only the entry.
 */
#ifndef EXAMD_AUDIT_H
#define EXAMD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;
struct store_tx;
struct req;
struct server;

#define AUDIT_HASH_HEX	65	/* 64 hex digits + NUL */

struct audit_rec {
	const char	*actor;		/* "user:3", "candidate:9", "anonymous" */
	const char	*role;		/* "admin", ..., "candidate", "-" */
	int64_t		 association_id;	/* 0: none */
	int64_t		 candidate_id;		/* 0: none */
	const char	*action;	/* "login", "login.failed", "user.create", ... */
	const char	*object;	/* "user:3", "sitting:4"; NULL for "" */
	json_t		*details;	/* borrowed; NULL for {} */
	const char	*details_text;	/* instead of details: canonical JSON text */
	const char	*request_id;	/* NULL for "" */
};

/* An entry as stored: what verify and the API read back. */
struct audit_entry {
	int64_t		 seq;
	const char	*at, *actor, *role;
	int64_t		 association_id, candidate_id;	/* 0 when NULL */
	const char	*action, *object, *details, *request_id;
	const char	*prev_hash, *hash;
};

/* The canonical bytes of e (malloc'd, NUL-terminated; caller frees). */
char	*audit_canonical(const struct audit_entry *e);
/* hex(SHA-256(prev "\n" canonical)) into out[AUDIT_HASH_HEX]. */
void	 audit_hash(const char *prev_hash, const char *canonical,
	    char out[AUDIT_HASH_HEX]);
/* Details as canonical JSON text (compact, sorted keys); caller frees. */
char	*audit_details_text(json_t *details);

/*
 * Checking a chain entry by entry, in seq order. audit_verify_next()
 * returns 0 when e follows the entries fed before it, or -1 with a reason
 * in why (static text).
 */
struct audit_verify {
	int64_t		 expect_seq;	/* next seq expected; starts at 1 */
	char		 prev[AUDIT_HASH_HEX];
	int64_t		 count;
};
void	 audit_verify_init(struct audit_verify *);
int	 audit_verify_next(struct audit_verify *, const struct audit_entry *,
	    const char **why);

/* store_audit.c: appends rec in the unit's transaction. 0 or -1 (tx failed). */
int	 store_audit_append(struct store_tx *, const struct audit_rec *);
/*
 * In a store unit: rec, with action, object and details set, appended by
 * store_audit_append(). Consumes the caller's reference to details (NULL
 * for {}), on failure too. 0 or -1 (the transaction failed).
 */
int	 audit_append(struct store_tx *, struct audit_rec *, const char *action,
	    const char *object, json_t *details);
/* Walks the whole chain on the read connection; calls fn per entry in seq order. */
typedef int (*audit_entry_fn)(const struct audit_entry *, void *arg);
int	 store_audit_walk(struct store *, audit_entry_fn, void *arg,
	    char **errstr);

/* Query for the API: NULL/0 filters are off; rows after seq `after`, at most limit. */
struct audit_query {
	int64_t		 association_id;	/* 0: every association (admin) */
	int64_t		 candidate_id;
	const char	*actor, *action;
	const char	*since, *until;		/* RFC 3339, compared as text */
	int64_t		 after;
	int		 limit;
};
/* Appends matching entries as JSON objects to array. 0 or -1. */
int	 store_audit_query(struct store *, const struct audit_query *,
	    json_t *array, char **errstr);

/*
 * Loop thread: queues a unit holding only this entry (copied). Fire and
 * forget: a failure is logged. The actor, role and association come from
 * rec; audit_rec_from_req() fills them and the request id from req->who.
 */
void	 audit_submit(struct server *, const struct audit_rec *);
void	 audit_rec_from_req(struct audit_rec *, struct req *, char *actorbuf,
	    size_t actorlen);

#endif
