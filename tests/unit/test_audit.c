/* The audit chain's canonical form and verification: audit.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "audit.h"

#define N 5

static char hashes[N][AUDIT_HASH_HEX], prevs[N][AUDIT_HASH_HEX];
static struct audit_entry chain[N];

/* A valid chain of N entries. */
static void
make_chain(void)
{
	static const char zero[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	char *c;
	int i;

	for (i = 0; i < N; i++) {
		memset(&chain[i], 0, sizeof chain[i]);
		chain[i].seq = i + 1;
		chain[i].at = "2025-05-01T09:00:00.000Z";
		chain[i].actor = "user:1";
		chain[i].role = "admin";
		chain[i].association_id = i % 2 ? 3 : 0;
		chain[i].action = "login";
		chain[i].object = "user:1";
		chain[i].details = "{\"a\":1}";
		chain[i].request_id = "abc";
		snprintf(prevs[i], sizeof prevs[i], "%s", i ? hashes[i - 1] : zero);
		chain[i].prev_hash = prevs[i];
		c = audit_canonical(&chain[i]);
		audit_hash(prevs[i], c, hashes[i]);
		free(c);
		chain[i].hash = hashes[i];
	}
}

/* The first bad seq as examctl reports it, or 0. */
static int64_t
verify(struct audit_entry *e, int n)
{
	struct audit_verify v;
	const char *why;
	int i;

	audit_verify_init(&v);
	for (i = 0; i < n; i++)
		if (audit_verify_next(&v, &e[i], &why) == -1)
			return v.expect_seq;
	return 0;
}

static void
test_canonical_form(void **state)
{
	struct audit_entry e;
	char *c;

	(void)state;
	memset(&e, 0, sizeof e);
	e.seq = 7;
	e.at = "T";
	e.actor = "user:1";
	e.role = "admin";
	e.candidate_id = 9;
	e.action = "x";
	e.object = "o";
	e.details = "{}";
	e.request_id = "r";
	c = audit_canonical(&e);
	assert_string_equal(c, "7\nT\nuser:1\nadmin\n\n9\nx\no\n{}\nr");
	free(c);
}

static void
test_known_hash(void **state)
{
	char h[AUDIT_HASH_HEX];

	(void)state;
	/* sha256("a\nb"), so that other tools can recompute the chain. */
	audit_hash("a", "b", h);
	assert_string_equal(h,
	    "7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78");
}

static void
test_details_sorted_compact(void **state)
{
	json_t *d = json_pack("{s:i,s:s}", "z", 1, "a", "x");
	char *s = audit_details_text(d);

	(void)state;
	assert_string_equal(s, "{\"a\":\"x\",\"z\":1}");
	free(s);
	json_decref(d);
	s = audit_details_text(NULL);
	assert_string_equal(s, "{}");
	free(s);
}

static void
test_intact_chain_verifies(void **state)
{
	(void)state;
	make_chain();
	assert_int_equal(verify(chain, N), 0);
}

static void
test_changed_entry_detected(void **state)
{
	(void)state;
	make_chain();
	chain[2].action = "logout";
	assert_int_equal(verify(chain, N), 3);
}

static void
test_deleted_entry_detected(void **state)
{
	struct audit_entry e[N - 1];

	(void)state;
	make_chain();
	memcpy(e, chain, sizeof e[0] * 1);
	memcpy(e + 1, chain + 2, sizeof e[0] * (N - 2));
	assert_int_equal(verify(e, N - 1), 2);
}

static void
test_reordered_entries_detected(void **state)
{
	struct audit_entry t;

	(void)state;
	make_chain();
	/* Swapped contents, sequence numbers kept in place. */
	t = chain[1];
	chain[1] = chain[3];
	chain[3] = t;
	chain[1].seq = 2;
	chain[3].seq = 4;
	assert_int_equal(verify(chain, N), 2);
}

static void
test_rehashed_entry_breaks_next_link(void **state)
{
	char *c, h[AUDIT_HASH_HEX];

	(void)state;
	make_chain();
	/* A forger who fixes the changed entry's hash breaks the next link. */
	chain[1].actor = "user:2";
	c = audit_canonical(&chain[1]);
	audit_hash(chain[1].prev_hash, c, h);
	free(c);
	chain[1].hash = h;
	assert_int_equal(verify(chain, N), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_form),
		cmocka_unit_test(test_known_hash),
		cmocka_unit_test(test_details_sorted_compact),
		cmocka_unit_test(test_intact_chain_verifies),
		cmocka_unit_test(test_changed_entry_detected),
		cmocka_unit_test(test_deleted_entry_detected),
		cmocka_unit_test(test_reordered_entries_detected),
		cmocka_unit_test(test_rehashed_entry_breaks_next_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
