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
 * connection: evhttp queues the head and the body as separate buffers and
 * bufferevent_openssl writes each as a TLS record of its own (two write(2)s,
 * two records for the peer to read). Joins them when they fit one record.
 */
struct evhttp_connection;
void		 tls_coalesce(struct evhttp_connection *);

#endif
