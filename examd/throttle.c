/* Sign-in throttling: see throttle.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "throttle.h"

struct throttle_slot {
	char		 key[THROTTLE_KEY];	/* "" when empty */
	int		 failures;
	int64_t		 last_ms;		/* last failure */
	int64_t		 until_ms;		/* blocked until */
};

struct throttle {
	struct throttle_slot	*slots;
	unsigned		 mask;
	int			 free_failures;
	int64_t			 max_delay_ms, quiet_ms;
};

struct throttle *
throttle_new(int slots, int free_failures, int64_t max_delay_ms,
    int64_t quiet_ms)
{
	struct throttle *t;
	unsigned n = THROTTLE_PROBE;

	while (n < (unsigned)slots)
		n <<= 1;
	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->slots = calloc(n, sizeof *t->slots)) == NULL)
		fatal("throttle_new");
	t->mask = n - 1;
	t->free_failures = free_failures;
	t->max_delay_ms = max_delay_ms;
	t->quiet_ms = quiet_ms;
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

int64_t
throttle_delay_ms(int failures, int free_failures, int64_t max_delay_ms)
{
	int n = failures - free_failures;

	if (n <= 0)
		return 0;
	if (n > 40)
		return max_delay_ms;
	return (1000LL << (n - 1)) < max_delay_ms ? (1000LL << (n - 1)) :
	    max_delay_ms;
}

static unsigned
throttle_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding key, or NULL; with create, a slot for it (evicting). */
static struct throttle_slot *
throttle_slot(struct throttle *t, const char *key, int64_t now, int create)
{
	struct throttle_slot *s, *victim = NULL;
	char k[THROTTLE_KEY];
	unsigned h, i;

	/* Long keys keep their tail's hash so that they stay distinct. */
	if (strlen(key) >= sizeof k)
		snprintf(k, sizeof k, "%.80s#%08x", key, throttle_hash(key));
	else
		snprintf(k, sizeof k, "%s", key);
	h = throttle_hash(k);
	for (i = 0; i < THROTTLE_PROBE; i++) {
		s = &t->slots[(h + i) & t->mask];
		if (s->key[0] != '\0' && now - s->last_ms > t->quiet_ms &&
		    now >= s->until_ms)
			s->key[0] = '\0';	/* forgotten after the quiet period */
		if (s->key[0] != '\0' && strcmp(s->key, k) == 0)
			return s;
		/* The first empty slot, else the oldest failure. */
		if (victim == NULL || (victim->key[0] != '\0' &&
		    (s->key[0] == '\0' || s->last_ms < victim->last_ms)))
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof *victim);
	snprintf(victim->key, sizeof victim->key, "%s", k);
	return victim;
}

int64_t
throttle_check(struct throttle *t, const char *key, int64_t now_ms)
{
	struct throttle_slot *s = throttle_slot(t, key, now_ms, 0);

	return s != NULL && s->until_ms > now_ms ? s->until_ms - now_ms : 0;
}

int64_t
throttle_fail(struct throttle *t, const char *key, int64_t now_ms)
{
	struct throttle_slot *s = throttle_slot(t, key, now_ms, 1);
	int64_t d;

	s->failures++;
	s->last_ms = now_ms;
	d = throttle_delay_ms(s->failures, t->free_failures, t->max_delay_ms);
	if (d > 0)
		s->until_ms = now_ms + d;
	return d;
}

void
throttle_ok(struct throttle *t, const char *key)
{
	struct throttle_slot *s = throttle_slot(t, key, 0, 0);

	if (s != NULL)
		memset(s, 0, sizeof *s);
}

int
throttle_count(struct throttle *t)
{
	unsigned i;
	int n = 0;

	for (i = 0; i <= t->mask; i++)
		n += t->slots[i].key[0] != '\0';
	return n;
}
