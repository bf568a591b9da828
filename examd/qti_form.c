/*
 * qti_form.c: an exam form (assessmentTest) -> struct qti_form.
 *
 * Two steps, so that the importer can check a form against items it parsed
 * from anywhere (a package, a folder, the database):
 *   qti_form_parse()      the test file alone: structure, time limits, cut
 *                         marks, tracks, essay rules, hrefs (resolved, no
 *                         URLs, nothing outside the root);
 *   qti_form_check()      the form against its items (via a lookup);
 *   qti_form_load_items() parses the items from disk, then checks.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "qti_priv.h"

static void
refs_free(struct qti_item_ref *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].identifier);
		free(r[i].href);
		free(r[i].path);
		free(r[i].category);
		qti_item_free(r[i].item);
	}
	free(r);
}

void
qti_form_free(struct qti_form *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->n_sections; i++) {
		struct qti_section *s = &f->sections[i];

		free(s->identifier);
		free(s->title);
		refs_free(s->refs, s->n_refs);
		for (j = 0; j < s->n_tracks; j++) {
			struct qti_track_section *t = &s->tracks[j];
			size_t k;

			free(t->identifier);
			free(t->title);
			qti_strv_free(t->tracks, t->n_tracks);
			for (k = 0; k < t->n_require; k++)
				free(t->require[k].group);
			free(t->require);
			refs_free(t->refs, t->n_refs);
		}
		free(s->tracks);
	}
	free(f->sections);
	free(f->path);
	free(f->identifier);
	free(f->title);
	free(f->program);
	free(f);
}

struct qti_fparse {
	struct qti_doc	 d;
	struct qti_form	*f;
	const char	*root;
	char		**errstr;
	size_t		 n_refs;	/* all refs so far, for the cap */
};

#define FERR(p, node, ...) \
	qti_err((p)->errstr, (p)->d.path, qti_line(node), __VA_ARGS__)

/* Identifier attribute, trimmed and checked. */
static char *
ident(struct qti_fparse *p, xmlNodePtr n, const char *what)
{
	char *raw = qti_attr(&p->d, n, "identifier"), *id;

	id = qti_trim_dup(raw);
	free(raw);
	if (!qti_identifier_valid(id)) {
		FERR(p, n, "%s identifier \"%s\" is empty, longer than %d or "
		    "has characters outside [A-Za-z0-9_.-]", what,
		    id ? id : "", QTI_MAX_IDENT);
		free(id);
		return NULL;
	}
	return id;
}

/*
 * "5400", "5400.5", "90.25" seconds -> milliseconds. Plain decimal only:
 * no sign, exponent, hex, inf or nan. Returns -1 if malformed or out of
 * range.
 */
static long
parse_seconds(const char *s)
{
	long ms = 0, frac = 0, scale = 100;
	const char *p = s;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		ms = ms * 10 + (*p - '0');
		if (ms > QTI_MAX_TIME_MS / 1000)
			return -1;
	}
	ms *= 1000;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p != '\0')
		return -1;
	ms += frac;
	if (ms <= 0 || ms > QTI_MAX_TIME_MS)
		return -1;
	return ms;
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
group_ok(const char *g)
{
	if (*g == '\0' || strlen(g) > 64)
		return 0;
	for (; *g; g++)
		if (!((*g >= 'a' && *g <= 'z') || (*g >= 'A' && *g <= 'Z') ||
		    (*g >= '0' && *g <= '9') || *g == '-' || *g == '_'))
			return 0;
	return 1;
}

static int
has_token(const char *list, const char *tok)
{
	size_t l = strlen(tok);
	const char *p = list;

	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (strncmp(p, tok, l) == 0 && (p[l] == '\0' || p[l] == ' ' ||
		    p[l] == '\t' || p[l] == '\n' || p[l] == '\r'))
			return 1;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
	}
	return 0;
}

static int
add_ref(struct qti_fparse *p, xmlNodePtr n, struct qti_item_ref **refs,
    size_t *nrefs)
{
	struct qti_item_ref *r, *nr;
	const char *why;
	char *cat;

	if (++p->n_refs > QTI_MAX_REFS) {
		FERR(p, n, "more than %d item references", QTI_MAX_REFS);
		return -1;
	}
	if ((nr = realloc(*refs, (*nrefs + 1) * sizeof(*nr))) == NULL) {
		FERR(p, n, "out of memory");
		return -1;
	}
	*refs = nr;
	r = &nr[(*nrefs)++];
	memset(r, 0, sizeof(*r));
	r->line = qti_line(n);
	if ((r->identifier = ident(p, n, "assessmentItemRef")) == NULL)
		return -1;
	r->href = qti_attr(&p->d, n, "href");
	if (qti_relpath_ok(r->href, &why) == -1) {
		FERR(p, n, "href \"%s\" of %s: %s; item references must be "
		    "relative file paths (URLs and absolute paths are refused)",
		    r->href ? r->href : "", r->identifier, why);
		return -1;
	}
	if ((r->path = qti_path_join(p->d.path, r->href)) == NULL ||
	    (p->root && !qti_path_inside(r->path, p->root))) {
		FERR(p, n, "href \"%s\" of %s leads outside the package root "
		    "%s", r->href, r->identifier, p->root ? p->root : "/");
		return -1;
	}
	if ((cat = qti_attr(&p->d, n, "category")) != NULL) {
		r->category = qti_trim_dup(cat);
		free(cat);
	}
	return 0;
}

/* examd:require="group:M group:M". */
static int
parse_require(struct qti_fparse *p, xmlNodePtr n, const char *s,
    struct qti_track_section *t)
{
	char *dup = strdup(s), *tok, *save = NULL, *q, *colon;
	int rc = -1;
	size_t i;

	if (dup == NULL)
		return -1;
	for (q = dup; (tok = strtok_r(q, " \t\r\n", &save)) != NULL; q = NULL) {
		struct qti_require *nr;
		int m;

		if ((colon = strchr(tok, ':')) == NULL) {
			FERR(p, n, "examd:require \"%s\": \"%s\" is not "
			    "group:M", s, tok);
			goto out;
		}
		*colon = '\0';
		if (!group_ok(tok) || parse_int(colon + 1, 1, 100, &m) == -1) {
			FERR(p, n, "examd:require \"%s\": bad pair \"%s:%s\" "
			    "(group is [A-Za-z0-9_-], M a whole number >= 1)",
			    s, tok, colon + 1);
			goto out;
		}
		for (i = 0; i < t->n_require; i++)
			if (strcmp(t->require[i].group, tok) == 0) {
				FERR(p, n, "examd:require names group %s "
				    "twice", tok);
				goto out;
			}
		if ((nr = realloc(t->require, (t->n_require + 1) *
		    sizeof(*nr))) == NULL)
			goto out;
		t->require = nr;
		if ((nr[t->n_require].group = strdup(tok)) == NULL)
			goto out;
		nr[t->n_require++].min = m;
	}
	rc = 0;
out:
	free(dup);
	return rc;
}

static int
parse_track_section(struct qti_fparse *p, xmlNodePtr n,
    struct qti_track_section *t)
{
	char *tracks, *ans, *req, *title, *tok, *save = NULL, *q;
	xmlNodePtr c;
	size_t i, j;
	int rc = -1, sum = 0;

	t->line = qti_line(n);
	if ((t->identifier = ident(p, n, "assessmentSection")) == NULL)
		return -1;
	title = qti_attr(&p->d, n, "title");
	t->title = qti_trim_dup(title ? title : "");
	free(title);
	tracks = qti_examd_attr(n, "tracks");
	ans = qti_examd_attr(n, "answer");
	req = qti_examd_attr(n, "require");
	if (tracks == NULL) {
		FERR(p, n, "essay section %s has no examd:tracks",
		    t->identifier);
		goto out;
	}
	for (q = tracks; (tok = strtok_r(q, " \t\r\n", &save)) != NULL;
	    q = NULL) {
		char **nv;

		if (!qti_track_valid(tok)) {
			FERR(p, n, "unknown track \"%s\" in examd:tracks "
			    "(IFA and IFS take no written exam)", tok);
			goto out;
		}
		if (p->f->program &&
		    strcmp(qti_track_program(tok), p->f->program) != 0) {
			FERR(p, n, "track %s is not in program %s", tok,
			    p->f->program);
			goto out;
		}
		if ((nv = realloc(t->tracks, (t->n_tracks + 1) *
		    sizeof(*nv))) == NULL || (nv[t->n_tracks] =
		    strdup(tok)) == NULL) {
			if (nv)
				t->tracks = nv;
			goto out;
		}
		t->tracks = nv;
		t->n_tracks++;
	}
	if (t->n_tracks == 0) {
		FERR(p, n, "essay section %s: examd:tracks is empty",
		    t->identifier);
		goto out;
	}
	for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
		if (qti_is(&p->d, c, "assessmentItemRef")) {
			if (add_ref(p, c, &t->refs, &t->n_refs) == -1)
				goto out;
		} else if (qti_is(&p->d, c, "assessmentSection") ||
		    qti_is(&p->d, c, "assessmentSectionRef")) {
			FERR(p, c, "a track's essay section may not contain "
			    "sections");
			goto out;
		}
	}
	if (t->n_refs == 0) {
		FERR(p, n, "essay section %s lists no vignettes",
		    t->identifier);
		goto out;
	}
	if (ans == NULL || parse_int(ans, 1, (int)t->n_refs, &t->answer) == -1) {
		FERR(p, n, "examd:answer \"%s\" of %s must be a whole number "
		    "from 1 to the %zu vignettes listed", ans ? ans : "",
		    t->identifier, t->n_refs);
		goto out;
	}
	if (req && parse_require(p, n, req, t) == -1) {
		FERR(p, n, "bad examd:require");
		goto out;
	}
	for (i = 0; i < t->n_require; i++) {
		size_t have = 0;

		for (j = 0; j < t->n_refs; j++)
			if (t->refs[j].category &&
			    has_token(t->refs[j].category, t->require[i].group))
				have++;
		if (have < (size_t)t->require[i].min) {
			FERR(p, n, "examd:require %s:%d but only %zu "
			    "vignette(s) have category %s", t->require[i].group,
			    t->require[i].min, have, t->require[i].group);
			goto out;
		}
		sum += t->require[i].min;
	}
	if (sum > t->answer) {
		FERR(p, n, "examd:require asks for %d answers but "
		    "examd:answer is %d", sum, t->answer);
		goto out;
	}
	rc = 0;
out:
	free(tracks);
	free(ans);
	free(req);
	return rc;
}

static int
parse_section(struct qti_fparse *p, xmlNodePtr n, struct qti_section *s)
{
	xmlNodePtr c, tl = NULL;
	char *title, *cut, *max;
	size_t nsub = 0, i, j, k, l;

	s->line = qti_line(n);
	s->cut_percent = 80;
	if ((s->identifier = ident(p, n, "assessmentSection")) == NULL)
		return -1;
	title = qti_attr(&p->d, n, "title");
	s->title = qti_trim_dup(title ? title : "");
	free(title);
	if ((cut = qti_examd_attr(n, "cut-percent")) != NULL) {
		int v, bad = parse_int(cut, 1, 100, &v) == -1;

		if (bad)
			FERR(p, n, "examd:cut-percent \"%s\" must be a whole "
			    "number from 1 to 100", cut);
		else
			s->cut_percent = v;
		free(cut);
		if (bad)
			return -1;
	}
	for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
		if (qti_is(&p->d, c, "timeLimits"))
			tl = c;
		else if (qti_is(&p->d, c, "assessmentSection"))
			nsub++;
		else if (qti_is(&p->d, c, "assessmentSectionRef")) {
			FERR(p, c, "assessmentSectionRef is not supported");
			return -1;
		} else if (qti_is(&p->d, c, "selection")) {
			FERR(p, c, "selection (random subsets of items) is "
			    "not supported: list the items of the form");
			return -1;
		}
	}
	if (tl && (max = qti_attr(&p->d, tl, "maxTime")) != NULL) {
		s->time_limit_ms = parse_seconds(max);
		if (s->time_limit_ms == -1) {
			FERR(p, tl, "timeLimits maxTime \"%s\" is not a "
			    "number of seconds between 0 and %ld", max,
			    QTI_MAX_TIME_MS / 1000);
			free(max);
			return -1;
		}
		free(max);
	}
	if (nsub == 0) {
		s->kind = QTI_SECTION_MC;
		for (c = qti_first_elem(n); c; c = qti_next_elem(c))
			if (qti_is(&p->d, c, "assessmentItemRef") &&
			    add_ref(p, c, &s->refs, &s->n_refs) == -1)
				return -1;
		if (s->n_refs == 0) {
			FERR(p, n, "section %s has no items", s->identifier);
			return -1;
		}
		return 0;
	}
	s->kind = QTI_SECTION_ESSAY;
	for (c = qti_first_elem(n); c; c = qti_next_elem(c))
		if (qti_is(&p->d, c, "assessmentItemRef")) {
			FERR(p, c, "section %s mixes item references and "
			    "sub-sections: a part holds either items (multiple "
			    "choice) or one sub-section per track (essays)",
			    s->identifier);
			return -1;
		}
	if ((s->tracks = calloc(nsub, sizeof(*s->tracks))) == NULL)
		return -1;
	for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
		if (!qti_is(&p->d, c, "assessmentSection"))
			continue;
		s->n_tracks++;
		if (parse_track_section(p, c, &s->tracks[s->n_tracks - 1]) == -1)
			return -1;
	}
	/* a track has one essay rule per part */
	for (i = 0; i < s->n_tracks; i++)
		for (j = 0; j < s->tracks[i].n_tracks; j++)
			for (k = i; k < s->n_tracks; k++)
				for (l = k == i ? j + 1 : 0;
				    l < s->tracks[k].n_tracks; l++)
					if (strcmp(s->tracks[i].tracks[j],
					    s->tracks[k].tracks[l]) == 0) {
						FERR(p, n, "track %s has more "
						    "than one essay section in "
						    "%s", s->tracks[i].tracks[j],
						    s->identifier);
						return -1;
					}
	return 0;
}

struct qti_form *
qti_form_parse(const char *path, const char *root, char **errstr)
{
	struct qti_fparse p;
	struct qti_form *f;
	xmlNodePtr part = NULL, c;
	const char *raw;
	char *title;
	size_t nparts = 0, nsec = 0, i;

	memset(&p, 0, sizeof(p));
	p.errstr = errstr;
	p.root = root;
	if (path == NULL) {
		qti_err(errstr, "-", 0, "no path");
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(path)) == NULL) {
		free(f);
		qti_err(errstr, path, 0, "out of memory");
		return NULL;
	}
	p.f = f;
	if (qti_xml_open(path, 1, &p.d, errstr) == -1)
		goto fail;
	f->version = p.d.version;
	raw = (const char *)p.d.root->name;
	if (!qti_is(&p.d, p.d.root, "assessmentTest") ||
	    (p.d.version == QTI_V3P0) != (strncmp(raw, "qti-", 4) == 0)) {
		FERR(&p, p.d.root, "root element %s is not %s", raw,
		    p.d.version == QTI_V3P0 ? "qti-assessment-test" :
		    "assessmentTest");
		goto fail;
	}
	if (qti_xml_validate(&p.d, errstr) == -1)
		goto fail;
	if ((f->identifier = ident(&p, p.d.root, "assessmentTest")) == NULL)
		goto fail;
	title = qti_attr(&p.d, p.d.root, "title");
	f->title = qti_trim_dup(title ? title : "");
	free(title);
	if ((f->program = qti_examd_attr(p.d.root, "program")) != NULL &&
	    strcmp(f->program, "IMH") != 0 && strcmp(f->program, "ECMH") != 0) {
		FERR(&p, p.d.root, "examd:program \"%s\" must be IMH or ECMH",
		    f->program);
		goto fail;
	}
	for (c = qti_first_elem(p.d.root); c; c = qti_next_elem(c))
		if (qti_is(&p.d, c, "testPart")) {
			part = part ? part : c;
			nparts++;
		}
	if (nparts != 1) {
		FERR(&p, p.d.root, "a form has exactly one testPart (found "
		    "%zu)", nparts);
		goto fail;
	}
	for (c = qti_first_elem(part); c; c = qti_next_elem(c))
		if (qti_is(&p.d, c, "assessmentSection"))
			nsec++;
		else if (qti_is(&p.d, c, "assessmentSectionRef")) {
			FERR(&p, c, "assessmentSectionRef is not supported");
			goto fail;
		}
	if (nsec == 0) {
		FERR(&p, part, "the testPart has no sections");
		goto fail;
	}
	if ((f->sections = calloc(nsec, sizeof(*f->sections))) == NULL)
		goto fail;
	for (c = qti_first_elem(part); c; c = qti_next_elem(c)) {
		if (!qti_is(&p.d, c, "assessmentSection"))
			continue;
		f->n_sections++;
		if (parse_section(&p, c, &f->sections[f->n_sections - 1]) == -1)
			goto fail;
		for (i = 0; i + 1 < f->n_sections; i++)
			if (strcmp(f->sections[i].identifier,
			    f->sections[f->n_sections - 1].identifier) == 0) {
				FERR(&p, c, "duplicate section identifier %s",
				    f->sections[i].identifier);
				goto fail;
			}
	}
	qti_xml_close(&p.d);
	return f;
fail:
	qti_err(errstr, path, 0, "cannot read the form");
	qti_xml_close(&p.d);
	qti_form_free(f);
	return NULL;
}

/* ---- checking against items ---- */

static void
check_ref(const struct qti_form *f, const struct qti_item_ref *r,
    enum qti_kind want, int need_domain, qti_item_lookup_fn lookup,
    void *arg, struct qti_buf *b, size_t *count)
{
	const struct qti_item *it = lookup ? lookup(r->path, arg) : NULL;

	if (it == NULL) {
		if (!r->refused)
			qti_errlist_add(b, count, f->path, r->line, "item %s "
			    "(%s) does not resolve to an importable item",
			    r->identifier, r->href);
		return;
	}
	if (it->kind != want)
		qti_errlist_add(b, count, f->path, r->line, "item %s (%s) is "
		    "%s but its section is %s", r->identifier, r->href,
		    it->kind == QTI_ITEM_MC ? "multiple choice" : "an essay",
		    want == QTI_ITEM_MC ? "multiple choice" : "an essay part");
	else if (need_domain && it->domain == NULL)
		qti_errlist_add(b, count, f->path, r->line, "item %s (%s) has "
		    "no domain (examd:domain), required in multiple-choice "
		    "sections", r->identifier, r->href);
}

static int
check_form(const struct qti_form *f, qti_item_lookup_fn lookup, void *arg,
    struct qti_buf *b, size_t *count)
{
	size_t i, j, k;

	if (f->program == NULL)
		qti_errlist_add(b, count, f->path, 0, "the form has no "
		    "examd:program (IMH or ECMH)");
	for (i = 0; i < f->n_sections; i++) {
		const struct qti_section *s = &f->sections[i];

		if (s->time_limit_ms <= 0)
			qti_errlist_add(b, count, f->path, s->line, "section "
			    "%s has no time limit (timeLimits maxTime)",
			    s->identifier);
		for (j = 0; j < s->n_refs; j++)
			check_ref(f, &s->refs[j], QTI_ITEM_MC, 1, lookup, arg,
			    b, count);
		for (j = 0; j < s->n_tracks; j++)
			for (k = 0; k < s->tracks[j].n_refs; k++)
				check_ref(f, &s->tracks[j].refs[k],
				    QTI_ITEM_ESSAY, 0, lookup, arg, b, count);
	}
	return *count == 0 ? 0 : -1;
}

int
qti_form_check(const struct qti_form *f, qti_item_lookup_fn lookup,
    void *arg, char **errstr)
{
	struct qti_buf b = { 0 };
	size_t count = 0;

	if (f == NULL)
		return -1;
	if (check_form(f, lookup, arg, &b, &count) == 0) {
		qti_buf_free(&b);
		return 0;
	}
	if (errstr && *errstr == NULL)
		*errstr = qti_buf_take(&b);
	qti_buf_free(&b);
	return -1;
}

/* Lookup over the refs' own parsed items. */
static const struct qti_item *
own_lookup(const char *path, void *arg)
{
	const struct qti_form *f = arg;
	size_t i, j, k;

	for (i = 0; i < f->n_sections; i++) {
		const struct qti_section *s = &f->sections[i];

		for (j = 0; j < s->n_refs; j++)
			if (s->refs[j].item && strcmp(s->refs[j].path, path) == 0)
				return s->refs[j].item;
		for (j = 0; j < s->n_tracks; j++)
			for (k = 0; k < s->tracks[j].n_refs; k++)
				if (s->tracks[j].refs[k].item &&
				    strcmp(s->tracks[j].refs[k].path, path) == 0)
					return s->tracks[j].refs[k].item;
	}
	return NULL;
}

/* Parse one referenced item; a refusal is reported once, at the form's
 * line, with the item's own reason. */
static void
load_ref(const struct qti_form *f, struct qti_item_ref *r,
    qti_classification_fn cls_fn, void *arg, struct qti_buf *b,
    size_t *count)
{
	char *err = NULL;

	if (r->item)
		return;
	r->item = qti_item_parse(r->path, cls_fn ? cls_fn(r->path, arg) : NULL,
	    &err);
	if (r->item == NULL) {
		qti_errlist_add(b, count, f->path, r->line, "item %s (%s) does "
		    "not resolve to an importable item: %s", r->identifier,
		    r->href, err ? err : "cannot parse it");
		r->refused = 1;
		free(err);
	}
}

int
qti_form_load_items(struct qti_form *f, qti_classification_fn cls_fn,
    void *arg, char **errstr)
{
	struct qti_buf b = { 0 };
	size_t count = 0, i, j, k, before;

	if (f == NULL)
		return -1;
	for (i = 0; i < f->n_sections; i++) {
		struct qti_section *s = &f->sections[i];

		for (j = 0; j < s->n_refs; j++)
			load_ref(f, &s->refs[j], cls_fn, arg, &b, &count);
		for (j = 0; j < s->n_tracks; j++)
			for (k = 0; k < s->tracks[j].n_refs; k++)
				load_ref(f, &s->tracks[j].refs[k], cls_fn, arg,
				    &b, &count);
	}
	before = count;
	/* refs whose item failed are listed above, once (ref->refused) */
	check_form(f, own_lookup, f, &b, &count);
	if (count == 0 && before == 0) {
		qti_buf_free(&b);
		return 0;
	}
	if (errstr && *errstr == NULL)
		*errstr = qti_buf_take(&b);
	qti_buf_free(&b);
	return -1;
}
