/*
 * delivery_shuffle.c: per-attempt item and option order from a 64-bit seed,
 * and the candidate-facing choice ids.
 *
 * Generator: xoshiro256** (Blackman and Vigna, 2018), its state filled by
 * splitmix64 from (seed, stream_a, stream_b), as its authors recommend.
 * Streams: the item order of part s is drawn from (seed, s, STREAM_ITEMS),
 * the option order of the item shown at position p of part s from
 * (seed, s, p); p < 2^32 never meets STREAM_ITEMS. Everything is
 * fixed-width integer arithmetic, so orders are the same on every platform.
 */
#include <assert.h>
#include <string.h>

#include "delivery.h"
#include "qti.h"

/* Choice ids are single letters. */
static_assert(QTI_MAX_CHOICES <= 26, "choice ids are the letters a..z");

/* Stream b of the item order; option orders use item_pos, which is below. */
#define STREAM_ITEMS	UINT64_C(0xffffffffffffffff)

uint64_t
delivery_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
delivery_rng_init(struct delivery_rng *r, uint64_t seed, uint64_t stream_a,
    uint64_t stream_b)
{
	uint64_t sm = seed;
	int i;

	/* Fold the streams in through splitmix64 outputs, so nearby
	 * (seed, a, b) triples give unrelated states. */
	sm = delivery_splitmix64(&sm) ^ stream_a;
	sm = delivery_splitmix64(&sm) ^ stream_b;
	for (i = 0; i < 4; i++)
		r->s[i] = delivery_splitmix64(&sm);
	/* An all-zero state would stay zero; splitmix64 makes it astronomically
	 * unlikely, but keep the generator's invariant anyway. */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
delivery_rng_next(struct delivery_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t
delivery_rng_below(struct delivery_rng *r, uint64_t n)
{
	/* Reject the values below 2^64 mod n, so every residue is equally
	 * likely. */
	uint64_t threshold = (0 - n) % n;
	uint64_t x;

	do
		x = delivery_rng_next(r);
	while (x < threshold);
	return x % n;
}

/* Fisher-Yates over the positions slots[0..m-1] of perm (slots NULL: the
 * positions 0..m-1). */
static void
shuffle_slots(struct delivery_rng *r, size_t *perm, const size_t *slots,
    size_t m)
{
	size_t i, a, b, t;

	for (i = m; i > 1; i--) {
		a = i - 1;
		b = (size_t)delivery_rng_below(r, i);
		if (slots != NULL) {
			a = slots[a];
			b = slots[b];
		}
		t = perm[a];
		perm[a] = perm[b];
		perm[b] = t;
	}
}

void
delivery_shuffle_items(uint64_t seed, uint32_t section, size_t n, size_t *perm)
{
	struct delivery_rng r;
	size_t i;

	for (i = 0; i < n; i++)
		perm[i] = i;
	delivery_rng_init(&r, seed, section, STREAM_ITEMS);
	shuffle_slots(&r, perm, NULL, n);
}

void
delivery_shuffle_choices(uint64_t seed, uint32_t section, uint32_t item_pos,
    size_t n, bool shuffle, const bool *fixed, size_t *perm)
{
	struct delivery_rng r;
	size_t slots[QTI_MAX_CHOICES];
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		perm[i] = i;
	if (!shuffle || n > QTI_MAX_CHOICES)
		return;
	for (i = 0; i < n; i++)
		if (fixed == NULL || !fixed[i])
			slots[m++] = i;
	delivery_rng_init(&r, seed, section, item_pos);
	shuffle_slots(&r, perm, slots, m);
}

bool
delivery_perm_valid(const size_t *perm, size_t n)
{
	size_t i, j;

	/* O(n^2) without allocation: orders hold at most a few hundred. */
	for (i = 0; i < n; i++) {
		if (perm[i] >= n)
			return false;
		for (j = 0; j < i; j++)
			if (perm[j] == perm[i])
				return false;
	}
	return true;
}

int
delivery_choice_id(size_t pos, size_t n, char out[2])
{
	if (n > QTI_MAX_CHOICES || pos >= n)
		return -1;
	out[0] = (char)('a' + pos);
	out[1] = '\0';
	return 0;
}

int
delivery_choice_parse(const char *id, size_t n)
{
	if (id == NULL || n > QTI_MAX_CHOICES || id[0] < 'a' || id[0] > 'z' ||
	    id[1] != '\0' || (size_t)(id[0] - 'a') >= n)
		return -1;
	return id[0] - 'a';
}

int
delivery_choice_original(const char *id, const size_t *perm, size_t n)
{
	int pos = delivery_choice_parse(id, n);

	if (pos < 0 || perm[pos] >= n)
		return -1;
	return (int)perm[pos];
}
