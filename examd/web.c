#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "http.h"
#include "log.h"
#include "server.h"
#include "web.h"

#define WEB_MAX_FILES	512
#define WEB_MAX_BYTES	(16 * 1024 * 1024)	/* all pages together */
#define WEB_MAX_DEPTH	4

/*
 * Pages run only their own scripts and styles and talk only to this
 * origin: item HTML is sanitized on import, and this is the second wall
 * should anything slip through. No framing (clickjacking an exam).
 */
#define WEB_CSP	"default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct web_file {
	char		*path;		/* "/proctor/index.html" */
	const char	*ctype;
	char		*data;
	size_t		 len;
};

struct web {
	struct web_file	 files[WEB_MAX_FILES];
	int		 nfiles;
	size_t		 total;
};

static const struct {
	const char *ext, *ctype;
} web_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".json", "application/json" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".woff2", "font/woff2" },
};

static const char *
web_ctype(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof web_types / sizeof web_types[0];
	    i++)
		if (strcmp(dot, web_types[i].ext) == 0)
			return web_types[i].ctype;
	return NULL;	/* not served */
}

static int
web_load(struct web *w, const char *dir, const char *prefix, int depth,
    char **errstr)
{
	struct dirent *de;
	struct stat sb;
	struct web_file *f;
	char *full = NULL, *url = NULL;
	FILE *fp;
	DIR *d;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		*errstr = xasprintf("--web %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* also hides dotfiles */
		free(full);
		free(url);
		full = xasprintf("%s/%s", dir, de->d_name);
		url = xasprintf("%s/%s", prefix, de->d_name);
		if (stat(full, &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth < WEB_MAX_DEPTH &&
			    web_load(w, full, url, depth + 1, errstr) == -1)
				goto done;
			continue;
		}
		if (!S_ISREG(sb.st_mode) || web_ctype(de->d_name) == NULL)
			continue;
		if (w->nfiles == WEB_MAX_FILES ||
		    w->total + sb.st_size > WEB_MAX_BYTES) {
			*errstr = xasprintf("--web %s: more than %d files or %d "
			    "bytes", dir, WEB_MAX_FILES, WEB_MAX_BYTES);
			goto done;
		}
		f = &w->files[w->nfiles];
		if ((f->data = malloc(sb.st_size + 1)) == NULL)
			fatal("web_load");
		if ((fp = fopen(full, "rb")) == NULL ||
		    fread(f->data, 1, sb.st_size, fp) != (size_t)sb.st_size) {
			*errstr = xasprintf("%s: cannot read", full);
			if (fp != NULL)
				fclose(fp);
			free(f->data);
			goto done;
		}
		fclose(fp);
		f->len = sb.st_size;
		f->path = url;
		url = NULL;
		f->ctype = web_ctype(de->d_name);
		w->total += f->len;
		w->nfiles++;
	}
	rc = 0;
done:
	free(full);
	free(url);
	closedir(d);
	return rc;
}

static struct web *web_pages;	/* the fallback route has no server arg */

static const struct web_file *
web_find(struct web *w, const char *path)
{
	int i;

	for (i = 0; i < w->nfiles; i++)
		if (strcmp(w->files[i].path, path) == 0)
			return &w->files[i];
	return NULL;
}

static void
web_serve(struct req *req)
{
	const struct web_file *f = NULL;
	struct evbuffer *b;
	char *idx;

	if (web_pages != NULL) {
		if ((f = web_find(web_pages, req->path)) == NULL) {
			/* "/proctor/" and "/proctor" serve proctor/index.html. */
			idx = xasprintf("%s%sindex.html", req->path,
			    req->path[strlen(req->path) - 1] == '/' ? "" : "/");
			f = web_find(web_pages, idx);
			free(idx);
		}
	}
	if (f == NULL) {
		http_error(req, 404, "not_found", "no such page: %s", req->path);
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		http_error(req, 405, "method_not_allowed", "pages are read-only");
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		fatal("web_serve");
	evbuffer_add_reference(b, f->data, f->len, NULL, NULL);
	evhttp_add_header(evhttp_request_get_output_headers(req->evreq),
	    "Content-Security-Policy", WEB_CSP);
	http_reply_buffer(req, 200, f->ctype, b);
	evbuffer_free(b);
}

int
web_init(struct server *srv, char **errstr)
{
	struct web *w;

	http_set_fallback(web_serve);
	if (srv->cfg->web == NULL)
		return 0;
	if ((w = calloc(1, sizeof *w)) == NULL)
		fatal("web_init");
	if (web_load(w, srv->cfg->web, "", 0, errstr) == -1) {
		srv->mod[MOD_WEB] = w;
		web_fini(srv);
		return -1;
	}
	srv->mod[MOD_WEB] = web_pages = w;
	return 0;
}

void
web_fini(struct server *srv)
{
	struct web *w = srv->mod[MOD_WEB];
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nfiles; i++) {
		free(w->files[i].path);
		free(w->files[i].data);
	}
	free(w);
	srv->mod[MOD_WEB] = NULL;
	web_pages = NULL;
}
