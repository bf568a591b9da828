/*
 * test_delivery_shuffle.c: per-attempt item and option orders from a seed,
 * and candidate-facing choice ids (examd/delivery_shuffle.c). Every "random"
 * check uses fixed seeds, so these tests cannot flake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../examd/delivery.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
assert_perm_equal(const size_t *got, const size_t *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("position %zu: got %zu, want %zu", i, got[i],
			    want[i]);
}

/* Published reference outputs: splitmix64 from state 0, and xoshiro256**
 * from the state {1, 2, 3, 4}. */
static void
test_generators_match_reference(void **state)
{
	static const uint64_t sm[] = {
		UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
		UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec),
	};
	static const uint64_t xo[] = {
		UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240),
		UINT64_C(1215971899390074240),
	};
	struct delivery_rng r = { { 1, 2, 3, 4 } };
	uint64_t s = 0;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(sm); i++)
		assert_true(delivery_splitmix64(&s) == sm[i]);
	for (i = 0; i < NELEM(xo); i++)
		assert_true(delivery_rng_next(&r) == xo[i]);
}

/* Frozen orders: if one of these changes, attempts already delivered could
 * no longer be checked against their seed. Do not update them lightly. */
static void
test_fixed_vectors(void **state)
{
	static const size_t items10[] = { 1, 2, 9, 8, 3, 0, 7, 5, 6, 4 };
	static const size_t items10_s1[] = { 0, 3, 9, 5, 4, 7, 8, 1, 2, 6 };
	static const size_t items60[] = {
		21, 19, 3, 22, 54, 33, 51, 41, 40, 2, 49, 9, 46, 58, 4, 0, 14,
		20, 5, 59, 28, 30, 55, 44, 39, 32, 57, 23, 16, 37, 24, 53, 34,
		10, 17, 31, 27, 50, 7, 26, 13, 52, 38, 36, 25, 43, 15, 29, 56,
		12, 6, 48, 42, 8, 1, 47, 18, 45, 35, 11,
	};
	static const size_t ch[4][4] = {
		{ 0, 3, 2, 1 }, { 2, 3, 0, 1 }, { 2, 1, 3, 0 }, { 1, 3, 2, 0 },
	};
	struct delivery_rng r;
	size_t p[60];
	uint32_t k;

	(void)state;
	delivery_shuffle_items(UINT64_C(0x0123456789abcdef), 0, 10, p);
	assert_perm_equal(p, items10, 10);
	delivery_shuffle_items(UINT64_C(0x0123456789abcdef), 1, 10, p);
	assert_perm_equal(p, items10_s1, 10);
	delivery_shuffle_items(42, 0, 60, p);
	assert_perm_equal(p, items60, 60);
	for (k = 0; k < 4; k++) {
		delivery_shuffle_choices(42, 0, k, 4, true, NULL, p);
		assert_perm_equal(p, ch[k], 4);
	}
	delivery_rng_init(&r, 42, 0, 0);
	assert_true(delivery_rng_next(&r) == UINT64_C(0xc986fd807e5b8ab5));
	assert_true(delivery_rng_next(&r) == UINT64_C(0xe071ea15f19664d1));
}

static void
test_same_seed_same_order(void **state)
{
	size_t a[60], b[60];
	uint64_t seed;
	size_t same = 0;

	(void)state;
	for (seed = 1; seed < 200; seed++) {
		delivery_shuffle_items(seed, 0, 60, a);
		delivery_shuffle_items(seed, 0, 60, b);
		assert_memory_equal(a, b, sizeof(a));
		/* neighbouring seeds, and the other part, give other orders */
		delivery_shuffle_items(seed + 1, 0, 60, b);
		same += memcmp(a, b, sizeof(a)) == 0;
		delivery_shuffle_items(seed, 1, 60, b);
		same += memcmp(a, b, sizeof(a)) == 0;
		delivery_shuffle_choices(seed, 0, 5, 4, true, NULL, a);
		delivery_shuffle_choices(seed, 0, 5, 4, true, NULL, b);
		assert_memory_equal(a, b, 4 * sizeof(size_t));
	}
	assert_int_equal(same, 0);
}

static void
test_permutations_are_valid(void **state)
{
	size_t p[200];
	bool fixed[26];
	uint64_t seed;
	size_t n, i;

	(void)state;
	for (seed = 0; seed < 50; seed++)
		for (n = 0; n <= 200; n += (n < 10 ? 1 : 37)) {
			delivery_shuffle_items(seed * 7919, (uint32_t)seed, n, p);
			assert_true(delivery_perm_valid(p, n));
		}
	for (seed = 0; seed < 200; seed++)
		for (n = 1; n <= 26; n++) {
			for (i = 0; i < n; i++)
				fixed[i] = (seed + i) % 3 == 0;
			delivery_shuffle_choices(seed, 1, (uint32_t)n, n, true,
			    fixed, p);
			assert_true(delivery_perm_valid(p, n));
		}
}

static void
test_perm_valid_refuses(void **state)
{
	static const size_t ok[] = { 2, 0, 1 }, dup[] = { 0, 1, 1 },
	    big[] = { 0, 3, 1 };

	(void)state;
	assert_true(delivery_perm_valid(ok, 3));
	assert_false(delivery_perm_valid(dup, 3));
	assert_false(delivery_perm_valid(big, 3));
	assert_true(delivery_perm_valid(NULL, 0));
}

/* QTI fixed="true" choices keep their place; the others still move. */
static void
test_fixed_choices_stay(void **state)
{
	const bool last[] = { false, false, false, true };	/* "none of these" */
	const bool ends[] = { true, false, false, false, true };
	unsigned seen[4][4] = { { 0 } };
	size_t p[5];
	uint64_t seed;
	int i, j;

	(void)state;
	for (seed = 0; seed < 600; seed++) {
		delivery_shuffle_choices(seed, 0, 3, 4, true, last, p);
		assert_int_equal(p[3], 3);
		for (i = 0; i < 4; i++)
			seen[i][p[i]]++;
		delivery_shuffle_choices(seed, 0, 3, 5, true, ends, p);
		assert_int_equal(p[0], 0);
		assert_int_equal(p[4], 4);
		assert_true(delivery_perm_valid(p, 5));
	}
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			assert_in_range(seen[i][j], 150, 250);	/* ~200 each */
	/* all fixed, or shuffle="false": the original order */
	delivery_shuffle_choices(9, 0, 0, 4, false, NULL, p);
	for (i = 0; i < 4; i++)
		assert_int_equal(p[i], i);
}

/*
 * Each original choice lands on each position about equally often over
 * 8000 seeds (2000 expected, sd ~39; a biased shuffle such as swapping
 * with any position at every step is off by ~100-300). Deterministic seeds:
 * this cannot flake, only catch a change.
 */
static void
test_option_positions_uniform(void **state)
{
	unsigned count[4][4] = { { 0 } };
	size_t p[4];
	uint64_t seed;
	int i, j;

	(void)state;
	for (seed = 0; seed < 8000; seed++) {
		delivery_shuffle_choices(seed, 0, 0, 4, true, NULL, p);
		for (i = 0; i < 4; i++)
			count[i][p[i]]++;
	}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			if (count[i][j] < 1850 || count[i][j] > 2150)
				fail_msg("original %d at position %d: %u of 8000",
				    j, i, count[i][j]);
}

/* Item order: chi-square of which item comes first over 6000 seeds
 * (60 cells, 59 degrees of freedom: mean 59, sd ~11). */
static void
test_item_positions_uniform(void **state)
{
	unsigned first[60] = { 0 }, last[60] = { 0 };
	size_t p[60];
	uint64_t seed;
	double chi_first = 0, chi_last = 0, d;
	int i;

	(void)state;
	for (seed = 0; seed < 6000; seed++) {
		delivery_shuffle_items(seed, 0, 60, p);
		first[p[0]]++;
		last[p[59]]++;
	}
	for (i = 0; i < 60; i++) {
		d = first[i] - 100.0;
		chi_first += d * d / 100.0;
		d = last[i] - 100.0;
		chi_last += d * d / 100.0;
	}
	if (chi_first > 100 || chi_last > 100)
		fail_msg("chi-square first %.1f, last %.1f (59 df)", chi_first,
		    chi_last);
}

/* The choice id of the key says nothing: over many candidates the key is
 * shown as a, b, c and d about equally often, whatever its original
 * position. */
static void
test_choice_ids_reveal_nothing(void **state)
{
	unsigned as_letter[4] = { 0 };
	char id[2];
	size_t p[4];
	uint64_t seed;
	int pos, key = 0;

	(void)state;
	for (seed = 0; seed < 4000; seed++) {
		delivery_shuffle_choices(seed, 0, (uint32_t)(seed % 60), 4, true,
		    NULL, p);
		for (pos = 0; pos < 4; pos++)
			if ((int)p[pos] == key)
				break;
		assert_int_equal(delivery_choice_id((size_t)pos, 4, id), 0);
		assert_int_equal(delivery_choice_original(id, p, 4), key);
		as_letter[id[0] - 'a']++;
	}
	for (pos = 0; pos < 4; pos++)
		assert_in_range(as_letter[pos], 900, 1100);
}

static void
test_choice_ids(void **state)
{
	static const size_t p[] = { 0, 3, 2, 1 };
	char id[2] = "?";

	(void)state;
	assert_int_equal(delivery_choice_id(0, 4, id), 0);
	assert_string_equal(id, "a");
	assert_int_equal(delivery_choice_id(3, 4, id), 0);
	assert_string_equal(id, "d");
	assert_int_equal(delivery_choice_id(4, 4, id), -1);
	assert_int_equal(delivery_choice_id(25, 26, id), 0);
	assert_string_equal(id, "z");
	assert_int_equal(delivery_choice_id(0, 27, id), -1);

	assert_int_equal(delivery_choice_parse("a", 4), 0);
	assert_int_equal(delivery_choice_parse("d", 4), 3);
	assert_int_equal(delivery_choice_parse("e", 4), -1);
	assert_int_equal(delivery_choice_parse("A", 4), -1);
	assert_int_equal(delivery_choice_parse("ab", 4), -1);
	assert_int_equal(delivery_choice_parse("", 4), -1);
	assert_int_equal(delivery_choice_parse("`", 4), -1);
	assert_int_equal(delivery_choice_parse("ChoiceA", 4), -1);
	assert_int_equal(delivery_choice_parse(NULL, 4), -1);

	/* shown a b c d = originals 0 3 2 1 */
	assert_int_equal(delivery_choice_original("a", p, 4), 0);
	assert_int_equal(delivery_choice_original("b", p, 4), 3);
	assert_int_equal(delivery_choice_original("d", p, 4), 1);
	assert_int_equal(delivery_choice_original("e", p, 4), -1);
}

static void
test_rng_below_bounds(void **state)
{
	struct delivery_rng r;
	unsigned hits[3] = { 0 };
	uint64_t x;
	int i;

	(void)state;
	delivery_rng_init(&r, 7, 0, 0);
	for (i = 0; i < 3000; i++) {
		assert_true(delivery_rng_below(&r, 1) == 0);
		x = delivery_rng_below(&r, 3);
		assert_true(x < 3);
		hits[x]++;
		x = delivery_rng_below(&r, UINT64_MAX);
		assert_true(x < UINT64_MAX);
	}
	for (i = 0; i < 3; i++)
		assert_in_range(hits[i], 900, 1100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generators_match_reference),
		cmocka_unit_test(test_fixed_vectors),
		cmocka_unit_test(test_same_seed_same_order),
		cmocka_unit_test(test_permutations_are_valid),
		cmocka_unit_test(test_perm_valid_refuses),
		cmocka_unit_test(test_fixed_choices_stay),
		cmocka_unit_test(test_option_positions_uniform),
		cmocka_unit_test(test_item_positions_uniform),
		cmocka_unit_test(test_choice_ids_reveal_nothing),
		cmocka_unit_test(test_choice_ids),
		cmocka_unit_test(test_rng_below_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
