/* Access codes, tokens and RFC 3339 time: auth_code.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "auth.h"

static void
test_code_is_grouped_crockford(void **state)
{
	char code[AUTH_CODE_PRINT], norm[AUTH_CODE_CHARS + 1];
	int i;

	(void)state;
	auth_code_new(code);
	assert_int_equal(strlen(code), 24);
	for (i = 0; i < 24; i++) {
		if (i % 5 == 4)
			assert_int_equal(code[i], '-');
		else
			assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
			    code[i]));
	}
	assert_int_equal(auth_code_normalise(code, norm), 0);
	assert_int_equal(strlen(norm), 20);
}

static void
test_codes_differ(void **state)
{
	char a[AUTH_CODE_PRINT], b[AUTH_CODE_PRINT];

	(void)state;
	auth_code_new(a);
	auth_code_new(b);
	assert_string_not_equal(a, b);
}

static void
test_code_read_aloud_forgiving(void **state)
{
	char h1[AUTH_HASH_HEX], h2[AUTH_HASH_HEX], h3[AUTH_HASH_HEX];

	(void)state;
	/* Case, dashes, spaces and the look-alikes I, L, O do not matter. */
	assert_int_equal(auth_code_hash("ABCD-EFGH-1100-WXYZ-2345", h1), 0);
	assert_int_equal(auth_code_hash("abcd efgh ILOo wxyz 2345", h2), 0);
	assert_int_equal(auth_code_hash("ABCDEFGH1100WXYZ2345", h3), 0);
	assert_string_equal(h1, h2);
	assert_string_equal(h1, h3);
	assert_int_equal(strlen(h1), 64);
}

static void
test_code_bad_inputs_refused(void **state)
{
	char h[AUTH_HASH_HEX];

	(void)state;
	assert_int_equal(auth_code_hash("", h), -1);
	assert_int_equal(auth_code_hash("ABCD-EFGH-1100-WXYZ-234", h), -1);
	assert_int_equal(auth_code_hash("ABCD-EFGH-1100-WXYZ-23456", h), -1);
	assert_int_equal(auth_code_hash("ABCD-EFGH-1100-WXYZ-234U", h), -1);
	assert_int_equal(auth_code_hash("ABCD-EFGH-1100-WXYZ-234!", h), -1);
}

static void
test_token_is_256_bits_base64url(void **state)
{
	char t[AUTH_TOKEN_CHARS], u[AUTH_TOKEN_CHARS];
	size_t i;

	(void)state;
	auth_token_new(t);
	auth_token_new(u);
	assert_int_equal(strlen(t), 43);
	assert_string_not_equal(t, u);
	for (i = 0; i < strlen(t); i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
		    "nopqrstuvwxyz0123456789-_", t[i]));
}

static void
test_password_hash_verifies(void **state)
{
	char enc[AUTH_ARGON2_ENCODED];

	(void)state;
	assert_int_equal(auth_password_hash("correct horse battery", enc), 0);
	assert_non_null(strstr(enc, "$argon2id$"));
	assert_non_null(strstr(enc, "m=19456,t=2,p=1"));
	assert_int_equal(auth_password_verify(enc, "correct horse battery"), 1);
	assert_int_equal(auth_password_verify(enc, "correct horse batterx"), 0);
	assert_int_equal(auth_password_verify("garbage", "x"), 0);
	assert_int_equal(auth_password_verify(auth_password_dummy(), "x"), 0);
}

static void
test_time_round_trip(void **state)
{
	char buf[40];
	int64_t ms;

	(void)state;
	assert_int_equal(auth_time_parse("2025-05-01T09:00:00Z", &ms), 0);
	assert_int_equal(ms, 1746090000000LL);
	auth_time_format(ms + 123, buf, sizeof buf);
	assert_string_equal(buf, "2025-05-01T09:00:00.123Z");
	assert_int_equal(auth_time_parse(buf, &ms), 0);
	assert_int_equal(ms, 1746090000123LL);
	assert_int_equal(auth_time_parse("2025-05-01T11:00:00+02:00", &ms), 0);
	assert_int_equal(ms, 1746090000000LL);
	assert_int_equal(auth_time_parse("2025-05-01 09:00:00Z", &ms), -1);
	assert_int_equal(auth_time_parse("2025-13-01T09:00:00Z", &ms), -1);
	assert_int_equal(auth_time_parse("2025-05-01T09:00:00", &ms), -1);
	assert_int_equal(auth_time_parse("2025-05-01T09:00:00Zjunk", &ms), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_is_grouped_crockford),
		cmocka_unit_test(test_codes_differ),
		cmocka_unit_test(test_code_read_aloud_forgiving),
		cmocka_unit_test(test_code_bad_inputs_refused),
		cmocka_unit_test(test_token_is_256_bits_base64url),
		cmocka_unit_test(test_password_hash_verifies),
		cmocka_unit_test(test_time_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
