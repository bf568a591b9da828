#include <sys/queue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "httpc.h"
#include "log.h"
#include "tls.h"

struct httpc_call;

struct httpc {
	TAILQ_HEAD(, httpc_call) calls;	/* requests not yet answered */
	struct event_base	*base;
	struct evhttp_connection *evcon;
	char			 host[256];
	int			 port;
	int			 nodelay;
};

struct httpc_call {
	struct httpc	*c;
	httpc_done_fn	 done;
	httpc_chunk_fn	 chunk;
	void		*arg;
	TAILQ_ENTRY(httpc_call) entry;
};

struct httpc *
httpc_new(struct event_base *base, SSL_CTX *ctx, const char *host, int port)
{
	struct httpc *c;
	struct bufferevent *bev;
	SSL *ssl;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	TAILQ_INIT(&c->calls);
	c->base = base;
	c->port = port;
	snprintf(c->host, sizeof c->host, "%s", host);
	if ((ssl = tls_client_ssl(ctx, host)) == NULL) {
		free(c);
		return NULL;
	}
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL) {
		SSL_free(ssl);
		free(c);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	c->evcon = evhttp_connection_base_bufferevent_new(base, NULL, bev, host,
	    port);
	if (c->evcon == NULL) {
		bufferevent_free(bev);
		free(c);
		return NULL;
	}
	/* A closed connection is the caller's to replace: SSL cannot reconnect. */
	evhttp_connection_set_retries(c->evcon, 0);
	evhttp_connection_set_timeout(c->evcon, 60);
	return c;
}

/* evhttp frees requests still queued without calling them back. */
void
httpc_free(struct httpc *c)
{
	struct httpc_call *call;

	if (c == NULL)
		return;
	if (c->evcon != NULL)
		evhttp_connection_free(c->evcon);
	while ((call = TAILQ_FIRST(&c->calls)) != NULL) {
		TAILQ_REMOVE(&c->calls, call, entry);
		free(call);
	}
	free(c);
}

static void
httpc_reply(struct evhttp_request *req, void *arg)
{
	struct httpc_call *call = arg;
	struct evbuffer *in;
	size_t len = 0;
	const char *body = NULL;
	int status = 0;

	if (req != NULL && (status = evhttp_request_get_response_code(req)) > 0) {
		in = evhttp_request_get_input_buffer(req);
		len = evbuffer_get_length(in);
		body = (const char *)evbuffer_pullup(in, len);
	}
	TAILQ_REMOVE(&call->c->calls, call, entry);
	call->done(status, body, len, call->arg);
	free(call);
}

/* evhttp drains the input buffer after this returns. */
static void
httpc_chunk(struct evhttp_request *req, void *arg)
{
	struct httpc_call *call = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);

	if (len > 0)
		call->chunk((const char *)evbuffer_pullup(in, len), len,
		    call->arg);
}

static int
httpc_send(struct httpc *c, const char *method, const char *path,
    const char *token, const char *body, size_t len, httpc_done_fn done,
    httpc_chunk_fn chunk, void *arg)
{
	struct evhttp_request *req;
	struct evkeyvalq *h;
	struct httpc_call *call;
	struct bufferevent *bev;
	enum evhttp_cmd_type type;
	char auth[512];
	size_t before;
	int fd, on = 1;

	if (strcmp(method, "GET") == 0)
		type = EVHTTP_REQ_GET;
	else if (strcmp(method, "POST") == 0)
		type = EVHTTP_REQ_POST;
	else if (strcmp(method, "PUT") == 0)
		type = EVHTTP_REQ_PUT;
	else if (strcmp(method, "DELETE") == 0)
		type = EVHTTP_REQ_DELETE;
	else
		return -1;
	if ((call = calloc(1, sizeof *call)) == NULL)
		return -1;
	call->c = c;
	call->done = done;
	call->chunk = chunk;
	call->arg = arg;
	if ((req = evhttp_request_new(httpc_reply, call)) == NULL) {
		free(call);
		return -1;
	}
	if (chunk != NULL)
		evhttp_request_set_chunked_cb(req, httpc_chunk);
	TAILQ_INSERT_TAIL(&c->calls, call, entry);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", c->host);
	if (chunk != NULL)
		evhttp_add_header(h, "Accept", "text/event-stream");
	if (token != NULL) {
		snprintf(auth, sizeof auth, "Bearer %s", token);
		evhttp_add_header(h, "Authorization", auth);
	}
	if (body != NULL) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	}
	bev = evhttp_connection_get_bufferevent(c->evcon);
	before = bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
	/* On failure evhttp has freed req or failed it through httpc_reply;
	 * a call still listed is freed by httpc_free. */
	if (evhttp_make_request(c->evcon, req, type, path) == -1)
		return -1;
	/* The socket exists once the request is made: no Nagle delays. */
	if (!c->nodelay && (bev = evhttp_connection_get_bufferevent(c->evcon))
	    != NULL && (fd = bufferevent_getfd(bev)) >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		c->nodelay = 1;
	}
	tls_send_now(c->evcon, before);
	return 0;
}

int
httpc_request(struct httpc *c, const char *method, const char *path,
    const char *token, const char *body, size_t len, httpc_done_fn done,
    void *arg)
{
	return httpc_send(c, method, path, token, body, len, done, NULL, arg);
}

int
httpc_stream(struct httpc *c, const char *path, const char *token,
    httpc_chunk_fn chunk, httpc_done_fn done, void *arg)
{
	return httpc_send(c, "GET", path, token, NULL, 0, done, chunk, arg);
}

int
httpc_parse_addr(const char *addr, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - addr) >= hostlen)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p <= 0 || p > 65535)
		return -1;
	memcpy(host, addr, colon - addr);
	host[colon - addr] = '\0';
	*port = (int)p;
	return 0;
}
