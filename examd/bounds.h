/*
 * Every limit examd enforces, in one place. Each is the default of a
 * configuration option of the same name (lower case, '-' for '_') where an
 * operator may reasonably want another value.
 */
#ifndef EXAMD_BOUNDS_H
#define EXAMD_BOUNDS_H

/* Requests: a JSON answer is tiny; an essay save is the largest body. */
#define EXAMD_MAX_HEADERS	(16 * 1024)	/* request line + headers */
#define EXAMD_MAX_BODY		(1024 * 1024)	/* essays are capped at 200 KB; CSV imports go up to 1 MiB */
#define EXAMD_MAX_JSON_BODY	(512 * 1024)	/* one essay save, JSON-escaped, with room */
#define EXAMD_MAX_ESSAY_BYTES	(200 * 1000)	/* one essay response, UTF-8 */

/* Exam forms and attempts (delivery.c). */
#define EXAMD_MAX_SECTIONS	16	/* parts of one form; the IMH exam has 2; fixed array per attempt */
#define EXAMD_MAX_ESSAY_PROMPTS	16	/* vignettes per track (typically 3); bounds the K-of-N search */
#define EXAMD_MAX_TIME_MULTIPLIER 4000	/* per mille: approved accommodations are 1.5x or 2x; more is a typo */
#define EXAMD_MAX_EXTRA_MS	(24LL * 3600 * 1000)	/* extra time, and extensions in total, per part: a day */

/* Connections. */
#define EXAMD_IDLE_TIMEOUT	60	/* s without a request on a keep-alive connection */
#define EXAMD_HANDSHAKE_TIMEOUT	10	/* s, absolute: TLS handshake + first request head */
#define EXAMD_MAX_CONNS_PER_ADDR 2000	/* one exam room behind one NAT address */
#define EXAMD_MAX_CONNS		20000	/* process-wide; each costs ~20 KiB */
#define EXAMD_LISTEN_BACKLOG	1024

/* Event streams (SSE). */
#define EXAMD_STREAM_MAX_PENDING (64 * 1024)	/* unsent bytes before a reader counts as stalled */
#define EXAMD_STREAM_SNDBUF	(32 * 1024)	/* kernel send buffer of a stream (Linux doubles it): no autotuning to 4 MB */
#define EXAMD_STREAM_HEARTBEAT	15	/* s between comments: finds dead clients, keeps proxies open */
#define EXAMD_STREAM_RING	64	/* events kept per topic for Last-Event-ID resume */
#define EXAMD_STREAM_RECHECK	60	/* s: longest a stream's session goes unread (examctl's revocations move no generation) */

/* Store. */
#define EXAMD_MAX_BATCH		1024	/* units of work in one group commit */
#define EXAMD_MAX_QUEUED	65536	/* queued units before the store answers 503 */
#define EXAMD_CHECKPOINT_PAGES	1000	/* WAL pages (~4 MB) before the checkpointer copies them back */
#define EXAMD_WORKERS		2	/* password hashing / report threads */

/* Identity: sign-in and sessions (auth.c, throttle.c). */
#define EXAMD_SESSION_IDLE	(30 * 60)	/* s: staff idle timeout */
#define EXAMD_SESSION_MAX	(12 * 3600)	/* s: staff absolute session length */
#define EXAMD_SESSION_TOUCH_MS	60000	/* ms: longest between writes of a session's last activity (else idle/4) */
#define EXAMD_MAX_HASH_QUEUE	1024	/* password hashes waiting for a worker before 503 */
#define EXAMD_TLS_RECORD	16384	/* bytes: TLS's largest record payload */
#define EXAMD_HOLD_READ		16384	/* bytes read ahead while a reply is pending */
#define EXAMD_SESSION_CACHE_SLOTS 32768	/* 128 B each: 4 MiB, resident as used */
#define EXAMD_SESSION_CACHE_MS	2000	/* ms an unchanged session is trusted unread */
#define EXAMD_THROTTLE_SLOTS	8192	/* keys per throttle table (~120 B each) */
#define EXAMD_THROTTLE_MAX_DELAY (15 * 60)	/* s: longest delay after repeated failures */
#define EXAMD_THROTTLE_FREE_PAIR 5	/* failures for one account from one address before delays */
#define EXAMD_THROTTLE_FREE_ADDR 30	/* failures from one address: an exam room behind one NAT */
#define EXAMD_THROTTLE_FREE_ACCT 50	/* failures for one account from anywhere (spraying) */
#define EXAMD_THROTTLE_ACCT_MAX	60	/* s: that delay's cap, so nobody can lock a user out */

/* Scheduling (sched.c, sched_csv.c). */
#define EXAMD_MAX_CAPACITY	2000	/* candidates per sitting: the largest association, with room */
#define EXAMD_MAX_WINDOW_DAYS	14	/* a sitting's window; longer is a typo in a date */
#define EXAMD_MAX_EXTRA_MINUTES	600	/* per part; 3x a 90-minute part is 180 */
#define EXAMD_CSV_MAX_FIELD	2000	/* bytes in one CSV field (the accommodation note) */

/* Time. */
#define EXAMD_LAG_PROBE_MS	100	/* event-loop lag probe period */
#define EXAMD_SAVE_GRACE_MS	5000	/* saves accepted this long after a deadline: one slow network round trip */
#define EXAMD_SHUTDOWN_GRACE	10	/* s to finish in-flight requests on SIGTERM */

#endif
