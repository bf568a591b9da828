/*
 * Time zones: names, TZif parsing, and offsets checked against the C
 * library's localtime_r over many instants, including far past the files'
 * last transitions (the POSIX footer rules). The C library's answer is the
 * reference, so this test may set TZ; examd never does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tz.c"

static const char *zones[] = {
	"America/New_York", "America/Detroit", "America/Los_Angeles",
	"America/Anchorage", "America/Nuuk", "America/Sao_Paulo",
	"America/St_Johns", "Europe/London", "Europe/Berlin", "Europe/Dublin",
	"Asia/Jerusalem", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
	"Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham",
	"Africa/Casablanca", "UTC", "Etc/GMT+5", "Asia/Tehran",
};

static void
test_names(void **state)
{
	(void)state;
	assert_true(tz_name_valid("America/New_York"));
	assert_true(tz_name_valid("Etc/GMT+5"));
	assert_true(tz_name_valid("UTC"));
	assert_false(tz_name_valid("../etc/passwd"));
	assert_false(tz_name_valid("America/../../etc/passwd"));
	assert_false(tz_name_valid("/etc/localtime"));
	assert_false(tz_name_valid("America//New_York"));
	assert_false(tz_name_valid("America/"));
	assert_false(tz_name_valid(""));
	assert_false(tz_name_valid("zone.tab"));
	assert_false(tz_name_valid("America/New York"));
	assert_null(tz_get("Mars/Olympus_Mons"));
	assert_null(tz_get("America"));			/* a directory */
	assert_null(tz_get("iso3166"));			/* not TZif */
	assert_non_null(tz_get("America/New_York"));
	assert_ptr_equal(tz_get("America/New_York"), tz_get("America/New_York"));
}

static void
test_against_libc(void **state)
{
	const struct tz *z;
	struct tm tm;
	time_t t;
	size_t i;
	int64_t k;

	(void)state;
	for (i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		if ((z = tz_get(zones[i])) == NULL)
			fail_msg("zone %s not installed", zones[i]);
		setenv("TZ", zones[i], 1);
		tzset();
		/* 1975 to 2099, every 3 days and 7 hours (walks through DST edges). */
		for (k = 0; k < 15000; k++) {
			t = (time_t)(157766400LL + k * (3 * 86400 + 7 * 3600 + 61));
			localtime_r(&t, &tm);
			if (tz_offset(z, t) != tm.tm_gmtoff)
				fail_msg("%s at %lld: %d, libc %ld", zones[i],
				    (long long)t, tz_offset(z, t), tm.tm_gmtoff);
		}
	}
	unsetenv("TZ");
	tzset();
}

static void
test_format_across_dst(void **state)
{
	const struct tz *z = tz_get("America/New_York");
	char buf[40];

	(void)state;
	/* 2027-03-14 01:59:59 EST, then 03:00:00 EDT one second later. */
	tz_format(z, 1805007599000LL, buf, sizeof buf);
	assert_string_equal(buf, "2027-03-14T01:59:59-05:00");
	tz_format(z, 1805007600000LL, buf, sizeof buf);
	assert_string_equal(buf, "2027-03-14T03:00:00-04:00");
	z = tz_get("Asia/Kolkata");
	tz_format(z, 0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T05:30:00+05:30");
	z = tz_get("America/St_Johns");
	tz_format(z, 2524608000000LL, buf, sizeof buf);	/* 2050-01-01Z */
	assert_string_equal(buf, "2049-12-31T20:30:00-03:30");
}

static void
test_garbage_files(void **state)
{
	unsigned char buf[4096];
	size_t len;
	unsigned char *real = tz_read("Europe/Berlin", &len);
	struct tz *z;

	(void)state;
	assert_null(tz_parse("x", (const unsigned char *)"TZif", 4));
	memset(buf, 0xff, sizeof buf);
	memcpy(buf, "TZif2", 5);
	assert_null(tz_parse("x", buf, sizeof buf));
	assert_non_null(real);
	/* Every truncation is refused or parsed, never read past the end. */
	for (; len > 0; len -= 7) {
		z = tz_parse("Europe/Berlin", real, len);
		tz_free(z);
		if (len < 7)
			break;
	}
	/* An odd footer falls back to the last transition. */
	assert_int_equal(tz_posix_parse(&(struct tz){ 0 }, "EST5EDT,J60,J300"), -1);
	assert_int_equal(tz_posix_parse(&(struct tz){ 0 }, "<+0530>-5:30"), 0);
	free(real);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_against_libc),
		cmocka_unit_test(test_format_across_dst),
		cmocka_unit_test(test_garbage_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
