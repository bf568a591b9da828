/*
 * bank_import.c: examctl import. Finds QTI files (arguments, folders,
 * unpacked content packages), parses and checks all of them with the QTI
 * library, and only then stores everything in one transaction.
 *
 * Containment: every file read (items, forms, images) must have its
 * realpath inside the realpath of the folder or package it came from, so a
 * symbolic link cannot pull in a file from elsewhere. A form named on the
 * command line may reference items anywhere (the administrator chose it);
 * a form inside a folder or package only items inside it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bank.h"
#include "bank_io.h"
#include "log.h"
#include "qti.h"
#include "store.h"

enum imp_kind { IMP_ITEM = 1, IMP_FORM, IMP_MANIFEST };

struct imp_item {
	char		*path;		/* as found: messages, parsing */
	char		*real;		/* realpath: the key */
	char		*root;		/* realpath images must stay inside */
	const struct qti_package *pkg;	/* classification source or NULL */
	size_t		 seq;		/* order found: the first of duplicates wins */
	struct qti_item	*q;
	struct bank_item *b;
	struct imp_item	*canon;		/* the item stored for this content */
};

struct imp_form {
	char		*path;
	char		*root;		/* lexical root for qti_form_parse, or NULL */
	char		*root_real;
	const struct qti_package *pkg;
	struct qti_form	*q;
	struct bank_form *b;
};

struct imp {
	struct imp_item	**items;
	size_t		 n_items, cap_items;
	struct imp_form	**forms;
	size_t		 n_forms, cap_forms;
	struct qti_package **pkgs;
	size_t		 n_pkgs;
	size_t		 n_files;
	int		 too_many;
	char		*errs;
	size_t		 errs_len, n_errs;
	char		*warns;
	size_t		 warns_len;
};

static void *
xrealloc(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n ? n : 1, size)) == NULL)
		fatal("import");
	return p;
}

/*
 * A list of n pointers with room for one more: cap doubles, from first.
 * Returns the list, moved or not.
 */
static void *
xgrow(void *v, size_t n, size_t *cap, size_t first, size_t size)
{
	if (n == *cap) {
		*cap = *cap ? *cap * 2 : first;
		v = xrealloc(v, *cap, size);
	}
	return v;
}

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("import");
	return d;
}

static void
append(char **buf, size_t *len, const char *s)
{
	size_t l = strlen(s);

	*buf = xrealloc(*buf, *len + l + 2, 1);
	memcpy(*buf + *len, s, l);
	*len += l;
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = '\0';
}

/* Adds problems (one per line of the text). */
static void
imp_errs(struct imp *im, const char *text)
{
	char *copy = xstrdup(text), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (im->n_errs++ < IMPORT_MAX_ERRORS)
			append(&im->errs, &im->errs_len, line);
	}
	free(copy);
}

static char *
vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) == -1)
		fatal("import");
	return s;
}

/* A problem: the import will store nothing. */
static void
imp_err(struct imp *im, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
imp_err(struct imp *im, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	imp_errs(im, s);
	free(s);
}

/* Worth saying, not worth refusing the import for. */
static void
imp_warn(struct imp *im, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
imp_warn(struct imp *im, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	append(&im->warns, &im->warns_len, s);
	free(s);
}

/* 1 when real is root or inside it (both realpaths). */
static int
inside(const char *real, const char *root)
{
	size_t l = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(real, root, l) == 0 && (real[l] == '\0' ||
	    real[l] == '/');
}

static char *
join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		fatal("import");
	return p;
}

static char *
dir_of(const char *path)
{
	char *c = xstrdup(path), *d = xstrdup(dirname(c));

	free(c);
	return d;
}

/* "a/b/" -> "a/b" (but "/" stays). */
static char *
strip_slashes(const char *p)
{
	char *s = xstrdup(p);
	size_t l = strlen(s);

	while (l > 1 && s[l - 1] == '/')
		s[--l] = '\0';
	return s;
}

/*
 * The root element's local name decides item or form. Anything else is
 * handed to the item parser, whose refusal names the problem.
 */
static enum imp_kind
sniff(const char *path)
{
	char buf[8192], name[64];
	const char *p, *e, *end;
	ssize_t n;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return IMP_ITEM;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return IMP_ITEM;
	buf[n] = '\0';
	end = buf + n;
	p = buf;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		if (p >= end || *p != '<')
			return IMP_ITEM;
		if (strncmp(p, "<?", 2) == 0)
			e = strstr(p, "?>");
		else if (strncmp(p, "<!--", 4) == 0)
			e = strstr(p, "-->");
		else if (strncmp(p, "<!", 2) == 0)
			e = strchr(p, '>');
		else
			break;
		if (e == NULL)
			return IMP_ITEM;
		p = strchr(e, '>') + 1;
	}
	if (p >= end)
		return IMP_ITEM;
	p++;
	for (i = 0; p < end && i < sizeof(name) - 1 && *p != ' ' &&
	    *p != '>' && *p != '/' && *p != '\t' && *p != '\n' && *p != '\r';
	    p++)
		name[i++] = *p;
	name[i] = '\0';
	if ((p = strchr(name, ':')) != NULL)
		memmove(name, p + 1, strlen(p + 1) + 1);
	if (strcmp(name, "assessmentTest") == 0 ||
	    strcmp(name, "qti-assessment-test") == 0)
		return IMP_FORM;
	if (strcmp(name, "manifest") == 0)
		return IMP_MANIFEST;
	return IMP_ITEM;
}

static int
count_file(struct imp *im, const char *path)
{
	if (++im->n_files > IMPORT_MAX_FILES) {
		if (!im->too_many)
			imp_err(im, "%s: more than %d QTI files in one import; "
			    "import the bank in parts", path,
			    IMPORT_MAX_FILES);
		im->too_many = 1;
		return -1;
	}
	return 0;
}

static void
add_item(struct imp *im, const char *path, const char *real,
    const char *root, const struct qti_package *pkg)
{
	struct imp_item *it;

	im->items = xgrow(im->items, im->n_items, &im->cap_items, 64,
	    sizeof(*im->items));
	if ((it = calloc(1, sizeof(*it))) == NULL)
		fatal("import");
	it->path = xstrdup(path);
	it->real = xstrdup(real);
	it->root = root ? xstrdup(root) : dir_of(real);
	it->pkg = pkg;
	it->seq = im->n_items;
	im->items[im->n_items++] = it;
}

static void
add_form(struct imp *im, const char *path, const char *root,
    const char *root_real, const struct qti_package *pkg)
{
	struct imp_form *f;

	im->forms = xgrow(im->forms, im->n_forms, &im->cap_forms, 8,
	    sizeof(*im->forms));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		fatal("import");
	f->path = xstrdup(path);
	f->root = root ? strip_slashes(root) : NULL;
	f->root_real = xstrdup(root_real);
	f->pkg = pkg;
	im->forms[im->n_forms++] = f;
}

/* A QTI file found in a folder or named on the command line. */
static void
add_file(struct imp *im, const char *path, const char *real,
    const char *root, const char *root_real)
{
	enum imp_kind kind = sniff(path);

	if (kind == IMP_MANIFEST)
		return;	/* a manifest not named imsmanifest.xml: not a package root */
	if (count_file(im, path) == -1)
		return;
	if (kind == IMP_FORM)
		add_form(im, path, root, root_real, NULL);
	else
		add_item(im, path, real, root_real, NULL);
}

static void
add_package(struct imp *im, const char *manifest)
{
	struct qti_package *pkg;
	char *err = NULL, *dreal = NULL, *real;
	size_t i;

	if ((pkg = qti_package_read(manifest, &err)) == NULL) {
		imp_errs(im, err ? err : "cannot read the manifest");
		free(err);
		return;
	}
	im->pkgs = xrealloc(im->pkgs, im->n_pkgs + 1, sizeof(*im->pkgs));
	im->pkgs[im->n_pkgs++] = pkg;
	if ((dreal = realpath(pkg->dir, NULL)) == NULL) {
		imp_err(im, "%s: %s", pkg->dir, strerror(errno));
		return;
	}
	if (pkg->n_files > QTI_MAX_PACKAGE_FILES)
		imp_err(im, "%s: more than %d files in the package", manifest,
		    QTI_MAX_PACKAGE_FILES);
	for (i = 0; i < pkg->n_resources; i++) {
		const struct qti_resource *r = &pkg->resources[i];

		if ((real = realpath(r->path, NULL)) == NULL) {
			imp_err(im, "%s:%ld: resource %s: %s: %s", manifest,
			    r->line, r->identifier ? r->identifier : "",
			    r->path, strerror(errno));
			continue;
		}
		if (!inside(real, dreal))
			imp_err(im, "%s:%ld: resource %s: %s leads outside the "
			    "package (symbolic link)", manifest, r->line,
			    r->identifier ? r->identifier : "", r->path);
		else if (count_file(im, r->path) == 0) {
			if (r->kind == QTI_RES_TEST)
				add_form(im, r->path, pkg->dir, dreal, pkg);
			else
				add_item(im, r->path, real, dreal, pkg);
		}
		free(real);
	}
	free(dreal);
}

static int
is_xml_name(const char *name)
{
	size_t l = strlen(name);

	return l > 4 && strcasecmp(name + l - 4, ".xml") == 0;
}

static void
walk(struct imp *im, const char *dir, const char *root,
    const char *root_real, int depth)
{
	struct dirent **ents = NULL;
	struct stat sb;
	char *man, *p, *real;
	int n, i;

	man = join(dir, "imsmanifest.xml");
	if (lstat(man, &sb) == 0) {
		add_package(im, man);
		free(man);
		return;
	}
	free(man);
	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		imp_err(im, "%s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (name[0] == '.' || im->too_many)
			continue;
		p = join(dir, name);
		real = NULL;
		if (stat(p, &sb) == -1)
			imp_err(im, "%s: %s", p, strerror(errno));
		else if (!S_ISDIR(sb.st_mode) && !(S_ISREG(sb.st_mode) &&
		    is_xml_name(name)))
			;	/* images, READMEs: read only when referenced */
		else if ((real = realpath(p, NULL)) == NULL)
			imp_err(im, "%s: %s", p, strerror(errno));
		else if (!inside(real, root_real))
			imp_err(im, "%s: leads outside %s (symbolic link)", p,
			    root);
		else if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 > IMPORT_MAX_DEPTH)
				imp_err(im, "%s: folders nested deeper than %d",
				    p, IMPORT_MAX_DEPTH);
			else
				walk(im, p, root, root_real, depth + 1);
		} else
			add_file(im, p, real, root, root_real);
		free(real);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

static void
add_arg(struct imp *im, const char *arg)
{
	struct stat sb;
	char *real, *d, *base;
	enum imp_kind kind;

	if (stat(arg, &sb) == -1) {
		imp_err(im, "%s: %s", arg, strerror(errno));
		return;
	}
	if ((real = realpath(arg, NULL)) == NULL) {
		imp_err(im, "%s: %s", arg, strerror(errno));
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		d = strip_slashes(arg);
		walk(im, d, d, real, 0);
		free(d);
	} else if (S_ISREG(sb.st_mode)) {
		d = xstrdup(arg);
		base = basename(d);
		if (strcmp(base, "imsmanifest.xml") == 0)
			add_package(im, arg);
		else if ((kind = sniff(arg)) == IMP_MANIFEST)
			add_package(im, arg);
		else if (count_file(im, arg) == 0) {
			if (kind == IMP_FORM)
				add_form(im, arg, NULL, NULL, NULL);
			else
				add_item(im, arg, real, NULL, NULL);
		}
		free(d);
	} else
		imp_err(im, "%s: not a regular file or folder", arg);
	free(real);
}

static int
cmp_item_real(const void *a, const void *b)
{
	const struct imp_item *x = *(struct imp_item *const *)a;
	const struct imp_item *y = *(struct imp_item *const *)b;
	int c = strcmp(x->real, y->real);

	if (c != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
imp_item_free(struct imp_item *it)
{
	if (it == NULL)
		return;
	free(it->path);
	free(it->real);
	free(it->root);
	qti_item_free(it->q);
	bank_item_free(it->b);
	free(it);
}

/* Sort by realpath and drop the later of files found twice. */
static void
dedupe_files(struct imp *im)
{
	size_t i, j = 0;

	if (im->n_items > 1)
		qsort(im->items, im->n_items, sizeof(*im->items),
		    cmp_item_real);
	for (i = 0; i < im->n_items; i++) {
		if (j > 0 && strcmp(im->items[j - 1]->real,
		    im->items[i]->real) == 0) {
			imp_item_free(im->items[i]);
			continue;
		}
		im->items[j++] = im->items[i];
	}
	im->n_items = j;
}

static struct imp_item *
find_real(struct imp *im, const char *real)
{
	size_t lo = 0, hi = im->n_items, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(real, im->items[mid]->real);
		if (c == 0)
			return im->items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Parse a form and queue the items it references. */
static void
parse_form(struct imp *im, struct imp_form *f)
{
	char *err = NULL, *real;
	size_t i, j, k;

	if ((f->q = qti_form_parse(f->path, f->root, &err)) == NULL) {
		imp_errs(im, err ? err : "cannot read the form");
		free(err);
		return;
	}
	for (i = 0; i < f->q->n_sections; i++) {
		struct qti_section *s = &f->q->sections[i];

		for (j = 0; j <= s->n_tracks; j++) {
			struct qti_item_ref *refs = j == s->n_tracks ? s->refs :
			    s->tracks[j].refs;
			size_t n = j == s->n_tracks ? s->n_refs :
			    s->tracks[j].n_refs;

			for (k = 0; k < n; k++) {
				struct qti_item_ref *r = &refs[k];

				if ((real = realpath(r->path, NULL)) == NULL) {
					imp_err(im, "%s:%ld: item %s: %s: %s",
					    f->path, r->line, r->identifier,
					    r->href, strerror(errno));
					r->refused = 1;
					continue;
				}
				if (f->root_real && !inside(real,
				    f->root_real)) {
					imp_err(im, "%s:%ld: item %s: %s leads "
					    "outside %s (symbolic link)",
					    f->path, r->line, r->identifier,
					    r->href, f->root);
					r->refused = 1;
				} else
					add_item(im, r->path, real,
					    f->root_real, f->pkg);
				free(real);
			}
		}
	}
}

static const char *
mime_of(const unsigned char *d, size_t len, const char *path)
{
	const char *ext = strrchr(path, '.');

	if (ext == NULL)
		return NULL;
	ext++;
	if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return strcasecmp(ext, "png") == 0 ? "image/png" : NULL;
	if (len >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
		return strcasecmp(ext, "jpg") == 0 ||
		    strcasecmp(ext, "jpeg") == 0 ? "image/jpeg" : NULL;
	if (len >= 6 && (memcmp(d, "GIF87a", 6) == 0 ||
	    memcmp(d, "GIF89a", 6) == 0))
		return strcasecmp(ext, "gif") == 0 ? "image/gif" : NULL;
	if (len >= 12 && memcmp(d, "RIFF", 4) == 0 &&
	    memcmp(d + 8, "WEBP", 4) == 0)
		return strcasecmp(ext, "webp") == 0 ? "image/webp" : NULL;
	return NULL;
}

static int
cmp_asset(const void *a, const void *b)
{
	return strcmp(((const struct bank_asset *)a)->path,
	    ((const struct bank_asset *)b)->path);
}

/* Read one image an item references; -1 on a problem (listed). */
static int
load_image(struct imp *im, struct imp_item *it, const char *src,
    struct bank_asset *a)
{
	char *dir = dir_of(it->path), *full = join(dir, src), *real = NULL;
	unsigned char *data = NULL;
	const char *p;
	const char *mime;
	struct stat sb;
	ssize_t n;
	size_t got = 0;
	int fd = -1, rc = -1;

	memset(a, 0, sizeof(*a));
	for (n = 0, p = src; (p = strchr(p, '/')) != NULL; p++)
		n++;
	if (n >= BANK_MAX_ASSET_SEGMENTS) {
		imp_err(im, "%s: image %s: nested deeper than %d folders",
		    it->path, src, BANK_MAX_ASSET_SEGMENTS - 1);
		goto out;
	}
	if ((real = realpath(full, NULL)) == NULL) {
		if (errno == ENOENT) {
			imp_warn(im, "%s: warning: image %s not found: not "
			    "stored (it will not display)", it->path, src);
			rc = 1;
		} else
			imp_err(im, "%s: image %s: %s", it->path, src,
			    strerror(errno));
		goto out;
	}
	if (!inside(real, it->root)) {
		imp_err(im, "%s: image %s leads outside %s (symbolic link)",
		    it->path, src, it->root);
		goto out;
	}
	if ((fd = open(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		imp_err(im, "%s: image %s: %s", it->path, src, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > BANK_MAX_ASSET_BYTES ||
	    sb.st_size == 0) {
		imp_err(im, "%s: image %s: %s", it->path, src,
		    !S_ISREG(sb.st_mode) ? "not a regular file" :
		    sb.st_size == 0 ? "empty file" : "larger than 2 MiB");
		goto out;
	}
	data = xrealloc(NULL, (size_t)sb.st_size, 1);
	while (got < (size_t)sb.st_size) {
		n = read(fd, data + got, (size_t)sb.st_size - got);
		if (n <= 0) {
			imp_err(im, "%s: image %s: short read", it->path, src);
			goto out;
		}
		got += (size_t)n;
	}
	if ((mime = mime_of(data, got, src)) == NULL) {
		imp_err(im, "%s: image %s: not a PNG, JPEG, GIF or WebP image "
		    "(its content and its extension must agree)", it->path,
		    src);
		goto out;
	}
	a->path = xstrdup(src);
	a->mime = xstrdup(mime);
	a->data = data;
	a->len = got;
	bank_sha256_hex(data, got, a->sha256);
	data = NULL;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(data);
	free(real);
	free(full);
	free(dir);
	return rc;
}

/* Copies: the form check still reads it->q. */
#define STEAL(dst, src) do { (dst) = xstrdup(src); } while (0)

/* The parsed item as a bank item (fields copied from it->q), images read. */
static int
to_bank_item(struct imp *im, struct imp_item *it)
{
	struct qti_item *q = it->q;
	struct bank_item *b;
	size_t i;
	int rc, bad = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("import");
	b->kind = q->kind == QTI_ITEM_MC ? BANK_MC : BANK_ESSAY;
	STEAL(b->identifier, q->identifier);
	STEAL(b->title, q->title);
	if (b->title == NULL)
		b->title = xstrdup("");
	STEAL(b->lang, q->lang);
	STEAL(b->domain, q->domain);
	STEAL(b->topic, q->topic);
	STEAL(b->stem_html, q->stem_html);
	STEAL(b->prompt_html, q->prompt_html);
	if (b->prompt_html == NULL)
		b->prompt_html = xstrdup("");
	if (q->n_choices) {
		b->choices = xrealloc(NULL, q->n_choices, sizeof(*b->choices));
		for (i = 0; i < q->n_choices; i++) {
			STEAL(b->choices[i].id, q->choices[i].id);
			STEAL(b->choices[i].html, q->choices[i].html);
			b->choices[i].fixed = q->choices[i].fixed;
		}
		b->n_choices = q->n_choices;
	}
	STEAL(b->key, q->key);
	b->shuffle = q->shuffle;
	b->expected_length = q->expected_length;
	STEAL(b->rubric_html, q->rubric_html);
	if (q->n_rubric) {
		b->rubric = xrealloc(NULL, q->n_rubric, sizeof(*b->rubric));
		for (i = 0; i < q->n_rubric; i++) {
			b->rubric[i].score = q->rubric[i].score;
			STEAL(b->rubric[i].html, q->rubric[i].html);
		}
		b->n_rubric = q->n_rubric;
	}
	b->source_version = (int)q->version;
	b->source = it->path;
	it->b = b;
	if (q->n_images) {
		b->assets = xrealloc(NULL, q->n_images, sizeof(*b->assets));
		for (i = 0; i < q->n_images; i++) {
			rc = load_image(im, it, q->images[i],
			    &b->assets[b->n_assets]);
			if (rc == 0)
				b->n_assets++;
			else if (rc == -1)
				bad = 1;
		}
		qsort(b->assets, b->n_assets, sizeof(*b->assets), cmp_asset);
	}
	bank_item_hash(b);
	return bad ? -1 : 0;
}

static int
cmp_item_ident(const void *a, const void *b)
{
	const struct imp_item *x = *(struct imp_item *const *)a;
	const struct imp_item *y = *(struct imp_item *const *)b;
	int c = strcmp(x->b->identifier, y->b->identifier);

	if (c != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * One identifier, one content per run: the same content in two files is
 * stored once; different content under one identifier is refused, naming
 * both files (which one is "newer" is not for examd to guess).
 */
static void
check_identifiers(struct imp *im)
{
	struct imp_item **v;
	size_t i, n = 0;

	v = xrealloc(NULL, im->n_items, sizeof(*v));
	for (i = 0; i < im->n_items; i++)
		if (im->items[i]->b != NULL)
			v[n++] = im->items[i];
	qsort(v, n, sizeof(*v), cmp_item_ident);
	for (i = 0; i < n; i++) {
		v[i]->canon = v[i];
		if (i == 0 || strcmp(v[i - 1]->b->identifier,
		    v[i]->b->identifier) != 0)
			continue;
		v[i]->canon = v[i - 1]->canon;
		if (strcmp(v[i]->canon->b->content_hash,
		    v[i]->b->content_hash) != 0)
			imp_err(im, "%s: item identifier \"%s\" is also used "
			    "by %s with different content (one identifier, "
			    "one content per import)", v[i]->path,
			    v[i]->b->identifier, v[i]->canon->path);
	}
	free(v);
}

static const struct qti_item *
lookup_item(const char *path, void *arg)
{
	struct imp *im = arg;
	struct imp_item *it;
	char *real;

	if ((real = realpath(path, NULL)) == NULL)
		return NULL;
	it = find_real(im, real);
	free(real);
	return it && it->q ? it->q : NULL;
}

/* Refs whose item was refused: its reason is listed once already. */
static void
mark_refused(struct imp *im, struct qti_form *q)
{
	size_t i, j, k;

	for (i = 0; i < q->n_sections; i++) {
		struct qti_section *s = &q->sections[i];

		for (j = 0; j <= s->n_tracks; j++) {
			struct qti_item_ref *refs = j == s->n_tracks ? s->refs :
			    s->tracks[j].refs;
			size_t n = j == s->n_tracks ? s->n_refs :
			    s->tracks[j].n_refs;

			for (k = 0; k < n; k++)
				if (lookup_item(refs[k].path, im) == NULL)
					refs[k].refused = 1;
		}
	}
}

static struct bank_item *
bank_of_ref(struct imp *im, const char *path)
{
	struct imp_item *it;
	char *real;

	if ((real = realpath(path, NULL)) == NULL)
		return NULL;
	it = find_real(im, real);
	free(real);
	return it && it->canon ? it->canon->b : NULL;
}

static void
conv_refs(struct imp *im, const struct qti_item_ref *refs, size_t n,
    struct bank_form_item **out, size_t *nout)
{
	size_t i;

	*out = xrealloc(NULL, n, sizeof(**out));
	*nout = n;
	for (i = 0; i < n; i++) {
		(*out)[i].ref = xstrdup(refs[i].identifier);
		(*out)[i].category = xstrdup(refs[i].category);
		(*out)[i].item = bank_of_ref(im, refs[i].path);
		(*out)[i].item_id = 0;
	}
}

static struct bank_form *
to_bank_form(struct imp *im, struct imp_form *f)
{
	const struct qti_form *q = f->q;
	struct bank_form *b;
	size_t i, j, k;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("import");
	b->identifier = xstrdup(q->identifier);
	b->title = xstrdup(q->title ? q->title : "");
	b->program = xstrdup(q->program);
	b->source_version = (int)q->version;
	b->source = f->path;
	b->n_sections = q->n_sections;
	b->sections = xrealloc(NULL, q->n_sections, sizeof(*b->sections));
	memset(b->sections, 0, q->n_sections * sizeof(*b->sections));
	for (i = 0; i < q->n_sections; i++) {
		const struct qti_section *s = &q->sections[i];
		struct bank_section *bs = &b->sections[i];

		bs->identifier = xstrdup(s->identifier);
		bs->title = xstrdup(s->title ? s->title : "");
		bs->kind = s->kind == QTI_SECTION_MC ? BANK_MC : BANK_ESSAY;
		bs->time_limit_ms = s->time_limit_ms;
		bs->cut_percent = s->cut_percent;
		conv_refs(im, s->refs, s->n_refs, &bs->items, &bs->n_items);
		bs->n_tracks = s->n_tracks;
		bs->tracks = xrealloc(NULL, s->n_tracks, sizeof(*bs->tracks));
		memset(bs->tracks, 0, s->n_tracks * sizeof(*bs->tracks));
		for (j = 0; j < s->n_tracks; j++) {
			const struct qti_track_section *t = &s->tracks[j];
			struct bank_track *bt = &bs->tracks[j];

			bt->identifier = xstrdup(t->identifier);
			bt->title = xstrdup(t->title ? t->title : "");
			bt->n_tracks = t->n_tracks;
			bt->tracks = xrealloc(NULL, t->n_tracks,
			    sizeof(*bt->tracks));
			for (k = 0; k < t->n_tracks; k++)
				bt->tracks[k] = xstrdup(t->tracks[k]);
			bt->answer = t->answer;
			bt->n_require = t->n_require;
			bt->require = xrealloc(NULL, t->n_require,
			    sizeof(*bt->require));
			for (k = 0; k < t->n_require; k++) {
				bt->require[k].group =
				    xstrdup(t->require[k].group);
				bt->require[k].min = t->require[k].min;
			}
			conv_refs(im, t->refs, t->n_refs, &bt->items,
			    &bt->n_items);
		}
	}
	bank_form_hash(b);
	return b;
}

static const struct qti_classification *
item_cls(const struct imp_item *it)
{
	return it->pkg ? qti_package_classification(it->path,
	    (void *)(uintptr_t)it->pkg) : NULL;
}

struct imp_unit {
	struct bank_item	**items;
	size_t			 n_items;
	enum bank_outcome	*outcome;
	struct bank_form	**forms;
	size_t			 n_forms;
	enum bank_outcome	*form_outcome;
};

static int
imp_work(struct store_tx *tx, void *arg)
{
	struct imp_unit *u = arg;

	return store_bank_import(tx, u->items, u->n_items, u->outcome,
	    u->forms, u->n_forms, u->form_outcome) == 0 ? STORE_OK :
	    STORE_EFAIL;
}

static double
since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
imp_free(struct imp *im)
{
	size_t i;

	for (i = 0; i < im->n_items; i++)
		imp_item_free(im->items[i]);
	free(im->items);
	for (i = 0; i < im->n_forms; i++) {
		free(im->forms[i]->path);
		free(im->forms[i]->root);
		free(im->forms[i]->root_real);
		qti_form_free(im->forms[i]->q);
		bank_form_free(im->forms[i]->b);
		free(im->forms[i]);
	}
	free(im->forms);
	for (i = 0; i < im->n_pkgs; i++)
		qti_package_free(im->pkgs[i]);
	free(im->pkgs);
	free(im->errs);
	free(im->warns);
}

static int
cmp_form_ident(const void *a, const void *b)
{
	const struct imp_form *x = *(struct imp_form *const *)a;
	const struct imp_form *y = *(struct imp_form *const *)b;

	return strcmp(x->q ? x->q->identifier : "", y->q ? y->q->identifier :
	    "");
}

int
bank_import(struct store *s, char *const *paths, size_t n_paths, int dry_run,
    struct bank_import_report *rep, char **errstr)
{
	struct imp im;
	struct imp_unit u;
	struct timespec t0;
	char *err;
	size_t i, n;
	int rc = -1;

	memset(&im, 0, sizeof(im));
	memset(&u, 0, sizeof(u));
	memset(rep, 0, sizeof(*rep));
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (i = 0; i < n_paths; i++)
		add_arg(&im, paths[i]);
	for (i = 0; i < im.n_forms; i++)
		parse_form(&im, im.forms[i]);
	dedupe_files(&im);
	rep->files = im.n_items + im.n_forms;

	for (i = 0; i < im.n_items; i++) {
		struct imp_item *it = im.items[i];

		err = NULL;
		if ((it->q = qti_item_parse(it->path, item_cls(it), &err)) ==
		    NULL) {
			imp_errs(&im, err ? err : "cannot read the item");
			free(err);
			continue;
		}
		to_bank_item(&im, it);
	}
	check_identifiers(&im);

	if (im.n_forms > 1)
		qsort(im.forms, im.n_forms, sizeof(*im.forms), cmp_form_ident);
	for (i = 0; i < im.n_forms; i++) {
		struct imp_form *f = im.forms[i];

		if (f->q == NULL)
			continue;
		if (i > 0 && im.forms[i - 1]->q && strcmp(f->q->identifier,
		    im.forms[i - 1]->q->identifier) == 0) {
			imp_err(&im, "%s: form identifier \"%s\" is also used "
			    "by %s", f->path, f->q->identifier,
			    im.forms[i - 1]->path);
			continue;
		}
		mark_refused(&im, f->q);
		err = NULL;
		if (qti_form_check(f->q, lookup_item, &im, &err) == -1) {
			imp_errs(&im, err ? err : "form refused");
			free(err);
			continue;
		}
		if (im.n_errs == 0)
			f->b = to_bank_form(&im, f);
	}
	if (im.n_items == 0 && im.n_forms == 0 && im.n_errs == 0)
		imp_err(&im, "%s: no QTI items or forms found",
		    n_paths ? paths[0] : "(no path)");
	rep->parse_seconds = since(&t0);
	if (im.n_errs > 0) {
		if (im.n_errs > IMPORT_MAX_ERRORS) {
			char more[80];

			snprintf(more, sizeof(more), "... and %zu more "
			    "problems", im.n_errs - IMPORT_MAX_ERRORS);
			append(&im.errs, &im.errs_len, more);
		}
		/* drop the final newline */
		im.errs[im.errs_len - 1] = '\0';
		*errstr = im.errs;
		im.errs = NULL;
		goto out;
	}

	/* the items to store: one per content */
	u.items = xrealloc(NULL, im.n_items, sizeof(*u.items));
	for (i = 0, n = 0; i < im.n_items; i++)
		if (im.items[i]->canon == im.items[i])
			u.items[n++] = im.items[i]->b;
	u.n_items = n;
	u.outcome = xrealloc(NULL, n, sizeof(*u.outcome));
	u.forms = xrealloc(NULL, im.n_forms, sizeof(*u.forms));
	for (i = 0; i < im.n_forms; i++)
		u.forms[i] = im.forms[i]->b;
	u.n_forms = im.n_forms;
	u.form_outcome = xrealloc(NULL, im.n_forms, sizeof(*u.form_outcome));
	if (!dry_run) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (store_run(s, imp_work, &u, errstr) != STORE_OK)
			goto out;
		rep->store_seconds = since(&t0);
		for (i = 0; i < u.n_items; i++) {
			if (u.outcome[i] == BANK_NEW)
				rep->items_new++;
			else if (u.outcome[i] == BANK_NEW_VERSION)
				rep->items_new_version++;
			else
				rep->items_unchanged++;
			if (u.outcome[i] != BANK_UNCHANGED)
				rep->assets += u.items[i]->n_assets;
		}
		for (i = 0; i < u.n_forms; i++) {
			if (u.form_outcome[i] == BANK_NEW)
				rep->forms_new++;
			else if (u.form_outcome[i] == BANK_REPLACED)
				rep->forms_replaced++;
			else
				rep->forms_unchanged++;
		}
	} else {
		rep->items_new = u.n_items;
		rep->forms_new = u.n_forms;
	}
	rep->warnings = im.warns;
	im.warns = NULL;
	rc = 0;
out:
	free(u.items);
	free(u.outcome);
	free(u.forms);
	free(u.form_outcome);
	imp_free(&im);
	return rc;
}
