/* Settings: strict parsing, FILE:LINE in every error, flags over the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounds.h"
#include "config.h"

static char *
write_conf(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof path, "/tmp/examd-conf-XXXXXX");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_defaults_are_the_named_limits(void **state)
{
	char *argv[] = { "examd", "--db", "d", "--cert", "c", "--key", "k", NULL };
	struct config c;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_parse(&c, 7, argv, &err), 0);
	assert_int_equal(c.max_body, EXAMD_MAX_BODY);
	assert_int_equal(c.handshake_timeout, EXAMD_HANDSHAKE_TIMEOUT);
	assert_int_equal(c.stream_recheck, EXAMD_STREAM_RECHECK);
	assert_string_equal(c.listen, "127.0.0.1:8443");
	config_free(&c);
}

static void
test_flags_override_the_file(void **state)
{
	char *path = write_conf("idle-timeout 30\nmax-body = 2048 # small\n");
	char *argv[] = { "examd", "--config", path, "--db", "d", "--cert", "c",
	    "--key", "k", "--idle-timeout=5", NULL };
	struct config c;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_parse(&c, 10, argv, &err), 0);
	assert_int_equal(c.idle_timeout, 5);
	assert_int_equal(c.max_body, 2048);
	config_free(&c);
	unlink(path);
}

static void
test_file_errors_name_file_and_line(void **state)
{
	const char *bad[] = {
		"idle-timeout 30\n\nbogus 1\n",		/* line 3: unknown */
		"# c\nmax-body -5\n",			/* line 2: range */
		"max-conns many\n",			/* line 1: not a number */
	};
	const char *want[] = { ":3: unknown setting", ":2: max-body",
	    ":1: max-conns" };
	struct config c;
	char *path, *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = write_conf(bad[i]);
		memset(&c, 0, sizeof c);
		err = NULL;
		assert_int_equal(config_load_file(&c, path, &err), -1);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, want[i]));
		free(err);
		config_free(&c);
		unlink(path);
	}
}

static void
test_usage_errors(void **state)
{
	char *missing[] = { "examd", "--db", "d", NULL };
	char *unknown[] = { "examd", "--nope", "1", NULL };
	char *novalue[] = { "examd", "--db", NULL };
	struct config c;
	char *err;

	(void)state;
	err = NULL;
	assert_int_equal(config_parse(&c, 3, missing, &err), 2);
	free(err);
	config_free(&c);
	err = NULL;
	assert_int_equal(config_parse(&c, 3, unknown, &err), 2);
	assert_non_null(strstr(err, "--nope"));
	free(err);
	config_free(&c);
	err = NULL;
	assert_int_equal(config_parse(&c, 2, novalue, &err), 2);
	free(err);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_the_named_limits),
		cmocka_unit_test(test_flags_override_the_file),
		cmocka_unit_test(test_file_errors_name_file_and_line),
		cmocka_unit_test(test_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
