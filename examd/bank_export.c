/*
 * bank_export.c: a form and the item versions it pins as a QTI 3.0
 * content package that examd imports back to the same content hashes.
 *
 * The stored HTML is examd's sanitized subset (qti_html.c): well-formed
 * apart from void elements, escaped with &amp; &lt; &gt; &quot; &#39;
 * only. html_to_xml() turns it back into XML in the QTI 3.0 namespace
 * (void elements closed, lang -> xml:lang, MathML in its namespace); the
 * interaction goes back where the stem holds <div class="qti-prompt">.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "bank_io.h"
#include "log.h"
#include "store.h"

#define QTI3_NS		"http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
#define QTI3_CP_NS	"http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
#define EXAMD_NS	"urn:examd:qti:1"
#define MATHML_NS	"http://www.w3.org/1998/Math/MathML"
#define MATCH_CORRECT	"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct"
#define PROMPT_OPEN	"<div class=\"qti-prompt\">"

/* Attribute value, XML-escaped. */
static void
put_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void
put_attr(FILE *f, const char *name, const char *val)
{
	if (val == NULL)
		return;
	fprintf(f, " %s=\"", name);
	put_esc(f, val);
	fputc('"', f);
}

static int
is_void(const char *name, size_t len)
{
	static const char *const v[] = { "br", "col", "hr", "img" };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strlen(v[i]) == len && strncmp(v[i], name, len) == 0)
			return 1;
	return 0;
}

/* Sanitized HTML [s, s+len) as XML in the QTI 3.0 namespace. */
static void
html_to_xml(FILE *f, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *gt, *n;
	size_t nl;

	while (p < end) {
		if (*p != '<') {
			fputc(*p++, f);
			continue;
		}
		if ((gt = memchr(p, '>', (size_t)(end - p))) == NULL) {
			/* cannot happen for sanitizer output; keep it text */
			fputs("&lt;", f);
			p++;
			continue;
		}
		if (p[1] == '/') {
			fwrite(p, 1, (size_t)(gt - p + 1), f);
			p = gt + 1;
			continue;
		}
		n = p + 1;
		for (nl = 0; n + nl < gt && n[nl] != ' '; nl++)
			;
		fputc('<', f);
		fwrite(n, 1, nl, f);
		if (nl == 4 && strncmp(n, "math", 4) == 0)
			fputs(" xmlns=\"" MATHML_NS "\"", f);
		/* attributes: ' name="value"', values hold no '"' or '>' */
		for (p = n + nl; p < gt; ) {
			if (strncmp(p, " lang=\"", 7) == 0) {
				fputs(" xml:lang=\"", f);
				p += 7;
			} else
				fputc(*p++, f);
		}
		fputs(is_void(n, nl) ? "/>" : ">", f);
		p = gt + 1;
	}
}

static void
html_to_xml_s(FILE *f, const char *s)
{
	if (s != NULL)
		html_to_xml(f, s, strlen(s));
}

/* End of the <div> opened at `open` (just past its '>'): the matching
 * "</div>", or NULL. */
static const char *
div_end(const char *p)
{
	int depth = 1;

	while (*p) {
		if (strncmp(p, "<div", 4) == 0 && (p[4] == '>' || p[4] == ' '))
			depth++;
		else if (strncmp(p, "</div>", 6) == 0 && --depth == 0)
			return p;
		p++;
	}
	return NULL;
}

static void
put_interaction(FILE *f, const struct bank_item *it, const char *prompt,
    size_t prompt_len, int has_prompt)
{
	size_t i;

	if (it->kind == BANK_MC) {
		fprintf(f, "<qti-choice-interaction response-identifier="
		    "\"RESPONSE\" shuffle=\"%s\" max-choices=\"1\">",
		    it->shuffle ? "true" : "false");
	} else {
		fputs("<qti-extended-text-interaction response-identifier="
		    "\"RESPONSE\"", f);
		if (it->expected_length > 0)
			fprintf(f, " expected-length=\"%ld\"",
			    it->expected_length);
		fputs(">", f);
	}
	if (has_prompt) {
		fputs("<qti-prompt>", f);
		html_to_xml(f, prompt, prompt_len);
		fputs("</qti-prompt>", f);
	}
	for (i = 0; i < it->n_choices; i++) {
		fputs("<qti-simple-choice", f);
		put_attr(f, "identifier", it->choices[i].id);
		if (it->choices[i].fixed)
			fputs(" fixed=\"true\"", f);
		fputs(">", f);
		html_to_xml_s(f, it->choices[i].html);
		fputs("</qti-simple-choice>", f);
	}
	fputs(it->kind == BANK_MC ? "</qti-choice-interaction>" :
	    "</qti-extended-text-interaction>", f);
}

static void
put_item(FILE *f, const struct bank_item *it)
{
	const char *stem = it->stem_html ? it->stem_html : "", *po, *pe;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<!-- exported by examd -->\n", f);
	fputs("<qti-assessment-item xmlns=\"" QTI3_NS "\" xmlns:examd=\""
	    EXAMD_NS "\"", f);
	put_attr(f, "identifier", it->identifier);
	put_attr(f, "title", it->title);
	fputs(" adaptive=\"false\" time-dependent=\"false\"", f);
	put_attr(f, "xml:lang", it->lang);
	put_attr(f, "examd:domain", it->domain);
	put_attr(f, "examd:topic", it->topic);
	fputs(">\n", f);
	if (it->kind == BANK_MC) {
		fputs("  <qti-response-declaration identifier=\"RESPONSE\" "
		    "cardinality=\"single\" base-type=\"identifier\">"
		    "<qti-correct-response><qti-value>", f);
		put_esc(f, it->key);
		fputs("</qti-value></qti-correct-response>"
		    "</qti-response-declaration>\n", f);
		fputs("  <qti-outcome-declaration identifier=\"SCORE\" "
		    "cardinality=\"single\" base-type=\"float\"/>\n", f);
	} else
		fputs("  <qti-response-declaration identifier=\"RESPONSE\" "
		    "cardinality=\"single\" base-type=\"string\"/>\n", f);
	fputs("  <qti-item-body>", f);
	if ((po = strstr(stem, PROMPT_OPEN)) != NULL &&
	    (pe = div_end(po + strlen(PROMPT_OPEN))) != NULL) {
		html_to_xml(f, stem, (size_t)(po - stem));
		put_interaction(f, it, po + strlen(PROMPT_OPEN),
		    (size_t)(pe - po - strlen(PROMPT_OPEN)), 1);
		html_to_xml_s(f, pe + 6);
	} else {
		/* the source had no prompt: the interaction shows nothing */
		html_to_xml_s(f, stem);
		put_interaction(f, it, NULL, 0, 0);
	}
	if (it->rubric_html != NULL) {
		fputs("<qti-rubric-block view=\"scorer\"><qti-content-body>", f);
		html_to_xml_s(f, it->rubric_html);
		fputs("</qti-content-body></qti-rubric-block>", f);
	}
	fputs("</qti-item-body>\n", f);
	if (it->kind == BANK_MC)
		fputs("  <qti-response-processing template=\"" MATCH_CORRECT
		    "\"/>\n", f);
	fputs("</qti-assessment-item>\n", f);
}

static void
put_refs(FILE *f, const struct bank_form_item *fi, size_t n,
    struct bank_item **items, size_t n_items, const char *indent)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *ident = "";

		for (j = 0; j < n_items; j++)
			if (items[j]->id == fi[i].item_id)
				ident = items[j]->identifier;
		fprintf(f, "%s<qti-assessment-item-ref", indent);
		put_attr(f, "identifier", fi[i].ref);
		fprintf(f, " href=\"items/%s/%s.xml\"", ident, ident);
		put_attr(f, "category", fi[i].category);
		fputs("/>\n", f);
	}
}

static void
put_seconds(FILE *f, long ms)
{
	if (ms % 1000)
		fprintf(f, "%ld.%03ld", ms / 1000, ms % 1000);
	else
		fprintf(f, "%ld", ms / 1000);
}

static void
put_form(FILE *f, const struct bank_form *form, struct bank_item **items,
    size_t n_items)
{
	size_t i, j, k;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<!-- exported by examd -->\n", f);
	fputs("<qti-assessment-test xmlns=\"" QTI3_NS "\" xmlns:examd=\""
	    EXAMD_NS "\"", f);
	put_attr(f, "identifier", form->identifier);
	put_attr(f, "title", form->title);
	put_attr(f, "examd:program", form->program);
	fputs(">\n  <qti-test-part identifier=\"exam\" navigation-mode="
	    "\"nonlinear\" submission-mode=\"simultaneous\">\n", f);
	for (i = 0; i < form->n_sections; i++) {
		const struct bank_section *s = &form->sections[i];

		fputs("    <qti-assessment-section", f);
		put_attr(f, "identifier", s->identifier);
		put_attr(f, "title", s->title);
		fprintf(f, " visible=\"true\" examd:cut-percent=\"%d\">\n"
		    "      <qti-time-limits max-time=\"", s->cut_percent);
		put_seconds(f, s->time_limit_ms);
		fputs("\"/>\n", f);
		put_refs(f, s->items, s->n_items, items, n_items, "      ");
		for (j = 0; j < s->n_tracks; j++) {
			const struct bank_track *t = &s->tracks[j];

			fputs("      <qti-assessment-section", f);
			put_attr(f, "identifier", t->identifier);
			put_attr(f, "title", t->title);
			fputs(" visible=\"true\" examd:tracks=\"", f);
			for (k = 0; k < t->n_tracks; k++)
				fprintf(f, "%s%s", k ? " " : "", t->tracks[k]);
			fprintf(f, "\" examd:answer=\"%d\"", t->answer);
			if (t->n_require) {
				fputs(" examd:require=\"", f);
				for (k = 0; k < t->n_require; k++) {
					fprintf(f, "%s", k ? " " : "");
					put_esc(f, t->require[k].group);
					fprintf(f, ":%d", t->require[k].min);
				}
				fputs("\"", f);
			}
			fputs(">\n", f);
			put_refs(f, t->items, t->n_items, items, n_items,
			    "        ");
			fputs("      </qti-assessment-section>\n", f);
		}
		fputs("    </qti-assessment-section>\n", f);
	}
	fputs("  </qti-test-part>\n</qti-assessment-test>\n", f);
}

static void
put_manifest(FILE *f, const struct bank_form *form, struct bank_item **items,
    size_t n_items)
{
	size_t i, j;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<manifest xmlns=\"" QTI3_CP_NS "\" identifier="
	    "\"examd-export-%s\">\n", form->identifier);
	fputs("  <metadata><schema>QTI Package</schema><schemaversion>3.0.0"
	    "</schemaversion></metadata>\n  <organizations/>\n"
	    "  <resources>\n", f);
	fprintf(f, "    <resource identifier=\"t-%s\" type=\"imsqti_test_"
	    "xmlv3p0\" href=\"%s.xml\">\n      <file href=\"%s.xml\"/>\n",
	    form->identifier, form->identifier, form->identifier);
	for (i = 0; i < n_items; i++)
		fprintf(f, "      <dependency identifierref=\"i-%s\"/>\n",
		    items[i]->identifier);
	fputs("    </resource>\n", f);
	for (i = 0; i < n_items; i++) {
		const struct bank_item *it = items[i];

		fprintf(f, "    <resource identifier=\"i-%s\" type=\"imsqti_"
		    "item_xmlv3p0\" href=\"items/%s/%s.xml\">\n"
		    "      <file href=\"items/%s/%s.xml\"/>\n", it->identifier,
		    it->identifier, it->identifier, it->identifier,
		    it->identifier);
		for (j = 0; j < it->n_assets; j++) {
			fprintf(f, "      <file href=\"items/%s/",
			    it->identifier);
			put_esc(f, it->assets[j].path);
			fputs("\"/>\n", f);
		}
		fputs("    </resource>\n", f);
	}
	fputs("  </resources>\n</manifest>\n", f);
}

/* mkdir -p for the folders of `path` (not the last component). */
static int
mkparents(const char *path)
{
	char *p = strdup(path), *s;

	if (p == NULL)
		return -1;
	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static int
write_file(const char *path, const void *data, size_t len, char **errstr)
{
	FILE *f = NULL;
	int fd;

	/* keys and rubrics: readable by the owner only */
	if (mkparents(path) == -1 || (fd = open(path, O_WRONLY | O_CREAT |
	    O_EXCL | O_CLOEXEC, 0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
dir_ready(const char *dir, char **errstr)
{
	struct dirent *e;
	DIR *d;
	int empty = 1;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		*errstr = xasprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	if (!empty) {
		*errstr = xasprintf("%s: exists and is not empty", dir);
		return -1;
	}
	return 0;
}

static void
add_item_id(int64_t **ids, size_t *n, int64_t id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	if ((*ids = reallocarray(*ids, *n + 1, sizeof(**ids))) == NULL)
		fatal("export");
	(*ids)[(*n)++] = id;
}

typedef void (*put_doc_fn)(FILE *, const void *, struct bank_item **,
    size_t);

static void
put_item_doc(FILE *f, const void *it, struct bank_item **items, size_t n)
{
	(void)items;
	(void)n;
	put_item(f, it);
}

static void
put_form_doc(FILE *f, const void *form, struct bank_item **items, size_t n)
{
	put_form(f, form, items, n);
}

static void
put_manifest_doc(FILE *f, const void *form, struct bank_item **items,
    size_t n)
{
	put_manifest(f, form, items, n);
}

/* Render a document in memory and write it to the formatted path. */
static int
write_doc(put_doc_fn put, const void *obj, struct bank_item **items,
    size_t n_items, char **errstr, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int
write_doc(put_doc_fn put, const void *obj, struct bank_item **items,
    size_t n_items, char **errstr, const char *fmt, ...)
{
	char *buf = NULL, *path;
	size_t len = 0;
	va_list ap;
	FILE *f;
	int rc;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("export");
	put(f, obj, items, n_items);
	fclose(f);
	va_start(ap, fmt);
	if (vasprintf(&path, fmt, ap) == -1)
		fatal("export");
	va_end(ap);
	rc = write_file(path, buf, len, errstr);
	free(path);
	free(buf);
	return rc;
}

/* store_item_get() read the assets' metadata; read them with their bytes. */
static int
reread_assets(struct store *s, struct bank_item *it)
{
	size_t i;

	for (i = 0; i < it->n_assets; i++) {
		free(it->assets[i].path);
		free(it->assets[i].mime);
		free(it->assets[i].data);
	}
	free(it->assets);
	it->assets = NULL;
	it->n_assets = 0;
	return store_item_get_assets(s, it->id, it, 1);
}

int
bank_export_form(struct store *s, const char *form_id, const char *dir,
    char **errstr)
{
	struct bank_form *form = NULL;
	struct bank_item **items = NULL;
	int64_t *ids = NULL;
	size_t n_ids = 0, n_items = 0, i, j;
	char *path;
	int rc;

	if ((rc = store_form_get(s, form_id, &form, errstr)) != 0) {
		if (rc == 1)
			*errstr = xasprintf("no form \"%s\"", form_id);
		return -1;
	}
	for (i = 0; i < form->n_sections; i++) {
		const struct bank_section *sec = &form->sections[i];

		for (j = 0; j < sec->n_items; j++)
			add_item_id(&ids, &n_ids, sec->items[j].item_id);
		for (j = 0; j < sec->n_tracks; j++) {
			size_t k;

			for (k = 0; k < sec->tracks[j].n_items; k++)
				add_item_id(&ids, &n_ids,
				    sec->tracks[j].items[k].item_id);
		}
	}
	rc = -1;
	if ((items = calloc(n_ids ? n_ids : 1, sizeof(*items))) == NULL)
		fatal("export");
	for (i = 0; i < n_ids; i++) {
		if (store_item_get(s, ids[i], &items[n_items]) != 0 ||
		    reread_assets(s, items[n_items]) == -1) {
			bank_item_free(items[n_items]);
			items[n_items] = NULL;
			*errstr = xasprintf("item %lld of form %s: cannot read "
			    "it", (long long)ids[i], form_id);
			goto out;
		}
		for (j = 0; j < n_items; j++)
			if (strcmp(items[j]->identifier,
			    items[n_items]->identifier) == 0) {
				*errstr = xasprintf("form %s pins two versions "
				    "of item %s", form_id,
				    items[j]->identifier);
				n_items++;
				goto out;
			}
		n_items++;
	}
	if (dir_ready(dir, errstr) == -1)
		goto out;
	for (i = 0; i < n_items; i++) {
		const struct bank_item *it = items[i];

		if (write_doc(put_item_doc, it, NULL, 0, errstr, "%s/items/%s/"
		    "%s.xml", dir, it->identifier, it->identifier) == -1)
			goto out;
		for (j = 0; j < it->n_assets; j++) {
			path = xasprintf("%s/items/%s/%s", dir, it->identifier,
			    it->assets[j].path);
			rc = write_file(path, it->assets[j].data,
			    it->assets[j].len, errstr);
			free(path);
			if (rc == -1)
				goto out;
		}
	}
	rc = -1;
	if (write_doc(put_form_doc, form, items, n_items, errstr, "%s/%s.xml",
	    dir, form->identifier) == -1 ||
	    write_doc(put_manifest_doc, form, items, n_items, errstr,
	    "%s/imsmanifest.xml", dir) == -1)
		goto out;
	rc = 0;
out:
	for (i = 0; i < n_items; i++)
		bank_item_free(items[i]);
	free(items);
	free(ids);
	bank_form_free(form);
	return rc;
}
