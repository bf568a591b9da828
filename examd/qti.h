/*
 * qti.h: QTI import library (libxml2 -> plain C structs).
 *
 * Pure C: no database, no network, no logging. Reads QTI 2.1, 2.2 and 3.0
 * items and tests (exam forms) and IMS content packages, refuses everything
 * examd cannot deliver faithfully, and turns item content into a safe HTML
 * subset. The conventions it implements are items/README.md.
 *
 * Errors: every function that can fail takes `char **errstr`. On failure it
 * returns NULL or -1 and, if errstr is not NULL, sets *errstr to a malloc'd
 * message "FILE:LINE: reason" (or "FILE: reason" when no line applies; several
 * such lines joined by '\n' where a function says it reports all problems).
 * The caller frees *errstr with free(). On success *errstr is left untouched.
 *
 * Threads: parsing functions may run on any thread, concurrently. The first
 * call initialises libxml2 and the XSD cache (pthread_once); call
 * qti_set_schema_dir() before that if the schemas are not at the default.
 */
#ifndef EXAMD_QTI_H
#define EXAMD_QTI_H

#include <stddef.h>

/* Limits (each a named constant, with its reason). */
#define QTI_MAX_FILE_BYTES	(4L * 1024 * 1024)	/* a real item is < 100 KiB; caps memory per parse */
#define QTI_MAX_DEPTH		64	/* real QTI nests < 20; bounds recursion in our walkers */
#define QTI_MAX_PACKAGE_FILES	20000	/* a package of a whole bank is a few thousand files */
#define QTI_MAX_IDENT		128	/* identifiers become keys and URL parts */
#define QTI_MAX_CHOICES		26	/* choices are shown as A..Z */
#define QTI_MAX_IMAGES		256	/* images referenced by one item */
#define QTI_MAX_REFS		2000	/* item references in one form */
#define QTI_MAX_PATH		1024	/* resolved paths and img src values */
#define QTI_MAX_TIME_MS		(24L * 3600 * 1000)	/* a section longer than a day is a typo */
#define QTI_MAX_ERRORS		20	/* problems listed by the functions that report all */

#define QTI_SCHEMA_DIR_DEFAULT	"items/schema"
#define QTI_EXAMD_NS		"urn:examd:qti:1"

enum qti_version {
	QTI_V2P1 = 21,
	QTI_V2P2 = 22,
	QTI_V3P0 = 30
};

enum qti_kind {
	QTI_ITEM_MC = 1,	/* choiceInteraction, single response, keyed */
	QTI_ITEM_ESSAY		/* extendedTextInteraction, human scored */
};

struct qti_choice {
	char		*id;		/* simpleChoice identifier */
	char		*html;		/* sanitized content */
	int		 fixed;		/* fixed="true": keep position when shuffling */
};

struct qti_rubric_level {
	int		 score;
	char		*html;		/* descriptor (sanitized) */
};

/* Domain/topic from a manifest (examd:classification), a fallback for
 * items that do not carry examd:domain/examd:topic themselves. */
struct qti_classification {
	const char	*domain;	/* slug or NULL */
	const char	*topic;		/* slug or NULL */
};

struct qti_item {
	char		*path;		/* the file parsed, as given */
	enum qti_version version;
	enum qti_kind	 kind;
	char		*identifier;	/* trimmed and checked */
	char		*title;		/* may be "" */
	char		*lang;		/* root xml:lang or NULL */
	char		*domain;	/* slug (validated) or NULL */
	char		*topic;		/* slug (validated) or NULL */
	/*
	 * Candidate-facing HTML: the itemBody with the interaction replaced by
	 * its prompt (<div class="qti-prompt">), scorer/other-view rubric
	 * blocks, feedback and template content removed. Never contains the
	 * key or the scorer rubric.
	 */
	char		*stem_html;
	char		*prompt_html;	/* the interaction's prompt alone ("" if none) */
	/* QTI_ITEM_MC */
	struct qti_choice *choices;
	size_t		 n_choices;
	char		*key;		/* the correct choice id (server-side only) */
	int		 shuffle;	/* choiceInteraction shuffle="true" */
	/* QTI_ITEM_ESSAY */
	long		 expected_length;	/* expectedLength in characters, 0 if unset */
	char		*rubric_html;	/* scorer rubric block(s), sanitized, or NULL */
	struct qti_rubric_level *rubric;	/* sorted by score, ascending */
	size_t		 n_rubric;	/* 0: no score table in the rubric */
	/* Images (img src / object data), relative to the item file's folder,
	 * each checked to stay inside it; deduplicated, in document order. */
	char		**images;
	size_t		 n_images;
};

/*
 * Parse one item file. `cls` (may be NULL) supplies a manifest
 * classification used where the root has no examd:domain/examd:topic.
 * Refuses (NULL + errstr) anything examd cannot deliver: see items/README.md.
 * The result is freed with qti_item_free().
 */
struct qti_item	*qti_item_parse(const char *path,
		    const struct qti_classification *cls, char **errstr);
void		 qti_item_free(struct qti_item *);	/* NULL-safe */

/* Slug checks against the lists in items/README.md. */
int		 qti_domain_valid(const char *slug);
int		 qti_topic_valid(const char *slug);
int		 qti_track_valid(const char *track);
/* The program ("IMH" or "ECMH") a track belongs to, or NULL. */
const char	*qti_track_program(const char *track);

/* Check an identifier: non-empty, <= QTI_MAX_IDENT bytes, [A-Za-z0-9_.-],
 * not starting with '-' or '.'. Returns 1 if acceptable. Does not trim. */
int		 qti_identifier_valid(const char *id);

/* ---- Exam forms (assessmentTest) ---- */

struct qti_item_ref {
	char		*identifier;	/* assessmentItemRef identifier */
	char		*href;		/* as written */
	char		*path;		/* resolved: form's folder + href, normalised */
	char		*category;	/* category attribute (space-separated) or NULL */
	long		 line;		/* line in the form file, for messages */
	struct qti_item	*item;		/* set by qti_form_load_items(), owned */
	int		 refused;	/* the item's refusal is already reported:
					 * qti_form_check() adds nothing for it */
};

struct qti_require {
	char		*group;		/* a category name */
	int		 min;		/* at least this many answers from it */
};

/* An essay part's per-track subsection. */
struct qti_track_section {
	char		*identifier;
	char		*title;
	char		**tracks;	/* track codes */
	size_t		 n_tracks;
	int		 answer;	/* answer K of the n_refs vignettes */
	struct qti_require *require;
	size_t		 n_require;
	struct qti_item_ref *refs;
	size_t		 n_refs;
	long		 line;
};

enum qti_section_kind {
	QTI_SECTION_MC = 1,
	QTI_SECTION_ESSAY
};

struct qti_section {
	char		*identifier;
	char		*title;
	enum qti_section_kind kind;
	long		 time_limit_ms;	/* timeLimits/@maxTime; 0 = none given */
	int		 cut_percent;	/* examd:cut-percent, default 80 */
	struct qti_item_ref *refs;	/* QTI_SECTION_MC */
	size_t		 n_refs;
	struct qti_track_section *tracks;	/* QTI_SECTION_ESSAY */
	size_t		 n_tracks;
	long		 line;
};

struct qti_form {
	char		*path;
	enum qti_version version;
	char		*identifier;
	char		*title;
	char		*program;	/* "IMH", "ECMH" or NULL when absent */
	struct qti_section *sections;	/* in the order the candidate takes them */
	size_t		 n_sections;
};

/*
 * Parse an assessmentTest. Item hrefs are resolved relative to the form's
 * folder and must be relative file paths (no scheme, no leading '/', no
 * backslash, no '?' or '#'); when `root` is not NULL the resolved path must
 * also stay inside `root` (the package or bank folder). The referenced items
 * are not read here: see qti_form_load_items() / qti_form_check().
 * The result is freed with qti_form_free().
 */
struct qti_form	*qti_form_parse(const char *path, const char *root,
		    char **errstr);
void		 qti_form_free(struct qti_form *);	/* NULL-safe */

/* Find the parsed item for a resolved path, or NULL if there is none. */
typedef const struct qti_item *(*qti_item_lookup_fn)(const char *path,
		    void *arg);

/*
 * Check that a form is importable, given its items: every ref resolves
 * (lookup != NULL), MC sections hold only MC items that have a domain,
 * essay subsections only essay items, every part has a time limit, and the
 * form names its program. Reports all problems (up to QTI_MAX_ERRORS),
 * one "FILE:LINE: reason" per line. Returns 0 when importable.
 */
int		 qti_form_check(const struct qti_form *, qti_item_lookup_fn,
		    void *arg, char **errstr);

/*
 * Parse every referenced item from disk (qti_item_parse with `cls_fn`'s
 * classification, which may be NULL) into ref->item, then qti_form_check().
 * Reports all problems, including why an item was refused. Returns 0 when
 * the form and all its items are importable.
 */
typedef const struct qti_classification *(*qti_classification_fn)(
		    const char *path, void *arg);
int		 qti_form_load_items(struct qti_form *, qti_classification_fn,
		    void *arg, char **errstr);

/* ---- IMS content packages (imsmanifest.xml) ---- */

enum qti_resource_kind {
	QTI_RES_ITEM = 1,
	QTI_RES_TEST
};

struct qti_resource {
	char		*identifier;
	char		*type;		/* the type attribute, as written */
	enum qti_resource_kind kind;
	char		*path;		/* resolved href (the QTI file) */
	char		**files;	/* resolved <file href>s, the QTI file included */
	size_t		 n_files;
	char		*domain;	/* examd:classification, unchecked, or NULL */
	char		*topic;
	struct qti_classification cls;	/* points into domain/topic */
	long		 line;
};

struct qti_package {
	char		*dir;		/* the package folder */
	char		*manifest;	/* path of imsmanifest.xml */
	struct qti_resource *resources;	/* QTI items and tests only */
	size_t		 n_resources;
	size_t		 n_files;	/* <file> elements seen, all resources */
};

/*
 * Read `manifest_path` (an imsmanifest.xml; its folder is the package root).
 * Namespaces: imscp_v1p1 and the QTI 3.0/3.1 variants. Keeps resources of
 * type imsqti_item_xmlv2p1/v2p2/v3p0/v3p1 and imsqti_test_xmlv…/
 * imsqti_assessment_xmlv…; other types are skipped. LOM metadata is ignored
 * (broken metadata is common); examd:classification is returned unchecked
 * (qti_item_parse checks it). Every href must stay inside the package.
 */
struct qti_package *qti_package_read(const char *manifest_path,
		    char **errstr);
void		 qti_package_free(struct qti_package *);	/* NULL-safe */
/* The classification of the resource whose path is `path`, or NULL;
 * usable as a qti_classification_fn with the package as `arg`. */
const struct qti_classification *qti_package_classification(
		    const char *path, void *pkg);

/* ---- HTML sanitizer and XML layer (also used by the tests) ---- */

/*
 * Sanitize an XML fragment (one root element, e.g. a <div> in the QTI or
 * XHTML namespace) into the safe HTML subset; the root element itself is
 * kept if allowed. Image srcs referenced are returned in *images /
 * *n_images when those are not NULL (free each, then the array).
 */
char		*qti_html_sanitize(const char *xml, size_t len,
		    char ***images, size_t *n_images, char **errstr);

/* Where the XSDs live (default QTI_SCHEMA_DIR_DEFAULT, or the environment
 * variable EXAMD_QTI_SCHEMA_DIR). Must be called before the first parse. */
void		 qti_set_schema_dir(const char *dir);

/* Load (once per process) the 2.1 or 2.2 schema now; for start-up and for
 * measuring. Returns 0 or -1 with errstr. */
int		 qti_schema_preload(enum qti_version, char **errstr);

/* Free a NULL-terminated or counted string array (NULL-safe). */
void		 qti_strv_free(char **v, size_t n);

#endif /* EXAMD_QTI_H */
