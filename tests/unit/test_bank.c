/*
 * The bank's promises to the code built on it (bank.h): content hashes
 * change with content and only with content; a stored item and form read
 * back field for field; re-storing the same content is "unchanged" and
 * other content the next version; a used form cannot be replaced; images
 * come back with their type. And the exporter's HTML-to-XML step (the
 * .c is included to reach it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../examd/bank_export.c"

#include "bank.h"
#include "store.h"

struct fixture {
	char		 dir[64];
	char		 path[96];
	struct store	*store;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *err = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/examd-bank-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	assert_int_equal(store_open(f->path, STORE_CREATE, &f->store, &err), 0);
	assert_int_equal(store_migrate(f->store, &err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static char *
sdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct bank_item *
mc(const char *ident, const char *stem)
{
	struct bank_item *it = calloc(1, sizeof(*it));
	static const char *const ids[] = { "A", "B", "C" };
	size_t i;

	it->identifier = sdup(ident);
	it->kind = BANK_MC;
	it->title = sdup("T");
	it->lang = sdup("en");
	it->domain = sdup("theoretical-foundations");
	it->topic = sdup("attachment");
	it->stem_html = sdup(stem);
	it->prompt_html = sdup("Pick one");
	it->n_choices = 3;
	it->choices = calloc(3, sizeof(*it->choices));
	for (i = 0; i < 3; i++) {
		it->choices[i].id = sdup(ids[i]);
		it->choices[i].html = sdup(ids[i]);
	}
	it->choices[2].fixed = 1;
	it->key = sdup("B");
	it->shuffle = 1;
	it->source_version = 22;
	bank_item_hash(it);
	return it;
}

static struct bank_item *
essay(const char *ident)
{
	struct bank_item *it = calloc(1, sizeof(*it));

	it->identifier = sdup(ident);
	it->kind = BANK_ESSAY;
	it->title = sdup("V");
	it->domain = sdup("direct-service-skills");
	it->topic = sdup("trauma");
	it->stem_html = sdup("<p>A vignette.</p>");
	it->prompt_html = sdup("Discuss.");
	it->expected_length = 3000;
	it->rubric_html = sdup("<table><tr><td>0</td><td>none</td></tr></table>");
	it->n_rubric = 2;
	it->rubric = calloc(2, sizeof(*it->rubric));
	it->rubric[0].html = sdup("none");
	it->rubric[1].score = 4;
	it->rubric[1].html = sdup("all");
	it->n_assets = 1;
	it->assets = calloc(1, sizeof(*it->assets));
	it->assets[0].path = sdup("img/p.png");
	it->assets[0].mime = sdup("image/png");
	it->assets[0].data = (unsigned char *)sdup("\x89PNG-ish");
	it->assets[0].len = 8;
	bank_sha256_hex(it->assets[0].data, 8, it->assets[0].sha256);
	it->source_version = 30;
	bank_item_hash(it);
	return it;
}

static struct bank_form_item *
refs(struct bank_item **items, size_t n, const char *cat)
{
	struct bank_form_item *fi = calloc(n, sizeof(*fi));
	size_t i;

	for (i = 0; i < n; i++) {
		fi[i].ref = sdup(items[i]->identifier);
		fi[i].category = sdup(cat);
		fi[i].item = items[i];
	}
	return fi;
}

/* Form "f": an MC part with mcs[0..1], an essay part with one IMHS track. */
static struct bank_form *
form(struct bank_item **mcs, struct bank_item *es, long mc_ms)
{
	struct bank_form *f = calloc(1, sizeof(*f));
	struct bank_track *t;

	f->identifier = sdup("f");
	f->title = sdup("Form F");
	f->program = sdup("IMH");
	f->source_version = 22;
	f->n_sections = 2;
	f->sections = calloc(2, sizeof(*f->sections));
	f->sections[0].identifier = sdup("mc");
	f->sections[0].title = sdup("Part 1");
	f->sections[0].kind = BANK_MC;
	f->sections[0].time_limit_ms = mc_ms;
	f->sections[0].cut_percent = 80;
	f->sections[0].n_items = 2;
	f->sections[0].items = refs(mcs, 2, NULL);
	f->sections[1].identifier = sdup("essay");
	f->sections[1].title = sdup("Part 2");
	f->sections[1].kind = BANK_ESSAY;
	f->sections[1].time_limit_ms = 5400000;
	f->sections[1].cut_percent = 75;
	f->sections[1].n_tracks = 1;
	t = f->sections[1].tracks = calloc(1, sizeof(*t));
	t->identifier = sdup("essay-imhs");
	t->title = sdup("IMHS");
	t->n_tracks = 2;
	t->tracks = calloc(2, sizeof(char *));
	t->tracks[0] = sdup("IMHS");
	t->tracks[1] = sdup("IMHM-C");
	t->answer = 1;
	t->n_require = 1;
	t->require = calloc(1, sizeof(*t->require));
	t->require[0].group = sdup("clinical");
	t->require[0].min = 1;
	t->n_items = 1;
	t->items = refs(&es, 1, "clinical");
	bank_form_hash(f);
	return f;
}

struct unit {
	struct bank_item	**items;
	size_t			 n;
	enum bank_outcome	 out[8];
	struct bank_form	*form;
	enum bank_outcome	 fout;
};

static int
work(struct store_tx *tx, void *arg)
{
	struct unit *u = arg;

	return store_bank_import(tx, u->items, u->n, u->out, u->form ?
	    &u->form : NULL, u->form ? 1 : 0, &u->fout) == 0 ? STORE_OK :
	    STORE_EFAIL;
}

static int
run(struct fixture *fx, struct unit *u, char **err)
{
	return store_run(fx->store, work, u, err);
}

static void
test_hash_follows_content_only(void **state)
{
	struct bank_item *a = mc("x", "<p>S</p>"), *b = mc("x", "<p>S</p>");
	char h[BANK_HASH_HEX];

	(void)state;
	assert_string_equal(a->content_hash, b->content_hash);
	assert_int_equal(strlen(a->content_hash), 64);
	/* bookkeeping and the QTI version do not count */
	b->id = 9;
	b->version = 3;
	b->source_version = 30;
	b->used = 5;
	bank_item_hash(b);
	assert_string_equal(a->content_hash, b->content_hash);
	/* content does, field by field */
	memcpy(h, b->content_hash, sizeof(h));
	b->choices[2].fixed = 0;
	bank_item_hash(b);
	assert_string_not_equal(h, b->content_hash);
	b->choices[2].fixed = 1;
	b->key[0] = 'C';
	bank_item_hash(b);
	assert_string_not_equal(h, b->content_hash);
	b->key[0] = 'B';
	free(b->topic);
	b->topic = NULL;
	bank_item_hash(b);
	assert_string_not_equal(h, b->content_hash);
	bank_item_free(a);
	bank_item_free(b);
	bank_item_free(NULL);
	bank_form_free(NULL);
}

static void
test_stored_items_and_forms_read_back(void **state)
{
	struct fixture *fx = *state;
	struct bank_item *items[3] = { mc("m1", "<p>One</p>"),
	    mc("m2", "<p>Two</p>"), essay("e1") };
	struct unit u = { items, 3, { 0 }, NULL, 0 };
	struct bank_form *f, *back = NULL;
	struct bank_item *it = NULL;
	const struct bank_track *tr;
	struct bank_form_list l;
	struct bank_item_list il;
	struct bank_item_filter flt;
	struct bank_counts n;
	unsigned char *data;
	char *mime, *err = NULL;
	size_t len;

	u.form = f = form(items, items[2], 5400000);
	assert_int_equal(run(fx, &u, &err), STORE_OK);
	assert_int_equal(u.out[0], BANK_NEW);
	assert_int_equal(u.fout, BANK_NEW);
	assert_true(items[0]->id > 0 && items[0]->version == 1);

	assert_int_equal(store_form_get(fx->store, "f", &back, &err), 0);
	assert_string_equal(back->title, "Form F");
	assert_string_equal(back->program, "IMH");
	assert_string_equal(back->content_hash, f->content_hash);
	assert_int_equal(back->n_sections, 2);
	assert_int_equal(back->sections[0].kind, BANK_MC);
	assert_int_equal(back->sections[0].time_limit_ms, 5400000);
	assert_int_equal(back->sections[0].n_items, 2);
	assert_int_equal(back->sections[0].items[1].item_id, items[1]->id);
	assert_int_equal(back->sections[1].cut_percent, 75);
	assert_int_equal(back->sections[1].n_items, 0);
	tr = bank_section_track(&back->sections[1], "IMHM-C");
	assert_non_null(tr);
	assert_null(bank_section_track(&back->sections[1], "IMHM-P"));
	assert_int_equal(tr->answer, 1);
	assert_string_equal(tr->require[0].group, "clinical");
	assert_int_equal(tr->require[0].min, 1);
	assert_int_equal(tr->items[0].item_id, items[2]->id);
	assert_string_equal(tr->items[0].category, "clinical");
	bank_form_free(back);
	assert_int_equal(store_form_get(fx->store, "nope", &back, &err), 1);
	assert_null(back);

	assert_int_equal(store_item_get(fx->store, items[0]->id, &it), 0);
	assert_string_equal(it->key, "B");
	assert_int_equal(it->n_choices, 3);
	assert_string_equal(it->choices[1].id, "B");
	assert_true(it->choices[2].fixed);
	assert_true(it->shuffle);
	assert_string_equal(it->content_hash, items[0]->content_hash);
	/* what comes back hashes to what went in */
	bank_item_hash(it);
	assert_string_equal(it->content_hash, items[0]->content_hash);
	bank_item_free(it);
	assert_int_equal(store_item_get(fx->store, items[2]->id, &it), 0);
	assert_null(it->key);
	assert_int_equal(it->n_rubric, 2);
	assert_int_equal(it->rubric[1].score, 4);
	assert_int_equal(it->expected_length, 3000);
	assert_int_equal(it->n_assets, 1);
	assert_null(it->assets[0].data);
	assert_int_equal(it->assets[0].len, 8);
	bank_item_free(it);
	assert_int_equal(store_item_get(fx->store, 999, &it), 1);

	assert_int_equal(store_asset_get(fx->store, items[2]->id, "img/p.png",
	    &mime, &data, &len), 0);
	assert_string_equal(mime, "image/png");
	assert_int_equal(len, 8);
	assert_memory_equal(data, "\x89PNG-ish", 8);
	free(mime);
	free(data);
	assert_int_equal(store_asset_get(fx->store, items[2]->id, "x.png",
	    &mime, &data, &len), 1);

	assert_int_equal(store_forms_list(fx->store, 1, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.forms[0]->sections[1].tracks[0].n_tracks, 2);
	bank_form_list_free(&l);

	memset(&flt, 0, sizeof(flt));
	flt.kind = "mc";
	flt.limit = 1;
	assert_int_equal(store_items_list(fx->store, &flt, &il), 0);
	assert_int_equal(il.total, 2);
	assert_int_equal(il.n, 1);
	assert_string_equal(il.items[0]->identifier, "m1");
	bank_item_list_free(&il);

	assert_int_equal(store_bank_counts(fx->store, &n), 0);
	assert_int_equal(n.items, 3);
	assert_int_equal(n.assets, 1);
	assert_int_equal(n.forms, 1);
	bank_form_free(f);
	for (size_t i = 0; i < 3; i++)
		bank_item_free(items[i]);
}

static int
mark_used(struct store_tx *tx, void *arg)
{
	(void)arg;
	return store_form_mark_used(tx, "f") == 0 &&
	    store_item_mark_used(tx, 1) == 0 ? STORE_OK : STORE_EFAIL;
}

static void
test_versions_and_used_forms(void **state)
{
	struct fixture *fx = *state;
	struct bank_item *items[3] = { mc("m1", "<p>One</p>"),
	    mc("m2", "<p>Two</p>"), essay("e1") };
	struct bank_item *again[1] = { mc("m1", "<p>One</p>") };
	struct bank_item *changed[1] = { mc("m1", "<p>One, changed</p>") };
	struct unit u = { items, 3, { 0 }, NULL, 0 };
	struct bank_form *f2;
	struct bank_item *it;
	char *err = NULL;

	u.form = form(items, items[2], 5400000);
	assert_int_equal(run(fx, &u, &err), STORE_OK);
	bank_form_free(u.form);

	u = (struct unit){ again, 1, { 0 }, NULL, 0 };
	assert_int_equal(run(fx, &u, &err), STORE_OK);
	assert_int_equal(u.out[0], BANK_UNCHANGED);
	assert_int_equal(again[0]->id, items[0]->id);

	u = (struct unit){ changed, 1, { 0 }, NULL, 0 };
	assert_int_equal(run(fx, &u, &err), STORE_OK);
	assert_int_equal(u.out[0], BANK_NEW_VERSION);
	assert_int_equal(changed[0]->version, 2);

	/* an unused form is replaced in place (same id) */
	u = (struct unit){ items, 3, { 0 }, form(items, items[2], 60000), 0 };
	assert_int_equal(run(fx, &u, &err), STORE_OK);
	assert_int_equal(u.fout, BANK_REPLACED);
	assert_int_equal(store_form_get(fx->store, "f", &f2, &err), 0);
	assert_int_equal(f2->sections[0].time_limit_ms, 60000);
	assert_int_equal(f2->id, u.form->id);
	bank_form_free(f2);
	bank_form_free(u.form);

	/* once used, never */
	assert_int_equal(store_run(fx->store, mark_used, NULL, &err), STORE_OK);
	u = (struct unit){ items, 3, { 0 }, form(items, items[2], 120000), 0 };
	assert_int_equal(run(fx, &u, &err), STORE_EFAIL);
	assert_non_null(strstr(err, "form f has been used by 1 attempt(s)"));
	free(err);
	err = NULL;
	bank_form_free(u.form);
	assert_int_equal(store_form_get(fx->store, "f", &f2, &err), 0);
	assert_int_equal(f2->sections[0].time_limit_ms, 60000);
	assert_int_equal(f2->used, 1);
	bank_form_free(f2);
	assert_int_equal(store_item_get(fx->store, 1, &it), 0);
	assert_int_equal(it->used, 1);
	bank_item_free(it);

	bank_item_free(again[0]);
	bank_item_free(changed[0]);
	for (size_t i = 0; i < 3; i++)
		bank_item_free(items[i]);
}

static char *
xml_of(const char *html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	html_to_xml_s(f, html);
	fclose(f);
	return buf;
}

static void
test_export_turns_sanitized_html_into_xml(void **state)
{
	static const struct {
		const char *html, *xml;
	} cases[] = {
		{ "<p lang=\"fr\">a<br>b</p>", "<p xml:lang=\"fr\">a<br/>b</p>" },
		{ "<img src=\"i/p.png\" alt=\"a &quot;b&quot;\">",
		  "<img src=\"i/p.png\" alt=\"a &quot;b&quot;\"/>" },
		{ "x &amp; y &lt; z &#39;q&#39;", "x &amp; y &lt; z &#39;q&#39;" },
		{ "<math><mi>x</mi></math>",
		  "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi>"
		  "</math>" },
		{ "<table><colgroup><col></colgroup><tr><td colspan=\"2\">c</td>"
		  "</tr></table><hr>",
		  "<table><colgroup><col/></colgroup><tr><td colspan=\"2\">c</td>"
		  "</tr></table><hr/>" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *x = xml_of(cases[i].html);

		assert_string_equal(x, cases[i].xml);
		free(x);
	}
	assert_string_equal(div_end("a<div>b</div>c</div>d"),
	    "</div>d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_follows_content_only),
		cmocka_unit_test_setup_teardown(
		    test_stored_items_and_forms_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions_and_used_forms,
		    setup, teardown),
		cmocka_unit_test(test_export_turns_sanitized_html_into_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
