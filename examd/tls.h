/*
 * TLS, in one place. The server context is built once and swapped on
 * SIGHUP; connections keep the context they started with (SSL_new holds a
 * reference). Clients (examc, tests, examproctor) always verify the peer.
 */
#ifndef EXAMD_TLS_H
#define EXAMD_TLS_H

#include <openssl/ssl.h>

struct tls;

/* Loads cert (chain) and key; refuses a key readable by group or others. */
struct tls	*tls_new(const char *certfile, const char *keyfile, char **errstr);
void		 tls_free(struct tls *);
/* Re-reads the files; on failure the old context stays in use. */
int		 tls_reload(struct tls *, char **errstr);
/* A server SSL for one accepted connection, or NULL (logged). */
SSL		*tls_accept_ssl(struct tls *);

/* Client context verifying against cafile (NULL: the system store). */
SSL_CTX		*tls_client_ctx(const char *cafile, char **errstr);
/* Client SSL that checks the peer's name (host name or IP literal). */
SSL		*tls_client_ssl(SSL_CTX *, const char *host);

/* Development certificate: DIR/cert.pem and DIR/key.pem (0600), ECDSA P-256. */
int		 tls_gen_cert(const char *dir, char **errstr);

/*
 * After evhttp has queued a request or reply on a bufferevent_openssl
 * connection whose output held nothing before (`before`, its length then).
 * evhttp queues the head and the body as separate buffers, and
 * bufferevent_openssl would write each as a TLS record of its own, and only
 * on the next EPOLLOUT: one more loop turn and two epoll_ctl(2)s for every
 * message. A message that fits one record is joined and written at once;
 * evhttp then hears "written" as it would from the bufferevent. Anything
 * else (bigger, handshake not done, socket full) is left to
 * bufferevent_openssl, which retries a partial SSL_write with the same
 * buffer as OpenSSL requires.
 */
struct evhttp_connection;
void		 tls_send_now(struct evhttp_connection *, size_t before);

#endif
