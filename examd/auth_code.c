/*
 * Secrets and their hashes, with no I/O: access codes (Crockford base32),
 * bearer tokens, argon2id passwords, and RFC 3339 time.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"
#include "log.h"

static const char auth_b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void
auth_random(unsigned char *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1)
		fatalx("RAND_bytes failed");
}

void
auth_code_new(char out[AUTH_CODE_PRINT])
{
	unsigned char rnd[13];	/* 104 bits; the first 100 are used */
	int i, bit, v, j, o = 0;

	auth_random(rnd, sizeof rnd);
	for (i = 0; i < AUTH_CODE_CHARS; i++) {
		v = 0;
		for (j = 0; j < 5; j++) {
			bit = i * 5 + j;
			v = (v << 1) | ((rnd[bit / 8] >> (7 - bit % 8)) & 1);
		}
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = auth_b32[v];
	}
	out[o] = '\0';
	OPENSSL_cleanse(rnd, sizeof rnd);
}

int
auth_code_normalise(const char *in, char out[AUTH_CODE_CHARS + 1])
{
	int n = 0;
	char c;

	for (; *in != '\0'; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		c = (char)toupper((unsigned char)*in);
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		if (c == '\0' || strchr(auth_b32, c) == NULL ||
		    n == AUTH_CODE_CHARS)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == AUTH_CODE_CHARS ? 0 : -1;
}

static EVP_MD *auth_md;
static pthread_once_t auth_md_once = PTHREAD_ONCE_INIT;

/* Fetched once: OpenSSL 3 looks a digest up by name on every implicit fetch. */
static void
auth_md_fetch(void)
{
	if ((auth_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("SHA-256 is not available");
}

void
auth_sha256(const void *s, size_t len, unsigned char out[AUTH_DIGEST])
{
	unsigned int mdlen = 0;

	pthread_once(&auth_md_once, auth_md_fetch);
	if (EVP_Digest(s, len, out, &mdlen, auth_md, NULL) != 1 ||
	    mdlen != AUTH_DIGEST)
		fatalx("SHA-256 failed");
}

void
auth_digest_hex(const unsigned char md[AUTH_DIGEST], char out[AUTH_HASH_HEX])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < AUTH_DIGEST; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * AUTH_DIGEST] = '\0';
}

void
auth_sha256_hex(const char *s, size_t len, char out[AUTH_HASH_HEX])
{
	unsigned char md[AUTH_DIGEST];

	auth_sha256(s, len, md);
	auth_digest_hex(md, out);
}

int
auth_code_hash(const char *code, char out[AUTH_HASH_HEX])
{
	char norm[AUTH_CODE_CHARS + 1];

	if (auth_code_normalise(code, norm) == -1)
		return -1;
	auth_sha256_hex(norm, AUTH_CODE_CHARS, out);
	OPENSSL_cleanse(norm, sizeof norm);
	return 0;
}

void
auth_token_new(char out[AUTH_TOKEN_CHARS])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_";
	unsigned char rnd[33];	/* 256 bits, padded to 264 for 44 sextets */
	int i, bit, v, j;

	auth_random(rnd, 32);
	rnd[32] = 0;
	/* 43 characters carry the 256 bits. */
	for (i = 0; i < AUTH_TOKEN_CHARS - 1; i++) {
		v = 0;
		for (j = 0; j < 6; j++) {
			bit = i * 6 + j;
			v = (v << 1) | ((rnd[bit / 8] >> (7 - bit % 8)) & 1);
		}
		out[i] = b64[v];
	}
	out[AUTH_TOKEN_CHARS - 1] = '\0';
	OPENSSL_cleanse(rnd, sizeof rnd);
}

int
auth_password_hash(const char *password, char out[AUTH_ARGON2_ENCODED])
{
	unsigned char salt[16];

	auth_random(salt, sizeof salt);
	return argon2id_hash_encoded(AUTH_ARGON2_T, AUTH_ARGON2_M_KIB,
	    AUTH_ARGON2_P, password, strlen(password), salt, sizeof salt, 32,
	    out, AUTH_ARGON2_ENCODED) == ARGON2_OK ? 0 : -1;
}

int
auth_password_verify(const char *encoded, const char *password)
{
	return argon2id_verify(encoded, password, strlen(password)) ==
	    ARGON2_OK;
}

static pthread_once_t auth_dummy_once = PTHREAD_ONCE_INIT;
static char auth_dummy[AUTH_ARGON2_ENCODED];

static void
auth_dummy_make(void)
{
	char pw[AUTH_TOKEN_CHARS];

	auth_token_new(pw);
	if (auth_password_hash(pw, auth_dummy) == -1)
		fatalx("cannot compute the dummy password hash");
	OPENSSL_cleanse(pw, sizeof pw);
}

const char *
auth_password_dummy(void)
{
	pthread_once(&auth_dummy_once, auth_dummy_make);
	return auth_dummy;
}

int64_t
auth_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
auth_time_format(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char tmp[32];

	gmtime_r(&t, &tm);
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", tmp, (int)(ms % 1000));
}

static int
auth_digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

int
auth_time_parse(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, frac = 0, scale = 1000, oh, om, sign;
	int64_t t;
	const char *p = s;

	if (auth_digits(&p, 4, &y) || *p++ != '-' ||
	    auth_digits(&p, 2, &mo) || *p++ != '-' ||
	    auth_digits(&p, 2, &d) || (*p != 'T' && *p != 't') || !*p++ ||
	    auth_digits(&p, 2, &h) || *p++ != ':' ||
	    auth_digits(&p, 2, &mi) || *p++ != ':' ||
	    auth_digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || y < 1970)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (auth_digits(&p, 2, &oh) || *p++ != ':' ||
		    auth_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		t -= sign * (oh * 3600 + om * 60);
	} else
		return -1;
	if (*p != '\0')
		return -1;
	*ms = t * 1000 + frac;
	return 0;
}
