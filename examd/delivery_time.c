/*
 * delivery_time.c: the clock of one part (struct delivery_clock). Integer
 * milliseconds only; no clock is read here: `now` is always an argument.
 */
#include <stdlib.h>

#include "delivery.h"
#include "delivery_priv.h"

int
delivery_multiplier_from_double(double x, int32_t *permille, char **errstr)
{
	/* !(a <= x && x <= b) is also true for NaN. */
	if (!(x >= 1.0 && x <= EXAMD_MAX_TIME_MULTIPLIER / 1000.0)) {
		delivery_err(errstr, "time multiplier must be between 1 and "
		    "%g", EXAMD_MAX_TIME_MULTIPLIER / 1000.0);
		return -1;
	}
	*permille = (int32_t)(x * 1000.0 + 0.5);
	if (*permille > EXAMD_MAX_TIME_MULTIPLIER)
		*permille = EXAMD_MAX_TIME_MULTIPLIER;
	return 0;
}

int64_t
delivery_clock_allowance(const struct delivery_clock *c)
{
	int64_t extra = 0;

	if (c->multiplier > 1000) {
		/* limit * (m - 1000) / 1000 ms, rounded up to a whole second:
		 * ceil(limit * (m - 1000) / 1e6) s. */
		int64_t num = c->limit_ms * (int64_t)(c->multiplier - 1000);

		extra = (num + 999999) / 1000000 * 1000;
	}
	return c->limit_ms + extra + c->extra_ms + c->extended_ms;
}

int64_t
delivery_clock_deadline(const struct delivery_clock *c)
{
	if (c->started_at == 0)
		return 0;
	return c->started_at + delivery_clock_allowance(c) + c->paused_total_ms;
}

int64_t
delivery_clock_remaining(const struct delivery_clock *c, int64_t now)
{
	int64_t left;

	if (c->submitted_at != 0)
		return 0;
	if (c->started_at == 0)
		return delivery_clock_allowance(c);
	if (c->paused_since != 0)
		now = c->paused_since;
	left = delivery_clock_deadline(c) - now;
	return left > 0 ? left : 0;
}

enum delivery_save
delivery_clock_may_save(const struct delivery_clock *c, int64_t now,
    int64_t grace_ms)
{
	if (c->submitted_at != 0)
		return DELIVERY_SAVE_CLOSED;
	if (c->started_at == 0)
		return DELIVERY_SAVE_NOT_OPEN;
	if (c->paused_since != 0)
		return DELIVERY_SAVE_PAUSED;
	if (now > delivery_clock_deadline(c) + grace_ms)
		return DELIVERY_SAVE_CLOSED;
	return DELIVERY_SAVE_OK;
}

bool
delivery_clock_is_due(const struct delivery_clock *c, int64_t now,
    int64_t grace_ms)
{
	return c->started_at != 0 && c->submitted_at == 0 &&
	    c->paused_since == 0 && now > delivery_clock_deadline(c) + grace_ms;
}

int
delivery_clock_pause(struct delivery_clock *c, int64_t now, char **errstr)
{
	if (c->started_at == 0 || c->submitted_at != 0) {
		delivery_err(errstr, "only an open part can be paused");
		return -1;
	}
	if (c->paused_since != 0) {
		delivery_err(errstr, "the part is already paused");
		return -1;
	}
	if (now >= delivery_clock_deadline(c)) {
		delivery_err(errstr, "the part's time is up");
		return -1;
	}
	/* 0 means "running": a pause at the epoch itself is not a real case. */
	c->paused_since = now > 0 ? now : 1;
	return 0;
}

int
delivery_clock_resume(struct delivery_clock *c, int64_t now, char **errstr)
{
	if (c->paused_since == 0 || c->submitted_at != 0) {
		delivery_err(errstr, "the part is not paused");
		return -1;
	}
	if (now > c->paused_since)
		c->paused_total_ms += now - c->paused_since;
	c->paused_since = 0;
	return 0;
}

int
delivery_clock_extend(struct delivery_clock *c, int64_t ms, char **errstr)
{
	if (c->submitted_at != 0) {
		delivery_err(errstr, "the part is already submitted");
		return -1;
	}
	if (ms <= 0) {
		delivery_err(errstr, "an extension must be positive");
		return -1;
	}
	if (ms > EXAMD_MAX_EXTRA_MS - c->extended_ms) {
		delivery_err(errstr, "extensions to one part may not exceed "
		    "%lld minutes in total",
		    (long long)(EXAMD_MAX_EXTRA_MS / 60000));
		return -1;
	}
	c->extended_ms += ms;
	return 0;
}

int64_t
delivery_clock_credit_downtime(struct delivery_clock *c, int64_t heartbeat_at,
    int64_t now, int64_t grace_ms)
{
	int64_t credit;

	/* A save sent just before the deadline may still have been on its
	 * way: the grace counts as time the part took saves. */
	if (c->started_at == 0 || c->submitted_at != 0 ||
	    c->paused_since != 0 || now <= heartbeat_at ||
	    delivery_clock_deadline(c) + grace_ms <= heartbeat_at)
		return 0;
	/* A part started after the last heartbeat lost only the time since
	 * its start. */
	credit = now - (heartbeat_at > c->started_at ? heartbeat_at :
	    c->started_at);
	c->paused_total_ms += credit;
	return credit;
}

int64_t
delivery_window_credit(int64_t opens_at, int64_t closes_at, int64_t from,
    int64_t until)
{
	if (closes_at <= from || closes_at > until)
		return 0;
	return until + closes_at - (opens_at > from ? opens_at : from);
}
