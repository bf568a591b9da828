/*
 * qti_item.c: one QTI item file -> struct qti_item.
 *
 * examd delivers two kinds of item (items/README.md): a single-answer,
 * keyed choiceInteraction (Part 1) and an extendedTextInteraction essay
 * (Part 2, a vignette). Everything else is refused with file, line and
 * reason, because an item we cannot render or score faithfully must not
 * reach a candidate.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "qti_priv.h"

#define QTI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const qti_domains[] = {
	"theoretical-foundations", "law-regulation-agency-policy",
	"systems-expertise", "direct-service-skills", "working-with-others",
	"communicating", "thinking", "reflection", "leading-people",
	"administration", "research-evaluation",
};

static const char *const qti_topics[] = {
	"pregnancy-early-parenthood", "infant-toddler-development",
	"attachment", "separation", "trauma", "grief-loss",
	"screening-assessment", "relationship-based-therapies",
	"disorders-of-infancy", "cultural-competence",
	"reflective-supervision", "policy", "ethics", "research", "teaching",
};

static const struct {
	const char *track;
	const char *program;
} qti_tracks[] = {
	{ "IMHS", "IMH" }, { "IMHM-C", "IMH" }, { "IMHM-P", "IMH" },
	{ "IMHM-RF", "IMH" }, { "ECMHS", "ECMH" }, { "ECMHM-C", "ECMH" },
	{ "ECMHM-P", "ECMH" }, { "ECMHM-RF", "ECMH" },
};

static int
qti_in(const char *s, const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(s, l[i]) == 0)
			return 1;
	return 0;
}

int
qti_domain_valid(const char *slug)
{
	return qti_in(slug, qti_domains, QTI_NELEM(qti_domains));
}

int
qti_topic_valid(const char *slug)
{
	return qti_in(slug, qti_topics, QTI_NELEM(qti_topics));
}

const char *
qti_track_program(const char *track)
{
	size_t i;

	for (i = 0; track && i < QTI_NELEM(qti_tracks); i++)
		if (strcmp(track, qti_tracks[i].track) == 0)
			return qti_tracks[i].program;
	return NULL;
}

int
qti_track_valid(const char *track)
{
	return qti_track_program(track) != NULL;
}

int
qti_identifier_valid(const char *id)
{
	size_t n;

	if (id == NULL || *id == '\0' || *id == '-' || *id == '.')
		return 0;
	for (n = 0; id[n]; n++) {
		char c = id[n];

		if (n >= QTI_MAX_IDENT)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

void
qti_item_free(struct qti_item *it)
{
	size_t i;

	if (it == NULL)
		return;
	free(it->path);
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
	free(it->key);
	free(it->rubric_html);
	for (i = 0; i < it->n_rubric; i++)
		free(it->rubric[i].html);
	free(it->rubric);
	qti_strv_free(it->images, it->n_images);
	free(it);
}

struct qti_decl {
	char		*id;		/* raw, untrimmed */
	char		*cardinality;
	char		*base_type;
	char		**values;	/* correctResponse values, trimmed */
	size_t		 n_values;
	long		 line;
};

struct qti_parse {
	struct qti_doc	 d;
	struct qti_item	*it;
	char		**errstr;
	struct qti_decl	*decls;
	size_t		 n_decls;
	xmlNodePtr	 interaction;
	char		**images;	/* merged from every sanitizer run */
	size_t		 n_images;
};

#define PERR(p, node, ...) \
	qti_err((p)->errstr, (p)->d.path, qti_line(node), __VA_ARGS__)

static void
decls_free(struct qti_parse *p)
{
	size_t i;

	for (i = 0; i < p->n_decls; i++) {
		free(p->decls[i].id);
		free(p->decls[i].cardinality);
		free(p->decls[i].base_type);
		qti_strv_free(p->decls[i].values, p->decls[i].n_values);
	}
	free(p->decls);
}

static int
strv_push(char ***v, size_t *n, char *s)
{
	char **nv;

	if (s == NULL)
		return -1;
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int
read_decls(struct qti_parse *p)
{
	xmlNodePtr n, c, v;

	for (n = qti_first_elem(p->d.root); n; n = qti_next_elem(n)) {
		struct qti_decl *dl, *nd;

		if (!qti_is(&p->d, n, "responseDeclaration"))
			continue;
		if ((nd = realloc(p->decls, (p->n_decls + 1) *
		    sizeof(*nd))) == NULL)
			goto oom;
		p->decls = nd;
		dl = &p->decls[p->n_decls++];
		memset(dl, 0, sizeof(*dl));
		dl->line = qti_line(n);
		dl->id = qti_attr(&p->d, n, "identifier");
		dl->cardinality = qti_attr(&p->d, n, "cardinality");
		dl->base_type = qti_attr(&p->d, n, "baseType");
		for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
			if (!qti_is(&p->d, c, "correctResponse"))
				continue;
			for (v = qti_first_elem(c); v; v = qti_next_elem(v))
				if (qti_is(&p->d, v, "value") &&
				    strv_push(&dl->values, &dl->n_values,
				    qti_text(v)) == -1)
					goto oom;
		}
	}
	return 0;
oom:
	PERR(p, p->d.root, "out of memory");
	return -1;
}

static struct qti_decl *
find_decl(struct qti_parse *p, const char *id)
{
	size_t i;

	for (i = 0; id && i < p->n_decls; i++)
		if (p->decls[i].id && strcmp(p->decls[i].id, id) == 0)
			return &p->decls[i];
	return NULL;
}

/* Walk the body: the supported interaction(s), the first unsupported one. */
static void
find_interactions(struct qti_parse *p, xmlNodePtr n, xmlNodePtr *first,
    size_t *count, xmlNodePtr *bad)
{
	char name[QTI_NAME_MAX];
	size_t l;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (qti_in_qti_ns(&p->d, n)) {
			qti_name(&p->d, n, name, sizeof(name));
			l = strlen(name);
			if (l > 11 && strcmp(name + l - 11, "Interaction") == 0) {
				if (strcmp(name, "choiceInteraction") == 0 ||
				    strcmp(name, "extendedTextInteraction") == 0) {
					if ((*count)++ == 0)
						*first = n;
				} else if (*bad == NULL)
					*bad = n;
			}
		}
		find_interactions(p, n->children, first, count, bad);
	}
}

static void
merge_images(struct qti_parse *p, struct qti_html *h)
{
	size_t i, j;

	for (i = 0; i < h->n_images; i++) {
		for (j = 0; j < p->n_images; j++)
			if (strcmp(p->images[j], h->images[i]) == 0)
				break;
		if (j == p->n_images && p->n_images < QTI_MAX_IMAGES) {
			if (strv_push(&p->images, &p->n_images,
			    strdup(h->images[i])) == -1)
				return;
		}
	}
}

static xmlNodePtr
child_named(struct qti_parse *p, xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = qti_first_elem(n); c; c = qti_next_elem(c))
		if (qti_is(&p->d, c, name))
			return c;
	return NULL;
}

/* Sanitize the children of `n` into a string. */
static char *
html_of_children(struct qti_parse *p, xmlNodePtr n)
{
	struct qti_html h;
	char *s;

	qti_html_init(&h, &p->d, NULL, NULL);
	if (n)
		qti_html_children(&h, n);
	merge_images(p, &h);
	s = qti_html_take(&h);
	qti_html_free(&h);
	return s;
}

/* The stem: the item body with the interaction replaced by its prompt. */
static int
stem_hook(struct qti_html *h, xmlNodePtr n, void *arg)
{
	struct qti_parse *p = arg;
	xmlNodePtr prompt;

	if (n != p->interaction)
		return 0;
	if ((prompt = child_named(p, n, "prompt")) != NULL) {
		qti_buf_adds(&h->out, "<div class=\"qti-prompt\">");
		qti_html_children(h, prompt);
		qti_buf_adds(&h->out, "</div>");
	}
	return 1;
}

/* ---- response processing ---- */

static int
is_match_correct_uri(const char *uri)
{
	static const char *const prefixes[] = {
		"http://www.imsglobal.org/question/qti_v2p0/rptemplates/",
		"http://www.imsglobal.org/question/qti_v2p1/rptemplates/",
		"http://www.imsglobal.org/question/qti_v2p2/rptemplates/",
		"https://www.imsglobal.org/question/qti_v2p0/rptemplates/",
		"https://www.imsglobal.org/question/qti_v2p1/rptemplates/",
		"https://www.imsglobal.org/question/qti_v2p2/rptemplates/",
		"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/",
		"http://purl.imsglobal.org/spec/qti/v3p0/rptemplates/",
		"",
	};
	char *u = qti_trim_dup(uri);
	size_t i, l;
	int ok = 0;

	if (u == NULL)
		return 0;
	l = strlen(u);
	if (l > 4 && strcmp(u + l - 4, ".xml") == 0)
		u[l - 4] = '\0';
	for (i = 0; i < QTI_NELEM(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);

		if (strncmp(u, prefixes[i], pl) == 0 &&
		    strcmp(u + pl, "match_correct") == 0)
			ok = 1;
	}
	free(u);
	return ok;
}

/* Does this subtree set the SCORE outcome anywhere? */
static int
sets_score(struct qti_parse *p, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
		if (qti_is(&p->d, c, "setOutcomeValue") ||
		    qti_is(&p->d, c, "lookupOutcomeValue")) {
			char *id = qti_attr(&p->d, c, "identifier");
			int is = id && strcmp(id, "SCORE") == 0;

			free(id);
			if (is)
				return 1;
		}
		if (sets_score(p, c))
			return 1;
	}
	return 0;
}

/* <setOutcomeValue identifier="SCORE"><baseValue>V</baseValue> with V == want. */
static int
is_set_score(struct qti_parse *p, xmlNodePtr n, double want)
{
	xmlNodePtr v;
	char *id, *txt, *end;
	double val;
	int ok;

	if (!qti_is(&p->d, n, "setOutcomeValue"))
		return 0;
	id = qti_attr(&p->d, n, "identifier");
	ok = id && strcmp(id, "SCORE") == 0;
	free(id);
	if (!ok || (v = qti_first_elem(n)) == NULL || qti_next_elem(v) ||
	    !qti_is(&p->d, v, "baseValue"))
		return 0;
	txt = qti_text(v);
	val = strtod(txt ? txt : "", &end);
	ok = txt && *txt && *end == '\0' && val == want;
	free(txt);
	return ok;
}

/* Branch body: exactly one SCORE := want; other statements only set
 * other outcomes. */
static int
branch_ok(struct qti_parse *p, xmlNodePtr branch, xmlNodePtr skip,
    double want)
{
	xmlNodePtr c;
	int scores = 0;

	for (c = qti_first_elem(branch); c; c = qti_next_elem(c)) {
		char *id;
		int other;

		if (c == skip)
			continue;
		if (is_set_score(p, c, want)) {
			scores++;
			continue;
		}
		if (!qti_is(&p->d, c, "setOutcomeValue"))
			return 0;
		id = qti_attr(&p->d, c, "identifier");
		other = id && strcmp(id, "SCORE") != 0;
		free(id);
		if (!other)
			return 0;
	}
	return scores == 1;
}

static int
match_ok(struct qti_parse *p, xmlNodePtr m, const char *resp)
{
	xmlNodePtr a, b;
	char *ia, *ib;
	int ok;

	if (!qti_is(&p->d, m, "match") || (a = qti_first_elem(m)) == NULL ||
	    (b = qti_next_elem(a)) == NULL || qti_next_elem(b) != NULL)
		return 0;
	if (qti_is(&p->d, a, "correct")) {
		xmlNodePtr t = a;

		a = b;
		b = t;
	}
	if (!qti_is(&p->d, a, "variable") || !qti_is(&p->d, b, "correct"))
		return 0;
	ia = qti_attr(&p->d, a, "identifier");
	ib = qti_attr(&p->d, b, "identifier");
	ok = ia && ib && strcmp(ia, resp) == 0 && strcmp(ib, resp) == 0;
	free(ia);
	free(ib);
	return ok;
}

/*
 * Accept: no responseProcessing; the match_correct template (any URI
 * spelling); or hand-written processing equivalent to it (one condition:
 * if match(RESPONSE, correct RESPONSE) SCORE := 1 else SCORE := 0), plus
 * conditions/assignments that only set other outcomes (feedback).
 */
static int
check_rp(struct qti_parse *p, const char *resp)
{
	xmlNodePtr rp = child_named(p, p->d.root, "responseProcessing");
	xmlNodePtr c, iff, els, x;
	char *tmpl;
	int scoring = 0;

	if (rp == NULL)
		return 0;
	if ((tmpl = qti_attr(&p->d, rp, "template")) != NULL) {
		int ok = is_match_correct_uri(tmpl);

		if (!ok)
			PERR(p, rp, "response processing template %s is not "
			    "supported (only match_correct)", tmpl);
		free(tmpl);
		return ok ? 0 : -1;
	}
	if (qti_first_elem(rp) == NULL)
		return 0;
	for (c = qti_first_elem(rp); c; c = qti_next_elem(c)) {
		if (!qti_is(&p->d, c, "setOutcomeValue") &&
		    !qti_is(&p->d, c, "responseCondition"))
			goto custom;
		if (qti_is(&p->d, c, "setOutcomeValue")) {
			char *id = qti_attr(&p->d, c, "identifier");
			int score = id && strcmp(id, "SCORE") == 0;

			free(id);
			if (score)
				goto custom;
			continue;
		}
		if (!sets_score(p, c))
			continue;	/* feedback-only condition */
		if (scoring++)
			goto custom;
		iff = qti_first_elem(c);
		els = iff ? qti_next_elem(iff) : NULL;
		if (!qti_is(&p->d, iff, "responseIf") || els == NULL ||
		    !qti_is(&p->d, els, "responseElse") || qti_next_elem(els))
			goto custom;
		x = qti_first_elem(iff);
		if (!match_ok(p, x, resp) || !branch_ok(p, iff, x, 1.0) ||
		    !branch_ok(p, els, NULL, 0.0))
			goto custom;
	}
	if (scoring == 1)
		return 0;
custom:
	PERR(p, rp, "custom responseProcessing is not supported: it must be "
	    "the match_correct template or equivalent to it");
	return -1;
}

/* ---- the two kinds ---- */

static int
parse_mc(struct qti_parse *p, struct qti_decl *dl)
{
	struct qti_item *it = p->it;
	xmlNodePtr n = p->interaction, c;
	char *max, *shuffle;
	size_t i;

	if (dl->cardinality == NULL || strcmp(dl->cardinality, "single") != 0) {
		PERR(p, n, "multiple-response choice (cardinality %s) is not "
		    "supported: items must have a single answer",
		    dl->cardinality ? dl->cardinality : "missing");
		return -1;
	}
	max = qti_attr(&p->d, n, "maxChoices");
	if (max && strcmp(max, "1") != 0) {
		PERR(p, n, "multiple-response choice (maxChoices=%s) is not "
		    "supported: items must have a single answer", max);
		free(max);
		return -1;
	}
	free(max);
	if (dl->base_type == NULL || strcmp(dl->base_type, "identifier") != 0) {
		PERR(p, n, "responseDeclaration of a choice must have "
		    "baseType identifier");
		return -1;
	}
	if (dl->n_values != 1) {
		PERR(p, n, dl->n_values == 0 ?
		    "no correct response: a multiple-choice item needs an "
		    "answer key (correctResponse)" :
		    "more than one correct response value");
		return -1;
	}
	shuffle = qti_attr(&p->d, n, "shuffle");
	it->shuffle = shuffle && strcmp(shuffle, "true") == 0;
	free(shuffle);
	for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
		struct qti_choice *ch, *nc;
		char *raw, *fixed;

		if (!qti_is(&p->d, c, "simpleChoice"))
			continue;
		if (it->n_choices >= QTI_MAX_CHOICES) {
			PERR(p, c, "more than %d choices", QTI_MAX_CHOICES);
			return -1;
		}
		if ((nc = realloc(it->choices, (it->n_choices + 1) *
		    sizeof(*nc))) == NULL)
			goto oom;
		it->choices = nc;
		ch = &it->choices[it->n_choices++];
		memset(ch, 0, sizeof(*ch));
		raw = qti_attr(&p->d, c, "identifier");
		ch->id = qti_trim_dup(raw);
		free(raw);
		if (!qti_identifier_valid(ch->id)) {
			PERR(p, c, "simpleChoice identifier \"%s\" is empty, "
			    "too long or has characters outside "
			    "[A-Za-z0-9_.-]", ch->id ? ch->id : "");
			return -1;
		}
		for (i = 0; i + 1 < it->n_choices; i++)
			if (strcmp(it->choices[i].id, ch->id) == 0) {
				PERR(p, c, "duplicate simpleChoice identifier "
				    "%s", ch->id);
				return -1;
			}
		fixed = qti_attr(&p->d, c, "fixed");
		ch->fixed = fixed && strcmp(fixed, "true") == 0;
		free(fixed);
		if ((ch->html = html_of_children(p, c)) == NULL)
			goto oom;
	}
	if (it->n_choices < 2) {
		PERR(p, n, "a choiceInteraction needs at least two "
		    "simpleChoices");
		return -1;
	}
	for (i = 0; i < it->n_choices; i++)
		if (strcmp(it->choices[i].id, dl->values[0]) == 0)
			break;
	if (i == it->n_choices) {
		PERR(p, n, "the correct response %s names no simpleChoice",
		    dl->values[0]);
		return -1;
	}
	if ((it->key = strdup(dl->values[0])) == NULL)
		goto oom;
	return check_rp(p, dl->id);
oom:
	PERR(p, n, "out of memory");
	return -1;
}

static int
has_view(const char *views, const char *want)
{
	char *dup, *tok, *save = NULL, *s;
	int found = 0;

	if (views == NULL || (dup = strdup(views)) == NULL)
		return 0;
	for (s = dup; (tok = strtok_r(s, " \t\r\n", &save)) != NULL; s = NULL)
		if (strcmp(tok, want) == 0)
			found = 1;
	free(dup);
	return found;
}

/* First <table> in a subtree (QTI/XHTML namespace). */
static xmlNodePtr
find_table(struct qti_parse *p, xmlNodePtr n)
{
	xmlNodePtr c, t;

	for (c = qti_first_elem(n); c; c = qti_next_elem(c)) {
		if (qti_in_qti_ns(&p->d, c) &&
		    strcmp((const char *)c->name, "table") == 0)
			return c;
		if ((t = find_table(p, c)) != NULL)
			return t;
	}
	return NULL;
}

static int
cmp_level(const void *a, const void *b)
{
	const struct qti_rubric_level *x = a, *y = b;

	return (x->score > y->score) - (x->score < y->score);
}

static int
rubric_row(struct qti_parse *p, xmlNodePtr tr)
{
	struct qti_item *it = p->it;
	struct qti_rubric_level *nl;
	xmlNodePtr c1, c2;
	char *txt, *end;
	long score;
	size_t i;

	c1 = qti_first_elem(tr);
	if (c1 == NULL || strcmp((const char *)c1->name, "th") == 0)
		return 0;	/* header row */
	c2 = qti_next_elem(c1);
	if (c2 == NULL) {
		PERR(p, tr, "rubric row needs a score cell and a descriptor "
		    "cell");
		return -1;
	}
	txt = qti_text(c1);
	score = strtol(txt ? txt : "", &end, 10);
	if (txt == NULL || *txt == '\0' || *end != '\0' || score < 0 ||
	    score > 1000) {
		PERR(p, tr, "rubric score \"%s\" is not a whole number",
		    txt ? txt : "");
		free(txt);
		return -1;
	}
	free(txt);
	for (i = 0; i < it->n_rubric; i++)
		if (it->rubric[i].score == score) {
			PERR(p, tr, "rubric score %ld appears twice", score);
			return -1;
		}
	if ((nl = realloc(it->rubric, (it->n_rubric + 1) * sizeof(*nl))) ==
	    NULL)
		return -1;
	it->rubric = nl;
	nl[it->n_rubric].score = (int)score;
	if ((nl[it->n_rubric].html = html_of_children(p, c2)) == NULL)
		return -1;
	it->n_rubric++;
	return 0;
}

static int
parse_rubric(struct qti_parse *p, xmlNodePtr body)
{
	struct qti_item *it = p->it;
	struct qti_buf all = { 0 };
	xmlNodePtr stack[QTI_MAX_DEPTH + 2], n, table = NULL, rb = NULL;
	size_t sp = 0;

	/* every rubricBlock whose view includes "scorer", document order */
	n = qti_first_elem(body);
	while (n || sp) {
		if (n == NULL) {
			n = qti_next_elem(stack[--sp]);
			continue;
		}
		if (qti_is(&p->d, n, "rubricBlock")) {
			char *view = qti_attr(&p->d, n, "view");

			if (has_view(view, "scorer")) {
				char *h = html_of_children(p, n);

				if (h)
					qti_buf_adds(&all, h);
				free(h);
				if (table == NULL &&
				    (table = find_table(p, n)) != NULL)
					rb = n;
			}
			free(view);
			n = qti_next_elem(n);
			continue;
		}
		if (qti_first_elem(n) && sp < QTI_NELEM(stack)) {
			stack[sp++] = n;
			n = qti_first_elem(n);
		} else
			n = qti_next_elem(n);
	}
	if (all.len > 0 && (it->rubric_html = qti_buf_take(&all)) == NULL)
		return -1;
	qti_buf_free(&all);
	if (table == NULL)
		return 0;
	/* rows: tr directly in the table or in thead/tbody/tfoot */
	for (n = qti_first_elem(table); n; n = qti_next_elem(n)) {
		const char *nm = (const char *)n->name;

		if (strcmp(nm, "tr") == 0) {
			if (rubric_row(p, n) == -1)
				return -1;
		} else if (strcmp(nm, "thead") == 0 || strcmp(nm, "tbody") == 0 ||
		    strcmp(nm, "tfoot") == 0) {
			xmlNodePtr tr;

			for (tr = qti_first_elem(n); tr; tr = qti_next_elem(tr))
				if (strcmp((const char *)tr->name, "tr") == 0 &&
				    rubric_row(p, tr) == -1)
					return -1;
		}
	}
	if (it->n_rubric == 0) {
		PERR(p, rb, "the scorer rubric table has no score rows");
		return -1;
	}
	qsort(it->rubric, it->n_rubric, sizeof(*it->rubric), cmp_level);
	return 0;
}

static int
parse_essay(struct qti_parse *p, struct qti_decl *dl, xmlNodePtr body)
{
	char *len, *end;
	long v;

	if (dl->cardinality == NULL || strcmp(dl->cardinality, "single") != 0) {
		PERR(p, p->interaction, "an essay's responseDeclaration must "
		    "have cardinality single (found %s)",
		    dl->cardinality ? dl->cardinality : "none");
		return -1;
	}
	if (dl->base_type == NULL || strcmp(dl->base_type, "string") != 0) {
		PERR(p, p->interaction, "an essay's responseDeclaration must "
		    "have baseType string");
		return -1;
	}
	if ((len = qti_attr(&p->d, p->interaction, "expectedLength")) != NULL) {
		v = strtol(len, &end, 10);
		if (*len && *end == '\0' && v > 0 && v < 10000000)
			p->it->expected_length = v;
		free(len);
	}
	/* Essays are scored by people: responseProcessing is ignored. */
	return parse_rubric(p, body);
}

static int
root_check(struct qti_parse *p)
{
	const char *raw = (const char *)p->d.root->name;

	if (qti_is(&p->d, p->d.root, "assessmentItem") &&
	    (p->d.version == QTI_V3P0) == (strncmp(raw, "qti-", 4) == 0))
		return 0;
	if (p->d.version == QTI_V3P0)
		PERR(p, p->d.root, "root element %s is not QTI 3.0 (expected "
		    "qti-assessment-item)", raw);
	else if (strncmp(raw, "qti-", 4) == 0)
		PERR(p, p->d.root, "root element %s is QTI 3.0 syntax in the "
		    "QTI %s namespace", raw,
		    p->d.version == QTI_V2P1 ? "2.1" : "2.2");
	else if (strcmp(raw, "assessmentTest") == 0)
		PERR(p, p->d.root, "this is an assessmentTest (exam form), "
		    "not an item");
	else
		PERR(p, p->d.root, "root element %s is not an assessmentItem",
		    raw);
	return -1;
}

static int
classify(struct qti_parse *p, const struct qti_classification *cls)
{
	struct qti_item *it = p->it;

	it->domain = qti_examd_attr(p->d.root, "domain");
	it->topic = qti_examd_attr(p->d.root, "topic");
	if (it->domain == NULL && cls && cls->domain)
		it->domain = strdup(cls->domain);
	if (it->topic == NULL && cls && cls->topic)
		it->topic = strdup(cls->topic);
	if (it->domain && !qti_domain_valid(it->domain)) {
		PERR(p, p->d.root, "unknown domain \"%s\" (see the list in "
		    "items/README.md)", it->domain);
		return -1;
	}
	if (it->topic && !qti_topic_valid(it->topic)) {
		PERR(p, p->d.root, "unknown topic \"%s\" (see the list in "
		    "items/README.md)", it->topic);
		return -1;
	}
	return 0;
}

struct qti_item *
qti_item_parse(const char *path, const struct qti_classification *cls,
    char **errstr)
{
	struct qti_parse p;
	struct qti_item *it;
	struct qti_decl *dl;
	struct qti_html h;
	xmlNodePtr body, c, bad = NULL, prompt;
	char *raw, *adaptive, *resp = NULL;
	size_t count = 0;

	memset(&p, 0, sizeof(p));
	p.errstr = errstr;
	if (path == NULL) {
		qti_err(errstr, "-", 0, "no path");
		return NULL;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL ||
	    (it->path = strdup(path)) == NULL) {
		free(it);
		qti_err(errstr, path, 0, "out of memory");
		return NULL;
	}
	p.it = it;
	if (qti_xml_open(path, 1, &p.d, errstr) == -1)
		goto fail;
	it->version = p.d.version;
	if (root_check(&p) == -1 || qti_xml_validate(&p.d, errstr) == -1)
		goto fail;

	raw = qti_attr(&p.d, p.d.root, "identifier");
	it->identifier = qti_trim_dup(raw);
	free(raw);
	if (!qti_identifier_valid(it->identifier)) {
		PERR(&p, p.d.root, "item identifier \"%s\" is empty, longer "
		    "than %d or has characters outside [A-Za-z0-9_.-]",
		    it->identifier ? it->identifier : "", QTI_MAX_IDENT);
		goto fail;
	}
	raw = qti_attr(&p.d, p.d.root, "title");
	it->title = qti_trim_dup(raw ? raw : "");
	free(raw);
	{
		xmlChar *l = xmlGetNsProp(p.d.root, (const xmlChar *)"lang",
		    XML_XML_NAMESPACE);

		it->lang = l ? strdup((const char *)l) : NULL;
		xmlFree(l);
	}
	adaptive = qti_attr(&p.d, p.d.root, "adaptive");
	if (adaptive && strcmp(adaptive, "true") == 0) {
		PERR(&p, p.d.root, "adaptive items are not supported");
		free(adaptive);
		goto fail;
	}
	free(adaptive);
	if ((c = child_named(&p, p.d.root, "templateProcessing")) != NULL ||
	    (c = child_named(&p, p.d.root, "templateDeclaration")) != NULL) {
		PERR(&p, c, "template items (templateDeclaration/"
		    "templateProcessing) are not supported");
		goto fail;
	}
	if (classify(&p, cls) == -1 || read_decls(&p) == -1)
		goto fail;
	if ((body = child_named(&p, p.d.root, "itemBody")) == NULL) {
		PERR(&p, p.d.root, "no itemBody");
		goto fail;
	}
	find_interactions(&p, body->children, &p.interaction, &count, &bad);
	if (bad) {
		PERR(&p, bad, "unsupported interaction %s (examd delivers "
		    "single-answer choiceInteraction and "
		    "extendedTextInteraction only)", (const char *)bad->name);
		goto fail;
	}
	if (count != 1) {
		PERR(&p, body, count == 0 ? "no interaction in itemBody" :
		    "%zu interactions in itemBody; an item must have exactly "
		    "one", count);
		goto fail;
	}
	/* Exact match: " RESPONSE" is not "RESPONSE". */
	resp = qti_attr(&p.d, p.interaction, "responseIdentifier");
	if ((dl = find_decl(&p, resp)) == NULL) {
		PERR(&p, p.interaction, "responseIdentifier \"%s\" matches no "
		    "responseDeclaration identifier%s%s%s",
		    resp ? resp : "", p.n_decls ? " (declared: \"" : "",
		    p.n_decls ? p.decls[0].id : "", p.n_decls ? "\")" : "");
		goto fail;
	}
	if (qti_is(&p.d, p.interaction, "choiceInteraction")) {
		it->kind = QTI_ITEM_MC;
		if (parse_mc(&p, dl) == -1)
			goto fail;
	} else {
		it->kind = QTI_ITEM_ESSAY;
		if (parse_essay(&p, dl, body) == -1)
			goto fail;
	}

	prompt = child_named(&p, p.interaction, "prompt");
	if ((it->prompt_html = html_of_children(&p, prompt)) == NULL)
		goto oom;
	qti_html_init(&h, &p.d, stem_hook, &p);
	{
		char *dir = qti_attr(&p.d, body, "dir");
		xmlChar *l = xmlGetNsProp(body, (const xmlChar *)"lang",
		    XML_XML_NAMESPACE);

		if (dir || l)
			qti_html_as_div(&h, body, NULL);
		else
			qti_html_children(&h, body);
		free(dir);
		xmlFree(l);
	}
	merge_images(&p, &h);
	it->stem_html = qti_html_take(&h);
	qti_html_free(&h);
	if (it->stem_html == NULL)
		goto oom;
	it->images = p.images;
	it->n_images = p.n_images;
	p.images = NULL;
	free(resp);
	decls_free(&p);
	qti_xml_close(&p.d);
	return it;
oom:
	PERR(&p, p.d.root, "out of memory");
fail:
	free(resp);
	qti_strv_free(p.images, p.n_images);
	decls_free(&p);
	qti_xml_close(&p.d);
	qti_item_free(it);
	return NULL;
}
