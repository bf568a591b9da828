#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "bounds.h"
#include "log.h"
#include "tls.h"

/* Mozilla "intermediate" (v5.7) for TLS 1.2; TLS 1.3 suites are OpenSSL's defaults. */
#define TLS_CIPHERS_12 \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:" \
	"DHE-RSA-CHACHA20-POLY1305"
#define TLS_CERT_DAYS	365

struct tls {
	char	*certfile, *keyfile;
	SSL_CTX	*ctx;
};

static char *
tls_errstr(const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_clear_error();
	if (e == 0)
		return xasprintf("%s: %s", file, what);
	ERR_error_string_n(e, buf, sizeof buf);
	return xasprintf("%s: %s (%s)", file, what, buf);
}

static SSL_CTX *
tls_server_ctx(const char *certfile, const char *keyfile, char **errstr)
{
	SSL_CTX *ctx;
	struct stat sb;

	if (access(certfile, R_OK) == -1) {
		*errstr = xasprintf("certificate %s: %s", certfile,
		    strerror(errno));
		return NULL;
	}
	if (stat(keyfile, &sb) == -1 || access(keyfile, R_OK) == -1) {
		*errstr = xasprintf("key %s: %s", keyfile, strerror(errno));
		return NULL;
	}
	/* A private key others can read is a key others may have copied. */
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		*errstr = xasprintf("key %s is accessible by group or others "
		    "(mode %03o): chmod 600 it", keyfile,
		    (unsigned)(sb.st_mode & 0777));
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		*errstr = tls_errstr("cannot create TLS context", certfile);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	/* Halves memory per idle connection (DESIGN.md §6). */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	if (SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_12) != 1) {
		*errstr = tls_errstr("cipher list", certfile);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1) {
		*errstr = tls_errstr("cannot load certificate", certfile);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1) {
		*errstr = tls_errstr("cannot load private key", keyfile);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		*errstr = tls_errstr("key does not match the certificate",
		    keyfile);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

struct tls *
tls_new(const char *certfile, const char *keyfile, char **errstr)
{
	struct tls *t;

	if ((t = calloc(1, sizeof *t)) == NULL)
		fatal("tls_new");
	t->certfile = strdup(certfile);
	t->keyfile = strdup(keyfile);
	if ((t->ctx = tls_server_ctx(certfile, keyfile, errstr)) == NULL) {
		tls_free(t);
		return NULL;
	}
	return t;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t->certfile);
	free(t->keyfile);
	free(t);
}

int
tls_reload(struct tls *t, char **errstr)
{
	SSL_CTX *ctx;

	if ((ctx = tls_server_ctx(t->certfile, t->keyfile, errstr)) == NULL)
		return -1;
	/* Connections still using the old context hold their own reference. */
	SSL_CTX_free(t->ctx);
	t->ctx = ctx;
	return 0;
}

SSL *
tls_accept_ssl(struct tls *t)
{
	SSL *ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		log_ssl("SSL_new");
	return ssl;
}

SSL_CTX *
tls_client_ctx(const char *cafile, char **errstr)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*errstr = tls_errstr("cannot create TLS context", "client");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if ((cafile != NULL ? SSL_CTX_load_verify_locations(ctx, cafile, NULL) :
	    SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		*errstr = tls_errstr("cannot load CA certificates",
		    cafile ? cafile : "system store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL *
tls_client_ssl(SSL_CTX *ctx, const char *host)
{
	unsigned char addr[16];
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
	}
	return ssl;
}

static int
tls_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int
tls_write_pem(const char *path, int mode, int (*write)(FILE *, void *),
    void *obj, char **errstr)
{
	FILE *f;
	int fd;

	/* O_EXCL: never overwrite a key someone relies on. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!write(f, obj) || fflush(f) != 0 || fsync(fd) != 0) {
		fclose(f);
		unlink(path);
		*errstr = xasprintf("%s: cannot write", path);
		return -1;
	}
	fclose(f);
	return 0;
}

static int
tls_pem_cert(FILE *f, void *x)
{
	return PEM_write_X509(f, x);
}

static int
tls_pem_key(FILE *f, void *k)
{
	return PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
}

int
tls_gen_cert(const char *dir, char **errstr)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	char *certpath = NULL, *keypath = NULL;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int rc = -1;

	certpath = xasprintf("%s/cert.pem", dir);
	keypath = xasprintf("%s/key.pem", dir);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		*errstr = xasprintf("%s: %s", dir, strerror(errno));
		goto done;
	}
	if (access(certpath, F_OK) == 0 || access(keypath, F_OK) == 0) {
		*errstr = xasprintf("%s: cert.pem or key.pem already exists; "
		    "remove them first", dir);
		goto done;
	}
	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL) {
		*errstr = tls_errstr("key generation failed", dir);
		goto done;
	}
	X509_set_version(x, X509_VERSION_3);
	if (RAND_bytes(serial, sizeof serial) != 1)
		goto sslfail;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof serial, NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto sslfail;
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * TLS_CERT_DAYS);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"examd development", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, name);
	/*
	 * No basicConstraints or keyUsage: a self-signed leaf without them
	 * serves as its own trust anchor for OpenSSL clients (--cacert).
	 */
	if (tls_add_ext(x, NID_subject_alt_name,
	    "DNS:localhost,IP:127.0.0.1,IP:::1") == -1 ||
	    tls_add_ext(x, NID_ext_key_usage, "serverAuth") == -1 ||
	    tls_add_ext(x, NID_subject_key_identifier, "hash") == -1)
		goto sslfail;
	if (X509_sign(x, key, EVP_sha256()) == 0)
		goto sslfail;
	if (tls_write_pem(keypath, 0600, tls_pem_key, key, errstr) == -1)
		goto done;
	if (tls_write_pem(certpath, 0644, tls_pem_cert, x, errstr) == -1) {
		unlink(keypath);
		goto done;
	}
	rc = 0;
	goto done;
sslfail:
	*errstr = tls_errstr("certificate generation failed", dir);
done:
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(key);
	free(certpath);
	free(keypath);
	return rc;
}

void
tls_send_now(struct evhttp_connection *evcon, size_t before)
{
	struct bufferevent *bev;
	struct evbuffer *out;
	unsigned char *p;
	SSL *ssl;
	size_t n;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return;
	out = bufferevent_get_output(bev);
	n = evbuffer_get_length(out);
	if (n == 0 || n > EXAMD_TLS_RECORD ||
	    (p = evbuffer_pullup(out, -1)) == NULL)
		return;
	if (before != 0 || (ssl = bufferevent_openssl_get_ssl(bev)) == NULL ||
	    !SSL_is_init_finished(ssl))
		return;
	ERR_clear_error();
	if (SSL_write(ssl, p, (int)n) != (int)n)
		return;
	evbuffer_drain(out, n);
	bufferevent_trigger(bev, EV_WRITE, 0);
}
