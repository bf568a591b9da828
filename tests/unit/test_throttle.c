/* Sign-in throttling rules: throttle.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "throttle.h"

static void
test_delay_doubles_after_free_failures(void **state)
{
	(void)state;
	assert_int_equal(throttle_delay_ms(5, 5, 900000), 0);
	assert_int_equal(throttle_delay_ms(6, 5, 900000), 1000);
	assert_int_equal(throttle_delay_ms(7, 5, 900000), 2000);
	assert_int_equal(throttle_delay_ms(10, 5, 900000), 16000);
	assert_int_equal(throttle_delay_ms(20, 5, 900000), 900000);
	assert_int_equal(throttle_delay_ms(1000, 5, 900000), 900000);
}

static void
test_blocks_then_allows_after_delay(void **state)
{
	struct throttle *t = throttle_new(64, 2, 60000, 3600000);
	int64_t now = 1000000;

	(void)state;
	assert_int_equal(throttle_fail(t, "u:ann", now), 0);
	assert_int_equal(throttle_fail(t, "u:ann", now), 0);
	assert_int_equal(throttle_check(t, "u:ann", now), 0);
	assert_int_equal(throttle_fail(t, "u:ann", now), 1000);
	assert_int_equal(throttle_check(t, "u:ann", now + 400), 600);
	assert_int_equal(throttle_check(t, "u:bob", now), 0);
	assert_int_equal(throttle_check(t, "u:ann", now + 1000), 0);
	assert_int_equal(throttle_fail(t, "u:ann", now + 1000), 2000);
	/* Success forgets the key. */
	throttle_ok(t, "u:ann");
	assert_int_equal(throttle_check(t, "u:ann", now + 1001), 0);
	assert_int_equal(throttle_fail(t, "u:ann", now + 1001), 0);
	throttle_free(t);
}

static void
test_never_longer_than_max(void **state)
{
	struct throttle *t = throttle_new(64, 0, 5000, 3600000);
	int64_t now = 0;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		throttle_fail(t, "a:10.0.0.1", now);
	assert_int_equal(throttle_check(t, "a:10.0.0.1", now), 5000);
	assert_int_equal(throttle_check(t, "a:10.0.0.1", now + 5000), 0);
	throttle_free(t);
}

static void
test_quiet_period_forgets(void **state)
{
	struct throttle *t = throttle_new(64, 1, 5000, 10000);

	(void)state;
	throttle_fail(t, "k", 0);
	assert_int_equal(throttle_fail(t, "k", 0), 1000);
	/* Long after, the count starts again. */
	assert_int_equal(throttle_fail(t, "k", 20001), 0);
	throttle_free(t);
}

static void
test_table_is_bounded(void **state)
{
	struct throttle *t = throttle_new(64, 5, 5000, 3600000);
	char key[32];
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "a:10.0.%d.%d", i / 256, i % 256);
		throttle_fail(t, key, i);
	}
	assert_true(throttle_count(t) <= 64);
	/* Long keys stay distinct. */
	throttle_fail(t, "p:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|a", 20000);
	assert_int_equal(throttle_check(t, "p:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|b", 20000), 0);
	throttle_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_doubles_after_free_failures),
		cmocka_unit_test(test_blocks_then_allows_after_delay),
		cmocka_unit_test(test_never_longer_than_max),
		cmocka_unit_test(test_quiet_period_forgets),
		cmocka_unit_test(test_table_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
