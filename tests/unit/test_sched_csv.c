/* RFC 4180 parsing and the CSV row rules of bulk registration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched_csv.c"

static struct sched_csv *
parse_ok(const char *s, size_t len)
{
	struct sched_csv *c = NULL;
	char *err = NULL;

	if (sched_csv_parse(s, len, &c, &err) != 0)
		fail_msg("unexpected error: %s", err);
	return c;
}

static char *
parse_err(const char *s, size_t len)
{
	struct sched_csv *c = NULL;
	char *err = NULL;

	assert_int_equal(sched_csv_parse(s, len, &c, &err), -1);
	assert_null(c);
	assert_non_null(err);
	return err;
}

#define OK(s)	parse_ok((s), sizeof(s) - 1)
#define ERR(s)	parse_err((s), sizeof(s) - 1)

static void
test_quotes_commas_newlines(void **state)
{
	struct sched_csv *c;

	(void)state;
	c = OK("a,b,c\r\n\"x, y\",\"line1\r\nline2\",\"say \"\"hi\"\"\"\r\n");
	assert_int_equal(c->nrows, 2);
	assert_int_equal(c->rows[1].n, 3);
	assert_string_equal(c->rows[1].f[0], "x, y");
	assert_string_equal(c->rows[1].f[1], "line1\r\nline2");
	assert_string_equal(c->rows[1].f[2], "say \"hi\"");
	assert_int_equal(c->rows[1].num, 2);
	assert_int_equal(c->rows[1].line, 2);
	sched_csv_free(c);
}

static void
test_line_ends_bom_blank_lines(void **state)
{
	struct sched_csv *c;

	(void)state;
	c = OK("\xef\xbb\xbfname,email\nA,a@x.org\r\n\r\nB,b@x.org\rC,c@x.org");
	assert_int_equal(c->nrows, 4);
	assert_string_equal(c->rows[0].f[0], "name");	/* BOM gone */
	assert_string_equal(c->rows[2].f[0], "B");
	assert_int_equal(c->rows[2].num, 3);		/* blank line skipped */
	assert_int_equal(c->rows[2].line, 4);
	assert_string_equal(c->rows[3].f[1], "c@x.org");	/* no final line end */
	sched_csv_free(c);
}

static void
test_empty_fields_and_ragged_rows(void **state)
{
	struct sched_csv *c;

	(void)state;
	c = OK("a,b,c\n,,\nx\n1,2,3,4,\n\"\",\"\"\n");
	assert_int_equal(c->nrows, 5);
	assert_int_equal(c->rows[1].n, 3);
	assert_string_equal(c->rows[1].f[2], "");
	assert_int_equal(c->rows[2].n, 1);
	assert_int_equal(c->rows[3].n, 5);		/* trailing comma: empty field */
	assert_int_equal(c->rows[4].n, 2);
	sched_csv_free(c);
	c = OK("a,b,");
	assert_int_equal(c->rows[0].n, 3);
	sched_csv_free(c);
}

static void
test_malformed_quotes(void **state)
{
	char *e;

	(void)state;
	e = ERR("a,b\n\"open,field\n");
	assert_non_null(strstr(e, "line 2"));
	assert_non_null(strstr(e, "never closed"));
	free(e);
	e = ERR("a,b\nx\"y,z\n");
	assert_non_null(strstr(e, "quote"));
	free(e);
	e = ERR("a,b\n\"x\"y,z\n");
	assert_non_null(strstr(e, "line 2"));
	free(e);
}

static void
test_invalid_utf8_names_the_line(void **state)
{
	static const char *bad[] = {
		"a\nb\n\xff\n",			/* not a lead byte */
		"a\nb\n\xc0\xaf\n",		/* overlong '/' */
		"a\nb\n\xed\xa0\x80\n",		/* surrogate */
		"a\nb\n\xf4\x90\x80\x80\n",	/* above U+10FFFF */
		"a\nb\n\xe2\x82",		/* truncated */
	};
	size_t i;
	char *e;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = parse_err(bad[i], strlen(bad[i]));
		assert_non_null(strstr(e, "line 3"));
		assert_non_null(strstr(e, "UTF-8"));
		free(e);
	}
	e = parse_err("a\nb\0c\n", 6);
	assert_non_null(strstr(e, "NUL"));
	free(e);
	sched_csv_free(OK("Zo\xc3\xab,\xe2\x82\xac,\xf0\x9f\x98\x80\n"));
}

static void
test_limits(void **state)
{
	size_t n = SCHED_CSV_MAX_BYTES + 1, i;
	char *big = malloc(n), *e;
	struct sched_csv *c;

	(void)state;
	memset(big, 'x', n);
	e = parse_err(big, n);
	assert_non_null(strstr(e, "larger"));
	free(e);
	/* One field over the cap. */
	memset(big, 'x', SCHED_CSV_MAX_FIELD + 10);
	e = parse_err(big, SCHED_CSV_MAX_FIELD + 10);
	assert_non_null(strstr(e, "longer"));
	free(e);
	/* Too many rows. */
	for (i = 0; i < (size_t)SCHED_CSV_MAX_ROWS + 2; i++) {
		big[2 * i] = 'r';
		big[2 * i + 1] = '\n';
	}
	e = parse_err(big, 2 * i);
	assert_non_null(strstr(e, "rows"));
	free(e);
	c = parse_ok(big, 2 * (i - 1));		/* header + the maximum */
	assert_int_equal(c->nrows, SCHED_CSV_MAX_ROWS + 1);
	sched_csv_free(c);
	/* Too many columns. */
	memset(big, ',', SCHED_CSV_MAX_COLS + 1);
	e = parse_err(big, SCHED_CSV_MAX_COLS + 1);
	assert_non_null(strstr(e, "columns"));
	free(e);
	free(big);
}

static void
test_header_and_rows(void **state)
{
	struct sched_csv *c;
	struct sched_cols cols;
	struct store_cand cand;
	char why[256];

	(void)state;
	c = OK("Name, E-Mail ,TRACK,time multiplier,accommodations_approved_on,"
	    "breaks_allowed\n"
	    "Ada, ada@x.org ,IMHS,1.5,2027-02-20,yes\n"
	    "Bob,bob@x.org,IMHS,abc,,\n"
	    "Cy,cy@x.org,IMHS,,2027-02-30,\n"
	    "Di,di@x.org,IMHS,,,maybe\n"
	    "Ed,ed@x.org\n");
	assert_int_equal(sched_csv_header(&c->rows[0], &cols, why, sizeof why), 0);
	assert_int_equal(sched_csv_cand(&cols, &c->rows[1], &cand, why,
	    sizeof why), 0);
	assert_string_equal(cand.email, "ada@x.org");
	assert_true(cand.time_multiplier == 1.5);
	assert_true(cand.breaks_allowed);
	assert_true(cand.approved_at > 0);
	assert_int_equal(sched_cand_problem(&cand, "IMH", cand.approved_at,
	    why, sizeof why), 0);
	assert_int_equal(sched_csv_cand(&cols, &c->rows[2], &cand, why,
	    sizeof why), -1);
	assert_non_null(strstr(why, "not a number"));
	assert_int_equal(sched_csv_cand(&cols, &c->rows[3], &cand, why,
	    sizeof why), -1);
	assert_non_null(strstr(why, "not a date"));
	assert_int_equal(sched_csv_cand(&cols, &c->rows[4], &cand, why,
	    sizeof why), -1);
	assert_non_null(strstr(why, "yes or no"));
	assert_int_equal(sched_csv_cand(&cols, &c->rows[5], &cand, why,
	    sizeof why), -1);
	assert_non_null(strstr(why, "2 fields where the header has 6"));
	sched_csv_free(c);

	c = OK("name,email,track,colour\n");
	assert_int_equal(sched_csv_header(&c->rows[0], &cols, why, sizeof why), -1);
	assert_non_null(strstr(why, "unknown column \"colour\""));
	sched_csv_free(c);
	c = OK("name,email,name,track\n");
	assert_int_equal(sched_csv_header(&c->rows[0], &cols, why, sizeof why), -1);
	assert_non_null(strstr(why, "twice"));
	sched_csv_free(c);
	c = OK("name,track\n");
	assert_int_equal(sched_csv_header(&c->rows[0], &cols, why, sizeof why), -1);
	assert_non_null(strstr(why, "\"email\""));
	sched_csv_free(c);
}

static void
test_eligibility_rules(void **state)
{
	char why[256];
	int known;

	(void)state;
	assert_int_equal(sched_track_problem("IMHS", "IMH", why, sizeof why), 0);
	assert_int_equal(sched_track_problem("ECMHM-P", "ECMH", why,
	    sizeof why), 0);
	assert_int_equal(sched_track_problem("IFA", "IMH", why, sizeof why), -1);
	assert_non_null(strstr(why, "IFA (Infant Family Associate) takes no "
	    "written exam"));
	assert_int_equal(sched_track_problem("ECMHS", "IMH", why, sizeof why), -1);
	assert_string_equal(why, "track ECMHS cannot sit an IMH form (it sits "
	    "the ECMH exam)");
	assert_int_equal(sched_track_problem("imhs", "IMH", why, sizeof why), -1);
	assert_non_null(strstr(why, "unknown track"));
	assert_null(sched_track_program("IFS", &known));
	assert_true(known);
	assert_string_equal(sched_track_program("IMHM-RF", &known), "IMH");
}

static void
test_accommodation_rules(void **state)
{
	struct store_cand c;
	int64_t now = 1800000000000LL, opens = now + 20 * 86400000LL;
	char why[256];

	(void)state;
	memset(&c, 0, sizeof c);
	strcpy(c.name, "Ann");
	strcpy(c.email, "ann@example.org");
	strcpy(c.track, "IMHS");
	c.time_multiplier = 1.0;
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), 0);
	c.time_multiplier = 3.01;
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), -1);
	c.time_multiplier = 3.0;
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), -1);
	assert_non_null(strstr(why, "approved"));
	c.approved_at = now - 86400000LL;
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), 0);
	/* Approved 7 days before opening: accepted, flagged. */
	c.approved_at = opens - 7 * 86400000LL;
	assert_true(sched_late_approval(&c, opens));
	c.approved_at = opens - 14 * 86400000LL;
	assert_false(sched_late_approval(&c, opens));
	c.approved_at = now + 86400000LL;
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), -1);
	assert_non_null(strstr(why, "future"));
	c.approved_at = 0;
	c.time_multiplier = 1.0;
	strcpy(c.email, "a@b");
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), -1);
	strcpy(c.email, "a b@example.org");
	assert_int_equal(sched_cand_problem(&c, "IMH", now, why, sizeof why), -1);
	assert_int_equal(sched_window_problem(10, 10, why, sizeof why), -1);
	assert_int_equal(sched_window_problem(10, 20, why, sizeof why), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quotes_commas_newlines),
		cmocka_unit_test(test_line_ends_bom_blank_lines),
		cmocka_unit_test(test_empty_fields_and_ragged_rows),
		cmocka_unit_test(test_malformed_quotes),
		cmocka_unit_test(test_invalid_utf8_names_the_line),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_header_and_rows),
		cmocka_unit_test(test_eligibility_rules),
		cmocka_unit_test(test_accommodation_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
