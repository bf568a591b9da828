/*
 * Sessions as the authenticator last read them, so that a request costs a
 * SHA-256 and a memory read rather than a SQLite query on the loop.
 *
 * Direct-mapped by the token's digest: a collision evicts, a miss reads the
 * store. An entry is trusted for EXAMD_SESSION_CACHE_MS and only while the
 * store's session generation (store_sessions_gen()) is the one it was read
 * under, so a revocation committed by examd takes effect at once, and one
 * made by examctl beside a running examd within EXAMD_SESSION_CACHE_MS.
 * Loop thread only.
 */
#ifndef EXAMD_SESSION_CACHE_H
#define EXAMD_SESSION_CACHE_H

#include <stdint.h>

#include "store_identity.h"

#define SESSION_DIGEST	32	/* SHA-256 of the token */

struct session_cache;

struct session_cache *session_cache_new(void);
void	session_cache_free(struct session_cache *);
/* 1 and *ss filled on a fresh hit under gen at now (ms), else 0. */
int	session_cache_get(struct session_cache *,
	    const unsigned char digest[SESSION_DIGEST], uint64_t gen,
	    int64_t now, struct store_session *ss);
/* gen as read before the store was. */
void	session_cache_put(struct session_cache *,
	    const unsigned char digest[SESSION_DIGEST], uint64_t gen,
	    int64_t now, const struct store_session *ss);
/* Activity recorded for the cached copy too (no-op on a miss). */
void	session_cache_seen(struct session_cache *,
	    const unsigned char digest[SESSION_DIGEST], int64_t last_seen_at);

#endif
