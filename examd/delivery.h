/*
 * delivery.h: the rules of an exam attempt, with no I/O.
 *
 * Pure C: no clock reads, no randomness source, no database, no network, no
 * logging, no globals. Every function takes the current time, the seed or
 * the stored state as arguments, so the rules can be unit-tested directly
 * (tests/unit/test_delivery*.c) and the I/O layer (store tables, HTTP
 * handlers, timers, event streams) only loads, calls and persists.
 *
 * Files: delivery.c (attempt and section states, sequence numbers, MC
 * scoring), delivery_time.c (section clocks), delivery_shuffle.c (seeded
 * item and option order, candidate-facing choice ids), delivery_essay.c
 * (UTF-8, word count, the "answer K of N" rule).
 *
 * Errors: functions that take `char **errstr` set, on refusal, *errstr to a
 * malloc'd sentence for a person (if errstr is not NULL and *errstr is still
 * NULL); the caller frees it with free(). On success *errstr is untouched.
 *
 * Time: every time is an int64 count of milliseconds. Persisted instants
 * (started_at, paused_since, submitted_at, heartbeats) are wall-clock Unix
 * epoch milliseconds; 0 means "not yet". In process the daemon should derive
 * `now` from the monotonic clock (now = wall time at start-up + monotonic
 * time elapsed since), so a wall-clock step does not move a deadline.
 */
#ifndef EXAMD_DELIVERY_H
#define EXAMD_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

/* ---- Attempt and section states ---- */

/*
 * An attempt (one candidate at one sitting):
 *
 *   registered -> waiting -> admitted -> in_section <-> between_sections
 *                                            |              |
 *                                            +--> complete <+
 *   admitted -> between_sections | complete when parts are forfeited
 *   unstarted (the window closed), and any state but void -> void (void is
 *   final; complete -> void voids a finished attempt before release).
 *
 * waiting: signed in, waiting to be admitted. in_section: exactly one part
 * open. between_sections: no part open, at least one not started.
 * complete: every part submitted (or forfeited). Pause is not a state: it
 * belongs to the open part's clock (struct delivery_clock).
 */
enum delivery_attempt_state {
	DELIVERY_ATTEMPT_REGISTERED = 0,
	DELIVERY_ATTEMPT_WAITING,
	DELIVERY_ATTEMPT_ADMITTED,
	DELIVERY_ATTEMPT_IN_SECTION,
	DELIVERY_ATTEMPT_BETWEEN_SECTIONS,
	DELIVERY_ATTEMPT_COMPLETE,
	DELIVERY_ATTEMPT_VOID
};

/* A part: not_started -> open -> submitted; not_started -> submitted is a
 * forfeit (the window closed before the candidate started it). A submitted
 * part never reopens. */
enum delivery_section_state {
	DELIVERY_SECTION_NOT_STARTED = 0,
	DELIVERY_SECTION_OPEN,
	DELIVERY_SECTION_SUBMITTED
};

/*
 * The clock of one part. All fields are persisted as they are.
 *
 * allowance = limit_ms + multiplier extra + extra_ms + extended_ms, where
 *   the multiplier extra is limit_ms * (multiplier - 1000) / 1000 rounded
 *   UP to a whole second (in the candidate's favour);
 * deadline  = started_at + allowance + paused_total_ms.
 * While paused (paused_since != 0) the remaining time is frozen at
 * deadline - paused_since; resuming adds the pause to paused_total_ms, which
 * moves the deadline by exactly the paused time.
 */
struct delivery_clock {
	int64_t	 started_at;	/* 0: not started */
	int64_t	 limit_ms;	/* the form's limit for the part, > 0 */
	int32_t	 multiplier;	/* per mille: 1000 = 1x, 1500 = 1.5x; 1000..EXAMD_MAX_TIME_MULTIPLIER */
	int64_t	 extra_ms;	/* accommodation: extra time per part */
	int64_t	 extended_ms;	/* proctor extensions, total */
	int64_t	 paused_total_ms; /* finished pauses + server downtime credited */
	int64_t	 paused_since;	/* 0: running */
	int64_t	 submitted_at;	/* 0: not submitted */
};

struct delivery_section {
	enum delivery_section_state state;
	struct delivery_clock clock;
};

/* Plain data: copy it, keep it on the stack; nothing to free. */
struct delivery_attempt {
	enum delivery_attempt_state state;
	uint64_t seed;		/* item/option order; from a CSPRNG at registration */
	size_t	 n_sections;	/* parts of the form, 1..EXAMD_MAX_SECTIONS */
	struct delivery_section sections[EXAMD_MAX_SECTIONS];	/* form order */
};

/*
 * Build an attempt in state registered: every part not started, its clock
 * holding limit_ms[i], `multiplier` (per mille) and `extra_ms`.
 * Refuses n_sections outside 1..EXAMD_MAX_SECTIONS, limits outside
 * 1..QTI_MAX_TIME_MS (a day), a multiplier outside 1000..EXAMD_MAX_TIME_MULTIPLIER,
 * extra_ms outside 0..EXAMD_MAX_EXTRA_MS. 0 or -1 + errstr.
 */
int	 delivery_attempt_init(struct delivery_attempt *, uint64_t seed,
	    size_t n_sections, const int64_t *limit_ms, int32_t multiplier,
	    int64_t extra_ms, char **errstr);

/*
 * The one setter of an attempt's state. Refuses (-1 + errstr, state
 * unchanged) a transition not in the diagram above, and one that does not
 * match the parts: in_section needs exactly one open part, between_sections
 * none open and one not started, complete every part submitted.
 * Setting the current state again is refused too (it is never meant).
 * Handlers normally go through the section functions below, which set the
 * parts and then call this.
 */
int	 delivery_attempt_set(struct delivery_attempt *,
	    enum delivery_attempt_state to, char **errstr);
/* Would delivery_attempt_set() accept from -> to, by the diagram alone? */
bool	 delivery_attempt_transition_ok(enum delivery_attempt_state from,
	    enum delivery_attempt_state to);

/* Names for storage and JSON: "registered", "waiting", "admitted",
 * "in_section", "between_sections", "complete", "void"; and "not_started",
 * "open", "submitted" (CONTRACT.md's section status). Parse returns 0 or -1
 * for an unknown name (exact, case-sensitive). */
const char *delivery_attempt_state_name(enum delivery_attempt_state);
int	 delivery_attempt_state_parse(const char *,
	    enum delivery_attempt_state *);
const char *delivery_section_state_name(enum delivery_section_state);
int	 delivery_section_state_parse(const char *,
	    enum delivery_section_state *);

/*
 * Start part `idx` at `now`. Legal when the attempt is admitted or
 * between_sections, every earlier part is submitted (parts go in form
 * order), the part is not started, and opens_at <= now < closes_at (the
 * sitting's window; 0 for no bound). A part already started is not
 * affected by the window closing: it runs to its own deadline.
 * Sets the part open (clock.started_at = now) and the attempt in_section.
 */
int	 delivery_section_start(struct delivery_attempt *, size_t idx,
	    int64_t now, int64_t opens_at, int64_t closes_at, char **errstr);

/*
 * Submit open part `idx` at `now` (candidate, proctor or deadline: the
 * caller has checked who may; a candidate's submission should first pass
 * delivery_attempt_may_save()). A pause in progress is ended at `now`.
 * The attempt becomes between_sections, or complete after the last part.
 */
int	 delivery_section_submit(struct delivery_attempt *, size_t idx,
	    int64_t now, char **errstr);

/*
 * Forfeit part `idx`, not started, at `now`: the window closed (or the
 * sitting ended) before the candidate started it; it is scored empty.
 * Legal when no part is open. Forfeiting the last remaining part completes
 * the attempt.
 */
int	 delivery_section_forfeit(struct delivery_attempt *, size_t idx,
	    int64_t now, char **errstr);

/* The index of the open part, or -1. */
int	 delivery_attempt_open_section(const struct delivery_attempt *);

/* May a candidate write to part `idx` now? (answers, essays, submit) */
enum delivery_save {
	DELIVERY_SAVE_OK = 0,
	DELIVERY_SAVE_NOT_OPEN,	/* 409 section_not_open: not started */
	DELIVERY_SAVE_CLOSED,	/* 409 section_closed: submitted, or past deadline + grace */
	DELIVERY_SAVE_PAUSED,	/* 409 paused */
	DELIVERY_SAVE_VOID	/* 409 attempt_void */
};
enum delivery_save delivery_attempt_may_save(const struct delivery_attempt *,
	    size_t idx, int64_t now, int64_t grace_ms);
/* The JSON error code for a refusal ("section_not_open", "section_closed",
 * "paused", "attempt_void"); "ok" for DELIVERY_SAVE_OK. */
const char *delivery_save_code(enum delivery_save);

/* The open part whose time is up (past deadline + grace, not paused): the
 * server must submit it now. -1 if none (also for void attempts). */
int	 delivery_attempt_due(const struct delivery_attempt *, int64_t now,
	    int64_t grace_ms);

/* ---- Time (delivery_time.c) ---- */

/* Parse a JSON time_multiplier (1.5) into per mille (1500), rounded to the
 * nearest per mille; refuses NaN and values outside 1.0..MAX. */
int	 delivery_multiplier_from_double(double, int32_t *permille,
	    char **errstr);

/* The time the part grants, not counting pauses (see struct above). */
int64_t	 delivery_clock_allowance(const struct delivery_clock *);
/* started_at + allowance + paused_total_ms; 0 if not started. While paused
 * it does not yet include the pause in progress. */
int64_t	 delivery_clock_deadline(const struct delivery_clock *);
/* Time left at `now`, >= 0: the allowance if not started, 0 once submitted,
 * frozen (deadline - paused_since) while paused. The network grace is not
 * shown to anyone. */
int64_t	 delivery_clock_remaining(const struct delivery_clock *, int64_t now);

/* The time rule of a save, for the clock alone (see delivery_attempt_may_save):
 * OK up to and including deadline + grace_ms, CLOSED after it or once
 * submitted, NOT_OPEN before the start, PAUSED while paused. */
enum delivery_save delivery_clock_may_save(const struct delivery_clock *,
	    int64_t now, int64_t grace_ms);
/* Started, not submitted, not paused and now > deadline + grace_ms. */
bool	 delivery_clock_is_due(const struct delivery_clock *, int64_t now,
	    int64_t grace_ms);

/* Pause at `now`: refused unless started, running, not submitted and
 * now < deadline. Resume at `now`: refused unless paused; a `now` before
 * paused_since (a wall-clock step) counts as a pause of 0. */
int	 delivery_clock_pause(struct delivery_clock *, int64_t now,
	    char **errstr);
int	 delivery_clock_resume(struct delivery_clock *, int64_t now,
	    char **errstr);
/* Grant `ms` more (> 0; no taking time back) to a part not submitted; the
 * total granted may not exceed EXAMD_MAX_EXTRA_MS. */
int	 delivery_clock_extend(struct delivery_clock *, int64_t ms,
	    char **errstr);

/*
 * Downtime credit (a restart, a store outage): nothing could be saved from
 * `heartbeat_at` until `now`. A part that was open, running and still
 * taking saves then (its deadline + grace_ms after heartbeat_at) gets now -
 * heartbeat_at (now - started_at if it started after) added to
 * paused_total_ms, so it stands as it stood then, the grace left included;
 * returns the credit (0 if none: not open, paused (the pause already
 * stopped its clock), deadline + grace passed before heartbeat_at, or now
 * <= heartbeat_at). Afterwards delivery_clock_is_due() says which parts to
 * submit with what was saved.
 */
int64_t	 delivery_clock_credit_downtime(struct delivery_clock *,
	    int64_t heartbeat_at, int64_t now, int64_t grace_ms);

/*
 * The same credit for a sitting's window: one that closed while nothing
 * could be saved, in (from, until], gets the part of it lost then
 * (closes_at - max(opens_at, from)) back from `until`, so nobody loses a
 * chance to sign in or start a part to the outage. Returns the new
 * closes_at, or 0 when the window did not close in (from, until].
 */
int64_t	 delivery_window_credit(int64_t opens_at, int64_t closes_at,
	    int64_t from, int64_t until);

/* ---- Item and option order (delivery_shuffle.c) ---- */

/*
 * Orders are permutations: perm[pos] = the original index (in the form /
 * the item) shown at 0-based position pos. They are drawn from the
 * attempt's seed with xoshiro256** (seeded through splitmix64 from the seed
 * and the stream numbers) and unbiased Fisher-Yates, so the same seed always
 * gives the same orders on every platform; store them anyway (the store is
 * the record, the seed a check).
 */
/* Item order of part `section` (n items). */
void	 delivery_shuffle_items(uint64_t seed, uint32_t section, size_t n,
	    size_t *perm);
/*
 * Option order of the item shown at position `item_pos` of part `section`.
 * With shuffle false (QTI shuffle="false") the order is the original one.
 * fixed[i] (may be NULL) keeps original choice i at position i (QTI
 * fixed="true"); the others are shuffled among the remaining positions.
 */
void	 delivery_shuffle_choices(uint64_t seed, uint32_t section,
	    uint32_t item_pos, size_t n, bool shuffle, const bool *fixed,
	    size_t *perm);
/* Is perm a permutation of 0..n-1? (check orders loaded from the store) */
bool	 delivery_perm_valid(const size_t *perm, size_t n);

/*
 * Candidate-facing choice ids are the letters "a", "b", ... by displayed
 * position: they say only where the option is shown, which the candidate
 * sees anyway, and since the order is per candidate "b" is a different
 * original choice for different candidates. At most 26 choices.
 * delivery_choice_id writes the id of position pos into out (2 bytes with
 * the NUL) and returns 0, or -1 if pos >= n (n <= 26).
 * delivery_choice_parse returns the position of a candidate's id among n
 * choices, or -1 (anything but one lower-case letter in range).
 * delivery_choice_original maps a candidate's id to the original choice
 * index through the item's option order, or -1.
 */
int	 delivery_choice_id(size_t pos, size_t n, char out[2]);
int	 delivery_choice_parse(const char *id, size_t n);
int	 delivery_choice_original(const char *id, const size_t *perm, size_t n);

/* The underlying generator, exposed for tests and for other seeded draws. */
struct delivery_rng {
	uint64_t s[4];
};
uint64_t delivery_splitmix64(uint64_t *state);
void	 delivery_rng_init(struct delivery_rng *, uint64_t seed,
	    uint64_t stream_a, uint64_t stream_b);
uint64_t delivery_rng_next(struct delivery_rng *);
/* Uniform in 0..n-1 (n >= 1), without modulo bias. */
uint64_t delivery_rng_below(struct delivery_rng *, uint64_t n);

/* ---- Essays (delivery_essay.c) ---- */

/*
 * Strict UTF-8: refuses overlong forms, surrogates (U+D800..U+DFFF), code
 * points above U+10FFFF, truncated sequences and NUL.
 */
bool	 delivery_utf8_valid(const char *, size_t);

/*
 * Words, counted on the server: a word is a maximal run of non-whitespace
 * code points holding at least one letter or digit. Whitespace is Unicode
 * White_Space (ASCII space, \t \n \v \f \r, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) plus U+200B and
 * U+FEFF. Letters and digits: ASCII A-Z a-z 0-9 and every non-ASCII code
 * point outside the punctuation and symbol blocks listed in delivery_essay.c
 * (Latin-1 punctuation, General Punctuation, arrows/math/technical/box/
 * shapes/dingbats, CJK punctuation, full-width ASCII punctuation, emoji).
 * So "well-being" and "and/or" are one word, a lone "-" or "—" none, and
 * text without spaces (Chinese, Japanese) one word per run: the exam is in
 * English and the count guides the candidate, it is not scored. Invalid
 * UTF-8 bytes count as symbols (validate first).
 */
size_t	 delivery_word_count(const char *, size_t);

/* An essay save's text: OK, TOO_LARGE (len > EXAMD_MAX_ESSAY_BYTES: 413
 * essay_too_large) or BAD_UTF8 (422 invalid_utf8). */
enum delivery_text {
	DELIVERY_TEXT_OK = 0,
	DELIVERY_TEXT_TOO_LARGE,
	DELIVERY_TEXT_BAD_UTF8
};
enum delivery_text delivery_essay_text_check(const char *, size_t);

/*
 * A track's essay rule (items/README.md): answer exactly `answer` (K) of the
 * prompts, with at least require[i].min answers from group require[i].group.
 * A prompt's categories are space-separated group names (NULL: none); a
 * prompt counts towards every group it names.
 */
struct delivery_essay_group {
	const char	*group;
	int		 min;
};
struct delivery_essay_rule {
	int		 answer;
	const struct delivery_essay_group *require;
	size_t		 n_require;	/* <= EXAMD_MAX_ESSAY_PROMPTS */
};
struct delivery_essay_prompt {
	const char	*id;
	const char	*categories;
};

enum delivery_essay {
	DELIVERY_ESSAY_OK = 0,
	DELIVERY_ESSAY_TOO_MANY,	/* choosing/answering more than K */
	DELIVERY_ESSAY_GROUP_BLOCKED,	/* the choice leaves a group minimum unreachable */
	DELIVERY_ESSAY_TOO_FEW,		/* submitting fewer than K */
	DELIVERY_ESSAY_GROUP_SHORT,	/* submitting with a group below its minimum */
	DELIVERY_ESSAY_BAD_RULE		/* index out of range, too many prompts, K < 1 */
};

/*
 * A prompt is chosen once it holds a saved response; the set is given as
 * flags parallel to prompts (n <= EXAMD_MAX_ESSAY_PROMPTS).
 * may_choose: may prompt `idx` be added to `chosen`? OK if it already is;
 * TOO_MANY if K are chosen; GROUP_BLOCKED if no way remains to complete K
 * answers meeting every minimum (e.g. IMHM-C: a second clinical vignette
 * leaves no room for the supervisory one).
 * check_submit: the candidate's submission, `answered` = prompts whose
 * response has at least one word: exactly K, every minimum met.
 * A forced submission (deadline, proctor) checks nothing: whatever was
 * chosen counts, with its last saved text.
 * Both return the verdict and, on refusal, an errstr naming the rule.
 */
enum delivery_essay delivery_essay_may_choose(const struct delivery_essay_rule *,
	    const struct delivery_essay_prompt *, size_t n, const bool *chosen,
	    size_t idx, char **errstr);
enum delivery_essay delivery_essay_check_submit(const struct delivery_essay_rule *,
	    const struct delivery_essay_prompt *, size_t n, const bool *answered,
	    char **errstr);
/* Does the space-separated category list name `group`? */
bool	 delivery_essay_in_group(const char *categories, const char *group);

/* ---- Saves and scoring (delivery.c) ---- */

/* A save with `new_seq` is applied only if new_seq > stored_seq (stored 0:
 * nothing saved yet). Otherwise it is a replay or a late save from another
 * device: change nothing and answer 200 with the stored state, so racing
 * devices end with the highest seq. */
bool	 delivery_seq_accept(int64_t stored_seq, int64_t new_seq);

struct delivery_score {
	int	 raw;		/* answers equal to the key */
	int	 max;		/* items */
	int	 percent_tenths;	/* 100 * raw / max, in tenths, rounded down */
	bool	 passed;	/* raw / max >= cut / 100, exactly */
};
/*
 * Score an MC part: answers[i] is the original choice id the candidate
 * gave to item i (NULL: none), keys[i] its key. The percent is rounded
 * DOWN to a tenth (47/60 = 78.3), so a fail never shows as the cut; passed
 * compares exactly (raw * 100 >= cut * max: 48/60 passes at 80, 47/60
 * fails). -1 + errstr for n == 0 or absurdly large (> INT_MAX / 1000), a
 * cut outside 1..100 or a NULL key.
 */
int	 delivery_score_mc(const char *const *answers, const char *const *keys,
	    size_t n, int cut_percent, struct delivery_score *, char **errstr);

#endif /* EXAMD_DELIVERY_H */
