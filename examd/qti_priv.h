/*
 * qti_priv.h: internals shared by the qti_*.c files (not for other modules).
 * One section per .c file.
 */
#ifndef EXAMD_QTI_PRIV_H
#define EXAMD_QTI_PRIV_H

#include <stdarg.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "qti.h"

#define QTI_NS_V2P0	"http://www.imsglobal.org/xsd/imsqti_v2p0"
#define QTI_NS_V2P1	"http://www.imsglobal.org/xsd/imsqti_v2p1"
#define QTI_NS_V2P2	"http://www.imsglobal.org/xsd/imsqti_v2p2"
#define QTI_NS_V3P0	"http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
#define QTI_NS_XHTML	"http://www.w3.org/1999/xhtml"
#define QTI_NS_MATHML	"http://www.w3.org/1998/Math/MathML"
#define QTI_NS_MATHML3	"http://www.w3.org/2010/Math/MathML"
#define QTI_NAME_MAX	64	/* longest canonical element name we compare */

/* ---- qti_xml.c: safe loading, names, errors, buffers ---- */

struct qti_buf {
	char		*s;
	size_t		 len;
	size_t		 cap;
	int		 oom;
};

void	 qti_buf_add(struct qti_buf *, const char *, size_t);
void	 qti_buf_adds(struct qti_buf *, const char *);
void	 qti_buf_addf(struct qti_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*qti_buf_take(struct qti_buf *);	/* "" if empty; NULL on oom */
void	 qti_buf_free(struct qti_buf *);

/* Set *errstr (if errstr and *errstr is NULL) to "PATH:LINE: reason". */
void	 qti_err(char **errstr, const char *path, long line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Append "PATH:LINE: reason" as a new line to a problem list. */
void	 qti_errlist_add(struct qti_buf *, size_t *count, const char *path,
	    long line, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

struct qti_doc {
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	enum qti_version version;	/* 0 when not a QTI document */
	const char	*path;
};

/*
 * Read a file safely (size cap, zero-byte, UTF-8, no DOCTYPE, depth cap,
 * no network, no entities) into d. If `qti` is set the root namespace must
 * be a supported QTI one (d->version set); otherwise any namespace.
 */
int	 qti_xml_open(const char *path, int qti, struct qti_doc *d,
	    char **errstr);
int	 qti_xml_open_memory(const char *name, const char *buf, size_t len,
	    struct qti_doc *d, char **errstr);
void	 qti_xml_close(struct qti_doc *);
/* 2.x: validate a copy without examd attributes against the XSD.
 * 3.0: check element names against the known QTI 3.0 vocabulary. */
int	 qti_xml_validate(struct qti_doc *, char **errstr);

/* Canonical name: 2.x camelCase; 3.0 "qti-foo-bar" becomes "fooBar".
 * Elements outside the QTI namespace keep their local name. */
void	 qti_name(const struct qti_doc *, const xmlNode *, char *buf,
	    size_t size);
int	 qti_is(const struct qti_doc *, const xmlNode *, const char *name);
int	 qti_in_qti_ns(const struct qti_doc *, const xmlNode *);
/* Attribute by its 2.x camelCase name (3.0: kebab-case), no namespace;
 * malloc'd copy or NULL. */
char	*qti_attr(const struct qti_doc *, const xmlNode *, const char *name);
/* Attribute in the examd namespace; malloc'd copy or NULL. */
char	*qti_examd_attr(const xmlNode *, const char *name);
/* First element child / next element sibling. */
xmlNodePtr qti_first_elem(xmlNodePtr);
xmlNodePtr qti_next_elem(xmlNodePtr);
long	 qti_line(const xmlNode *);
char	*qti_strdup(const char *);
char	*qti_trim_dup(const char *);	/* copy without leading/trailing space */
/* Text content of a node, trimmed; malloc'd. */
char	*qti_text(const xmlNode *);

/* Path helpers. Return 0 if `href` is a safe relative file reference. */
int	 qti_relpath_ok(const char *href, const char **why);
/* dirname(base) + "/" + href, normalised (".", ".." collapsed); NULL if it
 * climbs above an absolute base's "/" or is too long. */
char	*qti_path_join(const char *base_file, const char *href);
/* 1 if `path` is `root` or inside it (both normalised lexically). */
int	 qti_path_inside(const char *path, const char *root);

void	 qti_library_init(void);

/* ---- qti_html.c: sanitizer ---- */

struct qti_html;
/* Return 1 if handled, 0 to apply the default rules. */
typedef int (*qti_html_hook)(struct qti_html *, xmlNodePtr, void *arg);

struct qti_html {
	const struct qti_doc *doc;
	struct qti_buf	 out;
	char		**images;
	size_t		 n_images;
	qti_html_hook	 hook;
	void		*arg;
	int		 in_pre;
	int		 depth;
};

void	 qti_html_init(struct qti_html *, const struct qti_doc *,
	    qti_html_hook, void *arg);
void	 qti_html_node(struct qti_html *, xmlNodePtr);
void	 qti_html_children(struct qti_html *, xmlNodePtr);
/* Emit `node` as a <div> (keeping lang/dir) around its children. */
void	 qti_html_as_div(struct qti_html *, xmlNodePtr, const char *cls);
char	*qti_html_take(struct qti_html *);	/* trimmed result */
void	 qti_html_free(struct qti_html *);

#endif /* EXAMD_QTI_PRIV_H */
