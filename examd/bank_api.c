/*
 * bank_api.c: the item bank over HTTP. The catalogue of exam forms for
 * administrators and coordinators, item listings for administrators, and
 * item images for anyone signed in.
 *
 * No reply here carries an answer key: not even administrators get it over
 * the API (it stays in the database and in examctl export). Scorer rubrics
 * are shown to administrators only.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "bank.h"
#include "bank_api.h"
#include "http.h"
#include "log.h"
#include "server.h"

#define BANK_API_ASSETS	"/api/v1/assets/"

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
jtime(int64_t ms)
{
	char buf[96];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return json_string(buf);
}

/* GET /api/v1/exams: published forms, their parts and the tracks they serve. */
static void
bank_api_exams(struct req *req)
{
	struct bank_form_list l;
	json_t *exams, *e, *secs, *s, *tracks;
	size_t i, j, k, m;

	if (store_forms_list(req->srv->store, 1, &l) == -1) {
		http_error(req, 500, "internal", "cannot read the exam forms");
		return;
	}
	exams = json_array();
	for (i = 0; i < l.n; i++) {
		const struct bank_form *f = l.forms[i];

		secs = json_array();
		tracks = json_array();
		for (j = 0; j < f->n_sections; j++) {
			const struct bank_section *sec = &f->sections[j];

			s = json_pack("{s:s,s:s,s:s,s:I,s:i}", "id",
			    sec->identifier, "title", sec->title, "kind",
			    bank_kind_name(sec->kind), "time_limit_ms",
			    (json_int_t)sec->time_limit_ms, "cut_percent",
			    sec->cut_percent);
			if (sec->kind == BANK_ESSAY) {
				json_t *rules = json_array();

				for (k = 0; k < sec->n_tracks; k++) {
					const struct bank_track *t =
					    &sec->tracks[k];
					json_t *tt = json_array();

					for (m = 0; m < t->n_tracks; m++) {
						json_array_append_new(tt,
						    json_string(t->tracks[m]));
						json_array_append_new(tracks,
						    json_string(t->tracks[m]));
					}
					json_array_append_new(rules, json_pack(
					    "{s:s,s:o,s:i,s:I}", "id",
					    t->identifier, "tracks", tt,
					    "answer", t->answer, "of",
					    (json_int_t)t->n_items));
				}
				json_object_set_new(s, "tracks", rules);
			} else
				json_object_set_new(s, "items", json_integer(
				    (json_int_t)sec->n_items));
			json_array_append_new(secs, s);
		}
		e = json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", f->identifier,
		    "title", f->title, "program", f->program, "sections", secs,
		    "tracks", tracks);
		json_array_append_new(exams, e);
	}
	bank_form_list_free(&l);
	http_reply_json(req, 200, json_pack("{s:o}", "exams", exams));
}

/* Metadata and content an administrator reviews; never the key. */
static json_t *
item_json(const struct bank_item *it, int full)
{
	json_t *o, *a;
	size_t i;

	o = json_pack("{s:I,s:s,s:i,s:s,s:s,s:o,s:o,s:o,s:s,s:i,s:b,s:I,"
	    "s:o,s:b,s:I}",
	    "id", (json_int_t)it->id, "identifier", it->identifier,
	    "version", it->version, "kind", bank_kind_name(it->kind),
	    "title", it->title ? it->title : "", "lang", jstr(it->lang),
	    "domain", jstr(it->domain), "topic", jstr(it->topic),
	    "content_hash", it->content_hash,
	    "source_qti", it->source_version, "retired", it->retired,
	    "used", (json_int_t)it->used, "imported_at",
	    jtime(it->imported_at), "shuffle", it->shuffle,
	    "choices", (json_int_t)it->n_choices);
	if (it->kind == BANK_ESSAY)
		json_object_set_new(o, "expected_length",
		    json_integer(it->expected_length));
	a = json_array();
	for (i = 0; i < it->n_assets; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I}", "path",
		    it->assets[i].path, "mime", it->assets[i].mime, "bytes",
		    (json_int_t)it->assets[i].len));
	json_object_set_new(o, "assets", a);
	if (!full)
		return o;
	json_object_set_new(o, "stem_html", jstr(it->stem_html));
	json_object_set_new(o, "prompt_html", jstr(it->prompt_html));
	a = json_array();
	for (i = 0; i < it->n_choices; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "id",
		    it->choices[i].id, "html", it->choices[i].html, "fixed",
		    it->choices[i].fixed));
	json_object_set_new(o, "choices", a);
	if (it->kind == BANK_ESSAY) {
		json_object_set_new(o, "rubric_html", jstr(it->rubric_html));
		a = json_array();
		for (i = 0; i < it->n_rubric; i++)
			json_array_append_new(a, json_pack("{s:i,s:s}", "score",
			    it->rubric[i].score, "html", it->rubric[i].html));
		json_object_set_new(o, "rubric", a);
	}
	return o;
}

/* A query parameter copied out of http_query()'s shared buffer. */
static char *
query_dup(struct req *req, const char *name)
{
	const char *v = http_query(req, name);

	return v && *v ? strdup(v) : NULL;
}

static int
query_int(struct req *req, const char *name, int min, int max, int *out)
{
	const char *v = http_query(req, name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return 0;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < min || n > max) {
		http_error(req, 400, "bad_query", "%s must be a whole number "
		    "from %d to %d", name, min, max);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* GET /api/v1/items?domain=&topic=&kind=&identifier=&version=&latest=&limit=&offset= */
static void
bank_api_items(struct req *req)
{
	struct bank_item_filter f;
	struct bank_item_list l;
	char *domain, *topic, *kind, *ident;
	json_t *a;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.limit = 100;
	if (query_int(req, "version", 1, 1000000, &f.version) == -1 ||
	    query_int(req, "latest", 0, 1, &f.latest_only) == -1 ||
	    query_int(req, "limit", 1, BANK_MAX_PAGE, &f.limit) == -1 ||
	    query_int(req, "offset", 0, 100000000, &f.offset) == -1)
		return;
	domain = query_dup(req, "domain");
	topic = query_dup(req, "topic");
	kind = query_dup(req, "kind");
	ident = query_dup(req, "identifier");
	if (kind && strcmp(kind, "mc") != 0 && strcmp(kind, "essay") != 0) {
		http_error(req, 400, "bad_query", "kind must be mc or essay");
		goto out;
	}
	f.domain = domain;
	f.topic = topic;
	f.kind = kind;
	f.identifier = ident;
	if (store_items_list(req->srv->store, &f, &l) == -1) {
		http_error(req, 500, "internal", "cannot read the item bank");
		goto out;
	}
	a = json_array();
	for (i = 0; i < l.n; i++)
		json_array_append_new(a, item_json(l.items[i], 0));
	http_reply_json(req, 200, json_pack("{s:o,s:I,s:i,s:i}", "items", a,
	    "total", (json_int_t)l.total, "limit", f.limit, "offset",
	    f.offset));
	bank_item_list_free(&l);
out:
	free(domain);
	free(topic);
	free(kind);
	free(ident);
}

/* GET /api/v1/items/{id}: one item version's content, without its key. */
static void
bank_api_item(struct req *req)
{
	struct bank_item *it;
	int64_t id = http_param_id(req, 0);
	int rc;

	if (id <= 0) {
		http_not_found(req);
		return;
	}
	if ((rc = store_item_get(req->srv->store, id, &it)) == 1) {
		http_not_found(req);
		return;
	}
	if (rc == -1) {
		http_error(req, 500, "internal", "cannot read the item");
		return;
	}
	http_reply_json(req, 200, item_json(it, 1));
	bank_item_free(it);
}

static void
asset_free(const void *data, size_t len, void *extra)
{
	(void)len;
	(void)extra;
	free((void *)(uintptr_t)data);
}

/* GET /api/v1/assets/{item_id}/PATH: an image an item shows. */
static void
bank_api_asset(struct req *req)
{
	struct evbuffer *b;
	unsigned char *data;
	char *mime;
	const char *path;
	size_t len;
	int64_t id = http_param_id(req, 0);
	int rc;

	path = strchr(req->path + strlen(BANK_API_ASSETS), '/');
	if (id <= 0 || path == NULL || path[1] == '\0') {
		http_not_found(req);
		return;
	}
	path++;
	rc = store_asset_get(req->srv->store, id, path, &mime, &data, &len);
	if (rc == 1) {
		http_not_found(req);
		return;
	}
	if (rc == -1) {
		http_error(req, 500, "internal", "cannot read the image");
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		fatal("bank_api_asset");
	if (len > 0)
		evbuffer_add_reference(b, data, len, asset_free, NULL);
	else
		free(data);
	http_reply_buffer(req, 200, mime, b);
	evbuffer_free(b);
	free(mime);
}

#define ASSET_ROLES	(ROLE_CANDIDATE | ROLE_STAFF)

/* Asset paths have up to BANK_MAX_ASSET_SEGMENTS segments: one row each. */
const struct route bank_routes[] = {
	{ "GET", "/api/v1/exams", ROLE_ADMIN | ROLE_COORDINATOR, 0,
	  bank_api_exams },
	{ "GET", "/api/v1/items", ROLE_ADMIN, 0, bank_api_items },
	{ "GET", "/api/v1/items/{id}", ROLE_ADMIN, 0, bank_api_item },
	{ "GET", "/api/v1/assets/{id}/{p}", ASSET_ROLES, 0, bank_api_asset },
	{ "GET", "/api/v1/assets/{id}/{p}/{p}", ASSET_ROLES, 0,
	  bank_api_asset },
	{ "GET", "/api/v1/assets/{id}/{p}/{p}/{p}", ASSET_ROLES, 0,
	  bank_api_asset },
	{ "GET", "/api/v1/assets/{id}/{p}/{p}/{p}/{p}", ASSET_ROLES, 0,
	  bank_api_asset },
	{ NULL, NULL, 0, 0, NULL }
};
