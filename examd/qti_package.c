/*
 * qti_package.c: IMS content package manifest (imsmanifest.xml) -> the QTI
 * items and tests it lists, with examd classification metadata.
 *
 * Only what the importer needs is read: resources, their type, href, files
 * and <metadata><examd:classification domain= topic=/></metadata>. LOM and
 * other metadata are ignored, not validated: broken metadata is common in
 * the wild and says nothing about the items.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "qti_priv.h"

static const char *const cp_namespaces[] = {
	"http://www.imsglobal.org/xsd/imscp_v1p1",
	"http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
	"http://www.imsglobal.org/xsd/qti/qtiv3p1/imscp_v1p1",
	"http://www.imsglobal.org/xsd/imscp_v1p2",
};

static const char *const item_types[] = {
	"imsqti_item_xmlv2p1", "imsqti_item_xmlv2p2", "imsqti_item_xmlv3p0",
	"imsqti_item_xmlv3p1",
};

static const char *const test_types[] = {
	"imsqti_test_xmlv2p1", "imsqti_test_xmlv2p2", "imsqti_test_xmlv3p0",
	"imsqti_test_xmlv3p1", "imsqti_assessment_xmlv2p1",
	"imsqti_assessment_xmlv2p2", "imsqti_assessment_xmlv3p0",
	"imsqti_assessment_xmlv3p1",
};

#define QTI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
in_list(const char *s, const char *const *l, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(s, l[i]) == 0)
			return 1;
	return 0;
}

void
qti_package_free(struct qti_package *pkg)
{
	size_t i;

	if (pkg == NULL)
		return;
	for (i = 0; i < pkg->n_resources; i++) {
		struct qti_resource *r = &pkg->resources[i];

		free(r->identifier);
		free(r->type);
		free(r->path);
		qti_strv_free(r->files, r->n_files);
		free(r->domain);
		free(r->topic);
	}
	free(pkg->resources);
	free(pkg->dir);
	free(pkg->manifest);
	free(pkg);
}

static int
is_cp(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

static char *
plain_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = qti_trim_dup((const char *)v);
	xmlFree(v);
	return s;
}

/* Resolve an href against the manifest; NULL (+errstr) if unsafe. */
static char *
resolve(const struct qti_package *pkg, const xmlNode *n, const char *href,
    char **errstr)
{
	const char *why;
	char *p;

	if (qti_relpath_ok(href, &why) == -1) {
		qti_err(errstr, pkg->manifest, qti_line(n), "href \"%s\": %s",
		    href ? href : "", why);
		return NULL;
	}
	if ((p = qti_path_join(pkg->manifest, href)) == NULL ||
	    !qti_path_inside(p, pkg->dir)) {
		qti_err(errstr, pkg->manifest, qti_line(n), "href \"%s\" leads "
		    "outside the package", href);
		free(p);
		return NULL;
	}
	return p;
}

static void
read_classification(struct qti_resource *r, xmlNodePtr res, const char *ns)
{
	xmlNodePtr md, c;

	for (md = qti_first_elem(res); md; md = qti_next_elem(md)) {
		if (!is_cp(md, ns, "metadata"))
			continue;
		for (c = qti_first_elem(md); c; c = qti_next_elem(c)) {
			if (!is_cp(c, QTI_EXAMD_NS, "classification"))
				continue;
			if (r->domain == NULL)
				r->domain = plain_attr(c, "domain");
			if (r->topic == NULL)
				r->topic = plain_attr(c, "topic");
		}
	}
	r->cls.domain = r->domain;
	r->cls.topic = r->topic;
}

static int
read_resource(struct qti_package *pkg, xmlNodePtr res, const char *ns,
    char **errstr)
{
	struct qti_resource *r;
	xmlNodePtr f;
	char *type, *href, *p;
	enum qti_resource_kind kind;
	size_t i;

	type = plain_attr(res, "type");
	if (in_list(type, item_types, QTI_NELEM(item_types)))
		kind = QTI_RES_ITEM;
	else if (in_list(type, test_types, QTI_NELEM(test_types)))
		kind = QTI_RES_TEST;
	else
		kind = 0;
	/* count every file, kept resource or not, against the cap */
	for (f = qti_first_elem(res); f; f = qti_next_elem(f))
		if (is_cp(f, ns, "file") &&
		    ++pkg->n_files > QTI_MAX_PACKAGE_FILES) {
			qti_err(errstr, pkg->manifest, qti_line(f), "more "
			    "than %d files in the package",
			    QTI_MAX_PACKAGE_FILES);
			free(type);
			return -1;
		}
	if (kind == 0) {
		free(type);
		return 0;	/* webcontent, stylesheets, ...: not ours */
	}
	r = &pkg->resources[pkg->n_resources++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->kind = kind;
	r->line = qti_line(res);
	r->identifier = plain_attr(res, "identifier");
	if (r->identifier == NULL || *r->identifier == '\0') {
		qti_err(errstr, pkg->manifest, r->line, "resource without "
		    "identifier");
		return -1;
	}
	href = plain_attr(res, "href");
	if (href == NULL) {
		/* no href: the first file is the QTI file */
		for (f = qti_first_elem(res); f; f = qti_next_elem(f))
			if (is_cp(f, ns, "file") &&
			    (href = plain_attr(f, "href")) != NULL)
				break;
	}
	if (href == NULL) {
		qti_err(errstr, pkg->manifest, r->line, "resource %s has no "
		    "href and no file", r->identifier);
		return -1;
	}
	r->path = resolve(pkg, res, href, errstr);
	free(href);
	if (r->path == NULL)
		return -1;
	for (f = qti_first_elem(res); f; f = qti_next_elem(f)) {
		char **nv;

		if (!is_cp(f, ns, "file"))
			continue;
		href = plain_attr(f, "href");
		p = resolve(pkg, f, href, errstr);
		free(href);
		if (p == NULL)
			return -1;
		for (i = 0; i < r->n_files; i++)
			if (strcmp(r->files[i], p) == 0)
				break;
		if (i < r->n_files) {
			free(p);
			continue;
		}
		if ((nv = realloc(r->files, (r->n_files + 1) *
		    sizeof(*nv))) == NULL) {
			free(p);
			return -1;
		}
		r->files = nv;
		r->files[r->n_files++] = p;
	}
	read_classification(r, res, ns);
	return 0;
}

struct qti_package *
qti_package_read(const char *manifest_path, char **errstr)
{
	struct qti_package *pkg;
	struct qti_doc d;
	xmlNodePtr c, res;
	const char *ns = NULL, *slash;
	size_t i, nres = 0;

	if (manifest_path == NULL) {
		qti_err(errstr, "-", 0, "no path");
		return NULL;
	}
	if ((pkg = calloc(1, sizeof(*pkg))) == NULL ||
	    (pkg->manifest = strdup(manifest_path)) == NULL) {
		free(pkg);
		qti_err(errstr, manifest_path, 0, "out of memory");
		return NULL;
	}
	slash = strrchr(manifest_path, '/');
	pkg->dir = slash ? strndup(manifest_path, slash == manifest_path ? 1 :
	    (size_t)(slash - manifest_path)) : strdup(".");
	if (pkg->dir == NULL) {
		qti_package_free(pkg);
		return NULL;
	}
	if (qti_xml_open(manifest_path, 0, &d, errstr) == -1) {
		qti_package_free(pkg);
		return NULL;
	}
	if (d.root->ns && d.root->ns->href)
		for (i = 0; i < QTI_NELEM(cp_namespaces); i++)
			if (strcmp((const char *)d.root->ns->href,
			    cp_namespaces[i]) == 0)
				ns = cp_namespaces[i];
	if (ns == NULL || strcmp((const char *)d.root->name, "manifest") != 0) {
		qti_err(errstr, manifest_path, qti_line(d.root), "not an IMS "
		    "content package manifest: root %s in unknown namespace "
		    "%s", (const char *)d.root->name, d.root->ns &&
		    d.root->ns->href ? (const char *)d.root->ns->href :
		    "(none)");
		goto fail;
	}
	for (c = qti_first_elem(d.root); c; c = qti_next_elem(c))
		if (is_cp(c, ns, "resources"))
			for (res = qti_first_elem(c); res;
			    res = qti_next_elem(res))
				if (is_cp(res, ns, "resource"))
					nres++;
	if (nres > QTI_MAX_PACKAGE_FILES) {
		qti_err(errstr, manifest_path, 0, "more than %d resources",
		    QTI_MAX_PACKAGE_FILES);
		goto fail;
	}
	if (nres && (pkg->resources = calloc(nres,
	    sizeof(*pkg->resources))) == NULL)
		goto fail;
	for (c = qti_first_elem(d.root); c; c = qti_next_elem(c)) {
		if (!is_cp(c, ns, "resources"))
			continue;
		for (res = qti_first_elem(c); res; res = qti_next_elem(res))
			if (is_cp(res, ns, "resource") &&
			    read_resource(pkg, res, ns, errstr) == -1)
				goto fail;
	}
	qti_xml_close(&d);
	return pkg;
fail:
	qti_err(errstr, manifest_path, 0, "cannot read the manifest");
	qti_xml_close(&d);
	qti_package_free(pkg);
	return NULL;
}

const struct qti_classification *
qti_package_classification(const char *path, void *arg)
{
	const struct qti_package *pkg = arg;
	size_t i;

	for (i = 0; pkg && path && i < pkg->n_resources; i++)
		if (strcmp(pkg->resources[i].path, path) == 0)
			return &pkg->resources[i].cls;
	return NULL;
}
