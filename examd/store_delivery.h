/*
 * Storage for delivery (store_delivery.c): attempts, their parts and
 * clocks, MC answers and essay responses (schema/005_delivery.sql).
 *
 * Readers taking a struct store run on the loop thread through the read
 * connection; the *_tx functions run inside a unit on the writer thread
 * and see that unit's transaction (the truth a save re-checks). Readers
 * return 1 found, 0 not found, -1 on error (logged); writers return 0, or
 * -1 after store_tx_fail().
 */
#ifndef EXAMD_STORE_DELIVERY_H
#define EXAMD_STORE_DELIVERY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "delivery.h"

struct store;
struct store_tx;

#define SD_IDENT_MAX	64	/* section identifiers, track codes */
#define SD_TITLE_MAX	200
#define SD_ORDER_MAX	1024	/* an item's choice order as JSON */
#define SD_REQUIRE_MAX	512	/* an essay rule's groups as JSON */
#define SD_CHOICE_MAX	64	/* an original choice id */

/* A candidate and the sitting they are registered for. */
struct sd_candidate {
	int64_t		 id, sitting_id, association_id;
	char		 name[SD_TITLE_MAX + 1];
	char		 track[SD_IDENT_MAX + 1];
	char		 exam_id[SD_TITLE_MAX + 1];
	char		 admission_mode[16];
	char		 sitting_status[16];	/* "scheduled", "cancelled" */
	char		 status[24];	/* candidates.status (schema/006) */
	int64_t		 window_closed_at, sitting_paused_at;
	double		 multiplier;
	int64_t		 extra_ms_mc, extra_ms_essay;
	int64_t		 opens_at, closes_at;
};

struct sd_section {
	char		 ident[SD_IDENT_MAX + 1];
	char		 title[SD_TITLE_MAX + 1];
	int		 kind;		/* BANK_MC or BANK_ESSAY */
	int		 cut_percent;
	int		 n_items;	/* MC items or essay prompts */
	char		 submitted_by[16];	/* "" until submitted */
	int		 essay_answer;
	char		 essay_require[SD_REQUIRE_MAX + 1];
};

/* An attempt as stored, with its sitting's window. */
struct sd_attempt {
	int64_t		 id, candidate_id, sitting_id, association_id;
	char		 form_id[SD_TITLE_MAX + 1];
	char		 track[SD_IDENT_MAX + 1];
	int64_t		 opens_at, closes_at;
	int64_t		 admitted_at, completed_at, last_save_at;
	int64_t		 window_closed_at, sitting_paused_at;	/* the sitting's */
	struct delivery_attempt a;
	struct sd_section sec[EXAMD_MAX_SECTIONS];
};

/* An attempt to insert: built on the loop from the form and the seed. */
struct sd_plan_item {
	int64_t		 item_id;
	char		*choice_order;	/* MC: JSON array (malloc'd) */
	char		*category;	/* essay: group names or NULL (borrowed) */
};
struct sd_plan_section {
	const char	*ident, *title;	/* borrowed from the form */
	int		 kind, cut_percent;
	int64_t		 limit_ms, extra_ms;
	int32_t		 multiplier;
	int		 essay_answer;
	char		*essay_require;	/* JSON (malloc'd) */
	size_t		 n;
	struct sd_plan_item *items;
};
struct sd_plan {
	int64_t		 candidate_id, sitting_id, association_id;
	const char	*form_id, *track;
	uint64_t	 seed;
	int64_t		 now;
	size_t		 n_sections;
	struct sd_plan_section sections[EXAMD_MAX_SECTIONS];
};

/* An MC item row. */
struct sd_answer {
	int		 n;
	int64_t		 item_id;
	char		 choice_order[SD_ORDER_MAX + 1];
	char		 answer[SD_CHOICE_MAX + 1];	/* "" for none */
	int		 flagged;
	int64_t		 seq, saved_at;
};

/* An essay row; text only in store_essays_list(). */
struct sd_essay {
	char		 pid[8];
	int		 n;
	int64_t		 item_id;
	char		 category[SD_TITLE_MAX + 1];
	int		 chosen;
	int64_t		 words, seq, saved_at;
	const char	*text;		/* valid during the callback only */
	size_t		 text_len;
};

/* One part of a candidate's attempt, as a save re-checks it. */
struct sd_slot {
	int64_t		 attempt_id;
	enum delivery_attempt_state astate;
	int		 kind;		/* BANK_MC or BANK_ESSAY */
	struct delivery_section s;
	int		 essay_answer;
	char		 essay_require[SD_REQUIRE_MAX + 1];
};

/* A roster row: the candidate and, if built, the attempt id. */
struct sd_roster_row {
	int64_t		 candidate_id, attempt_id;
	const char	*name;		/* valid during the callback only */
	int		 signed_in;	/* has had a session */
	const char	*status;	/* candidates.status; as name */
};

/* A sitting as the window's closing pass and the pause see it. */
struct sd_window {
	int64_t		 id, association_id;
	int64_t		 opens_at, closes_at, window_closed_at, paused_at;
	int		 cancelled;
};

/* Candidates of a sitting, for store_sitting_ids_tx(). */
enum sd_which {
	SD_OPEN,		/* with a part open (not void) */
	SD_UNSTARTED,		/* admitted or between parts: a part to start */
	SD_NOT_ADMITTED		/* registered or waiting, no attempt */
};

int	store_dcandidate_get(struct store *, int64_t candidate_id,
	    struct sd_candidate *);
int	store_attempt_get(struct store *, int64_t candidate_id,
	    struct sd_attempt *);
int	store_attempt_get_tx(struct store_tx *, int64_t candidate_id,
	    struct sd_attempt *);
/* Part pos of the candidate's attempt, in the unit's transaction. */
int	store_slot_tx(struct store_tx *, int64_t candidate_id, int pos,
	    struct sd_slot *);
/* Candidates with a part open now (start-up, outages). *ids malloc'd. */
int	store_attempts_open(struct store *, int64_t **ids, size_t *n);
int	store_attempts_open_tx(struct store_tx *, int64_t **ids, size_t *n);

typedef int (*sd_answer_fn)(const struct sd_answer *, void *arg);
typedef int (*sd_essay_fn)(const struct sd_essay *, void *arg);
typedef int (*sd_roster_fn)(const struct sd_roster_row *, void *arg);
int	store_answers_list(struct store *, int64_t attempt_id, int pos,
	    sd_answer_fn, void *arg);
int	store_essays_list(struct store *, int64_t attempt_id, int pos,
	    sd_essay_fn, void *arg);
int	store_roster_list(struct store *, int64_t sitting_id, sd_roster_fn,
	    void *arg);
/* Sittings not cancelled whose window examd has not closed yet. */
typedef void (*sd_sitting_fn)(int64_t sitting_id, int64_t closes_at,
	    void *arg);
int	store_sittings_unclosed(struct store *, sd_sitting_fn, void *arg);
int	store_sitting_window_tx(struct store_tx *, int64_t sitting_id,
	    struct sd_window *);
/* Sittings not cancelled nor closed whose window closes in (from, until],
 * *v malloc'd (NULL for none): the ones an outage took the end of. */
int	store_sittings_closing_tx(struct store_tx *, int64_t from,
	    int64_t until, struct sd_window **v, size_t *n);
/* Candidate ids in id order, *ids malloc'd (NULL for none). */
int	store_sitting_ids_tx(struct store_tx *, int64_t sitting_id,
	    enum sd_which, int64_t **ids, size_t *n);

/* ---- writes ---- */

/* A candidate's attempt with its parts, items and prompts; marks the
 * form and items used. STORE_DUP (1) when the candidate has one. */
int	store_attempt_insert(struct store_tx *, const struct sd_plan *,
	    int64_t *attempt_id);
/* A void attempt for a candidate never admitted (no parts). */
int	store_attempt_insert_void(struct store_tx *, int64_t candidate_id,
	    int64_t sitting_id, int64_t association_id, const char *form_id,
	    const char *track, const char *reason, int64_t now,
	    int64_t *attempt_id);
/* The attempt's state, admission and completion times, void reason. */
int	store_attempt_put(struct store_tx *, const struct sd_attempt *,
	    const char *void_reason);
/* Part pos's state and clock; submitted_by NULL keeps it. */
int	store_section_put(struct store_tx *, const struct sd_attempt *,
	    int pos, const char *submitted_by);
/* candidates.status = 'absent' (never admitted; the window closed). */
int	store_candidate_absent(struct store_tx *, int64_t candidate_id);
/* The window of sitting sid closes at `to`, not `from`: its candidates'
 * live sessions that were to end with it end with it still. */
int	store_sitting_window_move(struct store_tx *, int64_t sitting_id,
	    int64_t from, int64_t to);
/* The candidate's live sessions last at least until `until` (ms). */
int	store_sessions_keep(struct store_tx *, int64_t candidate_id,
	    int64_t until);
int	store_sitting_closed_put(struct store_tx *, int64_t sitting_id,
	    int64_t at);
/* The sitting-wide pause: since (ms), or 0 to lift it. */
int	store_sitting_paused_put(struct store_tx *, int64_t sitting_id,
	    int64_t since);
int	store_clock_log(struct store_tx *, int64_t attempt_id, int pos,
	    const char *kind, int64_t ms, const char *reason, int64_t user_id,
	    int64_t at);

int	store_answer_get_tx(struct store_tx *, int64_t attempt_id, int pos,
	    int n, struct sd_answer *);
int	store_answer_put(struct store_tx *, int64_t attempt_id, int pos, int n,
	    const char *answer, int flagged, int64_t seq, int64_t now);
/* Every prompt of the part (without text), n at most max. */
int	store_essays_tx(struct store_tx *, int64_t attempt_id, int pos,
	    struct sd_essay *out, size_t max, size_t *n);
int	store_essay_put(struct store_tx *, int64_t attempt_id, int pos,
	    const char *pid, const char *text, size_t len, int64_t words,
	    int chosen, int64_t seq, int64_t now);

/* MC scoring: the answers (NULL: none) and keys in candidate order,
 * malloc'd; free with store_mc_keyed_free(). */
int	store_mc_keyed_tx(struct store_tx *, int64_t attempt_id, int pos,
	    char ***answers, char ***keys, size_t *n);
void	store_mc_keyed_free(char **answers, char **keys, size_t n);
int	store_mc_score_put(struct store_tx *, int64_t attempt_id, int pos,
	    const struct delivery_score *);
/* {"1": saves, ...} (MC by n) or {"p1": saves, ...} (essays) into obj. */
int	store_saves_summary_tx(struct store_tx *, int64_t attempt_id, int pos,
	    json_t *obj);

#endif
