#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <openssl/ssl.h>

#include "async.h"
#include "http.h"
#include "bounds.h"
#include "log.h"
#include "metrics.h"
#include "evbase.h"
#include "server.h"
#include "store.h"
#include "tls.h"

#define ADDR_BUCKETS	1024

/* Connections from one address, for the per-address limit. */
struct addr_count {
	char			 addr[INET6_ADDRSTRLEN];
	int			 n;
	struct addr_count	*next;
};

/*
 * One TLS connection. Its life is its SSL's: the SSL ex_data free hook is
 * the single teardown path. Requests hold a reference, so a reply that
 * completes after the client left never touches freed memory.
 */
struct conn {
	struct server		*srv;
	SSL			*ssl;		/* NULL once the connection is gone */
	struct event		*deadline;
	char			 addr[INET6_ADDRSTRLEN];
	int			 counted;	/* in the per-address table */
	int			 refs;
	int			 busy;		/* requests being answered */
};

struct server_priv {
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*sigterm, *sigint, *sighup, *lag, *drain;
	struct timespec			 lag_last;
	struct addr_count		*addrs[ADDR_BUCKETS];
	int				 nconns;
	int				 inflight;
	int				 stopping;
	struct timespec			 stop_at;
};

static int conn_ex_index = -1;

static struct addr_count **
addr_slot(struct server_priv *sp, const char *addr)
{
	unsigned h = 5381;
	const char *p;
	struct addr_count **a;

	for (p = addr; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (a = &sp->addrs[h % ADDR_BUCKETS]; *a != NULL; a = &(*a)->next)
		if (strcmp((*a)->addr, addr) == 0)
			break;
	return a;
}

static void
conn_unref(struct conn *c)
{
	if (--c->refs > 0)
		return;
	event_free(c->deadline);
	free(c);
}

static void
conn_arm(struct conn *c, long secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(c->deadline, &tv);
}

/*
 * The deadline is absolute: handshake plus first request, then idle time
 * between answered requests. Trickling bytes does not move it. Shutting
 * the socket down makes libevent see EOF and free the connection through
 * its normal path.
 */
static void
conn_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->ssl == NULL || c->busy > 0)
		return;
	log_debug("closing %s: deadline passed", c->addr[0] ? c->addr : "?");
	if (SSL_get_fd(c->ssl) >= 0)
		shutdown(SSL_get_fd(c->ssl), SHUT_RDWR);
}

/* SSL_free() calls this: the connection is gone. */
static void
conn_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct conn *c = ptr;
	struct server_priv *sp;
	struct addr_count **a, *dead;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (c == NULL)
		return;
	sp = c->srv->priv;
	if (c->counted && *(a = addr_slot(sp, c->addr)) != NULL &&
	    --(*a)->n == 0) {
		dead = *a;
		*a = dead->next;
		free(dead);
	}
	sp->nconns--;
	metrics_connections(-1);
	c->ssl = NULL;
	event_del(c->deadline);
	conn_unref(c);
}

/* At ClientHello: the per-address and global limits, before any crypto. */
static int
conn_client_hello(SSL *ssl, int *al, void *arg)
{
	struct conn *c = SSL_get_ex_data(ssl, conn_ex_index);
	struct server_priv *sp;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct addr_count **a;
	int fd = SSL_get_fd(ssl);

	(void)arg;
	if (c == NULL || c->counted)
		return SSL_CLIENT_HELLO_SUCCESS;
	sp = c->srv->priv;
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, len, c->addr, sizeof c->addr,
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(c->addr, sizeof c->addr, "unknown");
	if (sp->stopping || sp->nconns > c->srv->cfg->max_conns) {
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	a = addr_slot(sp, c->addr);
	if (*a != NULL && (*a)->n >= c->srv->cfg->max_conns_per_addr) {
		log_warnx("refusing %s: %d connections from this address",
		    c->addr, (*a)->n);
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (*a == NULL) {
		if ((*a = calloc(1, sizeof **a)) == NULL)
			fatal("conn_client_hello");
		snprintf((*a)->addr, sizeof (*a)->addr, "%s", c->addr);
	}
	(*a)->n++;
	c->counted = 1;
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* evhttp asks for a bufferevent for each accepted connection. */
static struct bufferevent *
conn_new(struct event_base *base, void *arg)
{
	struct server *srv = arg;
	struct server_priv *sp = srv->priv;
	struct bufferevent *bev;
	struct conn *c;
	SSL *ssl;

	/*
	 * Never return NULL: evhttp would fall back to a plaintext
	 * bufferevent. An SSL we cannot make is a broken invariant.
	 */
	if ((ssl = tls_accept_ssl(srv->tls)) == NULL)
		fatalx("cannot create a TLS session");
	SSL_CTX_set_client_hello_cb(SSL_get_SSL_CTX(ssl), conn_client_hello,
	    NULL);
	if ((c = calloc(1, sizeof *c)) == NULL)
		fatal("conn_new");
	c->srv = srv;
	c->ssl = ssl;
	c->refs = 1;
	if ((c->deadline = evtimer_new(base, conn_deadline, c)) == NULL)
		fatal("conn_new");
	SSL_set_ex_data(ssl, conn_ex_index, c);
	sp->nconns++;
	metrics_connections(1);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL)
		fatalx("cannot create a TLS bufferevent");
	/* OpenSSL 3 reports an abrupt close as an error: it is a normal close. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	conn_arm(c, srv->cfg->handshake_timeout);
	return bev;
}

static struct conn *
conn_of(struct evhttp_request *evreq)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(evreq);
	struct bufferevent *bev;
	SSL *ssl;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, conn_ex_index);
}

static void
server_request(struct evhttp_request *evreq, void *arg)
{
	struct server *srv = arg;
	struct server_priv *sp = srv->priv;
	struct conn *c = conn_of(evreq);

	if (c != NULL) {
		c->refs++;
		c->busy++;
		event_del(c->deadline);
	}
	sp->inflight++;
	http_dispatch(srv, evreq, c);
}

void
server_inflight_done(struct server *srv)
{
	((struct server_priv *)srv->priv)->inflight--;
}

void
server_conn_release(struct server *srv, void *conn)
{
	struct conn *c = conn;

	if (c == NULL)
		return;
	if (--c->busy == 0 && c->ssl != NULL)
		conn_arm(c, srv->cfg->idle_timeout);
	conn_unref(c);
}

void
server_request_done(struct server *srv, void *conn)
{
	server_inflight_done(srv);
	server_conn_release(srv, conn);
}

int
server_inflight(struct server *srv)
{
	return ((struct server_priv *)srv->priv)->inflight;
}

static void
server_lag(evutil_socket_t fd, short what, void *arg)
{
	struct server_priv *sp = arg;
	struct timespec now;
	double late;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &now);
	late = (now.tv_sec - sp->lag_last.tv_sec) +
	    (now.tv_nsec - sp->lag_last.tv_nsec) / 1e9 - EXAMD_LAG_PROBE_MS / 1e3;
	metrics_loop_lag(late > 0 ? late : 0);
	sp->lag_last = now;
}

/* After SIGTERM: exit once in-flight requests and commits are answered. */
static void
server_drain(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	struct server_priv *sp = srv->priv;
	struct timespec now;
	struct timeval tv = { 0, 20000 };

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (sp->inflight == 0 || now.tv_sec - sp->stop_at.tv_sec >=
	    EXAMD_SHUTDOWN_GRACE) {
		if (sp->inflight > 0)
			log_warnx("stopping with %d requests unanswered",
			    sp->inflight);
		event_base_loopexit(srv->base, NULL);
		return;
	}
	evtimer_add(sp->drain, &tv);
}

static void
server_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	struct server_priv *sp = srv->priv;
	char *err = NULL;

	(void)what;
	if (sig == SIGHUP) {
		if (tls_reload(srv->tls, &err) == -1) {
			log_warnx("SIGHUP: keeping the old certificate: %s", err);
			free(err);
		} else
			log_info("SIGHUP: certificate and key reloaded");
		return;
	}
	if (sp->stopping)
		return;
	log_info("%s: no longer accepting; finishing %d requests",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT", sp->inflight);
	sp->stopping = 1;
	clock_gettime(CLOCK_MONOTONIC, &sp->stop_at);
	if (sp->bound != NULL) {
		evhttp_del_accept_socket(sp->http, sp->bound);
		sp->bound = NULL;
	}
	server_drain(-1, 0, srv);
}

/* "127.0.0.1:8443", "[::1]:8443", "localhost:8443". */
static int
server_listen(const char *listen_on, char **errstr)
{
	struct addrinfo hints, *res = NULL;
	char host[256], *port;
	int fd = -1, on = 1, rc;

	snprintf(host, sizeof host, "%s", listen_on);
	if ((port = strrchr(host, ':')) == NULL) {
		*errstr = xasprintf("--listen %s: expected ADDR:PORT", listen_on);
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		*errstr = xasprintf("--listen %s: %s", listen_on,
		    gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	/*
	 * evhttp never sets TCP_NODELAY and TLS writes a reply as two records:
	 * with delayed ACKs that costs ~40 ms a reply. Accepted sockets inherit it.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, EXAMD_LISTEN_BACKLOG) == -1)
		goto fail;
	freeaddrinfo(res);
	return fd;
fail:
	*errstr = errno == EADDRINUSE ?
	    xasprintf("cannot listen on %s: address already in use", listen_on) :
	    xasprintf("cannot listen on %s: %s", listen_on, strerror(errno));
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

int
server_init(struct server *srv, struct config *cfg, char **errstr)
{
	struct server_priv *sp;
	const struct module *m;
	struct timeval lag = { 0, EXAMD_LAG_PROBE_MS * 1000 };
	int fd;

	memset(srv, 0, sizeof *srv);
	srv->cfg = cfg;
	if ((sp = calloc(1, sizeof *sp)) == NULL)
		fatal("server_init");
	srv->priv = sp;
	if (conn_ex_index == -1)
		conn_ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    conn_ex_free);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A file-size limit (ulimit -f) reached mid-sitting must fail the
	 * write, as a full disk does (the commit is lost, the save gets 503),
	 * not kill examd with a core dump.
	 */
	signal(SIGXFSZ, SIG_IGN);
	evthread_use_pthreads();
	if ((srv->base = evbase_new()) == NULL ||
	    (srv->async = async_new(srv->base)) == NULL)
		fatalx("cannot create the event loop");
	if ((srv->tls = tls_new(cfg->cert, cfg->key, errstr)) == NULL)
		return -1;
	if (store_open(cfg->db, 0, &srv->store, errstr) == -1 ||
	    store_check_schema(srv->store, errstr) == -1)
		return -1;
	if (cfg->check_only)
		return 0;
	if ((fd = server_listen(cfg->listen, errstr)) == -1)
		return -1;
	if (store_start(srv->store, srv->async, cfg->max_batch, errstr) == -1)
		return -1;
	srv->pool = pool_new(srv->async, cfg->workers);
	for (m = server_modules; m->name != NULL; m++)
		if (m->init != NULL && m->init(srv, errstr) == -1) {
			close(fd);
			return -1;
		}

	if ((sp->http = evhttp_new(srv->base)) == NULL)
		fatalx("cannot create the HTTP server");
	evhttp_set_bevcb(sp->http, conn_new, srv);
	evhttp_set_gencb(sp->http, server_request, srv);
	evhttp_set_max_headers_size(sp->http, cfg->max_headers);
	evhttp_set_max_body_size(sp->http, cfg->max_body);
	evhttp_set_timeout(sp->http, cfg->idle_timeout);
	/* Every method reaches our router, which answers 405 in JSON. */
	evhttp_set_allowed_methods(sp->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	if ((sp->bound = evhttp_accept_socket_with_handle(sp->http, fd)) ==
	    NULL) {
		*errstr = xasprintf("cannot accept on %s", cfg->listen);
		close(fd);
		return -1;
	}

	sp->sigterm = evsignal_new(srv->base, SIGTERM, server_signal, srv);
	sp->sigint = evsignal_new(srv->base, SIGINT, server_signal, srv);
	sp->sighup = evsignal_new(srv->base, SIGHUP, server_signal, srv);
	sp->lag = event_new(srv->base, -1, EV_PERSIST, server_lag, sp);
	sp->drain = evtimer_new(srv->base, server_drain, srv);
	evsignal_add(sp->sigterm, NULL);
	evsignal_add(sp->sigint, NULL);
	evsignal_add(sp->sighup, NULL);
	clock_gettime(CLOCK_MONOTONIC, &sp->lag_last);
	event_add(sp->lag, &lag);
	return 0;
}

int
server_run(struct server *srv)
{
	log_info("listening on https://%s", srv->cfg->listen);
	return event_base_dispatch(srv->base);
}

void
server_free(struct server *srv)
{
	struct server_priv *sp = srv->priv;
	const struct module *m;
	struct addr_count *a, *next;
	int i;

	if (sp != NULL) {
		/* Frees the connections, and through SSL_free our conns. */
		if (sp->http != NULL)
			evhttp_free(sp->http);
		if (sp->sigterm != NULL) {
			event_free(sp->sigterm);
			event_free(sp->sigint);
			event_free(sp->sighup);
			event_free(sp->lag);
			event_free(sp->drain);
		}
		for (i = 0; i < ADDR_BUCKETS; i++)
			for (a = sp->addrs[i]; a != NULL; a = next) {
				next = a->next;
				free(a);
			}
	}
	for (m = server_modules; m->name != NULL; m++)
		if (m->fini != NULL)
			m->fini(srv);
	/* Workers may still post completions: stop them before the store. */
	pool_free(srv->pool);
	store_close(srv->store);
	async_free(srv->async);
	tls_free(srv->tls);
	if (srv->base != NULL)
		event_base_free(srv->base);
	free(sp);
	metrics_reset();
	memset(srv, 0, sizeof *srv);
}
