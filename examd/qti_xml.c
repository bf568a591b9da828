/*
 * qti_xml.c: hostile-input-safe XML loading for the QTI importer, XSD
 * validation with the shipped schemas, and the small helpers (names,
 * attributes, paths, buffers, errors) the other qti_*.c files share.
 *
 * Security decisions (DESIGN.md §6, libxml2 2.9.14):
 *  - parse options NONET, NOCDATA, NOERROR, NOWARNING, BIG_LINES; never
 *    XML_PARSE_NOENT, DTDLOAD,
 *    DTDATTR, DTDVALID, XINCLUDE or HUGE (HUGE disables the entity-loop and
 *    depth guards);
 *  - a process-wide external entity loader that refuses everything, except
 *    files inside the schema folder while this thread is loading a schema;
 *  - any DOCTYPE is refused (SAX internalSubset hook stops the parser), so
 *    no entity can ever be declared: no XXE, no billion laughs;
 *  - file size checked with fstat before reading, zero-byte files and
 *    invalid UTF-8 refused with their own message, element depth capped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "qti_priv.h"

/* The options every QTI document is parsed with. */
#define QTI_PARSE_OPTIONS \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
	 XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)

/* ---- buffers and errors ---- */

void
qti_buf_add(struct qti_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
qti_buf_adds(struct qti_buf *b, const char *s)
{
	qti_buf_add(b, s, strlen(s));
}

void
qti_buf_addf(struct qti_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	qti_buf_add(b, s, (size_t)n);
	free(s);
}

char *
qti_buf_take(struct qti_buf *b)
{
	char *s;

	if (b->oom) {
		qti_buf_free(b);
		return NULL;
	}
	s = b->s ? b->s : qti_strdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
qti_buf_free(struct qti_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

static char *
qti_vfmt_err(const char *path, long line, const char *fmt, va_list ap)
{
	char *msg = NULL, *s = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		return NULL;
	if (line > 0) {
		if (asprintf(&s, "%s:%ld: %s", path ? path : "-", line, msg) < 0)
			s = NULL;
	} else if (asprintf(&s, "%s: %s", path ? path : "-", msg) < 0)
		s = NULL;
	free(msg);
	return s;
}

void
qti_err(char **errstr, const char *path, long line, const char *fmt, ...)
{
	va_list ap;

	if (errstr == NULL || *errstr != NULL)
		return;
	va_start(ap, fmt);
	*errstr = qti_vfmt_err(path, line, fmt, ap);
	va_end(ap);
}

void
qti_errlist_add(struct qti_buf *b, size_t *count, const char *path,
    long line, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (++*count > QTI_MAX_ERRORS) {
		if (*count == QTI_MAX_ERRORS + 1)
			qti_buf_addf(b, "\n%s: more problems not listed",
			    path ? path : "-");
		return;
	}
	va_start(ap, fmt);
	s = qti_vfmt_err(path, line, fmt, ap);
	va_end(ap);
	if (s == NULL) {
		b->oom = 1;
		return;
	}
	if (b->len > 0)
		qti_buf_adds(b, "\n");
	qti_buf_adds(b, s);
	free(s);
}

char *
qti_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
qti_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *
qti_trim_dup(const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	while (qti_isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && qti_isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

char *
qti_text(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s;

	s = qti_trim_dup(c ? (const char *)c : "");
	xmlFree(c);
	return s;
}

/* ---- library init, entity loader, schema cache ---- */

static pthread_once_t qti_once = PTHREAD_ONCE_INIT;
static char *qti_schema_dir;		/* set before init, or from env */
static char *qti_schema_real;		/* realpath of the folder */
static __thread int qti_schema_loading;	/* this thread is loading an XSD */
static xmlExternalEntityLoader qti_default_loader;

static pthread_mutex_t qti_schema_mtx = PTHREAD_MUTEX_INITIALIZER;
static xmlSchemaPtr qti_schema_v2p1, qti_schema_v2p2;

void
qti_set_schema_dir(const char *dir)
{
	free(qti_schema_dir);
	qti_schema_dir = qti_strdup(dir);
}

static const char *
qti_schema_folder(void)
{
	const char *env;

	if (qti_schema_dir)
		return qti_schema_dir;
	if ((env = getenv("EXAMD_QTI_SCHEMA_DIR")) != NULL && *env)
		return env;
	return QTI_SCHEMA_DIR_DEFAULT;
}

/* Official URLs a schema might import by absolute location, mapped to the
 * local copies (the shipped copies already use relative paths). */
static const struct {
	const char *url;
	const char *local;
} qti_schema_urls[] = {
	{ "http://www.w3.org/2001/xml.xsd", "w3/xml.xsd" },
	{ "http://www.w3.org/2009/01/xml.xsd", "w3/xml.xsd" },
	{ "http://www.w3.org/XML/1998/namespace", "w3/xml.xsd" },
	{ "http://www.w3.org/2001/XInclude.xsd", "w3/XInclude.xsd" },
	{ "http://www.imsglobal.org/xsd/imsqti_v2p1.xsd", "qtiv2p1/imsqti_v2p1.xsd" },
	{ "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd", "qtiv2p1/imsqti_v2p1.xsd" },
	{ "http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_v2p2.xsd", "qtiv2p2/imsqti_v2p2.xsd" },
};

/*
 * The only way libxml2 opens anything besides the buffer we hand it.
 * Outside schema loading: refuse. During schema loading: local files inside
 * the schema folder (after realpath), or a mapped official URL.
 */
static xmlParserInputPtr
qti_entity_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	char buf[PATH_MAX], real[PATH_MAX];
	const char *p = url;
	size_t i, rl;

	(void)id;
	if (!qti_schema_loading || url == NULL || qti_schema_real == NULL)
		return NULL;
	for (i = 0; i < sizeof(qti_schema_urls) / sizeof(qti_schema_urls[0]); i++)
		if (strcmp(url, qti_schema_urls[i].url) == 0) {
			snprintf(buf, sizeof(buf), "%s/%s", qti_schema_real,
			    qti_schema_urls[i].local);
			p = buf;
			break;
		}
	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	if (strstr(p, "://") != NULL)
		return NULL;
	if (realpath(p, real) == NULL)
		return NULL;
	rl = strlen(qti_schema_real);
	if (strncmp(real, qti_schema_real, rl) != 0 || real[rl] != '/')
		return NULL;
	return qti_default_loader ? qti_default_loader(real, NULL, ctxt) :
	    xmlNewInputFromFile(ctxt, real);
}

/* Swallow libxml2's generic error output; we report errors ourselves. */
static void
qti_silent(void *ctx, const xmlError *err)
{
	(void)ctx;
	(void)err;
}

static void
qti_init_once(void)
{
	char real[PATH_MAX];

	xmlInitParser();
	qti_default_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(qti_entity_loader);
	if (realpath(qti_schema_folder(), real) != NULL)
		qti_schema_real = strdup(real);
}

void
qti_library_init(void)
{
	pthread_once(&qti_once, qti_init_once);
	xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)qti_silent);
}

struct qti_errcap {
	char	*msg;
	long	 line;
};

/* Drop "{namespace}" prefixes from libxml2 schema messages. */
static char *
qti_msg_clean(const char *m)
{
	struct qti_buf b = { 0 };
	const char *p;

	for (p = m; *p; p++) {
		if (*p == '{') {
			const char *e = strchr(p, '}');

			if (e) {
				p = e;
				continue;
			}
		}
		if (*p == '\n')
			continue;
		qti_buf_add(&b, p, 1);
	}
	return qti_buf_take(&b);
}

static void
qti_errcap_fn(void *arg, xmlErrorPtr err)
{
	struct qti_errcap *c = arg;

	if (c->msg != NULL || err == NULL || err->level < XML_ERR_ERROR)
		return;
	c->msg = qti_msg_clean(err->message ? err->message : "error");
	c->line = err->line;
}

static xmlSchemaPtr
qti_schema_load(enum qti_version v, char **errstr)
{
	xmlSchemaPtr *slot = v == QTI_V2P1 ? &qti_schema_v2p1 : &qti_schema_v2p2;
	const char *rel = v == QTI_V2P1 ? "qtiv2p1/imsqti_v2p1.xsd" :
	    "qtiv2p2/imsqti_v2p2.xsd";
	xmlSchemaParserCtxtPtr pc;
	struct qti_errcap cap = { 0 };
	char path[PATH_MAX];
	xmlSchemaPtr s;

	qti_library_init();
	pthread_mutex_lock(&qti_schema_mtx);
	if ((s = *slot) != NULL)
		goto out;
	if (qti_schema_real == NULL) {
		qti_err(errstr, qti_schema_folder(), 0,
		    "cannot open the QTI schema folder (set EXAMD_QTI_SCHEMA_DIR)");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", qti_schema_real, rel);
	if ((pc = xmlSchemaNewParserCtxt(path)) == NULL) {
		qti_err(errstr, path, 0, "out of memory");
		goto out;
	}
	xmlSchemaSetParserStructuredErrors(pc,
	    (xmlStructuredErrorFunc)qti_errcap_fn, &cap);
	qti_schema_loading = 1;
	s = xmlSchemaParse(pc);
	qti_schema_loading = 0;
	xmlSchemaFreeParserCtxt(pc);
	if (s == NULL)
		qti_err(errstr, path, cap.line, "cannot load schema: %s",
		    cap.msg ? cap.msg : "unknown error");
	*slot = s;
	free(cap.msg);
out:
	pthread_mutex_unlock(&qti_schema_mtx);
	return s;
}

int
qti_schema_preload(enum qti_version v, char **errstr)
{
	if (v != QTI_V2P1 && v != QTI_V2P2) {
		qti_err(errstr, "qti", 0, "no XSD for this QTI version");
		return -1;
	}
	return qti_schema_load(v, errstr) ? 0 : -1;
}

/* ---- safe reading ---- */

/* Strict UTF-8 check; returns the offset of the first bad byte or -1. */
static long
qti_utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, len;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else
			return (long)i;
		if (i + len > n)
			return (long)i;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += len;
	}
	return -1;
}

/* Does the XML declaration name an encoding other than UTF-8? */
static int
qti_declares_other_encoding(const char *buf, size_t len)
{
	char decl[256];
	const char *e, *q;
	size_t n;

	if (len >= 2 && ((unsigned char)buf[0] == 0xfe ||
	    (unsigned char)buf[0] == 0xff))
		return 1;	/* UTF-16 BOM: libxml2 converts */
	if (len < 5 || strncmp(buf, "<?xml", 5) != 0)
		return 0;
	n = len < sizeof(decl) - 1 ? len : sizeof(decl) - 1;
	memcpy(decl, buf, n);
	decl[n] = '\0';
	if ((e = strstr(decl, "?>")) != NULL)
		decl[e - decl] = '\0';
	if ((e = strstr(decl, "encoding")) == NULL)
		return 0;
	e += 8;
	while (*e == ' ' || *e == '=' || *e == '\t')
		e++;
	if (*e != '"' && *e != '\'')
		return 0;
	q = e + 1;
	return strncasecmp(q, "UTF-8", 5) != 0 && strncasecmp(q, "UTF8", 4) != 0;
}

static long
qti_offset_line(const char *buf, long off)
{
	long i, line = 1;

	for (i = 0; i < off; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

struct qti_sax_state {
	int	 doctype;
	long	 doctype_line;
};

/* Any <!DOCTYPE ...> stops the parse: we never process DTDs. */
static void
qti_sax_internal_subset(void *ctx, const xmlChar *name,
    const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct qti_sax_state *st = ctxt->_private;

	(void)name;
	(void)ext;
	(void)sys;
	if (st) {
		st->doctype = 1;
		st->doctype_line = ctxt->input ? ctxt->input->line : 0;
	}
	xmlStopParser(ctxt);
}

/* Depth of the element tree, stopping once past `cap`. Iterative. */
static int
qti_depth_exceeds(xmlNodePtr root, int cap, xmlNodePtr *where)
{
	xmlNodePtr n = root;
	int depth = 1;

	while (n) {
		if (n->type == XML_ELEMENT_NODE && depth > cap) {
			*where = n;
			return 1;
		}
		if (n->children && n->type == XML_ELEMENT_NODE) {
			n = n->children;
			depth++;
			continue;
		}
		while (n && n != root && n->next == NULL) {
			n = n->parent;
			depth--;
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
	return 0;
}

static int
qti_detect_version(struct qti_doc *d, char **errstr)
{
	const char *ns;

	if (d->root->ns == NULL || d->root->ns->href == NULL) {
		qti_err(errstr, d->path, qti_line(d->root),
		    "unknown namespace: root element %s has no namespace "
		    "(expected a QTI 2.1, 2.2 or 3.0 namespace)",
		    (const char *)d->root->name);
		return -1;
	}
	ns = (const char *)d->root->ns->href;
	if (strcmp(ns, QTI_NS_V2P1) == 0)
		d->version = QTI_V2P1;
	else if (strcmp(ns, QTI_NS_V2P2) == 0)
		d->version = QTI_V2P2;
	else if (strcmp(ns, QTI_NS_V3P0) == 0)
		d->version = QTI_V3P0;
	else if (strcmp(ns, QTI_NS_V2P0) == 0) {
		qti_err(errstr, d->path, qti_line(d->root),
		    "QTI 2.0 is not supported (namespace %s); "
		    "convert the item to QTI 2.1 or later", ns);
		return -1;
	} else {
		qti_err(errstr, d->path, qti_line(d->root),
		    "unknown namespace %s", ns);
		return -1;
	}
	return 0;
}

static int
qti_parse_buffer(const char *path, const char *buf, size_t len, int qti,
    struct qti_doc *d, char **errstr)
{
	struct qti_sax_state st = { 0 };
	xmlParserCtxtPtr ctxt;
	xmlNodePtr deep = NULL;
	long bad;

	memset(d, 0, sizeof(*d));
	d->path = path;
	if (len == 0) {
		qti_err(errstr, path, 0, "empty file (zero bytes)");
		return -1;
	}
	if (!qti_declares_other_encoding(buf, len) &&
	    (bad = qti_utf8_bad((const unsigned char *)buf, len)) >= 0) {
		qti_err(errstr, path, qti_offset_line(buf, bad),
		    "invalid UTF-8 (byte offset %ld)", bad);
		return -1;
	}
	if (len > INT_MAX) {
		qti_err(errstr, path, 0, "file too large");
		return -1;
	}
	qti_library_init();
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		qti_err(errstr, path, 0, "out of memory");
		return -1;
	}
	ctxt->sax->internalSubset = qti_sax_internal_subset;
	ctxt->_private = &st;
	d->doc = xmlCtxtReadMemory(ctxt, buf, (int)len, path, NULL,
	    QTI_PARSE_OPTIONS);
	if (st.doctype || (d->doc && (d->doc->intSubset || d->doc->extSubset))) {
		qti_err(errstr, path, st.doctype_line,
		    "DOCTYPE declarations are not allowed (entities and DTDs "
		    "are refused)");
		goto fail;
	}
	if (d->doc == NULL || !ctxt->wellFormed) {
		xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
		char *m = e && e->message ? qti_msg_clean(e->message) : NULL;

		if (m && strstr(m, "Excessive depth"))
			qti_err(errstr, path, e->line,
			    "elements nested deeper than %d", QTI_MAX_DEPTH);
		else if (e && (e->code == XML_ERR_INVALID_CHAR ||
		    e->code == XML_ERR_INVALID_ENCODING))
			qti_err(errstr, path, e->line, "invalid character "
			    "for the declared encoding: %s", m ? m : "");
		else
			qti_err(errstr, path, e ? e->line : 0,
			    "not well-formed XML: %s", m ? m : "parse error");
		free(m);
		goto fail;
	}
	xmlFreeParserCtxt(ctxt);
	ctxt = NULL;
	if ((d->root = xmlDocGetRootElement(d->doc)) == NULL) {
		qti_err(errstr, path, 0, "no root element");
		goto fail;
	}
	if (qti_depth_exceeds(d->root, QTI_MAX_DEPTH, &deep)) {
		qti_err(errstr, path, qti_line(deep),
		    "elements nested deeper than %d", QTI_MAX_DEPTH);
		goto fail;
	}
	if (qti && qti_detect_version(d, errstr) == -1)
		goto fail;
	return 0;
fail:
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	qti_xml_close(d);
	return -1;
}

int
qti_xml_open_memory(const char *name, const char *buf, size_t len,
    struct qti_doc *d, char **errstr)
{
	if (len > (size_t)QTI_MAX_FILE_BYTES) {
		qti_err(errstr, name, 0, "too large (%zu bytes; the limit is "
		    "%ld)", len, (long)QTI_MAX_FILE_BYTES);
		return -1;
	}
	return qti_parse_buffer(name, buf, len, 0, d, errstr);
}

int
qti_xml_open(const char *path, int qti, struct qti_doc *d, char **errstr)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, rc = -1;

	memset(d, 0, sizeof(*d));
	d->path = path;
	/* O_NONBLOCK: a FIFO or device must not stall the import */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		qti_err(errstr, path, 0, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		qti_err(errstr, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		qti_err(errstr, path, 0, "not a regular file");
		goto out;
	}
	/* Size is checked before a byte is read. */
	if (sb.st_size > QTI_MAX_FILE_BYTES) {
		qti_err(errstr, path, 0, "file too large (%lld bytes; the "
		    "limit is %ld)", (long long)sb.st_size,
		    (long)QTI_MAX_FILE_BYTES);
		goto out;
	}
	if (sb.st_size == 0) {
		qti_err(errstr, path, 0, "empty file (zero bytes)");
		goto out;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		qti_err(errstr, path, 0, "out of memory");
		goto out;
	}
	/* Read at most st_size + 1 bytes: a file growing meanwhile is refused. */
	while (got < (size_t)sb.st_size + 1) {
		r = read(fd, buf + got, (size_t)sb.st_size + 1 - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			qti_err(errstr, path, 0, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)sb.st_size) {
		qti_err(errstr, path, 0, "file changed while being read");
		goto out;
	}
	rc = qti_parse_buffer(path, buf, got, qti, d, errstr);
out:
	free(buf);
	close(fd);
	return rc;
}

void
qti_xml_close(struct qti_doc *d)
{
	if (d == NULL)
		return;
	if (d->doc)
		xmlFreeDoc(d->doc);
	d->doc = NULL;
	d->root = NULL;
}

/* ---- names and attributes ---- */

int
qti_in_qti_ns(const struct qti_doc *d, const xmlNode *n)
{
	const char *ns;

	if (n->ns == NULL || n->ns->href == NULL)
		return 0;
	ns = (const char *)n->ns->href;
	switch (d->version) {
	case QTI_V2P1:
		return strcmp(ns, QTI_NS_V2P1) == 0;
	case QTI_V2P2:
		return strcmp(ns, QTI_NS_V2P2) == 0;
	case QTI_V3P0:
		return strcmp(ns, QTI_NS_V3P0) == 0;
	}
	return 0;
}

void
qti_name(const struct qti_doc *d, const xmlNode *n, char *buf, size_t size)
{
	const char *s = (const char *)n->name;
	size_t o = 0;
	int up = 0;

	if (size == 0)
		return;
	if (d && d->version == QTI_V3P0 && strncmp(s, "qti-", 4) == 0 &&
	    qti_in_qti_ns(d, n)) {
		for (s += 4; *s && o + 1 < size; s++) {
			if (*s == '-') {
				up = 1;
				continue;
			}
			buf[o++] = up && *s >= 'a' && *s <= 'z' ?
			    (char)(*s - 'a' + 'A') : *s;
			up = 0;
		}
		buf[o] = '\0';
		return;
	}
	snprintf(buf, size, "%s", s);
}

int
qti_is(const struct qti_doc *d, const xmlNode *n, const char *name)
{
	char buf[QTI_NAME_MAX];

	if (n == NULL || n->type != XML_ELEMENT_NODE || !qti_in_qti_ns(d, n))
		return 0;
	qti_name(d, n, buf, sizeof(buf));
	return strcmp(buf, name) == 0;
}

char *
qti_attr(const struct qti_doc *d, const xmlNode *n, const char *name)
{
	char kebab[QTI_NAME_MAX];
	const char *want = name;
	xmlChar *v;
	char *s;
	size_t o = 0;

	if (d->version == QTI_V3P0) {
		for (; *name && o + 2 < sizeof(kebab); name++) {
			if (*name >= 'A' && *name <= 'Z') {
				kebab[o++] = '-';
				kebab[o++] = (char)(*name - 'A' + 'a');
			} else
				kebab[o++] = *name;
		}
		kebab[o] = '\0';
		want = kebab;
	}
	if ((v = xmlGetNoNsProp(n, (const xmlChar *)want)) == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

char *
qti_examd_attr(const xmlNode *n, const char *name)
{
	xmlChar *v;
	char *s;

	if ((v = xmlGetNsProp(n, (const xmlChar *)name,
	    (const xmlChar *)QTI_EXAMD_NS)) == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

xmlNodePtr
qti_first_elem(xmlNodePtr n)
{
	for (n = n ? n->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

xmlNodePtr
qti_next_elem(xmlNodePtr n)
{
	for (n = n ? n->next : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

long
qti_line(const xmlNode *n)
{
	return n ? xmlGetLineNo(n) : 0;
}

/* ---- validation ---- */

static void
qti_strip_examd(xmlNodePtr n)
{
	xmlNodePtr c;
	xmlAttrPtr a, next;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a; a = next) {
			next = a->next;
			if (a->ns && a->ns->href &&
			    strcmp((const char *)a->ns->href, QTI_EXAMD_NS) == 0)
				xmlRemoveProp(a);
		}
		c = n->children;
		qti_strip_examd(c);
	}
}

/*
 * QTI 3.0 vocabulary (qti- prefix dropped, camelCased), for the structural
 * check that stands in for the unavailable 3.0 XSD.
 */
static const char *const qti_v3_elements[] = {
	"and", "anyN", "areaMapEntry", "areaMapping", "assessmentItem",
	"assessmentItemRef", "assessmentSection", "assessmentSectionRef",
	"assessmentStimulus", "assessmentStimulusRef", "assessmentTest",
	"associableHotspot", "associateInteraction", "baseValue", "branchRule",
	"card", "cardEntry", "catalog", "catalogInfo", "choiceInteraction",
	"companionMaterialsInfo", "containerSize", "contains", "contentBody",
	"contextDeclaration", "correct", "correctResponse", "customInteraction",
	"customOperator", "default", "defaultValue", "delete", "divide",
	"drawingInteraction", "durationGte", "durationLt", "endAttemptInteraction",
	"equal", "equalRounded", "exitResponse", "exitTemplate", "exitTest",
	"extendedTextInteraction", "feedbackBlock", "feedbackInline",
	"fieldValue", "fileHref", "gap", "gapImg", "gapMatchInteraction",
	"gapText", "gcd", "graphicAssociateInteraction",
	"graphicGapMatchInteraction", "graphicOrderInteraction", "gt", "gte",
	"hotspotChoice", "hotspotInteraction", "hottext", "hottextInteraction",
	"htmlContent", "index", "inlineChoice", "inlineChoiceInteraction",
	"inside", "integerDivide", "integerModulus", "integerToFloat",
	"interactionMarkup", "interactionModule", "interactionModules",
	"interpolationTable", "interpolationTableEntry", "isNull", "itemBody",
	"itemSessionControl", "label", "lcm", "lookupOutcomeValue", "lt", "lte",
	"mapEntry", "mapResponse", "mapResponsePoint", "mapping", "match",
	"matchInteraction", "matchTable", "matchTableEntry", "mathConstant",
	"mathOperator", "max", "mediaInteraction", "member", "min",
	"modalFeedback", "multiple", "not", "null", "numberCorrect",
	"numberIncorrect", "numberPresented", "numberResponded",
	"numberSelected", "or", "orderInteraction", "ordered", "ordering",
	"outcomeCondition", "outcomeDeclaration", "outcomeElse",
	"outcomeElseIf", "outcomeIf", "outcomeMaximum", "outcomeMinimum",
	"outcomeProcessing", "outcomeProcessingFragment", "patternMatch",
	"portableCustomInteraction", "positionObjectInteraction",
	"positionObjectStage", "power", "preCondition", "printedVariable",
	"product", "prompt", "random", "randomFloat", "randomInteger",
	"repeat", "responseCondition", "responseDeclaration", "responseElse",
	"responseElseIf", "responseIf", "responseProcessing",
	"responseProcessingFragment", "round", "roundTo", "rubricBlock",
	"selectPointInteraction", "selection", "setCorrectResponse",
	"setDefaultValue", "setOutcomeValue", "setTemplateValue",
	"simpleAssociableChoice", "simpleChoice", "simpleMatchSet",
	"sliderInteraction", "statsOperator", "stimulusBody", "stringMatch",
	"stylesheet", "substring", "subtract", "sum", "templateBlock",
	"templateCondition", "templateConstraint", "templateDeclaration",
	"templateDefault", "templateElse", "templateElseIf", "templateIf",
	"templateInline", "templateProcessing", "templateVariable",
	"testFeedback", "testPart", "testVariables", "textEntryInteraction",
	"timeLimits", "truncate", "uploadInteraction", "value", "variable",
	"variableMapping", "weight", "outcomeDeclarationRef", "ruleCondition",
	"shared-vocabulary", "dataSharing", "stylesheetRef", "templateElseIF",
	"resultReporting", "sharedStimulus", "useTemplateValue",
};

/* HTML element names allowed unprefixed in a QTI 3.0 body. */
static const char *const qti_v3_html[] = {
	"a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo",
	"big", "blockquote", "br", "caption", "cite", "code", "col",
	"colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
	"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
	"header", "hr", "i", "img", "ins", "kbd", "label", "li", "mark", "nav",
	"object", "ol", "p", "param", "picture", "pre", "q", "rp", "rt",
	"ruby", "samp", "section", "small", "source", "span", "strong", "sub",
	"summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
	"tr", "track", "tt", "u", "ul", "var", "video", "wbr",
};

static int
qti_in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

#define QTI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
qti_v3_check(struct qti_doc *d, xmlNodePtr n, char **errstr)
{
	char name[QTI_NAME_MAX];
	xmlNodePtr c;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (qti_in_qti_ns(d, n)) {
			const char *raw = (const char *)n->name;

			qti_name(d, n, name, sizeof(name));
			if (strncmp(raw, "qti-", 4) == 0) {
				if (!qti_in_list(name, qti_v3_elements,
				    QTI_NELEM(qti_v3_elements))) {
					qti_err(errstr, d->path, qti_line(n),
					    "unknown QTI 3.0 element %s", raw);
					return -1;
				}
			} else if (!qti_in_list(raw, qti_v3_html,
			    QTI_NELEM(qti_v3_html))) {
				qti_err(errstr, d->path, qti_line(n),
				    "element %s is not QTI 3.0 (3.0 element "
				    "names are qti-kebab-case)", raw);
				return -1;
			}
			if (strcmp(name, "defaultValue") == 0 ||
			    strcmp(name, "correctResponse") == 0) {
				for (c = qti_first_elem(n); c; c = qti_next_elem(c))
					if (!qti_is(d, c, "value")) {
						qti_err(errstr, d->path,
						    qti_line(c), "%s may only "
						    "contain qti-value, not %s",
						    (const char *)n->name,
						    (const char *)c->name);
						return -1;
					}
			}
		}
		if (qti_v3_check(d, n->children, errstr) == -1)
			return -1;
	}
	return 0;
}

int
qti_xml_validate(struct qti_doc *d, char **errstr)
{
	xmlSchemaValidCtxtPtr vc;
	struct qti_errcap cap = { 0 };
	xmlSchemaPtr s;
	xmlDocPtr copy;
	int rc;

	if (d->version == QTI_V3P0)
		return qti_v3_check(d, d->root, errstr);
	if ((s = qti_schema_load(d->version, errstr)) == NULL)
		return -1;
	if ((copy = xmlCopyDoc(d->doc, 1)) == NULL) {
		qti_err(errstr, d->path, 0, "out of memory");
		return -1;
	}
	qti_strip_examd(xmlDocGetRootElement(copy));
	if ((vc = xmlSchemaNewValidCtxt(s)) == NULL) {
		xmlFreeDoc(copy);
		qti_err(errstr, d->path, 0, "out of memory");
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(vc,
	    (xmlStructuredErrorFunc)qti_errcap_fn, &cap);
	rc = xmlSchemaValidateDoc(vc, copy);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(copy);
	if (rc != 0) {
		qti_err(errstr, d->path, cap.line, "not valid QTI %s (XSD): %s",
		    d->version == QTI_V2P1 ? "2.1" : "2.2",
		    cap.msg ? cap.msg : "validation failed");
		free(cap.msg);
		return -1;
	}
	free(cap.msg);
	return 0;
}

/* ---- paths ---- */

int
qti_relpath_ok(const char *href, const char **why)
{
	const char *p;
	size_t n;

	if (href == NULL || *href == '\0') {
		*why = "empty path";
		return -1;
	}
	if ((n = strlen(href)) >= QTI_MAX_PATH) {
		*why = "path too long";
		return -1;
	}
	if (strchr(href, ':')) {
		*why = "not a relative file path (has a scheme or ':')";
		return -1;
	}
	if (href[0] == '/') {
		*why = "absolute path";
		return -1;
	}
	for (p = href; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '?' ||
		    c == '#' || c == '%') {
			*why = "path contains a control character, '\\', "
			    "'?', '#' or '%'";
			return -1;
		}
	}
	return 0;
}

/* Normalise a '/'-separated path in place: drop "." and empty segments,
 * resolve "..". Returns -1 if ".." climbs above "/" of an absolute path. */
static int
qti_path_norm(char *path)
{
	char *segs[QTI_MAX_PATH / 2 + 1];
	size_t nseg = 0, i;
	int abs = path[0] == '/';
	char *p, *save = NULL, *tok, *out;
	char tmp[QTI_MAX_PATH * 2];

	if (strlen(path) >= sizeof(tmp))
		return -1;
	strcpy(tmp, path);
	for (p = tmp; (tok = strtok_r(p, "/", &save)) != NULL; p = NULL) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (nseg > 0 && strcmp(segs[nseg - 1], "..") != 0) {
				nseg--;
				continue;
			}
			if (abs)
				return -1;
		}
		if (nseg >= QTI_NELEM(segs))
			return -1;
		segs[nseg++] = tok;
	}
	out = path;
	if (abs)
		*out++ = '/';
	for (i = 0; i < nseg; i++) {
		size_t l = strlen(segs[i]);

		if (i > 0)
			*out++ = '/';
		memmove(out, segs[i], l);
		out += l;
	}
	if (out == path)
		*out++ = '.';
	*out = '\0';
	return 0;
}

char *
qti_path_join(const char *base_file, const char *href)
{
	const char *slash = strrchr(base_file, '/');
	char *s;
	int n;

	if (href[0] == '/')
		n = asprintf(&s, "%s", href);
	else if (slash)
		n = asprintf(&s, "%.*s/%s", (int)(slash - base_file),
		    slash == base_file ? "/" : base_file, href);
	else
		n = asprintf(&s, "%s", href);
	if (n < 0)
		return NULL;
	if (n >= QTI_MAX_PATH * 2 || qti_path_norm(s) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

static char *
qti_path_abs(const char *p)
{
	char cwd[PATH_MAX];
	char *s;

	if (p[0] == '/')
		s = strdup(p);
	else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return NULL;
		if (asprintf(&s, "%s/%s", cwd, p) < 0)
			return NULL;
	}
	if (s && (strlen(s) >= QTI_MAX_PATH * 2 || qti_path_norm(s) == -1)) {
		free(s);
		return NULL;
	}
	return s;
}

int
qti_path_inside(const char *path, const char *root)
{
	char *p = qti_path_abs(path), *r = qti_path_abs(root);
	size_t rl;
	int in = 0;

	if (p && r) {
		rl = strlen(r);
		if (strcmp(r, "/") == 0)
			in = 1;
		else
			in = strncmp(p, r, rl) == 0 &&
			    (p[rl] == '/' || p[rl] == '\0');
	}
	free(p);
	free(r);
	return in;
}

void
qti_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
