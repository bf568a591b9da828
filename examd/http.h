/*
 * Requests, routing and replies. Every API handler is a row in a route
 * table (a module's `const struct route foo_routes[]`, listed in
 * routes.c) naming its method, path pattern and the roles it serves;
 * everything not in a table is a JSON 404 or 405. A handler ends in exactly
 * one http_reply*() or http_error(), now or later from a callback: the
 * request stays valid until then even if the client goes away.
 */
#ifndef EXAMD_HTTP_H
#define EXAMD_HTTP_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

struct evhttp_request;
struct evbuffer;
struct server;

/* Roles, as bits so a route can serve several. */
#define ROLE_PUBLIC		0x00	/* no sign-in needed */
#define ROLE_CANDIDATE		0x01
#define ROLE_ADMIN		0x02
#define ROLE_COORDINATOR	0x04
#define ROLE_PROCTOR		0x08
#define ROLE_GRADER		0x10
#define ROLE_STAFF	(ROLE_ADMIN | ROLE_COORDINATOR | ROLE_PROCTOR | ROLE_GRADER)

/* Who is asking: filled by the authenticator from the token, never from the URL or body. */
struct principal {
	int		 role;		/* one ROLE_* bit; 0 when not signed in */
	int64_t		 user_id;	/* staff user, or candidate registration */
	int64_t		 association_id;/* 0 for an administrator */
	int64_t		 session_id;
};

#define HTTP_MAX_PARAMS	4
#define HTTP_JSON_BODY	0x01	/* body must be a JSON object: req->body */
#define HTTP_RAW_BODY	0x02	/* handler reads req->evreq's input itself */
#define HTTP_CSV_BODY	0x04	/* with HTTP_JSON_BODY: a text/csv body is left
				   to the handler instead (req->body NULL) */

struct req;
typedef void (*route_fn)(struct req *);

struct route {
	const char	*method;	/* "GET", "POST", "PUT", "DELETE" */
	const char	*pattern;	/* "/api/v1/sittings/{sid}/candidates" */
	int		 roles;		/* ROLE_* mask; ROLE_PUBLIC for none */
	int		 flags;		/* HTTP_*_BODY */
	route_fn	 fn;
};

struct req {
	struct evhttp_request	*evreq;
	struct server		*srv;
	const struct route	*route;
	const char		*params[HTTP_MAX_PARAMS];	/* {x} segments, in order */
	char			*pathbuf;	/* owns params' storage */
	int			 nparams;
	struct principal	 who;
	json_t			*body;		/* HTTP_JSON_BODY routes */
	const char		*method;
	char			*path;		/* decoded path, no query */
	char			 peer[64];
	char			 id[17];	/* request id, for the audit trail */
	struct timespec		 t0;
	void			*conn;		/* server connection (opaque) */
	int			 reading;	/* see http_keep_reading() */
};

/*
 * The authenticator resolves "Authorization: Bearer T" (or the session
 * cookie) into req->who and calls http_authenticated(req, status) when done
 * (now or from a callback): 0 to go on, or an HTTP status to refuse with.
 */
typedef void (*http_auth_fn)(struct req *, const char *token);
void	http_set_authenticator(http_auth_fn);
void	http_authenticated(struct req *, int status);

/* Replies. Each ends the request; json is stolen. */
void	http_reply_json(struct req *, int status, json_t *json);
void	http_reply_buffer(struct req *, int status, const char *ctype,
	    struct evbuffer *body);
/*
 * JSON written by the caller's format: for the hottest replies only, whose
 * values are numbers, booleans and strings the server made of [a-z0-9_]
 * (nothing a client sent, nothing that needs escaping).
 */
void	http_reply_json_text(struct req *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	http_error(struct req *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 503 for a unit the store could not attempt or commit (STORE_E*). */
void	http_store_failed(struct req *, int rc);
/* 404 for a missing object or one that is not the caller's: the same reply. */
void	http_not_found(struct req *);

/*
 * Long-lived replies (text/event-stream). http_stream_start() sends the
 * head and takes the request over (req is freed). closed(arg) is called
 * once if the client goes away first; after http_stream_end() it is not.
 */
struct http_stream;
struct http_stream *http_stream_start(struct req *, void (*closed)(void *),
	    void *arg);
/* 0, or -1 when the client is not reading: end or abort the stream then. */
int	http_stream_write(struct http_stream *, const char *data, size_t len);
/* Ends the reply cleanly and frees the stream. */
void	http_stream_end(struct http_stream *);
/* Drops a stalled client: closes the connection; closed() follows. */
void	http_stream_abort(struct http_stream *);

/* Helpers for handlers. */
const char *http_header(struct req *, const char *name);
/* 1 when the request's Content-Type is text/csv. */
int	 http_body_is_csv(struct req *);
const char *http_query(struct req *, const char *name);	/* owned by req */
int64_t	 http_param_id(struct req *, int i);	/* -1 when not a positive integer */
/* Typed JSON fields: -1 and a 422 already sent on a bad or missing field. */
int	 http_json_string(struct req *, const char *key, int required,
	    size_t maxlen, const char **out);
int	 http_json_int(struct req *, const char *key, int required,
	    int64_t min, int64_t max, int64_t *out);

/* Called by the server for every request. */
void	http_dispatch(struct server *, struct evhttp_request *, void *conn);
/* Hands the path to the static pages when no API route matched. */
void	http_set_fallback(route_fn);
/* For the route-table tests: match a method and path. */
const struct route *http_route_find(const char *method, const char *path,
	    int *method_mismatch);

#endif
