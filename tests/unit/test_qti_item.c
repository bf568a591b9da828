/*
 * test_qti_item.c: QTI items (examd/qti_item.c) and the HTML sanitizer
 * (examd/qti_html.c). Run from the repository root.
 *
 * The shared corpus (../shared/qti-corpus, or $EXAMD_QTI_CORPUS) holds real
 * QTI from public repositories; every file in it has its expected outcome
 * in corpus_items[] below, and test_corpus_table_is_complete fails if a
 * file is added without one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <time.h>

#include "qti_fixture.h"

#define DATA "tests/data/qti"

/* ---- helpers ---- */

/* Parse and expect refusal with `want` in the message. */
static void
expect_refused(const char *path, const char *want)
{
	char *err = NULL;
	struct qti_item *it = qti_item_parse(path, NULL, &err);

	if (it != NULL || err == NULL || strstr(err, want) == NULL)
		print_message("%s: expected refusal with \"%s\", got %s\n",
		    path, want, it ? "an item" : err ? err : "no message");
	assert_null(it);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
	/* "FILE: reason" or "FILE:LINE: reason" */
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_int_equal(err[strlen(path)], ':');
	free(err);
}

static struct qti_item *
expect_item(const char *path, const struct qti_classification *cls)
{
	char *err = NULL;
	struct qti_item *it = qti_item_parse(path, cls, &err);

	if (it == NULL)
		print_message("%s: unexpected refusal: %s\n", path, err);
	assert_non_null(it);
	assert_null(err);
	return it;
}

/* ---- schemas ---- */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs first: loads each XSD cold and prints how long it took. */
static void
test_schemas_load_offline(void **state)
{
	char *err = NULL;
	double t0, t1, t2;

	(void)state;
	t0 = now_ms();
	assert_int_equal(qti_schema_preload(QTI_V2P1, &err), 0);
	t1 = now_ms();
	assert_int_equal(qti_schema_preload(QTI_V2P2, &err), 0);
	t2 = now_ms();
	assert_null(err);
	print_message("schema load: QTI 2.1 %.0f ms, QTI 2.2 %.0f ms\n",
	    t1 - t0, t2 - t1);
	/* cached: the second call is free */
	t0 = now_ms();
	assert_int_equal(qti_schema_preload(QTI_V2P2, &err), 0);
	assert_true(now_ms() - t0 < 50.0);
	assert_int_equal(qti_schema_preload(QTI_V3P0, &err), -1);
	assert_non_null(strstr(err, "no XSD for this QTI version"));
	free(err);
}

/* ---- the corpus ---- */

enum outcome { MC, ESSAY, REFUSED };

static const struct corpus_item {
	const char	*file;
	enum outcome	 outcome;
	const char	*key_or_msg;	/* MC: key; REFUSED: message part */
	size_t		 n_choices;
	size_t		 n_images;
} corpus_items[] = {
	{ "qti21/choice.xml", MC, "ChoiceA", 3, 1 },
	{ "qti21/choice_fixed.xml", MC, "ChoiceA", 4, 1 },
	{ "qti21/math.xml", MC, "E", 4, 0 },
	{ "qti21/qcyril2gV2.xml", MC, "ChoiceA", 3, 0 },
	{ "qti30/simple-choice-processing.xml", MC, "CHOICE1", 2, 0 },
	{ "tests/webdev21/question1.xml", MC, "ChoiceC", 3, 0 },
	{ "tests/webdev21/question2.xml", MC, "ChoiceA", 4, 0 },
	{ "tests/webdev21/question3.xml", MC, "ChoiceC", 4, 0 },
	{ "tests/webdev21/question4.xml", MC, "ChoiceD", 4, 1 },
	{ "tests/webdev21/question6.xml", MC, "ChoiceD", 4, 0 },
	{ "tests/webdev21/question7.xml", MC, "ChoiceA", 4, 0 },
	{ "qti21/essay.xml", ESSAY, NULL, 0, 0 },
	{ "qti21/extended_text.xml", ESSAY, NULL, 0, 1 },
	{ "qti21/extended_text_min_max.xml", ESSAY, NULL, 0, 1 },
	{ "qti30/extended-text-sv-2a.xml", ESSAY, NULL, 0, 0 },
	{ "qti30/without-response-processing.xml", ESSAY, NULL, 0, 0 },
	{ "qti21/choice_multiple.xml", REFUSED,
	  "multiple-response choice (cardinality multiple)", 0, 0 },
	{ "qti21/item_body_dir_attr.xml", REFUSED,
	  "multiple-response choice (cardinality multiple)", 0, 0 },
	{ "tests/webdev21/question5.xml", REFUSED,
	  "multiple-response choice (cardinality multiple)", 0, 0 },
	{ "tests/webdev21/question9.xml", REFUSED,
	  "multiple-response choice (cardinality multiple)", 0, 0 },
	{ "qti21/extendedTextInteraction-multiple1.xml", REFUSED,
	  "must have cardinality single (found ordered)", 0, 0 },
	{ "qti21/v20_choice.xml", REFUSED, ":6: QTI 2.0 is not supported", 0, 0 },
	{ "tests/webdev21/question8.xml", REFUSED,
	  ":28: unsupported interaction inlineChoiceInteraction", 0, 0 },
	{ "unsupported/gap_match.xml", REFUSED,
	  "unsupported interaction gapMatchInteraction", 0, 0 },
	{ "unsupported/hotspot.xml", REFUSED,
	  "unsupported interaction hotspotInteraction", 0, 0 },
	{ "unsupported/order.xml", REFUSED,
	  "unsupported interaction orderInteraction", 0, 0 },
	{ "unsupported/text_entry.xml", REFUSED,
	  ":20: unsupported interaction textEntryInteraction", 0, 0 },
	{ "invalid/aqti_tmh_sample_1.xml", REFUSED,
	  "root element assessmentItem is not QTI 3.0", 0, 0 },
	{ "invalid/base-type-string-invalid.xml", REFUSED,
	  "qti-assessment-item is QTI 3.0 syntax in the QTI 2.2 namespace", 0, 0 },
	{ "invalid/default-value-wrong-tag.xml", REFUSED,
	  ":15: qti-default-value may only contain qti-value, not qti-wrong-tag",
	  0, 0 },
	{ "invalid/empty.xml", REFUSED, "empty file (zero bytes)", 0, 0 },
	{ "invalid/empty_test_missing_namespace.xml", REFUSED,
	  "unknown namespace: root element assessmentTest has no namespace",
	  0, 0 },
	{ "invalid/empty_test_wrong_namespace.xml", REFUSED,
	  "unknown namespace http://www.imsglobal.org/xsd/imsqti_unknown_version",
	  0, 0 },
	{ "invalid/illformed.xml", REFUSED, "not well-formed XML", 0, 0 },
	{ "invalid/malformed.xml", REFUSED, "not well-formed XML", 0, 0 },
	{ "invalid/invalidresponseidentifier.xml", REFUSED,
	  "responseIdentifier \"RESPONSE\" matches no responseDeclaration "
	  "identifier (declared: \" RESPONSE\")", 0, 0 },
	{ "invalid/xsdinvalid.xml", REFUSED,
	  ":9: not valid QTI 2.1 (XSD): Element 'responseDeclaration', "
	  "attribute 'foo'", 0, 0 },
	/* tests and manifests are not items: the item parser says so;
	 * test_qti_form.c reads them as forms and packages */
	{ "tests/controlling_the_duration_of_an_item_attempt.xml", REFUSED,
	  "this is an assessmentTest (exam form), not an item", 0, 0 },
	{ "tests/randomizing_the_order_of_items_and_sections.xml", REFUSED,
	  "this is an assessmentTest (exam form), not an item", 0, 0 },
	{ "tests/timelimits.xml", REFUSED,
	  "this is an assessmentTest (exam form), not an item", 0, 0 },
	{ "tests/webdev21/template_test1.xml", REFUSED,
	  "this is an assessmentTest (exam form), not an item", 0, 0 },
	{ "manifest/imsmanifest_v3p1.xml", REFUSED,
	  "unknown namespace http://www.imsglobal.org/xsd/qti/qtiv3p1/imscp_v1p1",
	  0, 0 },
	{ "manifest/v21_items_imsmanifest.xml", REFUSED,
	  "unknown namespace http://www.imsglobal.org/xsd/imscp_v1p1", 0, 0 },
	{ "manifest/v30_T4-T7_imsmanifest.xml", REFUSED,
	  "unknown namespace http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
	  0, 0 },
	{ "xsd/rptemplates/qti_v2p1/match_correct.xml", REFUSED,
	  "root element responseProcessing is not an assessmentItem", 0, 0 },
	{ "xsd/rptemplates/qti_v2p1/map_response.xml", REFUSED,
	  "root element responseProcessing is not an assessmentItem", 0, 0 },
	{ "xsd/rptemplates/qti_v2p1/map_response_point.xml", REFUSED,
	  "root element responseProcessing is not an assessmentItem", 0, 0 },
	{ "SOURCES.md", REFUSED, "not well-formed XML", 0, 0 },
	/* every xsd/ *.xsd: "unknown namespace http://www.w3.org/2001/XMLSchema"
	 * (see corpus_expectation) */
};

#define N_CORPUS (sizeof(corpus_items) / sizeof(corpus_items[0]))

static void
test_corpus_items(void **state)
{
	const char *dir;
	char path[512];
	size_t i, j;

	(void)state;
	NEED_CORPUS(dir);
	for (i = 0; i < N_CORPUS; i++) {
		const struct corpus_item *c = &corpus_items[i];
		struct qti_item *it;

		snprintf(path, sizeof(path), "%s/%s", dir, c->file);
		if (c->outcome == REFUSED) {
			expect_refused(path, c->key_or_msg);
			continue;
		}
		it = expect_item(path, NULL);
		assert_int_equal(it->kind, c->outcome == MC ? QTI_ITEM_MC :
		    QTI_ITEM_ESSAY);
		assert_int_equal(it->n_choices, c->n_choices);
		assert_int_equal(it->n_images, c->n_images);
		assert_true(strlen(it->identifier) > 0);
		assert_non_null(it->stem_html);
		if (c->outcome == MC) {
			assert_string_equal(it->key, c->key_or_msg);
			/* the key is server-side data, never in the HTML */
			assert_null(strstr(it->stem_html, "correctResponse"));
			for (j = 0; j < it->n_choices; j++)
				assert_non_null(it->choices[j].html);
		} else
			assert_null(it->key);
		qti_item_free(it);
	}
}

/* Every corpus file must have an expectation: new files fail here. */
static int
corpus_expectation(const char *rel)
{
	size_t i, l = strlen(rel);

	for (i = 0; i < N_CORPUS; i++)
		if (strcmp(corpus_items[i].file, rel) == 0)
			return 1;
	return strncmp(rel, "xsd/", 4) == 0 && l > 4 &&
	    strcmp(rel + l - 4, ".xsd") == 0;
}

static const char *walk_root;
static size_t walk_missing, walk_xsd;

static int
walk_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	const char *rel = p + strlen(walk_root) + 1;

	(void)sb;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (!corpus_expectation(rel)) {
		print_message("corpus file without expectation: %s\n", rel);
		walk_missing++;
	}
	if (strncmp(rel, "xsd/", 4) == 0 && strstr(rel, ".xsd")) {
		/* a schema is not an item */
		expect_refused(p, "unknown namespace "
		    "http://www.w3.org/2001/XMLSchema");
		walk_xsd++;
	}
	return 0;
}

static void
test_corpus_table_is_complete(void **state)
{
	const char *dir;

	(void)state;
	NEED_CORPUS(dir);
	walk_root = dir;
	walk_missing = walk_xsd = 0;
	assert_int_equal(nftw(dir, walk_cb, 16, FTW_PHYS), 0);
	assert_int_equal(walk_missing, 0);
	assert_true(walk_xsd >= 40);
}

static void
test_corpus_details(void **state)
{
	const char *dir;
	char path[512];
	struct qti_item *it;

	(void)state;
	NEED_CORPUS(dir);
	/* 2.1 MC with an image: recorded, and in the stem */
	snprintf(path, sizeof(path), "%s/qti21/choice.xml", dir);
	it = expect_item(path, NULL);
	assert_int_equal(it->version, QTI_V2P1);
	assert_string_equal(it->images[0], "images/sign.png");
	assert_non_null(strstr(it->stem_html,
	    "<img src=\"images/sign.png\" alt=\"NEVER LEAVE LUGGAGE UNATTENDED\">"));
	assert_non_null(strstr(it->stem_html,
	    "<div class=\"qti-prompt\">What does it say?</div>"));
	assert_string_equal(it->choices[1].id, "ChoiceB");
	assert_string_equal(it->choices[1].html,
	    "Do not let someone else look after your luggage.");
	assert_int_equal(it->shuffle, 0);
	qti_item_free(it);

	/* fixed choice and shuffle */
	snprintf(path, sizeof(path), "%s/qti21/choice_fixed.xml", dir);
	it = expect_item(path, NULL);
	assert_int_equal(it->shuffle, 1);
	assert_int_equal(it->choices[3].fixed, 1);
	assert_int_equal(it->choices[0].fixed, 0);
	qti_item_free(it);

	/* MathML in the prompt is kept */
	snprintf(path, sizeof(path), "%s/qti21/math.xml", dir);
	it = expect_item(path, NULL);
	assert_non_null(strstr(it->prompt_html, "<math>"));
	assert_non_null(strstr(it->prompt_html, "<msup> <mi>c</mi> <mn>2</mn> </msup>"));
	qti_item_free(it);

	/* object with image data becomes img; the essay prompt */
	snprintf(path, sizeof(path), "%s/qti21/extended_text.xml", dir);
	it = expect_item(path, NULL);
	assert_string_equal(it->images[0], "images/postcard.png");
	assert_non_null(strstr(it->stem_html, "<img src=\"images/postcard.png\" alt=\"Here is a postcard"));
	assert_null(strstr(it->stem_html, "<object"));
	assert_int_equal(it->expected_length, 200);
	assert_string_equal(it->prompt_html,
	    "Write Sam a postcard. Answer the questions. Write 25-35 words.");
	qti_item_free(it);

	/* 3.0 essay with a scorer rubric (no table): kept apart from the
	 * stem, no score scale */
	snprintf(path, sizeof(path), "%s/qti30/without-response-processing.xml",
	    dir);
	it = expect_item(path, NULL);
	assert_int_equal(it->version, QTI_V3P0);
	assert_string_equal(it->lang, "nl-NL");
	assert_non_null(it->rubric_html);
	assert_non_null(strstr(it->rubric_html, "De student moet drie"));
	assert_null(strstr(it->stem_html, "De student moet drie"));
	assert_int_equal(it->n_rubric, 0);
	qti_item_free(it);

	/* 3.0 hand-written match_correct plus a FEEDBACK-only condition */
	snprintf(path, sizeof(path), "%s/qti30/simple-choice-processing.xml",
	    dir);
	it = expect_item(path, NULL);
	assert_string_equal(it->identifier,
	    "_fe570502-35d0-50d2-976d-53343578a79b");
	assert_string_equal(it->choices[1].html, "Nee");
	qti_item_free(it);
}

/* ---- sample bank fixtures (tests/data/qti) ---- */

static void
test_mc_fixture_domain_topic(void **state)
{
	struct qti_item *it;
	struct qti_classification cls = { "communicating", "ethics" };

	(void)state;
	it = expect_item(DATA "/bank/mc/imh-mc-001.xml", NULL);
	assert_int_equal(it->version, QTI_V2P2);
	assert_int_equal(it->kind, QTI_ITEM_MC);
	assert_string_equal(it->identifier, "imh-mc-001");
	assert_string_equal(it->domain, "theoretical-foundations");
	assert_string_equal(it->topic, "attachment");
	assert_string_equal(it->key, "B");
	assert_int_equal(it->n_choices, 4);
	qti_item_free(it);
	/* attributes in the file win over the manifest */
	it = expect_item(DATA "/bank/mc/imh-mc-001.xml", &cls);
	assert_string_equal(it->domain, "theoretical-foundations");
	qti_item_free(it);
	/* manifest classification used when the file has none */
	it = expect_item(DATA "/pkg/items/pkg-mc-1.xml", &cls);
	assert_string_equal(it->domain, "communicating");
	assert_string_equal(it->topic, "ethics");
	qti_item_free(it);
	it = expect_item(DATA "/pkg/items/pkg-mc-1.xml", NULL);
	assert_null(it->domain);
	assert_null(it->topic);
	qti_item_free(it);
}

static void
test_essay_fixture_rubric(void **state)
{
	struct qti_item *it;
	size_t i;

	(void)state;
	it = expect_item(DATA "/bank/essay/imhm-c-sup-1.xml", NULL);
	assert_int_equal(it->kind, QTI_ITEM_ESSAY);
	assert_int_equal(it->expected_length, 3000);
	assert_int_equal(it->n_rubric, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(it->rubric[i].score, (int)i);
	assert_string_equal(it->rubric[0].html,
	    "SCORER-ONLY: no relevant answer.");
	assert_string_equal(it->rubric[3].html,
	    "<p>SCORER-ONLY: thorough and reflective.</p>");
	assert_non_null(strstr(it->rubric_html, "<table>"));
	/* candidates never see the scorer rubric */
	assert_null(strstr(it->stem_html, "SCORER-ONLY"));
	assert_null(strstr(it->stem_html, "<table"));
	assert_non_null(strstr(it->stem_html, "supervisory vignette"));
	assert_string_equal(it->prompt_html, "Describe how you would respond.");
	qti_item_free(it);
}

/* An MC 2.2 item with pieces replaced, written to tmpdir. */
static const char *
mc_item(const char *name, const char *root_attrs, const char *decl,
    const char *body, const char *rp)
{
	char *s;
	const char *p;

	assert_true(asprintf(&s,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p2\"\n"
	    "    xmlns:examd=\"urn:examd:qti:1\" %s adaptive=\"false\" "
	    "timeDependent=\"false\">\n"
	    "%s\n"
	    "<outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" "
	    "baseType=\"float\"/>\n"
	    "<itemBody>%s</itemBody>\n%s\n</assessmentItem>\n",
	    root_attrs, decl, body, rp) > 0);
	p = put(name, s);
	free(s);
	return p;
}

#define DECL_A "<responseDeclaration identifier=\"RESPONSE\" " \
	"cardinality=\"single\" baseType=\"identifier\"><correctResponse>" \
	"<value>A</value></correctResponse></responseDeclaration>"
#define CHOICES "<choiceInteraction responseIdentifier=\"RESPONSE\" " \
	"maxChoices=\"1\"><prompt>Q?</prompt>" \
	"<simpleChoice identifier=\"A\">a</simpleChoice>" \
	"<simpleChoice identifier=\"B\">b</simpleChoice></choiceInteraction>"
#define ROOT "identifier=\"t1\" title=\"T\""

static void
test_match_correct_spellings(void **state)
{
	static const char *const ok[] = {
		"http://www.imsglobal.org/question/qti_v2p0/rptemplates/match_correct",
		"http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
		"http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct",
		"http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct.xml",
		"http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct.xml",
		"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct",
		"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
		"match_correct",
	};
	static const char *const bad[] = {
		"http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response",
		"http://example.com/rptemplates/match_correct",
		"match_correct_evil",
	};
	char rp[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct qti_item *it;

		snprintf(rp, sizeof(rp), "<responseProcessing template=\"%s\"/>",
		    ok[i]);
		it = expect_item(mc_item("rp.xml", ROOT, DECL_A, CHOICES, rp),
		    NULL);
		assert_string_equal(it->key, "A");
		qti_item_free(it);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(rp, sizeof(rp), "<responseProcessing template=\"%s\"/>",
		    bad[i]);
		expect_refused(mc_item("rp.xml", ROOT, DECL_A, CHOICES, rp),
		    "is not supported (only match_correct)");
	}
	/* no responseProcessing at all: accepted (match_correct implied) */
	qti_item_free(expect_item(mc_item("rp.xml", ROOT, DECL_A, CHOICES, ""),
	    NULL));
}

#define RP_HAND(score1, score0, extra) \
	"<responseProcessing><responseCondition><responseIf><match>" \
	"<variable identifier=\"RESPONSE\"/><correct identifier=\"RESPONSE\"/>" \
	"</match><setOutcomeValue identifier=\"SCORE\"><baseValue " \
	"baseType=\"float\">" score1 "</baseValue></setOutcomeValue>" \
	"</responseIf><responseElse><setOutcomeValue identifier=\"SCORE\">" \
	"<baseValue baseType=\"float\">" score0 "</baseValue>" \
	"</setOutcomeValue></responseElse></responseCondition>" extra \
	"</responseProcessing>"

static void
test_custom_response_processing(void **state)
{
	(void)state;
	/* equivalent to match_correct: accepted */
	qti_item_free(expect_item(mc_item("rp.xml", ROOT, DECL_A, CHOICES,
	    RP_HAND("1.0", "0", "")), NULL));
	/* with a feedback-only condition: accepted */
	qti_item_free(expect_item(mc_item("rp.xml", ROOT, DECL_A, CHOICES,
	    RP_HAND("1", "0.0",
	    "<responseCondition><responseIf><isNull><variable identifier="
	    "\"RESPONSE\"/></isNull><setOutcomeValue identifier=\"FEEDBACK\">"
	    "<baseValue baseType=\"identifier\">EMPTY</baseValue>"
	    "</setOutcomeValue></responseIf></responseCondition>")), NULL));
	/* different score: refused */
	expect_refused(mc_item("rp.xml", ROOT, DECL_A, CHOICES,
	    RP_HAND("2", "0", "")), "custom responseProcessing is not supported");
	/* a second condition that changes SCORE: refused */
	expect_refused(mc_item("rp.xml", ROOT, DECL_A, CHOICES,
	    RP_HAND("1", "0", "<responseCondition><responseIf><isNull>"
	    "<variable identifier=\"RESPONSE\"/></isNull><setOutcomeValue "
	    "identifier=\"SCORE\"><baseValue baseType=\"float\">1</baseValue>"
	    "</setOutcomeValue></responseIf></responseCondition>")),
	    "custom responseProcessing is not supported");
	/* partial credit by mapping: refused */
	expect_refused(mc_item("rp.xml", ROOT, DECL_A, CHOICES,
	    "<responseProcessing><setOutcomeValue identifier=\"SCORE\">"
	    "<mapResponse identifier=\"RESPONSE\"/></setOutcomeValue>"
	    "</responseProcessing>"), "custom responseProcessing");
}

static void
test_mc_refusals(void **state)
{
	(void)state;
	/* no key */
	expect_refused(mc_item("k.xml", ROOT, "<responseDeclaration "
	    "identifier=\"RESPONSE\" cardinality=\"single\" baseType="
	    "\"identifier\"/>", CHOICES, ""), "no correct response");
	/* key naming no choice */
	expect_refused(mc_item("k.xml", ROOT, "<responseDeclaration "
	    "identifier=\"RESPONSE\" cardinality=\"single\" baseType="
	    "\"identifier\"><correctResponse><value>Z</value>"
	    "</correctResponse></responseDeclaration>", CHOICES, ""),
	    "the correct response Z names no simpleChoice");
	/* maxChoices other than 1 with single cardinality */
	expect_refused(mc_item("k.xml", ROOT, DECL_A,
	    "<choiceInteraction responseIdentifier=\"RESPONSE\" maxChoices=\"2\">"
	    "<simpleChoice identifier=\"A\">a</simpleChoice>"
	    "<simpleChoice identifier=\"B\">b</simpleChoice></choiceInteraction>",
	    ""), "multiple-response choice (maxChoices=2)");
	/* two interactions */
	expect_refused(mc_item("k.xml", ROOT, DECL_A, CHOICES CHOICES, ""),
	    "2 interactions in itemBody");
	/* unsupported interaction hidden deep in the body */
	expect_refused(mc_item("k.xml", ROOT, DECL_A, CHOICES
	    "<div><table><tbody><tr><td><p>x <textEntryInteraction responseIdentifier="
	    "\"RESPONSE\"/></p></td></tr></tbody></table></div>", ""),
	    "unsupported interaction textEntryInteraction");
	/* duplicate choice ids */
	expect_refused(mc_item("k.xml", ROOT, DECL_A,
	    "<choiceInteraction responseIdentifier=\"RESPONSE\" maxChoices=\"1\">"
	    "<simpleChoice identifier=\"A\">a</simpleChoice>"
	    "<simpleChoice identifier=\"A\">b</simpleChoice></choiceInteraction>",
	    ""), "duplicate simpleChoice identifier A");
	/* unknown domain / topic */
	expect_refused(mc_item("k.xml", ROOT " examd:domain=\"astrology\"",
	    DECL_A, CHOICES, ""), "unknown domain \"astrology\"");
	expect_refused(mc_item("k.xml", ROOT " examd:topic=\"horoscopes\"",
	    DECL_A, CHOICES, ""), "unknown topic \"horoscopes\"");
	/* template (cloned) items */
	expect_refused(put("k.xml",
	    "<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p2\" "
	    "identifier=\"t\" title=\"t\" adaptive=\"false\" "
	    "timeDependent=\"false\">" DECL_A
	    "<templateDeclaration identifier=\"X\" cardinality=\"single\" "
	    "baseType=\"integer\"/><itemBody>" CHOICES "</itemBody>"
	    "</assessmentItem>"), "template items");
	/* adaptive items */
	expect_refused(put("k.xml",
	    "<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p2\" "
	    "identifier=\"t\" title=\"t\" adaptive=\"true\" "
	    "timeDependent=\"false\">" DECL_A "<itemBody>" CHOICES
	    "</itemBody></assessmentItem>"), "adaptive items are not supported");
}

static void
test_identifiers(void **state)
{
	struct qti_item *it;
	char root[512], longid[QTI_MAX_IDENT + 2];

	(void)state;
	/* trimmed */
	it = expect_item(mc_item("i.xml", "identifier=\"  item-7 \" title=\"T\"",
	    DECL_A, CHOICES, ""), NULL);
	assert_string_equal(it->identifier, "item-7");
	qti_item_free(it);
	/* bad charset (XSD-valid NCName, but not ours) */
	expect_refused(mc_item("i.xml", "identifier=\"caf\xc3\xa9\" title=\"T\"",
	    DECL_A, CHOICES, ""), "item identifier \"caf\xc3\xa9\"");
	/* too long */
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	snprintf(root, sizeof(root), "identifier=\"%s\" title=\"T\"", longid);
	expect_refused(mc_item("i.xml", root, DECL_A, CHOICES, ""),
	    "item identifier");
	assert_int_equal(qti_identifier_valid("a.b-c_9"), 1);
	assert_int_equal(qti_identifier_valid(""), 0);
	assert_int_equal(qti_identifier_valid("-x"), 0);
	assert_int_equal(qti_identifier_valid("a b"), 0);
	assert_int_equal(qti_identifier_valid("a/b"), 0);
	assert_int_equal(qti_domain_valid("research-evaluation"), 1);
	assert_int_equal(qti_domain_valid("Research"), 0);
	assert_int_equal(qti_topic_valid("teaching"), 1);
	assert_int_equal(qti_topic_valid(NULL), 0);
	assert_string_equal(qti_track_program("ECMHM-RF"), "ECMH");
	assert_null(qti_track_program("IFA"));
}

static void
test_v3_items(void **state)
{
	struct qti_item *it;
	const char *p;

	(void)state;
	p = put("v3.xml",
	    "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\"\n"
	    " xmlns:examd=\"urn:examd:qti:1\" identifier=\"v3-mc\" title=\"V3\"\n"
	    " examd:domain=\"thinking\" examd:topic=\"trauma\">\n"
	    "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\">\n"
	    "<qti-correct-response><qti-value>B</qti-value></qti-correct-response>\n"
	    "</qti-response-declaration>\n"
	    "<qti-item-body><p>Stem <em>x</em></p>\n"
	    "<qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"1\" shuffle=\"true\">\n"
	    "<qti-prompt>Pick</qti-prompt>\n"
	    "<qti-simple-choice identifier=\"A\">a</qti-simple-choice>\n"
	    "<qti-simple-choice identifier=\"B\" fixed=\"true\">b</qti-simple-choice>\n"
	    "</qti-choice-interaction></qti-item-body>\n"
	    "<qti-response-processing template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml\"/>\n"
	    "</qti-assessment-item>\n");
	it = expect_item(p, NULL);
	assert_int_equal(it->version, QTI_V3P0);
	assert_string_equal(it->key, "B");
	assert_int_equal(it->shuffle, 1);
	assert_int_equal(it->choices[1].fixed, 1);
	assert_string_equal(it->domain, "thinking");
	assert_string_equal(it->stem_html,
	    "<p>Stem <em>x</em></p> <div class=\"qti-prompt\">Pick</div>");
	qti_item_free(it);
	/* 3.0 with a 2.x element name inside */
	p = put("v3b.xml",
	    "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" identifier=\"x\">\n"
	    "<qti-item-body><choiceInteraction/></qti-item-body></qti-assessment-item>\n");
	expect_refused(p, ":2: element choiceInteraction is not QTI 3.0");
	/* 3.0 unsupported interaction */
	p = put("v3c.xml",
	    "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" identifier=\"x\">\n"
	    "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"string\"/>\n"
	    "<qti-item-body><p><qti-text-entry-interaction response-identifier=\"RESPONSE\"/></p>\n"
	    "</qti-item-body></qti-assessment-item>\n");
	expect_refused(p, ":3: unsupported interaction qti-text-entry-interaction");
}

/* ---- sanitizer ---- */

static char *
sanitize(const char *xml, char ***imgs, size_t *n)
{
	char *err = NULL, *out;

	out = qti_html_sanitize(xml, strlen(xml), imgs, n, &err);
	if (out == NULL)
		print_message("sanitize: %s\n", err);
	assert_non_null(out);
	assert_null(err);
	return out;
}

static void
test_sanitizer_removes_dangerous(void **state)
{
	static const char *const banned[] = {
		"script", "alert", "onclick", "onerror", "style", "javascript",
		"evil", "/etc", "..", "data:", "iframe", "swf", "href", "color",
		"<object", "<link", "<form", "<svg", "<meta", "id=",
	};
	char **imgs = NULL, *out;
	size_t n = 0, i;

	(void)state;
	out = sanitize(
	    "<div xmlns=\"http://www.w3.org/1999/xhtml\" id=\"x\">"
	    "<p onclick=\"alert(1)\">Hi<script>alert(2)</script></p>"
	    "<style>p{color:red}</style>"
	    "<a href=\"javascript:alert(3)\">link</a>"
	    "<img src=\"http://evil.example/x.png\"/>"
	    "<img src=\"//evil.example/x.png\"/>"
	    "<img src=\"/etc/x.png\"/>"
	    "<img src=\"../x.png\"/>"
	    "<img src=\"a/../../x.png\"/>"
	    "<img src=\"data:image/png;base64,AAAA\"/>"
	    "<img src=\"JaVaScRiPt:alert(4)\"/>"
	    "<img src=\"ok/a.png\" onerror=\"alert(5)\" style=\"x\" width=\"20\"/>"
	    "<span style=\"color:red\">s</span>"
	    "<iframe src=\"http://evil.example/\">in-iframe</iframe>"
	    "<object data=\"x.swf\" type=\"application/x-shockwave-flash\">fallback</object>"
	    "<link rel=\"stylesheet\" href=\"http://evil.example/c.css\"/>"
	    "<form action=\"http://evil.example/\"><input name=\"q\"/></form>"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(6)</script></svg>"
	    "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example/\"/>"
	    "<!-- comment --><?pi x?>"
	    "</div>", &imgs, &n);
	for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		if (strstr(out, banned[i]))
			print_message("\"%s\" survived in: %s\n", banned[i], out);
		assert_null(strstr(out, banned[i]));
	}
	assert_non_null(strstr(out, "<p>Hi</p>"));
	assert_non_null(strstr(out, "<a>link</a>"));
	assert_non_null(strstr(out, "<span>s</span>"));
	assert_non_null(strstr(out, "<img src=\"ok/a.png\" alt=\"\" width=\"20\">"));
	assert_non_null(strstr(out, "fallback"));
	assert_null(strstr(out, "in-iframe"));
	assert_int_equal(n, 1);
	assert_string_equal(imgs[0], "ok/a.png");
	qti_strv_free(imgs, n);
	free(out);
}

static void
test_sanitizer_keeps_allowed(void **state)
{
	char *out;

	(void)state;
	out = sanitize(
	    "<div xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p2\" xml:lang=\"fr\" dir=\"rtl\">"
	    "<h2>T</h2><p>a<br/>b <em>e</em> <strong>s</strong> <b>b</b> <i>i</i> "
	    "<u>u</u> H<sub>2</sub>O x<sup>2</sup></p>"
	    "<ul><li>one</li></ul><ol start=\"3\"><li>three</li></ol>"
	    "<table><caption>C</caption><thead><tr><th colspan=\"2\">h</th></tr></thead>"
	    "<tbody><tr><td rowspan=\"x\">1</td><td>2</td></tr></tbody></table>"
	    "<blockquote><p>q</p></blockquote>"
	    "<pre>  a\n   b</pre><code>c</code>"
	    "<span class=\"big\" dir=\"ltr\" xml:lang=\"en-GB\">x</span>"
	    "<h7>unknown tag unwrapped</h7>"
	    "</div>", NULL, NULL);
	assert_string_equal(out,
	    "<div lang=\"fr\" dir=\"rtl\">"
	    "<h2>T</h2><p>a<br>b <em>e</em> <strong>s</strong> <b>b</b> <i>i</i> "
	    "<u>u</u> H<sub>2</sub>O x<sup>2</sup></p>"
	    "<ul><li>one</li></ul><ol start=\"3\"><li>three</li></ol>"
	    "<table><caption>C</caption><thead><tr><th colspan=\"2\">h</th></tr></thead>"
	    "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
	    "<blockquote><p>q</p></blockquote>"
	    "<pre>  a\n   b</pre><code>c</code>"
	    "<span lang=\"en-GB\" dir=\"ltr\" class=\"big\">x</span>"
	    "unknown tag unwrapped"
	    "</div>");
	free(out);
}

static void
test_sanitizer_mathml_and_escaping(void **state)
{
	char *out;

	(void)state;
	out = sanitize(
	    "<p xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p1\" "
	    "xmlns:m=\"http://www.w3.org/1998/Math/MathML\">"
	    "<m:math display=\"block\"><m:mi mathvariant=\"bold\" "
	    "href=\"javascript:x\" onclick=\"y\">x</m:mi><m:mo>&lt;</m:mo>"
	    "<m:semantics><m:mn>1</m:mn><m:annotation-xml encoding=\"text/html\">"
	    "<script xmlns=\"http://www.w3.org/1999/xhtml\">alert(1)</script>"
	    "</m:annotation-xml></m:semantics></m:math>"
	    " a &lt;b&gt; &amp; \"q\" 'r'"
	    "<img src=\"a.png\" alt=\"x&quot; onload=&quot;y\"/></p>",
	    NULL, NULL);
	assert_string_equal(out,
	    "<p><math display=\"block\"><mi mathvariant=\"bold\">x</mi>"
	    "<mo>&lt;</mo><semantics><mn>1</mn></semantics></math>"
	    " a &lt;b&gt; &amp; \"q\" 'r'"
	    "<img src=\"a.png\" alt=\"x&quot; onload=&quot;y\"></p>");
	free(out);
}

static void
test_sanitizer_object_image(void **state)
{
	char **imgs = NULL, *out;
	size_t n = 0;

	(void)state;
	out = sanitize("<div><object type=\"image/jpeg\" data=\"img/p.jpg\">"
	    "A <b>photo</b></object><object type=\"image/png\" "
	    "data=\"http://evil.example/p.png\">alt text</object></div>",
	    &imgs, &n);
	assert_string_equal(out, "<div><img src=\"img/p.jpg\" alt=\"A photo\">"
	    "</div>");
	assert_int_equal(n, 1);
	qti_strv_free(imgs, n);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemas_load_offline),
		cmocka_unit_test(test_corpus_items),
		cmocka_unit_test(test_corpus_table_is_complete),
		cmocka_unit_test(test_corpus_details),
		cmocka_unit_test(test_mc_fixture_domain_topic),
		cmocka_unit_test(test_essay_fixture_rubric),
		cmocka_unit_test(test_match_correct_spellings),
		cmocka_unit_test(test_custom_response_processing),
		cmocka_unit_test(test_mc_refusals),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_v3_items),
		cmocka_unit_test(test_sanitizer_removes_dangerous),
		cmocka_unit_test(test_sanitizer_keeps_allowed),
		cmocka_unit_test(test_sanitizer_mathml_and_escaping),
		cmocka_unit_test(test_sanitizer_object_image),
	};

	return cmocka_run_group_tests_name("qti_item", tests, setup_tmp,
	    teardown_tmp);
}
