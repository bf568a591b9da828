/*
 * Live pushes over Server-Sent Events. A stream subscribes to one topic
 * ("candidate:42", "sitting:7"); publishing to a topic queues the event to
 * every stream on it. Each topic keeps its last EXAMD_STREAM_RING events
 * so a client that reconnects with Last-Event-ID gets what it missed; if
 * those are gone (or examd restarted) it gets a "resync" event and should
 * refetch its state. Streams get a heartbeat comment every
 * EXAMD_STREAM_HEARTBEAT seconds; a client that stops reading is dropped.
 *
 * A stream lives no longer than the session that opened it: at each
 * heartbeat, if a commit revoked or extended a session (store_sessions_gen()
 * moved), a stream opened, a session's end by the clock has come, or
 * --stream-recheck (EXAMD_STREAM_RECHECK, 60 s) passed since the last look,
 * one read finds which streams' sessions have ended (revoked, expired, idle,
 * as auth.c judges a token) and those get a "session_ended" event and are
 * closed, as if the client had left (closed() runs). So a takeover, logout,
 * disabled account, new password or cancelled sitting closes the old
 * streams within one heartbeat (15 s); one made by examctl beside a running
 * examd moves no generation and is seen within the recheck and a heartbeat.
 *
 * An open stream is activity: its staff session's last activity is
 * written as a request's would be (auth_touch_every(): a quarter of the
 * idle timeout, at most a minute), in one unit for all streams, so a
 * proctor who only watches a sitting is not signed out as idle. The
 * absolute end (--session-max) still applies.
 */
#ifndef EXAMD_EVENTS_H
#define EXAMD_EVENTS_H

#include <jansson.h>

struct req;
struct server;

int	events_init(struct server *, char **errstr);
void	events_fini(struct server *);

/*
 * Turns req (already authorised for topic) into a stream. Replays events
 * after the request's Last-Event-ID, then sends "hello" with data
 * (stolen; may be NULL) unless hello is NULL. closed (may be NULL) is
 * called on the loop once the stream has gone (client away or dropped;
 * not at shutdown), after it stopped counting in events_subscribers().
 */
void	events_stream(struct req *, const char *topic, const char *hello,
	    json_t *data, void (*closed)(struct server *, const char *topic));
/* Queues an event to the topic's streams; data is stolen. */
void	events_publish(struct server *, const char *topic, const char *event,
	    json_t *data);
/* Streams open on a topic now (a candidate is connected). */
int	events_subscribers(struct server *, const char *topic);
/* Streams open now, for metrics and tests. */
int	events_open_streams(struct server *);

#endif
