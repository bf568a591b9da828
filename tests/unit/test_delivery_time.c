/*
 * test_delivery_time.c: the clock of a part (examd/delivery_time.c):
 * allowance with multiplier and extra time, deadline, pause, extension,
 * the network grace and the restart credit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../examd/delivery.h"

#define SEC	1000LL
#define MIN	(60 * SEC)
#define T0	1767225600000LL		/* 2026-01-01T00:00:00Z */
#define GRACE	EXAMD_SAVE_GRACE_MS

static struct delivery_clock
clock_new(int64_t limit, int32_t mult, int64_t extra)
{
	struct delivery_clock c;

	memset(&c, 0, sizeof(c));
	c.limit_ms = limit;
	c.multiplier = mult;
	c.extra_ms = extra;
	return c;
}

static struct delivery_clock
clock_started(int64_t limit, int32_t mult, int64_t extra, int64_t at)
{
	struct delivery_clock c = clock_new(limit, mult, extra);

	c.started_at = at;
	return c;
}

static void
test_grace_is_five_seconds(void **state)
{
	(void)state;
	assert_int_equal(EXAMD_SAVE_GRACE_MS, 5000);
}

static void
test_allowance_multiplier_and_extra(void **state)
{
	struct delivery_clock c;

	(void)state;
	c = clock_new(90 * MIN, 1000, 0);
	assert_true(delivery_clock_allowance(&c) == 90 * MIN);
	c = clock_new(90 * MIN, 1500, 0);
	assert_true(delivery_clock_allowance(&c) == 135 * MIN);
	c = clock_new(90 * MIN, 2000, 0);
	assert_true(delivery_clock_allowance(&c) == 180 * MIN);
	/* 1.5x and 15 extra minutes per part */
	c = clock_new(90 * MIN, 1500, 15 * MIN);
	assert_true(delivery_clock_allowance(&c) == 150 * MIN);
	/* not started: no deadline yet, remaining is the whole allowance */
	assert_true(delivery_clock_deadline(&c) == 0);
	assert_true(delivery_clock_remaining(&c, T0) == 150 * MIN);
}

/* The multiplier's extra is rounded up to a whole second, never down, and
 * nothing is rounded at 1x (a 5400.5 s limit stays 5400.5 s). */
static void
test_multiplier_rounds_up_to_seconds(void **state)
{
	struct delivery_clock c;

	(void)state;
	c = clock_new(6 * SEC, 1333, 0);	/* 6 s x 1.333 = 7.998 s */
	assert_true(delivery_clock_allowance(&c) == 8 * SEC);
	c = clock_new(6 * SEC, 1001, 0);	/* +6 ms -> +1 s */
	assert_true(delivery_clock_allowance(&c) == 7 * SEC);
	c = clock_new(5400500, 1000, 0);
	assert_true(delivery_clock_allowance(&c) == 5400500);
	c = clock_new(5400500, 1500, 0);	/* +2700.25 s -> +2701 s */
	assert_true(delivery_clock_allowance(&c) == 5400500 + 2701 * SEC);
	c = clock_new(10 * SEC, 1500, 0);	/* exact: no rounding */
	assert_true(delivery_clock_allowance(&c) == 15 * SEC);
}

static void
test_multiplier_from_double(void **state)
{
	int32_t m = 0;
	char *err = NULL;

	(void)state;
	assert_int_equal(delivery_multiplier_from_double(1.5, &m, NULL), 0);
	assert_int_equal(m, 1500);
	assert_int_equal(delivery_multiplier_from_double(2, &m, NULL), 0);
	assert_int_equal(m, 2000);
	assert_int_equal(delivery_multiplier_from_double(1, &m, NULL), 0);
	assert_int_equal(m, 1000);
	assert_int_equal(delivery_multiplier_from_double(1.3333, &m, NULL), 0);
	assert_int_equal(m, 1333);
	assert_int_equal(delivery_multiplier_from_double(1.0996, &m, NULL), 0);
	assert_int_equal(m, 1100);
	assert_int_equal(delivery_multiplier_from_double(4, &m, NULL), 0);
	assert_int_equal(m, 4000);
	m = 77;
	assert_int_equal(delivery_multiplier_from_double(0.99, &m, &err), -1);
	assert_non_null(strstr(err, "between 1 and 4"));
	free(err);
	assert_int_equal(delivery_multiplier_from_double(4.01, &m, NULL), -1);
	assert_int_equal(delivery_multiplier_from_double(NAN, &m, NULL), -1);
	assert_int_equal(delivery_multiplier_from_double(-INFINITY, &m, NULL),
	    -1);
	assert_int_equal(m, 77);
}

static void
test_deadline_and_remaining(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1500, 15 * MIN, T0);

	(void)state;
	assert_true(delivery_clock_deadline(&c) == T0 + 150 * MIN);
	assert_true(delivery_clock_remaining(&c, T0) == 150 * MIN);
	assert_true(delivery_clock_remaining(&c, T0 + 100 * MIN) == 50 * MIN);
	assert_true(delivery_clock_remaining(&c, T0 + 150 * MIN) == 0);
	assert_true(delivery_clock_remaining(&c, T0 + 151 * MIN) == 0);
	c.submitted_at = T0 + 10 * MIN;
	assert_true(delivery_clock_remaining(&c, T0 + 11 * MIN) == 0);
}

static void
test_extension_moves_deadline(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1500, 15 * MIN, T0);
	char *err = NULL;

	(void)state;
	assert_int_equal(delivery_clock_extend(&c, 10 * MIN, NULL), 0);
	assert_true(delivery_clock_deadline(&c) == T0 + 160 * MIN);
	assert_int_equal(delivery_clock_extend(&c, 5 * SEC, NULL), 0);
	assert_true(c.extended_ms == 10 * MIN + 5 * SEC);
	assert_true(delivery_clock_remaining(&c, T0 + 160 * MIN) == 5 * SEC);
	/* no taking time back, no zero */
	assert_int_equal(delivery_clock_extend(&c, 0, &err), -1);
	assert_non_null(err);
	free(err);
	assert_int_equal(delivery_clock_extend(&c, -MIN, NULL), -1);
	/* a day in total at most */
	assert_int_equal(delivery_clock_extend(&c, EXAMD_MAX_EXTRA_MS, NULL),
	    -1);
	assert_int_equal(delivery_clock_extend(&c,
	    EXAMD_MAX_EXTRA_MS - c.extended_ms, NULL), 0);
	assert_int_equal(delivery_clock_extend(&c, 1, NULL), -1);
	assert_true(c.extended_ms == EXAMD_MAX_EXTRA_MS);
	/* not after submission */
	c = clock_started(90 * MIN, 1000, 0, T0);
	c.submitted_at = T0 + MIN;
	assert_int_equal(delivery_clock_extend(&c, MIN, NULL), -1);
	assert_true(c.extended_ms == 0);
	/* before the start: the allowance grows */
	c = clock_new(90 * MIN, 1000, 0);
	assert_int_equal(delivery_clock_extend(&c, MIN, NULL), 0);
	assert_true(delivery_clock_remaining(&c, T0) == 91 * MIN);
}

/* Remaining time is frozen while paused; resuming moves the deadline by
 * exactly the paused time. */
static void
test_pause_freezes_and_moves_deadline(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1500, 15 * MIN, T0);
	int64_t dl = delivery_clock_deadline(&c);

	(void)state;
	assert_int_equal(delivery_clock_pause(&c, T0 + 30 * MIN, NULL), 0);
	assert_true(c.paused_since == T0 + 30 * MIN);
	assert_true(delivery_clock_remaining(&c, T0 + 30 * MIN) == 120 * MIN);
	assert_true(delivery_clock_remaining(&c, T0 + 40 * MIN) == 120 * MIN);
	/* paused far beyond the old deadline: still 120 min, never due */
	assert_true(delivery_clock_remaining(&c, dl + 60 * MIN) == 120 * MIN);
	assert_false(delivery_clock_is_due(&c, dl + 60 * MIN, GRACE));
	assert_int_equal(delivery_clock_may_save(&c, T0 + 31 * MIN, GRACE),
	    DELIVERY_SAVE_PAUSED);
	assert_int_equal(delivery_clock_resume(&c, T0 + 45 * MIN, NULL), 0);
	assert_true(c.paused_since == 0);
	assert_true(c.paused_total_ms == 15 * MIN);
	assert_true(delivery_clock_deadline(&c) == dl + 15 * MIN);
	assert_true(delivery_clock_remaining(&c, T0 + 45 * MIN) == 120 * MIN);
	assert_true(delivery_clock_remaining(&c, T0 + 46 * MIN) == 119 * MIN);
	assert_int_equal(delivery_clock_may_save(&c, T0 + 46 * MIN, GRACE),
	    DELIVERY_SAVE_OK);
	/* a second pause adds up */
	assert_int_equal(delivery_clock_pause(&c, T0 + 50 * MIN, NULL), 0);
	assert_int_equal(delivery_clock_resume(&c, T0 + 52 * MIN, NULL), 0);
	assert_true(delivery_clock_deadline(&c) == dl + 17 * MIN);
}

static void
test_pause_resume_refusals(void **state)
{
	struct delivery_clock c = clock_new(90 * MIN, 1000, 0);
	char *err = NULL;

	(void)state;
	assert_int_equal(delivery_clock_pause(&c, T0, &err), -1);	/* not started */
	assert_non_null(strstr(err, "open"));
	free(err);
	c.started_at = T0;
	err = NULL;
	assert_int_equal(delivery_clock_resume(&c, T0, &err), -1);	/* running */
	assert_non_null(strstr(err, "not paused"));
	free(err);
	assert_int_equal(delivery_clock_pause(&c, T0 + MIN, NULL), 0);
	err = NULL;
	assert_int_equal(delivery_clock_pause(&c, T0 + 2 * MIN, &err), -1);
	assert_non_null(strstr(err, "already paused"));
	free(err);
	assert_true(c.paused_since == T0 + MIN);
	/* a wall-clock step backwards counts as a pause of 0, not < 0 */
	assert_int_equal(delivery_clock_resume(&c, T0, NULL), 0);
	assert_true(c.paused_total_ms == 0);
	/* time up: no pause (the part is about to be submitted) */
	err = NULL;
	assert_int_equal(delivery_clock_pause(&c, T0 + 90 * MIN, &err), -1);
	assert_non_null(strstr(err, "time is up"));
	free(err);
	assert_int_equal(delivery_clock_pause(&c, T0 + 90 * MIN - 1, NULL), 0);
	assert_int_equal(delivery_clock_resume(&c, T0 + 90 * MIN, NULL), 0);
	c.submitted_at = T0 + 91 * MIN;
	assert_int_equal(delivery_clock_pause(&c, T0 + 91 * MIN, NULL), -1);
}

/* Saves: accepted up to deadline + grace inclusive, refused 1 ms later. */
static void
test_grace_edge(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1000, 0, T0);
	int64_t dl = delivery_clock_deadline(&c);

	(void)state;
	assert_int_equal(delivery_clock_may_save(&c, dl - 1, GRACE),
	    DELIVERY_SAVE_OK);
	assert_int_equal(delivery_clock_may_save(&c, dl, GRACE),
	    DELIVERY_SAVE_OK);
	assert_int_equal(delivery_clock_may_save(&c, dl + GRACE, GRACE),
	    DELIVERY_SAVE_OK);
	assert_int_equal(delivery_clock_may_save(&c, dl + GRACE + 1, GRACE),
	    DELIVERY_SAVE_CLOSED);
	/* the grace is a parameter: 0 means the deadline itself */
	assert_int_equal(delivery_clock_may_save(&c, dl, 0), DELIVERY_SAVE_OK);
	assert_int_equal(delivery_clock_may_save(&c, dl + 1, 0),
	    DELIVERY_SAVE_CLOSED);
	/* the candidate never sees the grace */
	assert_true(delivery_clock_remaining(&c, dl + 1) == 0);
	/* due once the grace is over, not before */
	assert_false(delivery_clock_is_due(&c, dl, GRACE));
	assert_false(delivery_clock_is_due(&c, dl + GRACE, GRACE));
	assert_true(delivery_clock_is_due(&c, dl + GRACE + 1, GRACE));
	/* before the start / after the submission */
	c.started_at = 0;
	assert_int_equal(delivery_clock_may_save(&c, T0, GRACE),
	    DELIVERY_SAVE_NOT_OPEN);
	assert_false(delivery_clock_is_due(&c, dl + GRACE + 1, GRACE));
	c.started_at = T0;
	c.submitted_at = T0 + MIN;
	assert_int_equal(delivery_clock_may_save(&c, T0 + MIN, GRACE),
	    DELIVERY_SAVE_CLOSED);
	assert_false(delivery_clock_is_due(&c, dl + GRACE + 1, GRACE));
}

/* Restart: the downtime since the last heartbeat is given back to a running
 * part; the candidate resumes with the time left at the heartbeat. */
static void
test_downtime_credit_running_part(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1000, 0, T0);
	int64_t hb = T0 + 20 * MIN, now = T0 + 50 * MIN;
	int64_t left_at_hb = delivery_clock_remaining(&c, hb);

	(void)state;
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) ==
	    30 * MIN);
	assert_true(c.paused_total_ms == 30 * MIN);
	assert_true(delivery_clock_remaining(&c, now) == left_at_hb);
	assert_true(delivery_clock_deadline(&c) == T0 + 120 * MIN);
	assert_false(delivery_clock_is_due(&c, now, GRACE));
}

/* The deadline fell while the server was down (after the heartbeat): the
 * part is credited, so the candidate gets back what they had. */
static void
test_downtime_credit_deadline_during_outage(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1000, 0, T0);
	int64_t hb = T0 + 89 * MIN, now = T0 + 200 * MIN;

	(void)state;
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) ==
	    111 * MIN);
	assert_true(delivery_clock_remaining(&c, now) == MIN);
	assert_false(delivery_clock_is_due(&c, now, GRACE));
}

/* A window that closed in the outage is open again for what it lost. */
static void
test_window_credit(void **state)
{
	int64_t op = T0, cl = T0 + 60 * MIN;

	(void)state;
	/* closed 10 min into a 30-min outage: 10 min back from the end */
	assert_true(delivery_window_credit(op, cl, cl - 10 * MIN,
	    cl + 20 * MIN) == cl + 30 * MIN);
	/* the whole window fell in the outage: all of it, from the end */
	assert_true(delivery_window_credit(op, cl, op - MIN, cl + MIN) ==
	    cl + 61 * MIN);
	/* closing at the very end of it */
	assert_true(delivery_window_credit(op, cl, cl - MIN, cl) == cl + MIN);
	/* closed before the outage, or closes after it: nothing */
	assert_true(delivery_window_credit(op, cl, cl, cl + MIN) == 0);
	assert_true(delivery_window_credit(op, cl, cl - 2 * MIN, cl - MIN) ==
	    0);
}

static void
test_downtime_no_credit(void **state)
{
	struct delivery_clock c;
	int64_t hb = T0 + 20 * MIN, now = T0 + 50 * MIN;

	(void)state;
	/* the deadline had passed before the last heartbeat: the server died
	 * before submitting it; it is due now, with what was saved */
	c = clock_started(10 * MIN, 1000, 0, T0);
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) == 0);
	assert_true(c.paused_total_ms == 0);
	assert_true(delivery_clock_is_due(&c, now, GRACE));
	/* paused: the pause already stopped its clock */
	c = clock_started(90 * MIN, 1000, 0, T0);
	c.paused_since = T0 + 10 * MIN;
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) == 0);
	assert_true(delivery_clock_remaining(&c, now) == 80 * MIN);
	/* not started, submitted */
	c = clock_new(90 * MIN, 1000, 0);
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) == 0);
	c = clock_started(90 * MIN, 1000, 0, T0);
	c.submitted_at = T0 + MIN;
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) == 0);
	/* no time passed (or the wall clock stepped back) */
	c = clock_started(90 * MIN, 1000, 0, T0);
	assert_true(delivery_clock_credit_downtime(&c, hb, hb, GRACE) == 0);
	assert_true(delivery_clock_credit_downtime(&c, hb, hb - MIN, GRACE) ==
	    0);
	assert_true(c.paused_total_ms == 0);
}

/* A part started after the last heartbeat lost only the time since its
 * start. */
static void
test_downtime_part_started_after_heartbeat(void **state)
{
	struct delivery_clock c = clock_started(90 * MIN, 1000, 0, T0 + SEC / 2);

	(void)state;
	assert_true(delivery_clock_credit_downtime(&c, T0, T0 + 10 * SEC,
	    GRACE) == 10 * SEC - SEC / 2);
	assert_true(delivery_clock_remaining(&c, T0 + 10 * SEC) == 90 * MIN);
}

/*
 * The outage began inside the grace (2 s after the deadline): a save sent
 * just before the deadline may have met it, so the part is credited and
 * stands as it stood then: past its deadline, taking saves for the 3 s of
 * grace left, then due.
 */
static void
test_downtime_in_the_grace_is_credited(void **state)
{
	struct delivery_clock c = clock_started(10 * MIN, 1000, 0, T0);
	int64_t hb = T0 + 10 * MIN + 2 * SEC, now = hb + 30 * SEC;

	(void)state;
	assert_true(GRACE == 5 * SEC);
	assert_true(delivery_clock_credit_downtime(&c, hb, now, GRACE) ==
	    30 * SEC);
	assert_true(delivery_clock_remaining(&c, now) == 0);
	assert_true(delivery_clock_may_save(&c, now + 3 * SEC - 1, GRACE) ==
	    DELIVERY_SAVE_OK);
	assert_false(delivery_clock_is_due(&c, now + 3 * SEC, GRACE));
	assert_true(delivery_clock_is_due(&c, now + 3 * SEC + 1, GRACE));
	/* from the end of the grace on, nothing */
	c = clock_started(10 * MIN, 1000, 0, T0);
	assert_true(delivery_clock_credit_downtime(&c, T0 + 10 * MIN + GRACE,
	    now, GRACE) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace_is_five_seconds),
		cmocka_unit_test(test_allowance_multiplier_and_extra),
		cmocka_unit_test(test_multiplier_rounds_up_to_seconds),
		cmocka_unit_test(test_multiplier_from_double),
		cmocka_unit_test(test_deadline_and_remaining),
		cmocka_unit_test(test_extension_moves_deadline),
		cmocka_unit_test(test_pause_freezes_and_moves_deadline),
		cmocka_unit_test(test_pause_resume_refusals),
		cmocka_unit_test(test_grace_edge),
		cmocka_unit_test(test_downtime_credit_running_part),
		cmocka_unit_test(test_downtime_credit_deadline_during_outage),
		cmocka_unit_test(test_downtime_no_credit),
		cmocka_unit_test(test_window_credit),
		cmocka_unit_test(test_downtime_part_started_after_heartbeat),
		cmocka_unit_test(test_downtime_in_the_grace_is_credited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
