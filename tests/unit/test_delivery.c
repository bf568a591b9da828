/*
 * test_delivery.c: attempt and section states, save permissions, sequence
 * numbers and MC scoring (examd/delivery.c). Clocks: test_delivery_time.c;
 * orders: test_delivery_shuffle.c; essays: test_delivery_essay.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../examd/delivery.h"

#define MIN	(60 * 1000LL)
#define T0	1767225600000LL		/* 2026-01-01T00:00:00Z */
#define GRACE	EXAMD_SAVE_GRACE_MS

static const int64_t two_parts[] = { 90 * MIN, 90 * MIN };

static void
new_attempt(struct delivery_attempt *a)
{
	char *err = NULL;

	assert_int_equal(delivery_attempt_init(a, 42, 2, two_parts, 1000, 0,
	    &err), 0);
	assert_null(err);
}

/* Refused with a reason that names something, and nothing changed. */
static void
expect_refused(int rc, char *err, const char *needle)
{
	assert_int_equal(rc, -1);
	assert_non_null(err);
	if (needle != NULL && strstr(err, needle) == NULL)
		fail_msg("\"%s\" does not mention \"%s\"", err, needle);
	free(err);
}

/* `call` uses &err: evaluated before the check (argument order is
 * unspecified, so not as an argument beside err). */
#define REFUSED(call, needle) do { \
	char *err = NULL; \
	int rc_ = (call); \
	expect_refused(rc_, err, (needle)); \
} while (0)

/* Walk an attempt to `st` the legal way. */
static void
attempt_at(struct delivery_attempt *a, enum delivery_attempt_state st)
{
	new_attempt(a);
	if (st == DELIVERY_ATTEMPT_REGISTERED)
		return;
	if (st == DELIVERY_ATTEMPT_VOID) {
		assert_int_equal(delivery_attempt_set(a, st, NULL), 0);
		return;
	}
	assert_int_equal(delivery_attempt_set(a, DELIVERY_ATTEMPT_WAITING,
	    NULL), 0);
	if (st == DELIVERY_ATTEMPT_WAITING)
		return;
	assert_int_equal(delivery_attempt_set(a, DELIVERY_ATTEMPT_ADMITTED,
	    NULL), 0);
	if (st == DELIVERY_ATTEMPT_ADMITTED)
		return;
	assert_int_equal(delivery_section_start(a, 0, T0, 0, 0, NULL), 0);
	if (st == DELIVERY_ATTEMPT_IN_SECTION)
		return;
	assert_int_equal(delivery_section_submit(a, 0, T0 + MIN, NULL), 0);
	if (st == DELIVERY_ATTEMPT_BETWEEN_SECTIONS)
		return;
	assert_int_equal(delivery_section_start(a, 1, T0 + 2 * MIN, 0, 0,
	    NULL), 0);
	assert_int_equal(delivery_section_submit(a, 1, T0 + 3 * MIN, NULL), 0);
	assert_int_equal(a->state, DELIVERY_ATTEMPT_COMPLETE);
}

#define R DELIVERY_ATTEMPT_REGISTERED
#define W DELIVERY_ATTEMPT_WAITING
#define A DELIVERY_ATTEMPT_ADMITTED
#define I DELIVERY_ATTEMPT_IN_SECTION
#define B DELIVERY_ATTEMPT_BETWEEN_SECTIONS
#define C DELIVERY_ATTEMPT_COMPLETE
#define V DELIVERY_ATTEMPT_VOID

/* The whole diagram: legal[from][to]. */
static const bool legal[7][7] = {
	/*         R  W  A  I  B  C  V */
	[R] = {  0, 1, 0, 0, 0, 0, 1 },
	[W] = {  0, 0, 1, 0, 0, 0, 1 },
	[A] = {  0, 0, 0, 1, 1, 1, 1 },	/* B, C: by forfeits */
	[I] = {  0, 0, 0, 0, 1, 1, 1 },
	[B] = {  0, 0, 0, 1, 0, 1, 1 },
	[C] = {  0, 0, 0, 0, 0, 0, 1 },
	[V] = {  0, 0, 0, 0, 0, 0, 0 },
};

static void
test_transition_table_every_pair(void **state)
{
	int from, to;

	(void)state;
	for (from = R; from <= V; from++)
		for (to = R; to <= V; to++)
			if (delivery_attempt_transition_ok(from, to) !=
			    legal[from][to])
				fail_msg("%s -> %s: expected %s",
				    delivery_attempt_state_name(from),
				    delivery_attempt_state_name(to),
				    legal[from][to] ? "legal" : "illegal");
	assert_false(delivery_attempt_transition_ok(99, R));
	assert_false(delivery_attempt_transition_ok(R, 99));
}

/* The setter refuses every illegal pair with a reason naming both states,
 * from a real attempt in each state, and leaves the state as it was. */
static void
test_setter_refuses_illegal_with_reason(void **state)
{
	struct delivery_attempt a;
	int from, to;
	char *err;

	(void)state;
	for (from = R; from <= V; from++)
		for (to = R; to <= V; to++) {
			if (legal[from][to])
				continue;
			attempt_at(&a, from);
			err = NULL;
			assert_int_equal(delivery_attempt_set(&a, to, &err), -1);
			assert_non_null(err);
			assert_non_null(strstr(err,
			    delivery_attempt_state_name(from)));
			assert_non_null(strstr(err,
			    delivery_attempt_state_name(to)));
			free(err);
			assert_int_equal(a.state, from);
		}
}

static void
test_void_from_every_state(void **state)
{
	struct delivery_attempt a;
	int from;

	(void)state;
	for (from = R; from <= C; from++) {
		attempt_at(&a, from);
		assert_int_equal(delivery_attempt_set(&a, V, NULL), 0);
		assert_int_equal(a.state, V);
		/* void is final */
		assert_int_equal(delivery_attempt_set(&a, R, NULL), -1);
		assert_int_equal(delivery_attempt_set(&a, V, NULL), -1);
	}
}

/* Legal by the diagram but not by the parts: the setter checks both. */
static void
test_setter_checks_parts(void **state)
{
	struct delivery_attempt a;

	(void)state;
	attempt_at(&a, A);
	REFUSED(delivery_attempt_set(&a, I, &err), "open part");
	assert_int_equal(a.state, A);

	attempt_at(&a, I);
	REFUSED(delivery_attempt_set(&a, C, &err), "every part");
	REFUSED(delivery_attempt_set(&a, B, &err), "no open part");
	assert_int_equal(a.state, I);

	attempt_at(&a, B);
	REFUSED(delivery_attempt_set(&a, C, &err), "1 of 2");
	assert_int_equal(a.state, B);
}

static void
test_state_names_round_trip(void **state)
{
	enum delivery_attempt_state as;
	enum delivery_section_state ss;
	int i;

	(void)state;
	for (i = R; i <= V; i++) {
		assert_int_equal(delivery_attempt_state_parse(
		    delivery_attempt_state_name(i), &as), 0);
		assert_int_equal(as, i);
	}
	assert_string_equal(delivery_attempt_state_name(B), "between_sections");
	assert_string_equal(delivery_attempt_state_name(99), "unknown");
	assert_int_equal(delivery_attempt_state_parse("Void", &as), -1);
	assert_int_equal(delivery_attempt_state_parse("", &as), -1);
	assert_int_equal(delivery_attempt_state_parse(NULL, &as), -1);
	for (i = DELIVERY_SECTION_NOT_STARTED; i <= DELIVERY_SECTION_SUBMITTED;
	    i++) {
		assert_int_equal(delivery_section_state_parse(
		    delivery_section_state_name(i), &ss), 0);
		assert_int_equal(ss, i);
	}
	/* CONTRACT.md's section status strings */
	assert_string_equal(delivery_section_state_name(
	    DELIVERY_SECTION_NOT_STARTED), "not_started");
	assert_string_equal(delivery_section_state_name(DELIVERY_SECTION_OPEN),
	    "open");
	assert_int_equal(delivery_section_state_parse("closed", &ss), -1);
}

static void
test_init_refuses_bad_forms(void **state)
{
	struct delivery_attempt a;
	int64_t lim[EXAMD_MAX_SECTIONS + 1] = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i <= EXAMD_MAX_SECTIONS; i++)
		lim[i] = MIN;
	REFUSED(delivery_attempt_init(&a, 1, 0, lim, 1000, 0, &err), "parts");
	REFUSED(delivery_attempt_init(&a, 1, EXAMD_MAX_SECTIONS + 1, lim,
	    1000, 0, &err), "parts");
	REFUSED(delivery_attempt_init(&a, 1, 2, lim, 999, 0, &err), "multiplier");
	REFUSED(delivery_attempt_init(&a, 1, 2, lim,
	    EXAMD_MAX_TIME_MULTIPLIER + 1, 0, &err), "multiplier");
	REFUSED(delivery_attempt_init(&a, 1, 2, lim, 1000, -1, &err), "extra");
	lim[1] = 0;
	REFUSED(delivery_attempt_init(&a, 1, 2, lim, 1000, 0, &err), "part 2");
	lim[1] = MIN;
	assert_int_equal(delivery_attempt_init(&a, 7, EXAMD_MAX_SECTIONS, lim,
	    1500, 10 * MIN, NULL), 0);
	assert_int_equal(a.state, R);
	assert_true(a.seed == 7);
	assert_int_equal(a.sections[EXAMD_MAX_SECTIONS - 1].clock.multiplier,
	    1500);
	assert_true(a.sections[0].clock.extra_ms == 10 * MIN);
	assert_int_equal(delivery_attempt_open_section(&a), -1);
}

/* The happy path: parts in form order, each part open -> submitted. */
static void
test_parts_in_order(void **state)
{
	struct delivery_attempt a;

	(void)state;
	attempt_at(&a, A);
	/* part 2 before part 1 */
	REFUSED(delivery_section_start(&a, 1, T0, 0, 0, &err), "part 1 must be submitted");
	REFUSED(delivery_section_start(&a, 2, T0, 0, 0, &err), "no part 3");
	assert_int_equal(delivery_section_start(&a, 0, T0, 0, 0, NULL), 0);
	assert_int_equal(a.state, I);
	assert_int_equal(a.sections[0].state, DELIVERY_SECTION_OPEN);
	assert_true(a.sections[0].clock.started_at == T0);
	assert_int_equal(delivery_attempt_open_section(&a), 0);
	/* one part at a time */
	REFUSED(delivery_section_start(&a, 1, T0, 0, 0, &err), "in_section");
	REFUSED(delivery_section_submit(&a, 1, T0, &err), "not_started");
	assert_int_equal(delivery_section_submit(&a, 0, T0 + MIN, NULL), 0);
	assert_int_equal(a.state, B);
	assert_true(a.sections[0].clock.submitted_at == T0 + MIN);
	assert_int_equal(delivery_attempt_open_section(&a), -1);
	assert_int_equal(delivery_section_start(&a, 1, T0 + 2 * MIN, 0, 0,
	    NULL), 0);
	assert_int_equal(delivery_section_submit(&a, 1, T0 + 3 * MIN, NULL), 0);
	assert_int_equal(a.state, C);
}

static void
test_submitted_part_never_reopens(void **state)
{
	struct delivery_attempt a;

	(void)state;
	attempt_at(&a, B);
	REFUSED(delivery_section_start(&a, 0, T0 + 2 * MIN, 0, 0, &err), "already submitted");
	REFUSED(delivery_section_submit(&a, 0, T0 + 2 * MIN, &err), NULL);
	assert_int_equal(a.sections[0].state, DELIVERY_SECTION_SUBMITTED);
	assert_true(a.sections[0].clock.submitted_at == T0 + MIN);
	REFUSED(delivery_section_forfeit(&a, 0, T0, &err), "only a part not started");
	assert_int_equal(delivery_attempt_set(&a, I, NULL), -1);
}

static void
test_window_bounds_start_not_running_part(void **state)
{
	struct delivery_attempt a;
	int64_t opens = T0, closes = T0 + 60 * MIN;

	(void)state;
	attempt_at(&a, A);
	REFUSED(delivery_section_start(&a, 0, opens - 1, opens, closes,
	    &err), "not opened");
	assert_int_equal(a.state, A);
	assert_int_equal(a.sections[0].state, DELIVERY_SECTION_NOT_STARTED);
	/* opens_at itself is inside the window */
	assert_int_equal(delivery_section_start(&a, 0, opens, opens, closes,
	    NULL), 0);
	/* the window closes while part 1 runs: part 1 runs on (90 min) */
	assert_int_equal(delivery_attempt_may_save(&a, 0, closes + MIN, GRACE),
	    DELIVERY_SAVE_OK);
	assert_int_equal(delivery_section_submit(&a, 0, closes + MIN, NULL), 0);
	/* ... but part 2 cannot start after it closed (closes_at excluded) */
	REFUSED(delivery_section_start(&a, 1, closes, opens, closes,
	    &err), "closed");
	assert_int_equal(a.state, B);
	/* it is forfeited, which completes the attempt */
	assert_int_equal(delivery_section_forfeit(&a, 1, closes, NULL), 0);
	assert_int_equal(a.sections[1].state, DELIVERY_SECTION_SUBMITTED);
	assert_true(a.sections[1].clock.started_at == 0);
	assert_int_equal(a.state, C);
}

static void
test_forfeit_only_when_no_part_open(void **state)
{
	struct delivery_attempt a;

	(void)state;
	attempt_at(&a, I);
	REFUSED(delivery_section_forfeit(&a, 1, T0, &err), "in_section");
	attempt_at(&a, W);
	REFUSED(delivery_section_forfeit(&a, 0, T0, &err), "waiting");
	/* admitted, window closed before anything started: both forfeited */
	attempt_at(&a, A);
	assert_int_equal(delivery_section_forfeit(&a, 0, T0, NULL), 0);
	assert_int_equal(a.state, B);
	assert_int_equal(delivery_section_forfeit(&a, 1, T0, NULL), 0);
	assert_int_equal(a.state, C);
}

static void
test_void_attempt_refuses_everything(void **state)
{
	struct delivery_attempt a;

	(void)state;
	attempt_at(&a, I);
	assert_int_equal(delivery_attempt_set(&a, V, NULL), 0);
	assert_int_equal(delivery_attempt_may_save(&a, 0, T0 + 1, GRACE),
	    DELIVERY_SAVE_VOID);
	assert_string_equal(delivery_save_code(DELIVERY_SAVE_VOID),
	    "attempt_void");
	REFUSED(delivery_section_submit(&a, 0, T0 + 1, &err), "void");
	REFUSED(delivery_section_start(&a, 1, T0 + 1, 0, 0, &err), "void");
	/* its open part is never auto-submitted */
	assert_int_equal(delivery_attempt_due(&a, T0 + 1000 * MIN, GRACE), -1);
}

static void
test_may_save_codes(void **state)
{
	struct delivery_attempt a;
	int64_t dl;

	(void)state;
	attempt_at(&a, I);
	dl = delivery_clock_deadline(&a.sections[0].clock);
	assert_true(dl == T0 + 90 * MIN);
	assert_int_equal(delivery_attempt_may_save(&a, 0, T0 + 1, GRACE),
	    DELIVERY_SAVE_OK);
	assert_int_equal(delivery_attempt_may_save(&a, 1, T0 + 1, GRACE),
	    DELIVERY_SAVE_NOT_OPEN);
	assert_int_equal(delivery_attempt_may_save(&a, 5, T0 + 1, GRACE),
	    DELIVERY_SAVE_NOT_OPEN);
	assert_int_equal(delivery_attempt_may_save(&a, 0, dl + GRACE, GRACE),
	    DELIVERY_SAVE_OK);
	assert_int_equal(delivery_attempt_may_save(&a, 0, dl + GRACE + 1,
	    GRACE), DELIVERY_SAVE_CLOSED);
	assert_int_equal(delivery_clock_pause(&a.sections[0].clock, T0 + MIN,
	    NULL), 0);
	assert_int_equal(delivery_attempt_may_save(&a, 0, T0 + 2 * MIN, GRACE),
	    DELIVERY_SAVE_PAUSED);
	assert_string_equal(delivery_save_code(DELIVERY_SAVE_PAUSED), "paused");
	assert_string_equal(delivery_save_code(DELIVERY_SAVE_CLOSED),
	    "section_closed");
	assert_string_equal(delivery_save_code(DELIVERY_SAVE_NOT_OPEN),
	    "section_not_open");
	assert_string_equal(delivery_save_code(DELIVERY_SAVE_OK), "ok");
	/* submitting ends the pause: the record has no dangling pause */
	assert_int_equal(delivery_section_submit(&a, 0, T0 + 3 * MIN, NULL), 0);
	assert_true(a.sections[0].clock.paused_since == 0);
	assert_true(a.sections[0].clock.paused_total_ms == 2 * MIN);
	assert_int_equal(delivery_attempt_may_save(&a, 0, T0 + 3 * MIN, GRACE),
	    DELIVERY_SAVE_CLOSED);
}

static void
test_due_after_grace_only(void **state)
{
	struct delivery_attempt a;
	int64_t dl;

	(void)state;
	attempt_at(&a, A);
	assert_int_equal(delivery_attempt_due(&a, T0 + 1000 * MIN, GRACE), -1);
	assert_int_equal(delivery_section_start(&a, 0, T0, 0, 0, NULL), 0);
	dl = delivery_clock_deadline(&a.sections[0].clock);
	assert_int_equal(delivery_attempt_due(&a, dl, GRACE), -1);
	assert_int_equal(delivery_attempt_due(&a, dl + GRACE, GRACE), -1);
	assert_int_equal(delivery_attempt_due(&a, dl + GRACE + 1, GRACE), 0);
	assert_int_equal(delivery_section_submit(&a, 0, dl + GRACE + 1, NULL),
	    0);
	assert_int_equal(delivery_attempt_due(&a, dl + GRACE + 1, GRACE), -1);
}

static void
test_seq_accept(void **state)
{
	(void)state;
	assert_true(delivery_seq_accept(0, 1));		/* first save */
	assert_true(delivery_seq_accept(5, 6));
	assert_true(delivery_seq_accept(5, 1000));	/* gaps are fine */
	assert_false(delivery_seq_accept(5, 5));	/* replay */
	assert_false(delivery_seq_accept(5, 4));	/* older */
	assert_false(delivery_seq_accept(0, 0));
	assert_false(delivery_seq_accept(0, -1));
	assert_true(delivery_seq_accept(INT64_MAX - 1, INT64_MAX));
	assert_false(delivery_seq_accept(INT64_MAX, INT64_MAX));
}

/* Two devices save the same answer with interleaved seqs; whatever order
 * the saves arrive in, the highest seq wins. */
static void
test_seq_two_devices_race(void **state)
{
	static const int64_t seqs[] = { 3, 1, 4, 2, 7, 5, 6 };
	static const char *const vals[] = { "c", "a", "d", "b", "g", "e", "f" };
	int64_t stored = 0;
	const char *val = NULL;
	size_t i, applied = 0;

	(void)state;
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		if (delivery_seq_accept(stored, seqs[i])) {
			stored = seqs[i];
			val = vals[i];
			applied++;
		}
	assert_true(stored == 7);
	assert_string_equal(val, "g");
	assert_int_equal(applied, 3);	/* 3, 4 and 7 */
	/* a replay of every save changes nothing */
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		assert_false(delivery_seq_accept(stored, seqs[i]));
}

/* 60 items keyed A..D; `right` of them answered correctly, the rest wrong
 * or blank. */
static void
score_60(int right, int blank, struct delivery_score *sc)
{
	static const char *const ids[] = { "ChoiceA", "ChoiceB", "ChoiceC",
	    "ChoiceD" };
	const char *keys[60], *ans[60];
	char *err = NULL;
	int i;

	for (i = 0; i < 60; i++) {
		keys[i] = ids[i % 4];
		if (i < right)
			ans[i] = ids[i % 4];
		else if (i < right + blank)
			ans[i] = NULL;
		else
			ans[i] = ids[(i + 1) % 4];
	}
	assert_int_equal(delivery_score_mc(ans, keys, 60, 80, sc, &err), 0);
	assert_null(err);
}

static void
test_score_48_of_60_passes_47_fails(void **state)
{
	struct delivery_score sc;

	(void)state;
	score_60(48, 0, &sc);
	assert_int_equal(sc.raw, 48);
	assert_int_equal(sc.max, 60);
	assert_int_equal(sc.percent_tenths, 800);
	assert_true(sc.passed);

	score_60(47, 5, &sc);
	assert_int_equal(sc.raw, 47);
	assert_int_equal(sc.percent_tenths, 783);	/* 78.33 rounded down */
	assert_false(sc.passed);

	score_60(60, 0, &sc);
	assert_int_equal(sc.percent_tenths, 1000);
	assert_true(sc.passed);
	score_60(0, 60, &sc);
	assert_int_equal(sc.raw, 0);
	assert_int_equal(sc.percent_tenths, 0);
	assert_false(sc.passed);
}

/* Percent rounds down, pass compares exactly: 2 of 3 is 66.6, and 79.96 %
 * shows 79.9 and fails at 80 rather than showing "80.0" and failing. */
static void
test_score_rounding_and_cut(void **state)
{
	const char *k[2500], *a[2500];
	struct delivery_score sc;
	int i;

	(void)state;
	for (i = 0; i < 2500; i++) {
		k[i] = "K";
		a[i] = i < 1999 ? "K" : "X";
	}
	assert_int_equal(delivery_score_mc(a, k, 3, 66, &sc, NULL), 0);
	assert_int_equal(sc.percent_tenths, 1000);
	a[1] = "X";
	assert_int_equal(delivery_score_mc(a, k, 3, 67, &sc, NULL), 0);
	assert_int_equal(sc.raw, 2);
	assert_int_equal(sc.percent_tenths, 666);
	assert_false(sc.passed);		/* 66.67 < 67 */
	assert_int_equal(delivery_score_mc(a, k, 3, 66, &sc, NULL), 0);
	assert_true(sc.passed);
	a[1] = "K";
	assert_int_equal(delivery_score_mc(a, k, 2500, 80, &sc, NULL), 0);
	assert_int_equal(sc.raw, 1999);		/* 79.96 % */
	assert_int_equal(sc.percent_tenths, 799);
	assert_false(sc.passed);
	/* a cut that is not 80: 100 % needs every item */
	assert_int_equal(delivery_score_mc(a, k, 1999, 100, &sc, NULL), 0);
	assert_true(sc.passed);
	assert_int_equal(delivery_score_mc(a, k, 2000, 100, &sc, NULL), 0);
	assert_false(sc.passed);
}

static void
test_score_refuses_bad_input(void **state)
{
	const char *k[2] = { "A", NULL }, *a[2] = { "A", "A" };
	struct delivery_score sc = { .raw = -7 };

	(void)state;
	REFUSED(delivery_score_mc(a, k, 0, 80, &sc, &err), "items");
	REFUSED(delivery_score_mc(a, k, 1, 0, &sc, &err), "cut");
	REFUSED(delivery_score_mc(a, k, 1, 101, &sc, &err), "cut");
	REFUSED(delivery_score_mc(a, k, 2, 80, &sc, &err), "item 2");
	assert_int_equal(sc.raw, -7);	/* untouched on refusal */
	/* answers are compared exactly: case and spaces matter */
	k[1] = "B";
	a[1] = "b";
	assert_int_equal(delivery_score_mc(a, k, 2, 50, &sc, NULL), 0);
	assert_int_equal(sc.raw, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_table_every_pair),
		cmocka_unit_test(test_setter_refuses_illegal_with_reason),
		cmocka_unit_test(test_void_from_every_state),
		cmocka_unit_test(test_setter_checks_parts),
		cmocka_unit_test(test_state_names_round_trip),
		cmocka_unit_test(test_init_refuses_bad_forms),
		cmocka_unit_test(test_parts_in_order),
		cmocka_unit_test(test_submitted_part_never_reopens),
		cmocka_unit_test(test_window_bounds_start_not_running_part),
		cmocka_unit_test(test_forfeit_only_when_no_part_open),
		cmocka_unit_test(test_void_attempt_refuses_everything),
		cmocka_unit_test(test_may_save_codes),
		cmocka_unit_test(test_due_after_grace_only),
		cmocka_unit_test(test_seq_accept),
		cmocka_unit_test(test_seq_two_devices_race),
		cmocka_unit_test(test_score_48_of_60_passes_47_fails),
		cmocka_unit_test(test_score_rounding_and_cut),
		cmocka_unit_test(test_score_refuses_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
