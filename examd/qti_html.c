/*
 * qti_html.c: reduce QTI body content (XHTML-like, in the QTI namespace, plus
 * MathML) to a safe HTML subset.
 *
 * Allow-list throughout: an element not listed is either dropped with its
 * content (script, style, embedded objects, forms, feedback, foreign
 * namespaces) or unwrapped (its children are kept, the tag is not). Only
 * listed attributes survive; no style, no on*, no id, no href, no URLs except
 * img src, which must be a relative path inside the item's folder. Text and
 * attribute values are HTML-escaped. The output never contains a character
 * that could end a tag or attribute early.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "qti_priv.h"

#define QTI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* HTML elements kept (by local name). */
static const char *const html_keep[] = {
	"a", "abbr", "address", "b", "big", "blockquote", "br", "caption",
	"cite", "code", "col", "colgroup", "dd", "dfn", "div", "dl", "dt", "em",
	"h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol",
	"p", "pre", "q", "samp", "small", "span", "strong", "sub", "sup",
	"table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
	"var",
};

static const char *const html_void[] = { "br", "col", "hr", "img" };

/* Dropped together with everything inside them. */
static const char *const html_drop[] = {
	"script", "style", "iframe", "frame", "frameset", "embed", "applet",
	"form", "input", "button", "textarea", "select", "option", "link",
	"meta", "base", "svg", "audio", "video", "source", "track", "canvas",
	"noscript", "template", "param", "head", "title", "map", "area",
	/* QTI: feedback, templates, variables, non-content */
	"feedbackBlock", "feedbackInline", "modalFeedback", "templateBlock",
	"templateInline", "printedVariable", "infoControl", "stylesheet",
	"catalogInfo", "companionMaterialsInfo", "responseDeclaration",
	"outcomeDeclaration", "templateDeclaration", "responseProcessing",
	"templateProcessing", "include",
};

static const char *const mathml_keep[] = {
	"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac",
	"msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced",
	"menclose", "msub", "msup", "msubsup", "munder", "mover", "munderover",
	"mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd",
	"mlabeledtr", "semantics", "annotation", "mglyph", "maligngroup",
	"malignmark",
};

static const char *const mathml_attrs[] = {
	"mathvariant", "mathsize", "displaystyle", "scriptlevel", "display",
	"fence", "separator", "stretchy", "symmetric", "largeop",
	"movablelimits", "accent", "accentunder", "lspace", "rspace",
	"linethickness", "columnalign", "rowalign", "columnspacing",
	"rowspacing", "columnlines", "rowlines", "frame", "open", "close",
	"separators", "notation", "width", "height", "depth", "dir",
	"encoding", "form", "rowspan", "columnspan", "align", "bevelled",
	"numalign", "denomalign", "subscriptshift", "superscriptshift",
	"minsize", "maxsize", "voffset", "lquote", "rquote",
};

static int
in_list(const char *s, const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, l[i]) == 0)
			return 1;
	return 0;
}

void
qti_html_init(struct qti_html *h, const struct qti_doc *d, qti_html_hook hook,
    void *arg)
{
	memset(h, 0, sizeof(*h));
	h->doc = d;
	h->hook = hook;
	h->arg = arg;
}

static void
esc(struct qti_buf *b, const char *s, int attr, int collapse)
{
	const char *p;
	int space = 0;

	for (p = s; *p; p++) {
		char c = *p;

		if (collapse && (c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r')) {
			if (!space)
				qti_buf_add(b, " ", 1);
			space = 1;
			continue;
		}
		space = 0;
		switch (c) {
		case '&':
			qti_buf_adds(b, "&amp;");
			break;
		case '<':
			qti_buf_adds(b, "&lt;");
			break;
		case '>':
			qti_buf_adds(b, "&gt;");
			break;
		case '"':
			qti_buf_adds(b, attr ? "&quot;" : "\"");
			break;
		case '\'':
			qti_buf_adds(b, attr ? "&#39;" : "'");
			break;
		default:
			qti_buf_add(b, &c, 1);
		}
	}
}

static void
put_attr(struct qti_html *h, const char *name, const char *val)
{
	qti_buf_addf(&h->out, " %s=\"", name);
	esc(&h->out, val, 1, 1);
	qti_buf_adds(&h->out, "\"");
}

static char *
get_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static int
all_digits(const char *s, size_t max)
{
	size_t n = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++, n++)
		if (*s < '0' || *s > '9' || n >= max)
			return 0;
	return 1;
}

static int
class_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 200)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == ' '))
			return 0;
	return 1;
}

static int
lang_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 35)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* lang (from xml:lang) and dir, kept on every element. */
static void
put_common(struct qti_html *h, const xmlNode *n)
{
	xmlChar *own = xmlGetNsProp(n, (const xmlChar *)"lang",
	    XML_XML_NAMESPACE);
	char *dir, *cls;

	if (own && lang_ok((const char *)own))
		put_attr(h, "lang", (const char *)own);
	xmlFree(own);
	if ((dir = get_attr(n, "dir")) != NULL) {
		if (strcmp(dir, "ltr") == 0 || strcmp(dir, "rtl") == 0 ||
		    strcmp(dir, "auto") == 0)
			put_attr(h, "dir", dir);
		free(dir);
	}
	if ((cls = get_attr(n, "class")) != NULL) {
		if (class_ok(cls))
			put_attr(h, "class", cls);
		free(cls);
	}
}

/* Record an image path once; refuse unsafe ones (returns -1). */
static int
add_image(struct qti_html *h, const char *src)
{
	const char *why, *p;
	char **v;
	size_t i;

	if (qti_relpath_ok(src, &why) == -1)
		return -1;
	if (src[0] == '/' || strncmp(src, "//", 2) == 0)
		return -1;
	/* no ".." segment at all: images stay inside the item's folder */
	for (p = src; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == src || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return -1;
	for (i = 0; i < h->n_images; i++)
		if (strcmp(h->images[i], src) == 0)
			return 0;
	if (h->n_images >= QTI_MAX_IMAGES)
		return -1;
	if ((v = realloc(h->images, (h->n_images + 1) * sizeof(*v))) == NULL)
		return -1;
	h->images = v;
	if ((v[h->n_images] = strdup(src)) == NULL)
		return -1;
	h->n_images++;
	return 0;
}

static void
emit_img(struct qti_html *h, const char *src, const char *alt,
    const xmlNode *n)
{
	char *w, *hh;

	if (src == NULL || add_image(h, src) == -1)
		return;		/* unsafe or external image: dropped */
	qti_buf_adds(&h->out, "<img");
	put_attr(h, "src", src);
	put_attr(h, "alt", alt ? alt : "");
	if ((w = get_attr(n, "width")) != NULL) {
		if (all_digits(w, 5))
			put_attr(h, "width", w);
		free(w);
	}
	if ((hh = get_attr(n, "height")) != NULL) {
		if (all_digits(hh, 5))
			put_attr(h, "height", hh);
		free(hh);
	}
	qti_buf_adds(&h->out, ">");
}

/* <object type="image/..." data="x.png">fallback</object> -> <img>. */
static int
object_as_img(struct qti_html *h, xmlNodePtr n)
{
	char *type = get_attr(n, "type"), *data = get_attr(n, "data");
	char *alt = NULL;
	int done = 0;

	if (type && data && strncmp(type, "image/", 6) == 0 &&
	    strcmp(type, "image/svg+xml") != 0) {
		alt = qti_text(n);
		if (alt && strlen(alt) > 1000)
			alt[1000] = '\0';
		emit_img(h, data, alt, n);
		done = 1;
	}
	free(type);
	free(data);
	free(alt);
	return done;
}

static void
mathml_node(struct qti_html *h, xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	xmlAttrPtr a;
	xmlNodePtr c;

	if (!in_list(name, mathml_keep, QTI_NELEM(mathml_keep))) {
		if (strcmp(name, "maction") == 0)
			qti_html_children(h, n);
		return;		/* annotation-xml and unknown: dropped */
	}
	qti_buf_addf(&h->out, "<%s", name);
	for (a = n->properties; a; a = a->next) {
		xmlChar *v;

		if (a->ns != NULL ||
		    !in_list((const char *)a->name, mathml_attrs,
		    QTI_NELEM(mathml_attrs)))
			continue;
		if ((v = xmlNodeListGetString(n->doc, a->children, 1)) == NULL)
			continue;
		put_attr(h, (const char *)a->name, (const char *)v);
		xmlFree(v);
	}
	qti_buf_adds(&h->out, ">");
	h->depth++;
	for (c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			esc(&h->out, (const char *)c->content, 0, 1);
		else if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
		    (strcmp((const char *)c->ns->href, QTI_NS_MATHML) == 0 ||
		    strcmp((const char *)c->ns->href, QTI_NS_MATHML3) == 0))
			mathml_node(h, c);
	}
	h->depth--;
	qti_buf_addf(&h->out, "</%s>", name);
}

static int
is_htmlish_ns(const struct qti_html *h, const xmlNode *n)
{
	const char *ns;

	if (n->ns == NULL || n->ns->href == NULL)
		return 1;
	ns = (const char *)n->ns->href;
	if (strcmp(ns, QTI_NS_XHTML) == 0)
		return 1;
	if (h->doc)
		return qti_in_qti_ns(h->doc, n);
	/* standalone fragment: accept the QTI namespaces */
	return strcmp(ns, QTI_NS_V2P1) == 0 || strcmp(ns, QTI_NS_V2P2) == 0 ||
	    strcmp(ns, QTI_NS_V3P0) == 0;
}

static void
element(struct qti_html *h, xmlNodePtr n)
{
	char name[QTI_NAME_MAX];
	const char *ns = n->ns && n->ns->href ? (const char *)n->ns->href : NULL;

	if (ns && (strcmp(ns, QTI_NS_MATHML) == 0 ||
	    strcmp(ns, QTI_NS_MATHML3) == 0)) {
		mathml_node(h, n);
		return;
	}
	if (!is_htmlish_ns(h, n))
		return;		/* foreign namespace (xi, ssml, apip, ...) */
	if (h->doc)
		qti_name(h->doc, n, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "%s", (const char *)n->name);
	if (h->hook && h->hook(h, n, h->arg))
		return;
	if (in_list(name, html_drop, QTI_NELEM(html_drop)))
		return;
	if (strcmp(name, "object") == 0) {
		if (!object_as_img(h, n))
			qti_html_children(h, n);	/* fallback content */
		return;
	}
	if (strcmp(name, "rubricBlock") == 0) {
		/* Only candidate-facing rubric blocks are content. */
		char *view = get_attr(n, "view");
		int cand = view && strcmp(view, "candidate") == 0;

		free(view);
		if (cand)
			qti_html_as_div(h, n, "qti-rubric");
		return;
	}
	if (strcmp(name, "img") == 0) {
		char *src = get_attr(n, "src"), *alt = get_attr(n, "alt");

		emit_img(h, src, alt, n);
		free(src);
		free(alt);
		return;
	}
	if (!in_list(name, html_keep, QTI_NELEM(html_keep))) {
		qti_html_children(h, n);	/* unknown: unwrap */
		return;
	}
	qti_buf_addf(&h->out, "<%s", name);
	put_common(h, n);
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		const char *sp[] = { "colspan", "rowspan" };
		size_t i;

		for (i = 0; i < 2; i++) {
			char *v = get_attr(n, sp[i]);

			if (v && all_digits(v, 3))
				put_attr(h, sp[i], v);
			free(v);
		}
	} else if (strcmp(name, "ol") == 0) {
		char *v = get_attr(n, "start");

		if (v && all_digits(v, 6))
			put_attr(h, "start", v);
		free(v);
	}
	qti_buf_adds(&h->out, ">");
	if (in_list(name, html_void, QTI_NELEM(html_void)))
		return;
	if (strcmp(name, "pre") == 0)
		h->in_pre++;
	qti_html_children(h, n);
	if (strcmp(name, "pre") == 0)
		h->in_pre--;
	qti_buf_addf(&h->out, "</%s>", name);
}

void
qti_html_node(struct qti_html *h, xmlNodePtr n)
{
	if (h->depth > QTI_MAX_DEPTH + 8)
		return;		/* cannot happen after qti_xml_open; belt */
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		esc(&h->out, (const char *)n->content, 0, !h->in_pre);
		break;
	case XML_ELEMENT_NODE:
		h->depth++;
		element(h, n);
		h->depth--;
		break;
	default:
		break;		/* comments, PIs, entity refs: dropped */
	}
}

void
qti_html_children(struct qti_html *h, xmlNodePtr parent)
{
	xmlNodePtr c;

	for (c = parent->children; c; c = c->next)
		qti_html_node(h, c);
}

void
qti_html_as_div(struct qti_html *h, xmlNodePtr n, const char *cls)
{
	qti_buf_adds(&h->out, "<div");
	if (cls)
		put_attr(h, "class", cls);
	{
		xmlChar *own = xmlGetNsProp(n, (const xmlChar *)"lang",
		    XML_XML_NAMESPACE);
		char *dir = get_attr(n, "dir");

		if (own && lang_ok((const char *)own))
			put_attr(h, "lang", (const char *)own);
		if (dir && (strcmp(dir, "ltr") == 0 || strcmp(dir, "rtl") == 0 ||
		    strcmp(dir, "auto") == 0))
			put_attr(h, "dir", dir);
		xmlFree(own);
		free(dir);
	}
	qti_buf_adds(&h->out, ">");
	qti_html_children(h, n);
	qti_buf_adds(&h->out, "</div>");
}

char *
qti_html_take(struct qti_html *h)
{
	char *s = qti_buf_take(&h->out), *t;

	if (s == NULL)
		return NULL;
	t = qti_trim_dup(s);
	free(s);
	return t;
}

void
qti_html_free(struct qti_html *h)
{
	qti_buf_free(&h->out);
	qti_strv_free(h->images, h->n_images);
	h->images = NULL;
	h->n_images = 0;
}

char *
qti_html_sanitize(const char *xml, size_t len, char ***images,
    size_t *n_images, char **errstr)
{
	struct qti_doc d;
	struct qti_html h;
	char *out;

	if (qti_xml_open_memory("fragment", xml, len, &d, errstr) == -1)
		return NULL;
	qti_html_init(&h, NULL, NULL, NULL);
	qti_html_node(&h, d.root);
	qti_xml_close(&d);
	if ((out = qti_html_take(&h)) == NULL) {
		qti_html_free(&h);
		qti_err(errstr, "fragment", 0, "out of memory");
		return NULL;
	}
	if (images && n_images) {
		*images = h.images;
		*n_images = h.n_images;
		h.images = NULL;
		h.n_images = 0;
	}
	qti_html_free(&h);
	return out;
}
