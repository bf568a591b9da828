/* Routing: patterns, parameters, 404 versus 405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.c"

static void
test_match_patterns(void **state)
{
	(void)state;
	assert_true(http_match("/api/v1/sittings/{sid}", "/api/v1/sittings/7"));
	assert_true(http_match("/a/{x}/b/{y}", "/a/1/b/two"));
	assert_false(http_match("/a/{x}/b", "/a//b"));		/* empty segment */
	assert_false(http_match("/a/{x}", "/a/1/extra"));
	assert_false(http_match("/a/{x}/b", "/a/1"));
	assert_false(http_match("/healthz", "/healthzz"));
}

static void
test_params_are_split_out(void **state)
{
	struct route r = { "GET", "/s/{sid}/c/{cid}/admit", 0, 0, NULL };
	struct req req;

	(void)state;
	memset(&req, 0, sizeof req);
	req.route = &r;
	req.path = strdup("/s/12/c/345/admit");
	http_params(&req);
	assert_int_equal(req.nparams, 2);
	assert_string_equal(req.params[0], "12");
	assert_string_equal(req.params[1], "345");
	assert_int_equal(http_param_id(&req, 0), 12);
	assert_int_equal(http_param_id(&req, 1), 345);
	assert_int_equal(http_param_id(&req, 2), -1);
	free(req.pathbuf);
	free(req.path);
}

static void
test_ids_must_be_positive_integers(void **state)
{
	struct route r = { "GET", "/s/{sid}", 0, 0, NULL };
	const char *bad[] = { "/s/-1", "/s/0", "/s/1x", "/s/x",
	    "/s/99999999999999999999" };
	struct req req;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&req, 0, sizeof req);
		req.route = &r;
		req.path = strdup(bad[i]);
		http_params(&req);
		assert_int_equal(http_param_id(&req, 0), -1);
		free(req.pathbuf);
		free(req.path);
	}
}

static void
test_route_find_tells_405_from_404(void **state)
{
	int mismatch;

	(void)state;
	assert_non_null(http_route_find("GET", "/healthz", &mismatch));
	assert_null(http_route_find("POST", "/healthz", &mismatch));
	assert_int_equal(mismatch, 1);
	assert_null(http_route_find("GET", "/nothing-here", &mismatch));
	assert_int_equal(mismatch, 0);
}

/* One path, several methods: each gets its own route, whatever the order. */
static void
test_route_find_picks_the_method(void **state)
{
	const struct route *get, *put;
	int mismatch;

	(void)state;
	get = http_route_find("GET", "/api/v1/sittings/7", &mismatch);
	put = http_route_find("PUT", "/api/v1/sittings/7", &mismatch);
	assert_non_null(get);
	assert_non_null(put);
	assert_string_equal(get->method, "GET");
	assert_string_equal(put->method, "PUT");
	assert_string_equal(get->pattern, put->pattern);
	assert_null(http_route_find("DELETE", "/api/v1/sittings/7",
	    &mismatch));
	assert_int_equal(mismatch, 1);
	/* A method that matches nowhere says nothing of the path. */
	assert_null(http_route_find("PUT", "/api/v1/nothing/7", &mismatch));
	assert_int_equal(mismatch, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_patterns),
		cmocka_unit_test(test_params_are_split_out),
		cmocka_unit_test(test_ids_must_be_positive_integers),
		cmocka_unit_test(test_route_find_tells_405_from_404),
		cmocka_unit_test(test_route_find_picks_the_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
