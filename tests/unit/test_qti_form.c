/*
 * test_qti_form.c: exam forms (examd/qti_form.c) and content packages
 * (examd/qti_package.c). Run from the repository root.
 */
#include "qti_fixture.h"

#define FORMS "tests/data/qti/bank/forms"
#define PKG "tests/data/qti/pkg"

static struct qti_form *
expect_form(const char *path, const char *root)
{
	char *err = NULL;
	struct qti_form *f = qti_form_parse(path, root, &err);

	if (f == NULL)
		print_message("%s: unexpected refusal: %s\n", path, err);
	assert_non_null(f);
	assert_null(err);
	return f;
}

static void
expect_form_refused(const char *path, const char *root, const char *want)
{
	char *err = NULL;
	struct qti_form *f = qti_form_parse(path, root, &err);

	if (f || err == NULL || strstr(err, want) == NULL)
		print_message("%s: expected \"%s\", got %s\n", path, want,
		    f ? "a form" : err ? err : "no message");
	assert_null(f);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	free(err);
}

/* Load the items and expect each of `wants` (NULL-terminated) in the
 * problem list. */
static void
expect_load_fails(struct qti_form *f, const char *const *wants)
{
	char *err = NULL;

	assert_int_equal(qti_form_load_items(f, NULL, NULL, &err), -1);
	assert_non_null(err);
	for (; *wants; wants++) {
		if (strstr(err, *wants) == NULL)
			print_message("missing \"%s\" in:\n%s\n", *wants, err);
		assert_non_null(strstr(err, *wants));
	}
	free(err);
}

static void
test_valid_form(void **state)
{
	struct qti_form *f;
	const struct qti_section *mc, *es;
	const struct qti_track_section *t;
	char *err = NULL;

	(void)state;
	f = expect_form(FORMS "/form-a.xml", "tests/data/qti/bank");
	assert_string_equal(f->identifier, "imh-sample-a");
	assert_string_equal(f->title, "IMH written exam, sample form A");
	assert_string_equal(f->program, "IMH");
	assert_int_equal(f->version, QTI_V2P2);
	assert_int_equal(f->n_sections, 2);
	mc = &f->sections[0];
	es = &f->sections[1];
	assert_string_equal(mc->identifier, "mc");
	assert_int_equal(mc->kind, QTI_SECTION_MC);
	assert_int_equal(mc->time_limit_ms, 5400000);
	assert_int_equal(mc->cut_percent, 80);
	assert_int_equal(mc->n_refs, 2);
	assert_string_equal(mc->refs[0].path,
	    "tests/data/qti/bank/mc/imh-mc-001.xml");
	/* "./" collapsed */
	assert_string_equal(mc->refs[1].path,
	    "tests/data/qti/bank/mc/imh-mc-002.xml");
	assert_string_equal(es->identifier, "essay");
	assert_int_equal(es->kind, QTI_SECTION_ESSAY);
	assert_int_equal(es->time_limit_ms, 5400500);	/* decimal seconds */
	assert_int_equal(es->cut_percent, 75);
	assert_int_equal(es->n_tracks, 2);
	t = &es->tracks[0];
	assert_string_equal(t->identifier, "essay-imhm-c");
	assert_int_equal(t->n_tracks, 1);
	assert_string_equal(t->tracks[0], "IMHM-C");
	assert_int_equal(t->answer, 2);
	assert_int_equal(t->n_require, 2);
	assert_string_equal(t->require[0].group, "supervisory");
	assert_int_equal(t->require[0].min, 1);
	assert_string_equal(t->require[1].group, "clinical");
	assert_int_equal(t->n_refs, 3);
	assert_string_equal(t->refs[0].category, "supervisory");
	assert_string_equal(t->refs[2].path,
	    "tests/data/qti/bank/essay/imhm-c-cl-2.xml");
	t = &es->tracks[1];
	assert_int_equal(t->n_tracks, 2);
	assert_string_equal(t->tracks[1], "IMHM-P");
	assert_int_equal(t->n_require, 0);
	/* the items load and the form is importable */
	if (qti_form_load_items(f, NULL, NULL, &err) != 0)
		print_message("%s\n", err);
	assert_null(err);
	assert_non_null(mc->refs[0].item);
	assert_string_equal(mc->refs[0].item->key, "B");
	assert_int_equal(es->tracks[0].refs[0].item->kind, QTI_ITEM_ESSAY);
	qti_form_free(f);
	/* without a root, the same form parses too */
	qti_form_free(expect_form(FORMS "/form-a.xml", NULL));
}

/* Lookup over a fixed table, for qti_form_check. */
struct table {
	const char		*path[8];
	const struct qti_item	*item[8];
};

static const struct qti_item *
table_lookup(const char *path, void *arg)
{
	const struct table *t = arg;
	size_t i;

	for (i = 0; i < 8; i++)
		if (t->path[i] && strcmp(t->path[i], path) == 0)
			return t->item[i];
	return NULL;
}

static void
test_form_check_with_lookup(void **state)
{
	struct qti_form *f;
	struct qti_item mc = { 0 }, essay = { 0 }, nodomain = { 0 };
	struct table t = { { NULL }, { NULL } };
	char *err = NULL;
	size_t i, j, n;

	(void)state;
	mc.kind = QTI_ITEM_MC;
	mc.domain = (char *)(uintptr_t)"thinking";
	nodomain.kind = QTI_ITEM_MC;
	essay.kind = QTI_ITEM_ESSAY;
	f = expect_form(FORMS "/form-a.xml", NULL);
	/* no lookup: nothing resolves */
	assert_int_equal(qti_form_check(f, NULL, NULL, &err), -1);
	assert_non_null(strstr(err, ":11: item imh-mc-001 (../mc/imh-mc-001.xml) "
	    "does not resolve"));
	free(err);
	err = NULL;
	/* everything resolves: essays are essays, MC are MC */
	t.path[0] = f->sections[0].refs[0].path;
	t.item[0] = &mc;
	t.path[1] = f->sections[0].refs[1].path;
	t.item[1] = &nodomain;
	assert_int_equal(qti_form_check(f, table_lookup, &t, &err), -1);
	/* essays missing, and an MC item without a domain */
	assert_non_null(strstr(err, "item imh-mc-002 (../mc/./imh-mc-002.xml) "
	    "has no domain"));
	assert_non_null(strstr(err, "item v-sup-1"));
	free(err);
	err = NULL;
	/* a full, correct table: importable */
	memset(&t, 0, sizeof(t));
	n = 0;
	for (i = 0; i < f->sections[0].n_refs; i++) {
		t.path[n] = f->sections[0].refs[i].path;
		t.item[n++] = &mc;
	}
	for (i = 0; i < f->sections[1].n_tracks; i++)
		for (j = 0; j < f->sections[1].tracks[i].n_refs; j++) {
			assert_true(n < 8);
			t.path[n] = f->sections[1].tracks[i].refs[j].path;
			t.item[n++] = &essay;
		}
	assert_int_equal(n, 7);
	assert_int_equal(qti_form_check(f, table_lookup, &t, &err), 0);
	assert_null(err);
	/* an MC item in an essay part */
	t.item[6] = &mc;
	assert_int_equal(qti_form_check(f, table_lookup, &t, &err), -1);
	assert_non_null(strstr(err, ":26: item s-cl-2 (../essay/imhs-cl-2.xml) "
	    "is multiple choice but its section is an essay part"));
	free(err);
	qti_form_free(f);
}

static void
test_form_refs_that_do_not_resolve(void **state)
{
	static const char *const wants[] = {
		":12: item imh-mc-002 (../mc/imh-mc-404.xml) does not resolve",
		"imh-mc-404.xml: No such file or directory",
		NULL,
	};
	struct qti_form *f;

	(void)state;
	f = expect_form(FORMS "/bad-unresolved.xml", "tests/data/qti/bank");
	expect_load_fails(f, wants);
	qti_form_free(f);
}

static void
test_form_mc_section_with_essay(void **state)
{
	static const char *const wants[] = {
		":12: item imh-mc-002 (../essay/imhs-cl-1.xml) is an essay but "
		"its section is multiple choice",
		NULL,
	};
	struct qti_form *f;

	(void)state;
	f = expect_form(FORMS "/bad-mc-essay.xml", "tests/data/qti/bank");
	expect_load_fails(f, wants);
	qti_form_free(f);
}

static void
test_form_bad_values(void **state)
{
	(void)state;
	expect_form_refused(FORMS "/bad-maxtime.xml", NULL,
	    ":10: timeLimits maxTime \"1e9\" is not a number of seconds");
	expect_form_refused(FORMS "/bad-require.xml", NULL,
	    "examd:require \"supervisory=1 clinical:1\": \"supervisory=1\" "
	    "is not group:M");
	expect_form_refused(FORMS "/bad-escape.xml", "tests/data/qti/bank",
	    ":12: href \"../../../../../../../etc/passwd\" of imh-mc-002 "
	    "leads outside the package root");
	expect_form_refused(FORMS "/bad-url.xml", NULL,
	    ":12: href \"http://tao.local/mytao.rdf#i1\" of imh-mc-002: not a "
	    "relative file path");
	expect_form_refused(FORMS "/bad-track.xml", NULL,
	    "unknown track \"IFA\" in examd:tracks (IFA and IFS take no "
	    "written exam)");
	expect_form_refused(FORMS "/bad-answer.xml", NULL,
	    "examd:answer \"4\" of essay-imhm-c must be a whole number from 1 "
	    "to the 3 vignettes listed");
	/* an item is not a form */
	expect_form_refused("tests/data/qti/bank/mc/imh-mc-001.xml", NULL,
	    "root element assessmentItem is not assessmentTest");
}

/* ---- corpus tests/ ---- */

static void
test_corpus_forms(void **state)
{
	static const char *const webdev_wants[] = {
		/* the reason an item is refused names the item file and line */
		"question8.xml:28: unsupported interaction inlineChoiceInteraction",
		"question5.xml:23: multiple-response choice",
		"question9.xml:23: multiple-response choice",
		"section sectionquestion1 has no time limit",
		"the form has no examd:program",
		NULL,
	};
	static const char *const duration_wants[] = {
		"item034.xml: No such file or directory",
		"section sectionA has no time limit",
		NULL,
	};
	const char *dir;
	char path[512], root[512];
	struct qti_form *f;

	(void)state;
	NEED_CORPUS(dir);
	snprintf(root, sizeof(root), "%s/tests", dir);

	/* http://tao.local/... hrefs */
	snprintf(path, sizeof(path), "%s/tests/timelimits.xml", dir);
	expect_form_refused(path, root, ":6: href \"http://tao.local/mytao.rdf#"
	    "i137942795952140\" of i1379407122620834: not a relative file path");

	/* items and a sub-section side by side */
	snprintf(path, sizeof(path),
	    "%s/tests/randomizing_the_order_of_items_and_sections.xml", dir);
	expect_form_refused(path, root, ":21: section sectionB mixes item "
	    "references and sub-sections");

	/* parses (times in seconds), items absent from the corpus */
	snprintf(path, sizeof(path),
	    "%s/tests/controlling_the_duration_of_an_item_attempt.xml", dir);
	f = expect_form(path, root);
	assert_string_equal(f->identifier, "RTEST-09");
	assert_int_equal(f->n_sections, 2);
	assert_int_equal(f->sections[0].time_limit_ms, 0);
	assert_int_equal(f->sections[1].time_limit_ms, 7200000);
	assert_int_equal(f->sections[1].n_refs, 3);
	assert_null(f->program);
	expect_load_fails(f, duration_wants);
	qti_form_free(f);

	/* ISO-8859-1 test whose 9 refs resolve; 3 of them are refused */
	snprintf(path, sizeof(path), "%s/tests/webdev21/template_test1.xml",
	    dir);
	f = expect_form(path, root);
	assert_string_equal(f->title, "Web Developer Website");
	assert_int_equal(f->n_sections, 1);
	assert_int_equal(f->sections[0].kind, QTI_SECTION_MC);
	assert_int_equal(f->sections[0].n_refs, 9);
	expect_load_fails(f, webdev_wants);
	/* the good items were parsed */
	assert_non_null(f->sections[0].refs[0].item);
	assert_string_equal(f->sections[0].refs[0].item->key, "ChoiceC");
	assert_null(f->sections[0].refs[7].item);
	qti_form_free(f);

	/* not well-formed, no namespace, unknown namespace */
	snprintf(path, sizeof(path), "%s/invalid/malformed.xml", dir);
	expect_form_refused(path, NULL, "not well-formed XML");
	snprintf(path, sizeof(path),
	    "%s/invalid/empty_test_missing_namespace.xml", dir);
	expect_form_refused(path, NULL, "has no namespace");
	snprintf(path, sizeof(path), "%s/invalid/empty_test_wrong_namespace.xml",
	    dir);
	expect_form_refused(path, NULL,
	    "unknown namespace http://www.imsglobal.org/xsd/imsqti_unknown_version");
}

/* ---- packages ---- */

static struct qti_package *
expect_pkg(const char *path)
{
	char *err = NULL;
	struct qti_package *p = qti_package_read(path, &err);

	if (p == NULL)
		print_message("%s: %s\n", path, err);
	assert_non_null(p);
	assert_null(err);
	return p;
}

static void
test_corpus_manifests(void **state)
{
	const char *dir;
	char path[512], want[600];
	struct qti_package *p;
	size_t i;

	(void)state;
	NEED_CORPUS(dir);
	/* 2.1, LOM metadata that is not schema-valid: ignored */
	snprintf(path, sizeof(path), "%s/manifest/v21_items_imsmanifest.xml",
	    dir);
	p = expect_pkg(path);
	assert_int_equal(p->n_resources, 1);
	assert_int_equal(p->resources[0].kind, QTI_RES_ITEM);
	assert_string_equal(p->resources[0].identifier, "aardvark-501073-qti");
	snprintf(want, sizeof(want), "%s/manifest/cannon-qti.xml", dir);
	assert_string_equal(p->resources[0].path, want);
	assert_int_equal(p->resources[0].n_files, 3);
	assert_null(p->resources[0].domain);
	qti_package_free(p);

	/* 3.0 package: 4 items and a test */
	snprintf(path, sizeof(path), "%s/manifest/v30_T4-T7_imsmanifest.xml",
	    dir);
	p = expect_pkg(path);
	assert_int_equal(p->n_resources, 5);
	for (i = 0; i < 4; i++)
		assert_int_equal(p->resources[i].kind, QTI_RES_ITEM);
	assert_int_equal(p->resources[4].kind, QTI_RES_TEST);
	assert_string_equal(p->resources[4].type, "imsqti_test_xmlv3p0");
	snprintf(want, sizeof(want), "%s/manifest/items/text-entry.xml", dir);
	assert_string_equal(p->resources[2].path, want);
	qti_package_free(p);

	/* the "3.1" namespace seen in the wild */
	snprintf(path, sizeof(path), "%s/manifest/imsmanifest_v3p1.xml", dir);
	p = expect_pkg(path);
	assert_int_equal(p->n_resources, 1);
	assert_string_equal(p->resources[0].type, "imsqti_item_xmlv3p1");
	qti_package_free(p);

	/* an item is not a manifest */
	{
		char *err = NULL;

		snprintf(path, sizeof(path), "%s/qti21/choice.xml", dir);
		assert_null(qti_package_read(path, &err));
		assert_non_null(strstr(err, "not an IMS content package "
		    "manifest"));
		free(err);
	}
}

static void
test_package_classification(void **state)
{
	struct qti_package *p;
	const struct qti_classification *c;
	struct qti_item *it;
	char *err = NULL;

	(void)state;
	p = expect_pkg(PKG "/imsmanifest.xml");
	assert_int_equal(p->n_resources, 2);	/* webcontent skipped */
	assert_int_equal(p->n_files, 4);	/* all <file>s counted */
	assert_string_equal(p->resources[0].path, PKG "/items/pkg-mc-1.xml");
	assert_string_equal(p->resources[0].files[1],
	    PKG "/items/images/figure.png");
	assert_string_equal(p->resources[0].domain, "direct-service-skills");
	assert_string_equal(p->resources[1].topic, "ethics");
	c = qti_package_classification(PKG "/items/pkg-mc-1.xml", p);
	assert_non_null(c);
	assert_string_equal(c->topic, "screening-assessment");
	assert_null(qti_package_classification("nope.xml", p));
	/* the item without attributes takes the manifest's */
	it = qti_item_parse(p->resources[0].path, c, &err);
	assert_non_null(it);
	assert_string_equal(it->domain, "direct-service-skills");
	qti_item_free(it);
	/* the item with attributes keeps its own */
	it = qti_item_parse(p->resources[1].path, &p->resources[1].cls, &err);
	assert_non_null(it);
	assert_string_equal(it->domain, "direct-service-skills");
	assert_string_equal(it->topic, "screening-assessment");
	qti_item_free(it);
	assert_null(err);
	qti_package_free(p);
}

static void
test_package_refusals(void **state)
{
	static const char *const bad[][2] = {
		{ "<resource identifier=\"r\" type=\"imsqti_item_xmlv2p1\" "
		  "href=\"../outside.xml\"/>", "leads outside the package" },
		{ "<resource identifier=\"r\" type=\"imsqti_item_xmlv2p1\" "
		  "href=\"http://example.com/i.xml\"/>", "not a relative file path" },
		{ "<resource identifier=\"r\" type=\"imsqti_item_xmlv2p1\" "
		  "href=\"/etc/passwd\"/>", "absolute path" },
		{ "<resource identifier=\"r\" type=\"imsqti_item_xmlv2p1\" "
		  "href=\"a.xml\"><file href=\"x/../../y\"/></resource>",
		  "leads outside the package" },
	};
	char dir[] = "/tmp/examd-qti-pkg-XXXXXX", path[128];
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/imsmanifest.xml", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *fp = fopen(path, "w");
		char *err = NULL;

		assert_non_null(fp);
		fprintf(fp, "<manifest xmlns=\"http://www.imsglobal.org/xsd/"
		    "imscp_v1p1\" identifier=\"m\"><resources>%s</resources>"
		    "</manifest>", bad[i][0]);
		fclose(fp);
		assert_null(qti_package_read(path, &err));
		if (err == NULL || strstr(err, bad[i][1]) == NULL)
			print_message("want \"%s\", got %s\n", bad[i][1], err);
		assert_non_null(err);
		assert_non_null(strstr(err, bad[i][1]));
		free(err);
	}
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_form),
		cmocka_unit_test(test_form_check_with_lookup),
		cmocka_unit_test(test_form_refs_that_do_not_resolve),
		cmocka_unit_test(test_form_mc_section_with_essay),
		cmocka_unit_test(test_form_bad_values),
		cmocka_unit_test(test_corpus_forms),
		cmocka_unit_test(test_corpus_manifests),
		cmocka_unit_test(test_package_classification),
		cmocka_unit_test(test_package_refusals),
	};

	return cmocka_run_group_tests_name("qti_form", tests, NULL, NULL);
}
