/*
 * The authenticator's session cache; see session_cache.h. The table is
 * allocated whole but calloc'd, so only slots that are used cost memory.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>	/* CRYPTO_memcmp */

#include "bounds.h"
#include "log.h"
#include "session_cache.h"

struct session_slot {
	unsigned char		digest[SESSION_DIGEST];
	int			used;
	uint64_t		gen;
	int64_t			read_at;
	struct store_session	ss;
};

struct session_cache {
	struct session_slot	*slot;
};

struct session_cache *
session_cache_new(void)
{
	struct session_cache *c;

	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->slot = calloc(EXAMD_SESSION_CACHE_SLOTS,
	    sizeof *c->slot)) == NULL)
		fatal("session_cache_new");
	return c;
}

void
session_cache_free(struct session_cache *c)
{
	if (c == NULL)
		return;
	free(c->slot);
	free(c);
}

/* The digest is uniform already: its first bytes are the index. */
static struct session_slot *
session_cache_slot(struct session_cache *c,
    const unsigned char d[SESSION_DIGEST])
{
	uint32_t h = (uint32_t)d[0] | (uint32_t)d[1] << 8 |
	    (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;

	return &c->slot[h % EXAMD_SESSION_CACHE_SLOTS];
}

static struct session_slot *
session_cache_find(struct session_cache *c,
    const unsigned char d[SESSION_DIGEST])
{
	struct session_slot *sl = session_cache_slot(c, d);

	if (!sl->used || CRYPTO_memcmp(sl->digest, d, SESSION_DIGEST) != 0)
		return NULL;
	return sl;
}

int
session_cache_get(struct session_cache *c,
    const unsigned char d[SESSION_DIGEST], uint64_t gen, int64_t now,
    struct store_session *ss)
{
	struct session_slot *sl = session_cache_find(c, d);

	/* A clock that went back is not trusted either. */
	if (sl == NULL || sl->gen != gen || now < sl->read_at ||
	    now - sl->read_at >= EXAMD_SESSION_CACHE_MS)
		return 0;
	*ss = sl->ss;
	return 1;
}

void
session_cache_put(struct session_cache *c,
    const unsigned char d[SESSION_DIGEST], uint64_t gen, int64_t now,
    const struct store_session *ss)
{
	struct session_slot *sl = session_cache_slot(c, d);

	memcpy(sl->digest, d, SESSION_DIGEST);
	sl->used = 1;
	sl->gen = gen;
	sl->read_at = now;
	sl->ss = *ss;
}

void
session_cache_seen(struct session_cache *c,
    const unsigned char d[SESSION_DIGEST], int64_t last_seen_at)
{
	struct session_slot *sl = session_cache_find(c, d);

	if (sl != NULL && last_seen_at > sl->ss.last_seen_at)
		sl->ss.last_seen_at = last_seen_at;
}
