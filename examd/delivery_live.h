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

/* One candidate as the loop knows it; id 0 until an attempt is built. */
struct dv_att {
	int64_t		 cid, id, sitting_id, association_id;
	int64_t		 opens_at, closes_at, admitted_at, completed_at;
	int64_t		 last_save_at, last_seen;
	char		*name;
	struct delivery_attempt a;
	struct sd_section *sec;		/* a.n_sections */
	int64_t		 due;		/* deadline + grace + 1 of the open part */
	size_t		 heap_idx;	/* in dv.heap when in_heap */
	int		 in_heap, closing;
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
/* Every cached candidate of a sitting with a part open (for sitting-wide
 * actions): malloc'd ids. */
int64_t		*dv_open_in_sitting(struct server *, int64_t sid, size_t *n);

/*
 * Submits open part pos of o at now inside tx: scores an MC part, writes
 * the part and the attempt, audits "section.submit" with a per-item save
 * count. rec gives the actor; its action, object and details are set here.
 * 0 or -1 (tx failed).
 */
int		 dv_submit_tx(struct store_tx *, struct sd_attempt *o, int pos,
		    const char *by, int64_t now, struct audit_rec *rec);

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
