/*
 * bank.c: the item bank's plain structs: canonical content hashes, names,
 * and NULL-safe frees. No I/O.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "bank.h"
#include "log.h"

#define BANK_ITEM_HASH_TAG	"examd-item-1\n"	/* bump if the canonical form changes */
#define BANK_FORM_HASH_TAG	"examd-form-1\n"

const char *
bank_kind_name(enum bank_kind k)
{
	return k == BANK_MC ? "mc" : "essay";
}

const struct bank_track *
bank_section_track(const struct bank_section *sec, const char *track)
{
	size_t i, j;

	for (i = 0; i < sec->n_tracks; i++)
		for (j = 0; j < sec->tracks[i].n_tracks; j++)
			if (strcmp(sec->tracks[i].tracks[j], track) == 0)
				return &sec->tracks[i];
	return NULL;
}

/* A JSON string, or null for NULL (content is valid UTF-8 by import). */
static json_t *
js(const char *s)
{
	json_t *j;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) == NULL)
		fatalx("bank: string is not UTF-8");
	return j;
}

static void
sha256_hex2(const char *tag, const void *s, size_t len,
    char out[BANK_HASH_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, tag, strlen(tag)) != 1 ||
	    EVP_DigestUpdate(ctx, s, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		fatalx("bank: sha256");
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void
bank_sha256_hex(const void *data, size_t len, char out[BANK_HASH_HEX])
{
	sha256_hex2("", data, len, out);
}

static void
hash_json(const char *tag, json_t *j, char out[BANK_HASH_HEX])
{
	char *s;

	if ((s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT)) == NULL)
		fatalx("bank: json_dumps");
	sha256_hex2(tag, s, strlen(s), out);
	free(s);
	json_decref(j);
}

void
bank_item_hash(struct bank_item *it)
{
	json_t *o, *a;
	size_t i;

	o = json_object();
	json_object_set_new(o, "identifier", js(it->identifier));
	json_object_set_new(o, "kind", js(bank_kind_name(it->kind)));
	json_object_set_new(o, "title", js(it->title));
	json_object_set_new(o, "lang", js(it->lang));
	json_object_set_new(o, "domain", js(it->domain));
	json_object_set_new(o, "topic", js(it->topic));
	json_object_set_new(o, "stem_html", js(it->stem_html));
	json_object_set_new(o, "prompt_html", js(it->prompt_html));
	a = json_array();
	for (i = 0; i < it->n_choices; i++)
		json_array_append_new(a, json_pack("{s:o,s:o,s:b}",
		    "id", js(it->choices[i].id), "html",
		    js(it->choices[i].html), "fixed", it->choices[i].fixed));
	json_object_set_new(o, "choices", a);
	json_object_set_new(o, "key", js(it->key));
	json_object_set_new(o, "shuffle", json_boolean(it->shuffle));
	json_object_set_new(o, "expected_length",
	    json_integer(it->expected_length));
	json_object_set_new(o, "rubric_html", js(it->rubric_html));
	a = json_array();
	for (i = 0; i < it->n_rubric; i++)
		json_array_append_new(a, json_pack("{s:i,s:o}", "score",
		    it->rubric[i].score, "html", js(it->rubric[i].html)));
	json_object_set_new(o, "rubric", a);
	a = json_array();
	for (i = 0; i < it->n_assets; i++)
		json_array_append_new(a, json_pack("{s:o,s:o,s:s}", "path",
		    js(it->assets[i].path), "mime", js(it->assets[i].mime),
		    "sha256", it->assets[i].sha256));
	json_object_set_new(o, "assets", a);
	hash_json(BANK_ITEM_HASH_TAG, o, it->content_hash);
}

static json_t *
form_items_json(const struct bank_form_item *fi, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o,s:o,s:s}", "ref",
		    js(fi[i].ref), "category", js(fi[i].category), "item",
		    fi[i].item ? fi[i].item->content_hash : ""));
	return a;
}

void
bank_form_hash(struct bank_form *f)
{
	json_t *o, *secs, *s, *trs, *t, *a;
	size_t i, j, k;

	o = json_object();
	json_object_set_new(o, "identifier", js(f->identifier));
	json_object_set_new(o, "title", js(f->title));
	json_object_set_new(o, "program", js(f->program));
	secs = json_array();
	for (i = 0; i < f->n_sections; i++) {
		const struct bank_section *sec = &f->sections[i];

		s = json_pack("{s:o,s:o,s:s,s:I,s:i}", "identifier",
		    js(sec->identifier), "title", js(sec->title), "kind",
		    bank_kind_name(sec->kind), "time_limit_ms",
		    (json_int_t)sec->time_limit_ms, "cut_percent",
		    sec->cut_percent);
		json_object_set_new(s, "items", form_items_json(sec->items,
		    sec->n_items));
		trs = json_array();
		for (j = 0; j < sec->n_tracks; j++) {
			const struct bank_track *tr = &sec->tracks[j];

			t = json_pack("{s:o,s:o,s:i}", "identifier",
			    js(tr->identifier), "title", js(tr->title),
			    "answer", tr->answer);
			a = json_array();
			for (k = 0; k < tr->n_tracks; k++)
				json_array_append_new(a, js(tr->tracks[k]));
			json_object_set_new(t, "tracks", a);
			a = json_array();
			for (k = 0; k < tr->n_require; k++)
				json_array_append_new(a, json_pack("{s:o,s:i}",
				    "group", js(tr->require[k].group), "min",
				    tr->require[k].min));
			json_object_set_new(t, "require", a);
			json_object_set_new(t, "items",
			    form_items_json(tr->items, tr->n_items));
			json_array_append_new(trs, t);
		}
		json_object_set_new(s, "tracks", trs);
		json_array_append_new(secs, s);
	}
	json_object_set_new(o, "sections", secs);
	hash_json(BANK_FORM_HASH_TAG, o, f->content_hash);
}

void
bank_item_free(struct bank_item *it)
{
	size_t i;

	if (it == NULL)
		return;
	free(it->identifier);
	free(it->title);
	free(it->lang);
	free(it->domain);
	free(it->topic);
	free(it->stem_html);
	free(it->prompt_html);
	for (i = 0; i < it->n_choices; i++) {
		free(it->choices[i].id);
		free(it->choices[i].html);
	}
	free(it->choices);
	/* the key is data a candidate must never see: do not leave it around */
	if (it->key != NULL) {
		explicit_bzero(it->key, strlen(it->key));
		free(it->key);
	}
	free(it->rubric_html);
	for (i = 0; i < it->n_rubric; i++)
		free(it->rubric[i].html);
	free(it->rubric);
	for (i = 0; i < it->n_assets; i++) {
		free(it->assets[i].path);
		free(it->assets[i].mime);
		free(it->assets[i].data);
	}
	free(it->assets);
	free(it);
}

static void
form_items_free(struct bank_form_item *fi, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(fi[i].ref);
		free(fi[i].category);
	}
	free(fi);
}

void
bank_form_free(struct bank_form *f)
{
	size_t i, j, k;

	if (f == NULL)
		return;
	for (i = 0; i < f->n_sections; i++) {
		struct bank_section *sec = &f->sections[i];

		free(sec->identifier);
		free(sec->title);
		form_items_free(sec->items, sec->n_items);
		for (j = 0; j < sec->n_tracks; j++) {
			struct bank_track *tr = &sec->tracks[j];

			free(tr->identifier);
			free(tr->title);
			for (k = 0; k < tr->n_tracks; k++)
				free(tr->tracks[k]);
			free(tr->tracks);
			for (k = 0; k < tr->n_require; k++)
				free(tr->require[k].group);
			free(tr->require);
			form_items_free(tr->items, tr->n_items);
		}
		free(sec->tracks);
	}
	free(f->sections);
	free(f->identifier);
	free(f->title);
	free(f->program);
	free(f);
}

void
bank_form_list_free(struct bank_form_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		bank_form_free(l->forms[i]);
	free(l->forms);
	l->forms = NULL;
	l->n = 0;
}

void
bank_item_list_free(struct bank_item_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		bank_item_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
