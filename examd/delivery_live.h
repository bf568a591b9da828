/*
 * The live side of delivery, private to delivery_live.c and
 * delivery_api.c: the in-process state of attempts (clocks kept so that
 * reads need no database), the deadline timer that submits parts at
 * deadline + grace, time sync, the heartbeat and the restart credit, and
 * the events pushed to candidates ("candidate:ID") and proctors
 * ("sitting:SID").
 *
 * The database is the truth: every unit that changes an attempt re-reads
 * it inside its transaction, and its done callback hands the state it
 * wrote to dv_apply(), which is the only way the cache changes.
 */
#ifndef EXAMD_DELIVERY_LIVE_H
#define EXAMD_DELIVERY_LIVE_H

#include <stdint.h>

#include <jansson.h>

#include "delivery.h"
#include "store_delivery.h"

struct server;
struct store_tx;
struct audit_rec;

#define DV_SYNC_SECONDS		30	/* "time" events to connected candidates */
#define DV_HEARTBEAT_SECONDS	5	/* meta heartbeat_ms, for the restart credit */
#define DV_CONNECTED_MS		60000	/* a request this recent counts as connected */
#define DV_RETRY_MS		1000	/* a server submission whose commit failed */
#define DV_FORGET_MS		(3600 * 1000)	/* idle candidates with no part open leave memory */
#define DV_COALESCE_MS		250	/* parts due this close together close in one pass */
#define DV_SESSION_SLACK_MS	(10 * 60 * 1000)	/* a session outlives its part: read the result page */
#define DV_SESSION_PAUSE_MS	(3600 * 1000)	/* a paused part's session: an hour ahead, renewed at resume */

struct dv_att;
struct dv_sit;

/* An entry of the deadline heap: an attempt's running part, or a
 * sitting's window (exactly one of att, sit). */
struct dv_due {
	int64_t		 due;		/* ms */
	size_t		 idx;		/* in dv.heap when in_heap */
	int		 in_heap;
	struct dv_att	*att;
	struct dv_sit	*sit;
};

/* One candidate as the loop knows it; id 0 until an attempt is built. */
struct dv_att {
	int64_t		 cid, id, sitting_id, association_id;
	int64_t		 opens_at, closes_at, admitted_at, completed_at;
	int64_t		 window_closed_at, sitting_paused_at;
	int64_t		 last_save_at, last_seen;
	int64_t		 stream_closed_at;	/* the last event stream's end */
	char		*name;
	char		 status[24];	/* candidates.status while id == 0 */
	struct delivery_attempt a;
	struct sd_section *sec;		/* a.n_sections */
	struct dv_due	 hd;		/* due: deadline + grace + 1 of the open part */
	int		 closing;
	struct dv_att	*next;
};

/* Wall-clock ms, advanced by the monotonic clock since start-up. */
int64_t		 dv_now(void);

int		 dv_init(struct server *, char **errstr);
void		 dv_fini(struct server *);

/* The candidate's state, loaded on a miss. NULL on a store error or an
 * unknown candidate. */
struct dv_att	*dv_get(struct server *, int64_t cid);
/* Index of the part named ident, or -1. */
int		 dv_section(const struct dv_att *, const char *ident);
/* A unit's result becomes the cached state; timers re-armed. */
void		 dv_apply(struct server *, const struct sd_attempt *);
void		 dv_apply_state(struct server *, int64_t cid,
		    const struct delivery_attempt *, int64_t completed_at,
		    int pos, const char *submitted_by);

/*
 * Submits open part pos of o at now inside tx: scores an MC part, writes
 * the part and the attempt, audits "section.submit" with a per-item save
 * count and the reason (a proctor's; NULL for none). rec gives the actor;
 * its action, object and details are set here.
 * 0 or -1 (tx failed).
 */
int		 dv_submit_tx(struct store_tx *, struct sd_attempt *o, int pos,
		    const char *by, const char *reason, int64_t now,
		    struct audit_rec *rec);

/*
 * Once the sitting's window has closed no part can start, so every part of
 * o not started is forfeited at now inside tx: submitted by "forfeit" with
 * nothing answered (an MC part scored as such), the attempt complete,
 * audited "section.forfeit". Nothing happens while a part is open (it runs
 * to its own deadline, and its submission calls this again), before the
 * window closes, or to a void or complete attempt. The number of parts
 * forfeited, or -1 (tx failed).
 */
int		 dv_forfeit_tx(struct store_tx *, struct sd_attempt *o,
		    int64_t now);
/* Tells the candidate ("submitted", by "forfeit") of each part that was
 * not started in `was` and is submitted in t->a. */
void		 dv_notify_forfeits(struct server *, const struct dv_att *,
		    const struct delivery_attempt *was);
/* The sitting-wide pause changed: every cached candidate of the sitting. */
void		 dv_sitting_paused(struct server *, int64_t sid, int64_t since);
/* An event stream on "candidate:ID" closed: the roster hears of it. */
void		 dv_stream_closed(struct server *, const char *topic);

/*
 * A candidate's session ends when the sitting's window closes (auth.c),
 * but a part started before then runs to its own deadline: keeps the
 * candidate's sessions alive until the open part's deadline + grace +
 * DV_SESSION_SLACK_MS (a paused part: as if resumed DV_SESSION_PAUSE_MS
 * from now). Call it in every unit that starts a part or moves its
 * deadline. 0 or -1 (tx failed).
 */
int		 dv_session_keep_tx(struct store_tx *, const struct sd_attempt *o,
		    int64_t now);

/* {"section","remaining_ms","deadline","paused"} for the open part, or
 * {"section":null}. */
json_t		*dv_time_json(const struct dv_att *, int64_t now);
/* The roster row of CONTRACT.md. */
json_t		*dv_roster_row(struct server *, const struct dv_att *,
		    int signed_in, int64_t now);
/* Publish to the candidate's topic (data stolen), and the roster row to
 * the sitting's. */
void		 dv_notify(struct server *, const struct dv_att *,
		    const char *event, json_t *data);
/* RFC 3339 or JSON null for 0. */
json_t		*dv_time_or_null(int64_t ms);

#endif
