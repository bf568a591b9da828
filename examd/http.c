#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <openssl/rand.h>

#include "bounds.h"
#include "http.h"
#include "tls.h"
#include "store.h"
#include "log.h"
#include "metrics.h"
#include "config.h"
#include "server.h"

static http_auth_fn http_auth;
static route_fn http_fallback;

void
http_set_authenticator(http_auth_fn fn)
{
	http_auth = fn;
}

void
http_set_fallback(route_fn fn)
{
	http_fallback = fn;
}

/* Matches "/a/{x}/b" against "/a/42/b"; fills params when non-NULL. */
static int
http_match(const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;

	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			if (*s == '/')
				return 0;	/* empty segment */
			while (*p != '\0' && *p != '}')
				p++;
			if (*p == '}')
				p++;
			while (*s != '\0' && *s != '/')
				s++;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct route *
http_route_find(const char *method, const char *path, int *method_mismatch)
{
	const struct module *m;
	const struct route *r;

	/* The method first: it is cheap, and most routes have another. */
	*method_mismatch = 0;
	for (m = server_modules; m->name != NULL; m++)
		for (r = m->routes; r != NULL && r->pattern != NULL; r++)
			if (strcmp(r->method, method) == 0 &&
			    http_match(r->pattern, path))
				return r;
	for (m = server_modules; m->name != NULL; m++)
		for (r = m->routes; r != NULL && r->pattern != NULL; r++)
			if (http_match(r->pattern, path)) {
				*method_mismatch = 1;
				return NULL;
			}
	return NULL;
}

/* Lists the methods a path does serve, for 405's Allow header. */
static void
http_allow(const char *path, char *buf, size_t len)
{
	const struct module *m;
	const struct route *r;
	size_t n;

	buf[0] = '\0';
	for (m = server_modules; m->name != NULL; m++)
		for (r = m->routes; r != NULL && r->pattern != NULL; r++)
			if (http_match(r->pattern, path) &&
			    strstr(buf, r->method) == NULL) {
				n = strlen(buf);
				snprintf(buf + n, len - n, "%s%s",
				    n ? ", " : "", r->method);
			}
}

/* Splits the {x} segments of path out into req->params. */
static void
http_params(struct req *req)
{
	const char *p = req->route->pattern;
	char *s;

	if ((req->pathbuf = strdup(req->path)) == NULL)
		fatal("http_params");
	s = req->pathbuf;
	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			if (req->nparams < HTTP_MAX_PARAMS)
				req->params[req->nparams++] = s;
			while (*p != '\0' && *p != '}')
				p++;
			if (*p == '}')
				p++;
			while (*s != '\0' && *s != '/')
				s++;
			if (*s == '/' && *p == '/') {
				*s++ = '\0';
				p++;
			}
			continue;
		}
		p++;
		s++;
	}
}

static const char *
http_method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:		return "GET";
	case EVHTTP_REQ_POST:		return "POST";
	case EVHTTP_REQ_HEAD:		return "HEAD";
	case EVHTTP_REQ_PUT:		return "PUT";
	case EVHTTP_REQ_DELETE:		return "DELETE";
	case EVHTTP_REQ_OPTIONS:	return "OPTIONS";
	case EVHTTP_REQ_TRACE:		return "TRACE";
	case EVHTTP_REQ_CONNECT:	return "CONNECT";
	case EVHTTP_REQ_PATCH:		return "PATCH";
	}
	return "UNKNOWN";
}

static void
http_req_free(struct req *req)
{
	if (req == NULL)
		return;
	json_decref(req->body);
	free(req->pathbuf);
	free(req->path);
	free(req);
}

/* The one way a request ends: headers, send, log, metrics, free. */
static void
http_finish(struct req *req, int status, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->evreq);
	struct evhttp_connection *evcon =
	    evhttp_request_get_connection(req->evreq);
	struct bufferevent *bev = evcon ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;
	size_t before, len = evbuffer_get_length(body);
	struct timespec t1;
	double secs;

	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
	evhttp_add_header(h, "X-Request-Id", req->id);
	if (status == 413 || status == 400)
		evhttp_add_header(h, "Connection", "close");
	/* evhttp reads again after the reply, without the hold's limit. */
	if (bev != NULL && req->reading)
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
	before = bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
	evhttp_send_reply(req->evreq, status, NULL, body);
	tls_send_now(evcon, before);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - req->t0.tv_sec) + (t1.tv_nsec - req->t0.tv_nsec) / 1e9;
	/* The route pattern, not the path: ids would explode the label set. */
	metrics_request(req->route ? req->route->pattern : "other", status,
	    secs);
	if (req->srv->cfg->access_log)
		log_access(req->peer, req->method, req->path, status, len,
		    secs * 1e3);
	server_request_done(req->srv, req->conn);
	http_req_free(req);
}

void
http_reply_buffer(struct req *req, int status, const char *ctype,
    struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req->evreq),
	    "Content-Type", ctype);
	http_finish(req, status, body);
}

/* json_dump_callback's sink: small replies never touch the heap. */
struct http_dump {
	struct evbuffer	*b;
	size_t		 n;
	char		 buf[2048];
};

static int
http_dump_cb(const char *p, size_t len, void *arg)
{
	struct http_dump *d = arg;

	if (d->n + len > sizeof d->buf) {
		if (evbuffer_add(d->b, d->buf, d->n) == -1)
			return -1;
		d->n = 0;
		if (len > sizeof d->buf)
			return evbuffer_add(d->b, p, len);
	}
	memcpy(d->buf + d->n, p, len);
	d->n += len;
	return 0;
}

void
http_reply_json(struct req *req, int status, json_t *json)
{
	struct http_dump d;

	d.n = 0;
	if ((d.b = evbuffer_new()) == NULL ||
	    json_dump_callback(json, http_dump_cb, &d, JSON_COMPACT) == -1 ||
	    evbuffer_add(d.b, d.buf, d.n) == -1)
		fatal("http_reply_json");
	json_decref(json);
	http_reply_buffer(req, status, "application/json", d.b);
	evbuffer_free(d.b);
}

void
http_reply_json_text(struct req *req, int status, const char *fmt, ...)
{
	struct evbuffer *b = evbuffer_new();
	va_list ap;
	int rc;

	if (b == NULL)
		fatal("http_reply_json_text");
	va_start(ap, fmt);
	rc = evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
	if (rc == -1)
		fatal("http_reply_json_text");
	http_reply_buffer(req, status, "application/json", b);
	evbuffer_free(b);
}

void
http_error(struct req *req, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	http_reply_json(req, status, json_pack("{s:{s:s,s:s}}", "error",
	    "code", code, "message", msg));
}

void
http_store_failed(struct req *req, int rc)
{
	if (rc == STORE_EBUSY)
		http_error(req, 503, "store_busy", "the server is busy; "
		    "nothing was saved: try again");
	else
		http_error(req, 503, "store_failed", "the change could not be "
		    "saved durably; nothing was saved: try again");
}

void
http_not_found(struct req *req)
{
	http_error(req, 404, "not_found", "no such resource");
}

const char *
http_header(struct req *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req->evreq),
	    name);
}

int
http_body_is_csv(struct req *req)
{
	const char *ct = http_header(req, "Content-Type");

	return ct != NULL && strncasecmp(ct, "text/csv", 8) == 0 &&
	    (ct[8] == '\0' || ct[8] == ';' || ct[8] == ' ');
}

const char *
http_query(struct req *req, const char *name)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req->evreq);
	struct evkeyvalq q;
	const char *query, *v;
	static char value[1024];	/* loop thread only */

	if (u == NULL || (query = evhttp_uri_get_query(u)) == NULL)
		return NULL;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) == -1)
		return NULL;
	v = evhttp_find_header(&q, name);
	if (v != NULL)
		snprintf(value, sizeof value, "%s", v);
	evhttp_clear_headers(&q);
	return v != NULL ? value : NULL;
}

int64_t
http_param_id(struct req *req, int i)
{
	const char *s;
	char *end;
	long long v;

	if (i >= req->nparams)
		return -1;
	s = req->params[i];
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 && errno == 0 ? v : -1;
}

int
http_json_string(struct req *req, const char *key, int required,
    size_t maxlen, const char **out)
{
	json_t *v = req->body ? json_object_get(req->body, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		http_error(req, 422, "missing_field", "field \"%s\" is required",
		    key);
		return -1;
	}
	if (!json_is_string(v)) {
		http_error(req, 422, "invalid_field", "field \"%s\" must be a "
		    "string", key);
		return -1;
	}
	if (json_string_length(v) > maxlen) {
		http_error(req, 422, "invalid_field", "field \"%s\" is longer "
		    "than %zu bytes", key, maxlen);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		http_error(req, 422, "invalid_field", "field \"%s\" contains a "
		    "NUL character", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
http_json_int(struct req *req, const char *key, int required, int64_t min,
    int64_t max, int64_t *out)
{
	json_t *v = req->body ? json_object_get(req->body, key) : NULL;

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		http_error(req, 422, "missing_field", "field \"%s\" is required",
		    key);
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		http_error(req, 422, "invalid_field", "field \"%s\" must be an "
		    "integer from %lld to %lld", key, (long long)min,
		    (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* After authentication: the role check, then the handler. */
void
http_authenticated(struct req *req, int status)
{
	if (status == 401) {
		http_error(req, 401, "unauthenticated",
		    "sign in first, or sign in again: the session has ended");
		return;
	}
	if (status != 0) {
		http_error(req, status, status == 429 ? "too_many_requests" :
		    "forbidden", "request refused");
		return;
	}
	if ((req->who.role & req->route->roles) == 0) {
		http_error(req, 403, "forbidden", "your role may not do this");
		return;
	}
	req->route->fn(req);
}

static const char *
http_token(struct req *req)
{
	const char *a = http_header(req, "Authorization"), *c, *p;
	static char tok[128];	/* loop thread only */
	size_t n;

	if (a != NULL) {
		if (strncasecmp(a, "Bearer ", 7) != 0)
			return NULL;
		return a + 7;
	}
	/* Browser pages: a __Host- cookie, never readable by scripts. */
	if ((c = http_header(req, "Cookie")) == NULL ||
	    (p = strstr(c, "__Host-examd=")) == NULL)
		return NULL;
	p += strlen("__Host-examd=");
	n = strcspn(p, "; ");
	if (n == 0 || n >= sizeof tok)
		return NULL;
	memcpy(tok, p, n);
	tok[n] = '\0';
	return tok;
}

static int
http_read_json(struct req *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->evreq);
	size_t len = evbuffer_get_length(in);
	const char *ct = http_header(req, "Content-Type");
	json_error_t err;

	if (ct != NULL && strncasecmp(ct, "application/json", 16) != 0) {
		http_error(req, 415, "unsupported_media_type",
		    "send the body as application/json");
		return -1;
	}
	if (len == 0) {
		http_error(req, 400, "malformed_json", "a JSON body is required");
		return -1;
	}
	if (len > EXAMD_MAX_JSON_BODY) {
		http_error(req, 413, "body_too_large", "a JSON body may be at "
		    "most %d bytes", EXAMD_MAX_JSON_BODY);
		return -1;
	}
	req->body = json_loadb((const char *)evbuffer_pullup(in, len), len,
	    JSON_REJECT_DUPLICATES, &err);
	if (req->body == NULL) {
		http_error(req, 400, "malformed_json", "malformed JSON at line "
		    "%d column %d: %s", err.line, err.column, err.text);
		return -1;
	}
	if (!json_is_object(req->body)) {
		http_error(req, 400, "malformed_json",
		    "the body must be a JSON object");
		return -1;
	}
	return 0;
}

/*
 * Request ids need only be unique, not secret: a random start and a count,
 * rather than the DRBG (with its locks and fork check) on every request.
 */
static void
http_request_id(char out[17])
{
	static uint64_t next;
	static int seeded;

	if (!seeded) {
		if (RAND_bytes((unsigned char *)&next, sizeof next) != 1)
			fatalx("RAND_bytes failed");
		seeded = 1;
	}
	snprintf(out, 17, "%016" PRIx64, next++);
}

/*
 * evhttp stops reading a connection once a request is in and starts again
 * after the reply is written: an epoll_ctl(2) on each side of every reply
 * that waits for the writer. Reading stays on instead, with evhttp's read
 * callback off (more bytes now would be a protocol error to it) and at
 * most EXAMD_HOLD_READ bytes taken in; evhttp goes through them when it
 * reads again, pipelined requests included. A client that leaves while its
 * request waits (or while its event stream is open) is now seen at once:
 * evhttp detaches the request, and the reply, when it comes, is dropped.
 */
static void
http_keep_reading(struct req *req, struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	bufferevent_data_cb wcb;
	bufferevent_event_cb ecb;
	void *arg;

	if (bev == NULL)
		return;
	bufferevent_getcb(bev, NULL, &wcb, &ecb, &arg);
	bufferevent_setcb(bev, NULL, wcb, ecb, arg);
	bufferevent_setwatermark(bev, EV_READ, 0, EXAMD_HOLD_READ);
	bufferevent_enable(bev, EV_READ);
	req->reading = 1;
}

void
http_dispatch(struct server *srv, struct evhttp_request *evreq, void *conn)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(evreq);
	struct evhttp_connection *evcon = evhttp_request_get_connection(evreq);
	struct req *req;
	const char *rawpath, *tok;
	char *host, allow[128];
	ev_uint16_t port;
	size_t n;
	int mismatch;

	if ((req = calloc(1, sizeof *req)) == NULL)
		fatal("http_dispatch");
	clock_gettime(CLOCK_MONOTONIC, &req->t0);
	req->evreq = evreq;
	req->srv = srv;
	req->conn = conn;
	req->method = http_method_name(evhttp_request_get_command(evreq));
	if (evcon != NULL) {
		http_keep_reading(req, evcon);
		evhttp_connection_get_peer(evcon, &host, &port);
		snprintf(req->peer, sizeof req->peer, "%s:%u", host, port);
	}
	http_request_id(req->id);

	rawpath = uri ? evhttp_uri_get_path(uri) : NULL;
	if (rawpath == NULL || rawpath[0] != '/' ||
	    (req->path = evhttp_uridecode(rawpath, 0, &n)) == NULL ||
	    strlen(req->path) != n) {
		if (req->path == NULL)
			req->path = strdup("?");
		http_error(req, 400, "bad_request", "malformed request path");
		return;
	}
	/* "/api/v1/x/" and "/api/v1/x" are the same resource. */
	if (n > 1 && req->path[n - 1] == '/' && strncmp(req->path, "/api/", 5) == 0)
		req->path[n - 1] = '\0';

	req->route = http_route_find(req->method, req->path, &mismatch);
	if (req->route == NULL) {
		if (mismatch) {
			http_allow(req->path, allow, sizeof allow);
			evhttp_add_header(evhttp_request_get_output_headers(
			    evreq), "Allow", allow);
			http_error(req, 405, "method_not_allowed",
			    "%s is not allowed here; allowed: %s", req->method,
			    allow);
		} else if (http_fallback != NULL &&
		    strncmp(req->path, "/api/", 5) != 0)
			http_fallback(req);
		else
			http_error(req, 404, "not_found", "no such endpoint: %s",
			    req->path);
		return;
	}
	http_params(req);
	if ((req->route->flags & HTTP_JSON_BODY) &&
	    !((req->route->flags & HTTP_CSV_BODY) && http_body_is_csv(req)) &&
	    http_read_json(req) == -1)
		return;
	if (req->route->roles == ROLE_PUBLIC) {
		req->route->fn(req);
		return;
	}
	tok = http_token(req);
	if (tok == NULL || http_auth == NULL) {
		http_authenticated(req, 401);
		return;
	}
	http_auth(req, tok);
}

struct http_stream {
	struct evhttp_request	*evreq;
	struct server		*srv;
	void			*conn;
	void			(*closed)(void *);
	void			*arg;
};

/*
 * evhttp calls this before it frees the connection (client gone, write
 * failed, shutdown). A request that evhttp detached from the dying
 * connection is ours to free; one still attached is freed by evhttp.
 */
static void
http_stream_closecb(struct evhttp_connection *evcon, void *arg)
{
	struct http_stream *st = arg;

	if (evcon != NULL)
		evhttp_connection_set_closecb(evcon, NULL, NULL);
	if (evhttp_request_get_connection(st->evreq) == NULL)
		evhttp_request_free(st->evreq);
	server_conn_release(st->srv, st->conn);
	if (st->closed != NULL)
		st->closed(st->arg);
	free(st);
}

/*
 * A stream's socket gets a fixed kernel send buffer: with autotuning a
 * reader that stops reading parks up to tcp_wmem's maximum (4 MB) in the
 * kernel before EXAMD_STREAM_MAX_PENDING is ever reached in user space.
 */
static void
http_stream_sndbuf(struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	int fd, size = EXAMD_STREAM_SNDBUF;

	if (bev != NULL && (fd = bufferevent_getfd(bev)) >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == -1)
		log_warn("stream: SO_SNDBUF");
}

struct http_stream *
http_stream_start(struct req *req, void (*closed)(void *), void *arg)
{
	struct evhttp_connection *evcon =
	    evhttp_request_get_connection(req->evreq);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->evreq);
	struct http_stream *st;
	struct timespec t1;

	if ((st = calloc(1, sizeof *st)) == NULL)
		fatal("http_stream_start");
	st->evreq = req->evreq;
	st->srv = req->srv;
	st->conn = req->conn;
	st->closed = closed;
	st->arg = arg;
	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Request-Id", req->id);
	evhttp_send_reply_start(req->evreq, 200, "OK");
	if (evcon != NULL) {
		evhttp_connection_set_closecb(evcon, http_stream_closecb, st);
		http_stream_sndbuf(evcon);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_request(req->route ? req->route->pattern : "other", 200,
	    (t1.tv_sec - req->t0.tv_sec) + (t1.tv_nsec - req->t0.tv_nsec) / 1e9);
	if (req->srv->cfg->access_log)
		log_access(req->peer, req->method, req->path, 200, 0, 0);
	server_inflight_done(req->srv);
	http_req_free(req);
	if (evcon == NULL) {
		/* The client left before the head went out. */
		http_stream_closecb(NULL, st);
		return NULL;
	}
	return st;
}

int
http_stream_write(struct http_stream *st, const char *data, size_t len)
{
	struct evhttp_connection *evcon =
	    evhttp_request_get_connection(st->evreq);
	struct bufferevent *bev;
	struct evbuffer *b;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return -1;
	/* A reader that does not read is dropped, never buffered without bound. */
	if (evbuffer_get_length(bufferevent_get_output(bev)) >
	    EXAMD_STREAM_MAX_PENDING)
		return -1;
	if ((b = evbuffer_new()) == NULL)
		fatal("http_stream_write");
	evbuffer_add(b, data, len);
	evhttp_send_reply_chunk(st->evreq, b);
	evbuffer_free(b);
	return 0;
}

void
http_stream_end(struct http_stream *st)
{
	struct evhttp_connection *evcon =
	    evhttp_request_get_connection(st->evreq);

	if (evcon != NULL)
		evhttp_connection_set_closecb(evcon, NULL, NULL);
	evhttp_send_reply_end(st->evreq);
	server_conn_release(st->srv, st->conn);
	free(st);
}

void
http_stream_abort(struct http_stream *st)
{
	struct evhttp_connection *evcon =
	    evhttp_request_get_connection(st->evreq);
	struct bufferevent *bev;
	int fd;

	/* The pending write then fails and evhttp frees the connection. */
	if (evcon != NULL &&
	    (bev = evhttp_connection_get_bufferevent(evcon)) != NULL &&
	    (fd = bufferevent_getfd(bev)) >= 0)
		shutdown(fd, SHUT_RDWR);
}
