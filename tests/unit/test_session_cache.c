/* The authenticator's session cache: session_cache.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bounds.h"
#include "session_cache.h"

static void
digest(unsigned char d[SESSION_DIGEST], int seed)
{
	int i;

	for (i = 0; i < SESSION_DIGEST; i++)
		d[i] = (unsigned char)(seed * 31 + i * 7);
}

static struct store_session
session(int64_t id)
{
	struct store_session ss;

	memset(&ss, 0, sizeof ss);
	ss.id = id;
	ss.role = 5;
	ss.principal_id = id * 10;
	ss.last_seen_at = 1000;
	return ss;
}

static void
test_hit_within_ttl_under_same_generation(void **state)
{
	struct session_cache *c = session_cache_new();
	struct store_session in = session(7), out;
	unsigned char d[SESSION_DIGEST];

	(void)state;
	digest(d, 1);
	assert_int_equal(session_cache_get(c, d, 3, 5000, &out), 0);
	session_cache_put(c, d, 3, 5000, &in);
	assert_int_equal(session_cache_get(c, d, 3, 5000, &out), 1);
	assert_int_equal(out.id, 7);
	assert_int_equal(out.principal_id, 70);
	assert_int_equal(session_cache_get(c, d, 3,
	    5000 + EXAMD_SESSION_CACHE_MS - 1, &out), 1);
	session_cache_free(c);
}

static void
test_stale_after_ttl_generation_or_clock_back(void **state)
{
	struct session_cache *c = session_cache_new();
	struct store_session in = session(7), out;
	unsigned char d[SESSION_DIGEST];

	(void)state;
	digest(d, 2);
	session_cache_put(c, d, 3, 5000, &in);
	assert_int_equal(session_cache_get(c, d, 3,
	    5000 + EXAMD_SESSION_CACHE_MS, &out), 0);
	assert_int_equal(session_cache_get(c, d, 4, 5001, &out), 0);
	assert_int_equal(session_cache_get(c, d, 3, 4999, &out), 0);
	session_cache_free(c);
}

static void
test_other_digest_in_the_same_slot_misses(void **state)
{
	struct session_cache *c = session_cache_new();
	struct store_session a = session(1), b = session(2), out;
	unsigned char da[SESSION_DIGEST], db[SESSION_DIGEST];

	(void)state;
	digest(da, 3);
	memcpy(db, da, SESSION_DIGEST);
	db[SESSION_DIGEST - 1] ^= 1;	/* same index, other token */
	session_cache_put(c, da, 1, 100, &a);
	assert_int_equal(session_cache_get(c, db, 1, 100, &out), 0);
	session_cache_put(c, db, 1, 100, &b);	/* evicts a */
	assert_int_equal(session_cache_get(c, da, 1, 100, &out), 0);
	assert_int_equal(session_cache_get(c, db, 1, 100, &out), 1);
	assert_int_equal(out.id, 2);
	session_cache_free(c);
}

static void
test_seen_moves_last_seen_forward_only(void **state)
{
	struct session_cache *c = session_cache_new();
	struct store_session in = session(9), out;
	unsigned char d[SESSION_DIGEST], other[SESSION_DIGEST];

	(void)state;
	digest(d, 4);
	digest(other, 5);
	session_cache_put(c, d, 1, 100, &in);
	session_cache_seen(c, d, 2500);
	session_cache_seen(c, d, 2000);
	session_cache_seen(c, other, 9999);	/* not cached: no effect */
	assert_int_equal(session_cache_get(c, d, 1, 100, &out), 1);
	assert_int_equal(out.last_seen_at, 2500);
	assert_int_equal(session_cache_get(c, other, 1, 100, &out), 0);
	session_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_within_ttl_under_same_generation),
		cmocka_unit_test(test_stale_after_ttl_generation_or_clock_back),
		cmocka_unit_test(test_other_digest_in_the_same_slot_misses),
		cmocka_unit_test(test_seen_moves_last_seen_forward_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
