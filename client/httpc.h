/*
 * A keep-alive HTTPS client connection on a libevent loop, for examc and
 * examproctor: evhttp's client over bufferevent_openssl, peer always
 * verified (tls_client_ctx/tls_client_ssl), TCP_NODELAY set.
 */
#ifndef EXAMD_HTTPC_H
#define EXAMD_HTTPC_H

#include <stddef.h>

#include <openssl/ssl.h>

struct event_base;
struct httpc;

/* status 0: the request failed in transport (the connection is then dead). */
typedef void (*httpc_done_fn)(int status, const char *body, size_t len,
    void *arg);

struct httpc	*httpc_new(struct event_base *, SSL_CTX *, const char *host,
		    int port);
/* NULL-safe. Must not be called from inside its own done callback. */
void		 httpc_free(struct httpc *);
/* body may be NULL; token is sent as a Bearer token when non-NULL. */
int		 httpc_request(struct httpc *, const char *method,
		    const char *path, const char *token, const char *body,
		    size_t len, httpc_done_fn, void *arg);
/*
 * A long-lived GET whose body arrives in pieces (text/event-stream): chunk
 * is called with each piece as it is read (the data is only valid during
 * the call), done once when the reply ends or the connection fails. The
 * connection carries nothing else while the stream is open.
 */
typedef void (*httpc_chunk_fn)(const char *data, size_t len, void *arg);
int		 httpc_stream(struct httpc *, const char *path,
		    const char *token, httpc_chunk_fn, httpc_done_fn,
		    void *arg);
/* Splits "host:port"; 0 or -1. */
int		 httpc_parse_addr(const char *addr, char *host, size_t hostlen,
		    int *port);

#endif
