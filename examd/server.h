/*
 * The daemon's front: the listening socket, TLS connections and their
 * limits, signals, and the objects every handler reaches through
 * req->srv. One thread owns the event base and everything on it.
 */
#ifndef EXAMD_SERVER_H
#define EXAMD_SERVER_H

#include "config.h"

struct event_base;
struct store;
struct pool;
struct async;
struct tls;

struct server {
	struct config		*cfg;
	struct event_base	*base;
	struct store		*store;
	struct async		*async;
	struct pool		*pool;		/* hashing, reports */
	struct tls		*tls;
	void			*priv;		/* server.c's own state */
	void			*mod[8];	/* per-module state, by MOD_* index */
};

/* Indexes into server.mod for modules that keep state on the server. */
#define MOD_AUTH	0
#define MOD_DELIVERY	1
#define MOD_EVENTS	2
#define MOD_WEB		3

/* Builds everything and binds; -1 and errstr (caller frees) on failure. */
int	server_init(struct server *, struct config *, char **errstr);
/* Runs the loop until SIGTERM/SIGINT has drained in-flight work. */
int	server_run(struct server *);
void	server_free(struct server *);

/*
 * A module: its routes and optional start/stop hooks. init runs after the
 * store is open and before examd accepts connections; fini before the
 * store closes. The list is modules.c: adding a module adds a row there.
 */
struct route;
struct module {
	const char		*name;
	const struct route	*routes;	/* NULL-pattern terminated, or NULL */
	int			(*init)(struct server *, char **errstr);
	void			(*fini)(struct server *);
};
extern const struct module server_modules[];	/* name NULL terminated */

/* http.c tells the connection that its request has been answered. */
void	server_request_done(struct server *, void *conn);
/*
 * The two halves of server_request_done, for streams: a stream stops
 * counting as in flight when it starts (SIGTERM does not wait for it) but
 * keeps its connection busy (no idle deadline) until it ends.
 */
void	server_inflight_done(struct server *);
void	server_conn_release(struct server *, void *conn);
/* Requests answered over the process's life, and in flight now. */
int	server_inflight(struct server *);

#endif
