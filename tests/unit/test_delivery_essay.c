/*
 * test_delivery_essay.c: essay text (UTF-8, size cap, word count) and the
 * tracks' "answer K of N" rules from items/README.md
 * (examd/delivery_essay.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../examd/delivery.h"

#define S(lit)	(lit), (sizeof(lit) - 1)	/* text and length, NULs kept */

/* ---- UTF-8 ---- */

static void
test_utf8_accepts(void **state)
{
	(void)state;
	assert_true(delivery_utf8_valid(S("")));
	assert_true(delivery_utf8_valid(S("plain ASCII, tabs\tand\nlines")));
	assert_true(delivery_utf8_valid(S("caf\xc3\xa9")));		/* é */
	assert_true(delivery_utf8_valid(S("\xc2\x80")));		/* U+0080 */
	assert_true(delivery_utf8_valid(S("\xdf\xbf")));		/* U+07FF */
	assert_true(delivery_utf8_valid(S("\xe0\xa0\x80")));		/* U+0800 */
	assert_true(delivery_utf8_valid(S("\xed\x9f\xbf")));		/* U+D7FF */
	assert_true(delivery_utf8_valid(S("\xee\x80\x80")));		/* U+E000 */
	assert_true(delivery_utf8_valid(S("\xef\xbf\xbd")));		/* U+FFFD */
	assert_true(delivery_utf8_valid(S("\xf0\x90\x80\x80")));	/* U+10000 */
	assert_true(delivery_utf8_valid(S("\xf0\x9f\x98\x80")));	/* emoji */
	assert_true(delivery_utf8_valid(S("\xf4\x8f\xbf\xbf")));	/* U+10FFFF */
}

static void
test_utf8_refuses(void **state)
{
	(void)state;
	assert_false(delivery_utf8_valid(S("a\0b")));		/* NUL */
	assert_false(delivery_utf8_valid(S("\xc0\x80")));	/* overlong NUL */
	assert_false(delivery_utf8_valid(S("\xc1\xbf")));	/* overlong 2 */
	assert_false(delivery_utf8_valid(S("\xe0\x9f\xbf")));	/* overlong 3 */
	assert_false(delivery_utf8_valid(S("\xf0\x8f\xbf\xbf")));	/* overlong 4 */
	assert_false(delivery_utf8_valid(S("\xed\xa0\x80")));	/* U+D800 */
	assert_false(delivery_utf8_valid(S("\xed\xbf\xbf")));	/* U+DFFF */
	assert_false(delivery_utf8_valid(S("\xf4\x90\x80\x80")));	/* U+110000 */
	assert_false(delivery_utf8_valid(S("\xf5\x80\x80\x80")));
	assert_false(delivery_utf8_valid(S("\xff")));
	assert_false(delivery_utf8_valid(S("\x80")));		/* lone continuation */
	assert_false(delivery_utf8_valid(S("caf\xc3")));		/* truncated at end */
	assert_false(delivery_utf8_valid(S("\xe2\x82")));
	assert_false(delivery_utf8_valid(S("\xe2\x28\xa1")));	/* bad continuation */
	assert_false(delivery_utf8_valid(S("caf\xe9")));		/* ISO-8859-1 é */
	/* the length is honoured: a valid prefix of a cut sequence */
	assert_true(delivery_utf8_valid("caf\xc3\xa9", 3));
	assert_false(delivery_utf8_valid("caf\xc3\xa9", 4));
}

static void
test_essay_text_check(void **state)
{
	char *big = malloc(EXAMD_MAX_ESSAY_BYTES + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', EXAMD_MAX_ESSAY_BYTES + 1);
	assert_int_equal(EXAMD_MAX_ESSAY_BYTES, 200000);
	assert_int_equal(delivery_essay_text_check(big, EXAMD_MAX_ESSAY_BYTES),
	    DELIVERY_TEXT_OK);
	assert_int_equal(delivery_essay_text_check(big,
	    EXAMD_MAX_ESSAY_BYTES + 1), DELIVERY_TEXT_TOO_LARGE);
	big[100] = '\xc3';
	assert_int_equal(delivery_essay_text_check(big, 1000),
	    DELIVERY_TEXT_BAD_UTF8);
	assert_int_equal(delivery_essay_text_check(S("")), DELIVERY_TEXT_OK);
	free(big);
}

/* ---- words ---- */

static void
test_word_count(void **state)
{
	(void)state;
	assert_int_equal(delivery_word_count(S("")), 0);
	assert_int_equal(delivery_word_count(S("   \t\n ")), 0);
	assert_int_equal(delivery_word_count(S("one")), 1);
	assert_int_equal(delivery_word_count(S("  two  words  ")), 2);
	assert_int_equal(delivery_word_count(S("a\tb\nc\r\nd\ve\ff")), 6);
	/* punctuation alone is not a word; glued to one it is part of it */
	assert_int_equal(delivery_word_count(S("well-being and/or - ; ...")), 2);
	assert_int_equal(delivery_word_count(S("\"Hello,\" she said.")), 3);
	assert_int_equal(delivery_word_count(S("3 months, 2.5 kg")), 4);
	/* em dash (U+2014) and bullet (U+2022) alone: none */
	assert_int_equal(delivery_word_count(S("this \xe2\x80\x94 that "
	    "\xe2\x80\xa2 other")), 3);
	/* emoji alone: none */
	assert_int_equal(delivery_word_count(S("ok \xf0\x9f\x91\x8d")), 1);
	/* accented letters are letters */
	assert_int_equal(delivery_word_count(S("caf\xc3\xa9 na\xc3\xafve "
	    "\xc3\xa9t\xc3\xa9")), 3);
	/* a lone combining mark or a « » pair is not a word */
	assert_int_equal(delivery_word_count(S("\xcc\x81 \xc2\xab \xc2\xbb")),
	    0);
	/* Greek, Cyrillic */
	assert_int_equal(delivery_word_count(S("\xce\xb1\xce\xb2 "
	    "\xd0\xb4\xd0\xb0")), 2);
}

static void
test_word_count_unicode_spaces(void **state)
{
	(void)state;
	/* U+00A0 no-break space */
	assert_int_equal(delivery_word_count(S("10\xc2\xa0months")), 2);
	/* U+3000 ideographic space */
	assert_int_equal(delivery_word_count(S("a\xe3\x80\x80" "b")), 2);
	/* U+2003 em space, U+2009 thin, U+202F narrow nbsp, U+2028 line sep */
	assert_int_equal(delivery_word_count(S("a\xe2\x80\x83" "b\xe2\x80\x89"
	    "c\xe2\x80\xaf" "d\xe2\x80\xa8" "e")), 5);
	/* U+200B zero-width space, U+FEFF BOM, U+0085 NEL */
	assert_int_equal(delivery_word_count(S("\xef\xbb\xbf" "a\xe2\x80\x8b"
	    "b\xc2\x85" "c")), 3);
	/* text without spaces counts per run */
	assert_int_equal(delivery_word_count(S("\xe4\xbd\xa0\xe5\xa5\xbd"
	    "\xe4\xb8\x96\xe7\x95\x8c")), 1);
	/* invalid bytes are symbols: they neither split nor make words */
	assert_int_equal(delivery_word_count(S("\xff \xfe" "a\xff" "b")), 1);
	/* NUL is not a space */
	assert_int_equal(delivery_word_count(S("a\0b")), 1);
}

/* ---- rules ---- */

/* items/README.md's tracks */
static const struct delivery_essay_prompt imhs[] = {
	{ "imhs-cl-1", "clinical" }, { "imhs-cl-2", "clinical" },
	{ "imhs-cl-3", "clinical" },
};
static const struct delivery_essay_rule imhs_rule = { 2, NULL, 0 };

static const struct delivery_essay_prompt imhm_c[] = {
	{ "imhm-c-sup-1", "supervisory" }, { "imhm-c-cl-1", "clinical" },
	{ "imhm-c-cl-2", "clinical" },
};
static const struct delivery_essay_group imhm_c_req[] = {
	{ "supervisory", 1 }, { "clinical", 1 },
};
static const struct delivery_essay_rule imhm_c_rule = { 2, imhm_c_req, 2 };

static const struct delivery_essay_prompt imhm_rf[] = {
	{ "imhm-rf-teach-1", "teaching" }, { "imhm-rf-res-1", "research" },
	{ "imhm-rf-res-2", "research" },
};
static const struct delivery_essay_group imhm_rf_req[] = {
	{ "teaching", 1 }, { "research", 1 },
};
static const struct delivery_essay_rule imhm_rf_rule = { 2, imhm_rf_req, 2 };

/* OK comes without a message; a refusal with one naming `needle`. */
static enum delivery_essay
verdict(enum delivery_essay v, char *err, const char *needle)
{
	if (v == DELIVERY_ESSAY_OK)
		assert_null(err);
	else {
		assert_non_null(err);
		if (needle != NULL && strstr(err, needle) == NULL)
			fail_msg("\"%s\" does not mention \"%s\"", err, needle);
		free(err);
	}
	return v;
}

static enum delivery_essay
choose(const struct delivery_essay_rule *r,
    const struct delivery_essay_prompt *p, size_t n, bool *set, size_t idx,
    const char *needle)
{
	char *err = NULL;
	enum delivery_essay v = delivery_essay_may_choose(r, p, n, set, idx,
	    &err);

	if (verdict(v, err, needle) == DELIVERY_ESSAY_OK)
		set[idx] = true;
	return v;
}

static enum delivery_essay
submit(const struct delivery_essay_rule *r,
    const struct delivery_essay_prompt *p, size_t n, bool a0, bool a1,
    bool a2, const char *needle)
{
	bool ans[3] = { a0, a1, a2 };
	char *err = NULL;
	enum delivery_essay v = delivery_essay_check_submit(r, p, n, ans, &err);

	return verdict(v, err, needle);
}

static void
test_imhs_two_of_three(void **state)
{
	bool set[3] = { false };

	(void)state;
	assert_int_equal(choose(&imhs_rule, imhs, 3, set, 2, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&imhs_rule, imhs, 3, set, 0, NULL),
	    DELIVERY_ESSAY_OK);
	/* choosing again what is chosen is fine */
	assert_int_equal(choose(&imhs_rule, imhs, 3, set, 0, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&imhs_rule, imhs, 3, set, 1, "2 of the 3"),
	    DELIVERY_ESSAY_TOO_MANY);
	assert_false(set[1]);

	assert_int_equal(submit(&imhs_rule, imhs, 3, 1, 0, 1, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(submit(&imhs_rule, imhs, 3, 0, 1, 1, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(submit(&imhs_rule, imhs, 3, 1, 0, 0, "1 is answered"),
	    DELIVERY_ESSAY_TOO_FEW);
	assert_int_equal(submit(&imhs_rule, imhs, 3, 0, 0, 0, NULL),
	    DELIVERY_ESSAY_TOO_FEW);
	assert_int_equal(submit(&imhs_rule, imhs, 3, 1, 1, 1, "3 are"),
	    DELIVERY_ESSAY_TOO_MANY);
}

/* IMHM-C: one supervisory and one clinical. A second clinical vignette is
 * refused at once, not at submission. */
static void
test_imhm_c_supervisory_and_clinical(void **state)
{
	bool set[3] = { false };

	(void)state;
	assert_int_equal(choose(&imhm_c_rule, imhm_c, 3, set, 1, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&imhm_c_rule, imhm_c, 3, set, 2,
	    "supervisory"), DELIVERY_ESSAY_GROUP_BLOCKED);
	assert_false(set[2]);
	assert_int_equal(choose(&imhm_c_rule, imhm_c, 3, set, 0, NULL),
	    DELIVERY_ESSAY_OK);
	/* starting from the supervisory one: either clinical is fine */
	memset(set, 0, sizeof(set));
	assert_int_equal(choose(&imhm_c_rule, imhm_c, 3, set, 0, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&imhm_c_rule, imhm_c, 3, set, 2, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&imhm_c_rule, imhm_c, 3, set, 1, NULL),
	    DELIVERY_ESSAY_TOO_MANY);

	assert_int_equal(submit(&imhm_c_rule, imhm_c, 3, 1, 1, 0, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(submit(&imhm_c_rule, imhm_c, 3, 1, 0, 1, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(submit(&imhm_c_rule, imhm_c, 3, 0, 1, 1,
	    "supervisory"), DELIVERY_ESSAY_GROUP_SHORT);
	assert_int_equal(submit(&imhm_c_rule, imhm_c, 3, 1, 0, 0, NULL),
	    DELIVERY_ESSAY_TOO_FEW);
}

static void
test_imhm_rf_teaching_and_research(void **state)
{
	bool set[3] = { false };

	(void)state;
	assert_int_equal(choose(&imhm_rf_rule, imhm_rf, 3, set, 1, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&imhm_rf_rule, imhm_rf, 3, set, 2,
	    "teaching"), DELIVERY_ESSAY_GROUP_BLOCKED);
	assert_int_equal(choose(&imhm_rf_rule, imhm_rf, 3, set, 0, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(submit(&imhm_rf_rule, imhm_rf, 3, 1, 0, 1, NULL),
	    DELIVERY_ESSAY_OK);
	assert_int_equal(submit(&imhm_rf_rule, imhm_rf, 3, 0, 1, 1,
	    "teaching"), DELIVERY_ESSAY_GROUP_SHORT);
}

/* A prompt with several categories counts for each; the search must see
 * that one choice can serve two groups, and that it cannot serve three. */
static void
test_multi_category_prompts(void **state)
{
	static const struct delivery_essay_prompt p[] = {
		{ "v1", "clinical  supervisory" }, { "v2", "clinical" },
		{ "v3", "policy" }, { "v4", "research\tpolicy" },
	};
	static const struct delivery_essay_group req[] = {
		{ "supervisory", 1 }, { "clinical", 1 }, { "policy", 1 },
	};
	static const struct delivery_essay_rule rule = { 2, req, 3 };
	bool set[4] = { false };
	bool ans[4] = { true, false, false, true };

	(void)state;
	/* v2 then nothing can give both supervisory and policy: blocked */
	assert_int_equal(choose(&rule, p, 4, set, 1, "supervisory"),
	    DELIVERY_ESSAY_GROUP_BLOCKED);
	/* v3 leaves room for v1 (supervisory + clinical) */
	assert_int_equal(choose(&rule, p, 4, set, 2, NULL), DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&rule, p, 4, set, 3, "supervisory"),
	    DELIVERY_ESSAY_GROUP_BLOCKED);
	assert_int_equal(choose(&rule, p, 4, set, 0, NULL), DELIVERY_ESSAY_OK);
	assert_int_equal(delivery_essay_check_submit(&rule, p, 4, ans, NULL),
	    DELIVERY_ESSAY_OK);
}

static void
test_in_group(void **state)
{
	(void)state;
	assert_true(delivery_essay_in_group("clinical", "clinical"));
	assert_true(delivery_essay_in_group(" a  clinical b ", "clinical"));
	assert_true(delivery_essay_in_group("a\tclinical", "clinical"));
	assert_false(delivery_essay_in_group("clinicals", "clinical"));
	assert_false(delivery_essay_in_group("preclinical", "clinical"));
	assert_false(delivery_essay_in_group("Clinical", "clinical"));
	assert_false(delivery_essay_in_group("clin", "clinical"));
	assert_false(delivery_essay_in_group(NULL, "clinical"));
	assert_false(delivery_essay_in_group("", "clinical"));
	assert_false(delivery_essay_in_group("a", ""));
}

static void
test_bad_rules(void **state)
{
	static const struct delivery_essay_group neg[] = { { "clinical", -1 } };
	static const struct delivery_essay_rule zero = { 0, NULL, 0 };
	static const struct delivery_essay_rule four = { 4, NULL, 0 };
	static const struct delivery_essay_rule bad_group = { 2, neg, 1 };
	static const struct delivery_essay_rule no_groups = { 2, NULL, 1 };
	bool set[EXAMD_MAX_ESSAY_PROMPTS + 1] = { false };
	struct delivery_essay_prompt many[EXAMD_MAX_ESSAY_PROMPTS + 1];
	char *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < EXAMD_MAX_ESSAY_PROMPTS + 1; i++) {
		many[i].id = "v";
		many[i].categories = NULL;
	}
	assert_int_equal(delivery_essay_may_choose(&zero, imhs, 3, set, 0,
	    &err), DELIVERY_ESSAY_BAD_RULE);
	assert_non_null(err);
	free(err);
	assert_int_equal(delivery_essay_may_choose(&four, imhs, 3, set, 0,
	    NULL), DELIVERY_ESSAY_BAD_RULE);
	assert_int_equal(delivery_essay_may_choose(&bad_group, imhs, 3, set, 0,
	    NULL), DELIVERY_ESSAY_BAD_RULE);
	assert_int_equal(delivery_essay_check_submit(&no_groups, imhs, 3, set,
	    NULL), DELIVERY_ESSAY_BAD_RULE);
	assert_int_equal(delivery_essay_may_choose(&imhs_rule, imhs, 3, set, 3,
	    NULL), DELIVERY_ESSAY_BAD_RULE);
	assert_int_equal(delivery_essay_may_choose(&imhs_rule, many,
	    EXAMD_MAX_ESSAY_PROMPTS + 1, set, 0, NULL),
	    DELIVERY_ESSAY_BAD_RULE);
	assert_int_equal(delivery_essay_may_choose(&imhs_rule, many,
	    EXAMD_MAX_ESSAY_PROMPTS, set, 0, NULL), DELIVERY_ESSAY_OK);
}

/* At the bound (16 prompts; 8 groups of two, K = 8, one from each) the
 * search still answers right. It tries subsets in index order, so it
 * visits at most 2^16 of them whatever the rule. */
static void
test_search_worst_case(void **state)
{
	static const char *const names[] = { "g0", "g1", "g2", "g3", "g4",
	    "g5", "g6", "g7", "g8", "g9", "g10", "g11", "g12", "g13", "g14",
	    "g15" };
	struct delivery_essay_prompt p[EXAMD_MAX_ESSAY_PROMPTS];
	struct delivery_essay_group req[EXAMD_MAX_ESSAY_PROMPTS];
	struct delivery_essay_rule rule = { 8, req, EXAMD_MAX_ESSAY_PROMPTS / 2 };
	bool set[EXAMD_MAX_ESSAY_PROMPTS] = { false };
	size_t i;

	(void)state;
	/* groups g0..g7, each with two prompts: 8 of 16, one per group */
	for (i = 0; i < EXAMD_MAX_ESSAY_PROMPTS; i++) {
		p[i].id = names[i];
		p[i].categories = names[i / 2];
	}
	for (i = 0; i < EXAMD_MAX_ESSAY_PROMPTS / 2; i++) {
		req[i].group = names[i];
		req[i].min = 1;
	}
	assert_int_equal(choose(&rule, p, 16, set, 0, NULL), DELIVERY_ESSAY_OK);
	assert_int_equal(choose(&rule, p, 16, set, 1, "g1"),
	    DELIVERY_ESSAY_GROUP_BLOCKED);
	for (i = 2; i < 16; i += 2)
		assert_int_equal(choose(&rule, p, 16, set, i, NULL),
		    DELIVERY_ESSAY_OK);
	assert_int_equal(delivery_essay_check_submit(&rule, p, 16, set, NULL),
	    DELIVERY_ESSAY_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_accepts),
		cmocka_unit_test(test_utf8_refuses),
		cmocka_unit_test(test_essay_text_check),
		cmocka_unit_test(test_word_count),
		cmocka_unit_test(test_word_count_unicode_spaces),
		cmocka_unit_test(test_imhs_two_of_three),
		cmocka_unit_test(test_imhm_c_supervisory_and_clinical),
		cmocka_unit_test(test_imhm_rf_teaching_and_research),
		cmocka_unit_test(test_multi_category_prompts),
		cmocka_unit_test(test_in_group),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_search_worst_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
