/*
 * Storage for identity (store_identity.c): associations, staff accounts,
 * sessions, the candidate sign-in lookup, proctor assignment, incidents.
 *
 * Readers (store_*_get, *_list, *_find) run on the loop thread through the
 * read connection and return 1 found, 0 not found, -1 on error (logged).
 * Writers take a store_tx and run inside a unit on the writer thread; they
 * return 0, STORE_DUP when a unique key is taken, or -1 after
 * store_tx_fail().
 */
#ifndef EXAMD_STORE_IDENTITY_H
#define EXAMD_STORE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"

struct store;
struct store_tx;

#define STORE_DUP	1	/* a writer's unique key is already taken */

#define USERNAME_MAX	64
#define ASSOC_CODE_MAX	32
#define ASSOC_NAME_MAX	200
#define ENDORSEMENT_MAX	16

struct store_user {
	int64_t		 id;
	char		 username[USERNAME_MAX + 1];
	int		 role;			/* ROLE_* */
	int64_t		 association_id;	/* 0 for admin */
	char		 password_hash[AUTH_ARGON2_ENCODED];
	char		 endorsement[ENDORSEMENT_MAX + 1];
	int		 may_adjudicate, disabled;
	int64_t		 created_at;
};

struct store_session {
	int64_t		 id;
	int		 role;
	int64_t		 principal_id, association_id;
	int64_t		 created_at, last_seen_at, expires_at, idle_ms;	/* idle_ms 0: none */
	int		 revoked;
};

struct store_candidate_login {
	int64_t		 id, sitting_id, association_id;
	int64_t		 opens_at, closes_at;
	/* The latest expiry of any of the candidate's sessions (0: none):
	 * delivery keeps them past the close while a part still runs. */
	int64_t		 kept_until;
	char		 status[24];
};

/* Role names as stored: "admin", "coordinator", ...; 0 for an unknown name. */
int		 store_role_parse(const char *);
const char	*store_role_name(int role);

/* Associations. */
int	store_association_find(struct store *, const char *code, int64_t *id);
int	store_association_exists(struct store *, int64_t id);
int	store_associations_list(struct store *, json_t *array);
int	store_association_insert(struct store_tx *, const char *code,
	    const char *name, int64_t *id);

/* Staff. */
int	store_user_find(struct store *, const char *username, struct store_user *);
int	store_user_get(struct store *, int64_t id, struct store_user *);
/* assoc 0: every user. Never includes password hashes. */
int	store_users_list(struct store *, int64_t assoc, json_t *array);
json_t	*store_user_json(const struct store_user *);
int	store_user_insert(struct store_tx *, const struct store_user *, int64_t *id);
int	store_user_set_disabled(struct store_tx *, int64_t id, int disabled);
int	store_user_set_password(struct store_tx *, int64_t id, const char *hash);

/* Sessions. */
int	store_session_find(struct store *, const char *token_hash, struct store_session *);
int	store_session_insert(struct store_tx *, const char *token_hash,
	    const struct store_session *, int64_t *id);
int	store_session_revoke(struct store_tx *, int64_t id, int64_t now);
/* Every live session of a principal; *n how many. */
int	store_sessions_revoke_principal(struct store_tx *, int role,
	    int64_t principal_id, int64_t now, int *n);
int	store_session_touch(struct store_tx *, int64_t id, int64_t now);
/*
 * Activity at now for the n session ids (duplicates allowed) that have an
 * idle timeout and have not ended: an open event stream keeps its session
 * alive. One statement; a session already ended stays ended.
 */
int	store_sessions_touch(struct store_tx *, const int64_t *ids, size_t n,
	    int64_t now);
/*
 * Of the n sessions ids (duplicates allowed), those ended at now (revoked,
 * expired or idle, as auth.c judges a token) go to ended[] (room for n,
 * caller's); returns how many, or -1 on error (logged). *next is the
 * earliest time one of the others ends by the clock (INT64_MAX: none);
 * a revocation or a touch can change it. One read on the loop's connection.
 */
int	store_sessions_ended(struct store *, const int64_t *ids, size_t n,
	    int64_t now, int64_t *ended, int64_t *next);

/* Candidates and sittings, as sign-in and scoping need them. */
int	store_candidate_by_code(struct store *, const char *code_hash,
	    struct store_candidate_login *);
int	store_sitting_association(struct store *, int64_t sitting_id, int64_t *assoc);
int	store_sitting_has_proctor(struct store *, int64_t sitting_id, int64_t user_id);

/* Incidents. */
int	store_incident_insert(struct store_tx *, int64_t sitting_id,
	    int64_t candidate_id, int64_t assoc, const char *kind,
	    const char *details_json, int64_t user_id, int64_t now);
int	store_incidents_list(struct store *, int64_t sitting_id, json_t *array);

#endif
