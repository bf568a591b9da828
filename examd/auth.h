/*
 * Identity: sign-in, sessions, the authenticator, and the helpers every
 * handler uses to scope what it shows to the caller.
 *
 * Semantics, the same for every endpoint:
 *	no token, or an expired/revoked one	401 unauthenticated
 *	a role the route does not serve		403 forbidden (audited)
 *	an object of another association, a
 *	sitting the proctor is not assigned to,
 *	another candidate's anything		404 not_found (audited), as if
 *						it did not exist
 * A candidate's identity comes from the token (req->who.user_id is the
 * candidate id), never from the URL or body.
 */
#ifndef EXAMD_AUTH_H
#define EXAMD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct server;

extern const struct route auth_routes[];
int	auth_init(struct server *, char **errstr);
void	auth_fini(struct server *);

/* --- authorization helpers (loop thread; reads via the read connection) --- */

/* 1 when the caller may see objects of association assoc_id (admin: any). */
int	auth_same_association(struct req *, int64_t assoc_id);
/* 1 when the caller is a proctor assigned to the sitting. */
int	auth_proctor_of(struct req *, int64_t sitting_id);
/*
 * 1 when the caller may look at the sitting: an admin, a coordinator of its
 * association, or a proctor assigned to it. 0 when not or when the sitting
 * does not exist (answer 404 for both), -1 on a store error.
 */
int	auth_may_sitting(struct req *, int64_t sitting_id);
/* The candidate id of a candidate caller, 0 for anyone else. */
int64_t	auth_candidate_id(struct req *);
/*
 * Answers 404 and audits "authz.denied" with the object ("sitting:4"). Use
 * it where a scoping helper said no.
 */
void	auth_deny(struct req *, const char *object);
/*
 * How often a session's activity is written (ms): a quarter of its idle
 * timeout idle_ms, at most EXAMD_SESSION_TOUCH_MS; 0 when idle_ms is 0.
 */
int64_t	auth_touch_every(int64_t idle_ms);

/* --- access codes (auth_code.c; no I/O) --- */

#define AUTH_CODE_CHARS		20	/* 100 bits in Crockford base32 */
#define AUTH_CODE_PRINT		(AUTH_CODE_CHARS + AUTH_CODE_CHARS / 4)	/* with dashes, + NUL */
#define AUTH_HASH_HEX		65	/* SHA-256 hex + NUL */
#define AUTH_TOKEN_CHARS	44	/* 256 bits, base64url, + NUL */

/* A new access code, printed "XXXX-XXXX-XXXX-XXXX-XXXX" into out. */
void	auth_code_new(char out[AUTH_CODE_PRINT]);
/*
 * Normalises what a person typed: drops spaces and dashes, upper-cases,
 * reads I and L as 1 and O as 0 (Crockford). -1 unless exactly 20 valid
 * characters remain.
 */
int	auth_code_normalise(const char *in, char out[AUTH_CODE_CHARS + 1]);
/* hex(SHA-256(normalised code)): what candidates.access_code_hash holds. -1 on a bad code. */
int	auth_code_hash(const char *code, char out[AUTH_HASH_HEX]);
/* A new bearer token (base64url of 32 random bytes). */
void	auth_token_new(char out[AUTH_TOKEN_CHARS]);
/* hex(SHA-256(s)), for tokens. */
void	auth_sha256_hex(const char *s, size_t len, char out[AUTH_HASH_HEX]);
#define AUTH_DIGEST		32	/* SHA-256 */
void	auth_sha256(const void *s, size_t len, unsigned char out[AUTH_DIGEST]);
void	auth_digest_hex(const unsigned char md[AUTH_DIGEST], char out[AUTH_HASH_HEX]);

/* --- passwords (auth_code.c; blocking: call on the pool or in examctl) --- */

#define AUTH_PASSWORD_MIN	12
#define AUTH_PASSWORD_MAX	256
#define AUTH_ARGON2_M_KIB	19456	/* 19 MiB: OWASP's minimum for argon2id */
#define AUTH_ARGON2_T		2
#define AUTH_ARGON2_P		1
#define AUTH_ARGON2_ENCODED	128	/* bytes for the encoded hash */

/* argon2id hash of password, encoded ("$argon2id$v=19$m=..."). 0 or -1. */
int	auth_password_hash(const char *password, char out[AUTH_ARGON2_ENCODED]);
/* 1 when password matches encoded, 0 when not (or encoded is malformed). */
int	auth_password_verify(const char *encoded, const char *password);
/*
 * Takes the string field key of the JSON body as a password: a malloc'd
 * copy in *out (free with auth_password_free, which wipes it), and wipes
 * the field and the raw body, before any reply. -1 and a 422 sent when the
 * field is missing, not a string, longer than AUTH_PASSWORD_MAX or holds NUL.
 * Call it before any other validation that may reply.
 */
int	auth_take_password(struct req *, const char *key, char **out);
void	auth_password_free(char *);
/* A hash of a random password, for taking the same time on unknown users. */
const char *auth_password_dummy(void);

/* --- time (auth_code.c) --- */
int64_t	auth_now_ms(void);
/* "2025-05-01T09:00:00.000Z" into buf (>= 32 bytes). */
void	auth_time_format(int64_t ms, char *buf, size_t len);
/* RFC 3339 with Z or an offset, optional fraction, to ms. 0 or -1. */
int	auth_time_parse(const char *s, int64_t *ms);

#endif
