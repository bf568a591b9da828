/*
 * Sign-in throttling, in memory on the loop thread (no I/O, no locks):
 * failures counted per key in a fixed-size table. After `free` failures
 * each further one blocks the key for a delay that doubles from one second
 * up to `max_delay`; a success clears the key, and `quiet` without a
 * failure forgets it. Nothing ever blocks a key for longer than max_delay,
 * so an attacker cannot lock a user out for good.
 *
 * The table is bounded: when a probe window is full the entry with the
 * oldest failure is forgotten (a flood of keys costs its own keys first).
 */
#ifndef EXAMD_THROTTLE_H
#define EXAMD_THROTTLE_H

#include <stdint.h>

#define THROTTLE_KEY	96	/* bytes of a key kept; longer keys are hashed into it */
#define THROTTLE_PROBE	8	/* slots probed per key */

struct throttle;

/* NULL-safe free; slots is rounded up to a power of two. */
struct throttle	*throttle_new(int slots, int free_failures, int64_t max_delay_ms,
		    int64_t quiet_ms);
void		 throttle_free(struct throttle *);
/* ms the key must still wait; 0 when it may try now. */
int64_t		 throttle_check(struct throttle *, const char *key, int64_t now_ms);
/* Records a failure at now; returns the wait it now imposes (0 if none). */
int64_t		 throttle_fail(struct throttle *, const char *key, int64_t now_ms);
void		 throttle_ok(struct throttle *, const char *key);
/* The delay after `failures` failures: the throttle's rule on its own. */
int64_t		 throttle_delay_ms(int failures, int free_failures,
		    int64_t max_delay_ms);
/* Keys held now (tests). */
int		 throttle_count(struct throttle *);

#endif
