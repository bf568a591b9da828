/*
 * examctl demo: an association DEMO with one account of each staff role,
 * a sitting open now on form imh-sample-a, and three candidates, printed
 * with their sign-ins. The sitting and candidates go through the same
 * checks and store units as the API (scheduling.h). The item bank must be
 * imported first (make demo does). A second run refuses: DEMO exists.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "ctl.h"
#include "http.h"
#include "log.h"
#include "scheduling.h"
#include "store.h"
#include "store_identity.h"
#include "store_sched.h"
#include "tz.h"

#define DEMO_ASSOC	"DEMO"
#define DEMO_FORM	"imh-sample-a"
#define DEMO_ZONE	"America/New_York"
#define DEMO_BEFORE_MS	(5 * 60 * 1000LL)	/* opened five minutes ago */
#define DEMO_LENGTH_MS	(8 * 3600 * 1000LL)	/* open for eight hours */

static const struct {
	const char	*username;
	int		 role;
	const char	*endorsement;
} demo_staff[] = {
	{ "demo-admin", ROLE_ADMIN, NULL },
	{ "demo-coordinator", ROLE_COORDINATOR, NULL },
	{ "demo-proctor", ROLE_PROCTOR, NULL },
	{ "demo-grader", ROLE_GRADER, "IMHS" },
};
#define DEMO_NSTAFF	(sizeof demo_staff / sizeof demo_staff[0])

static const struct {
	const char	*name, *email, *track;
	double		 multiplier;
	int		 breaks;
	const char	*note;
} demo_cands[] = {
	{ "Ada Lovelace", "ada@example.org", "IMHS", 1.0, 0, NULL },
	{ "Ben Okafor", "ben@example.org", "IMHM-C", 1.5, 1,
	    "1.5x time and separate breaks (approved by the committee)" },
	{ "Chloe Martin", "chloe@example.org", "IMHM-RF", 1.0, 0, NULL },
};
#define DEMO_NCANDS	(sizeof demo_cands / sizeof demo_cands[0])

struct demo {
	int64_t			 assoc;
	struct store_user	 users[DEMO_NSTAFF];
	char			 passwords[DEMO_NSTAFF][AUTH_CODE_PRINT];
};

/* The association and staff, with their audit entries, in one unit. */
static int
demo_staff_work(struct store_tx *tx, void *arg)
{
	struct demo *d = arg;
	struct audit_rec rec;
	char obj[48];
	size_t i;

	if (store_association_insert(tx, DEMO_ASSOC, "Demo Association",
	    &d->assoc) != 0)
		return STORE_EFAIL;
	memset(&rec, 0, sizeof rec);
	rec.actor = "examctl";
	rec.role = "-";
	rec.association_id = d->assoc;
	rec.action = "association.create";
	snprintf(obj, sizeof obj, "association:%" PRId64, d->assoc);
	rec.object = obj;
	if (store_audit_append(tx, &rec) != 0)
		return STORE_EFAIL;
	for (i = 0; i < DEMO_NSTAFF; i++) {
		if (d->users[i].role != ROLE_ADMIN)
			d->users[i].association_id = d->assoc;
		if (store_user_insert(tx, &d->users[i], &d->users[i].id) != 0)
			return STORE_EFAIL;
		rec.action = "user.create";
		rec.association_id = d->users[i].association_id;
		snprintf(obj, sizeof obj, "user:%" PRId64, d->users[i].id);
		if (store_audit_append(tx, &rec) != 0)
			return STORE_EFAIL;
	}
	return STORE_OK;
}

static int
demo_seed_staff(struct store *s, struct demo *d)
{
	char *err = NULL;
	size_t i;

	for (i = 0; i < DEMO_NSTAFF; i++) {
		snprintf(d->users[i].username, sizeof d->users[i].username, "%s",
		    demo_staff[i].username);
		d->users[i].role = demo_staff[i].role;
		if (demo_staff[i].endorsement != NULL)
			snprintf(d->users[i].endorsement,
			    sizeof d->users[i].endorsement, "%s",
			    demo_staff[i].endorsement);
		auth_code_new(d->passwords[i]);
		if (auth_password_hash(d->passwords[i],
		    d->users[i].password_hash) == -1) {
			log_warnx("demo: cannot hash a password");
			return -1;
		}
	}
	if (store_run(s, demo_staff_work, d, &err) != STORE_OK) {
		log_warnx("demo: %s", err ? err : "the accounts could not be "
		    "stored (does a demo-* user exist already?)");
		free(err);
		return -1;
	}
	return 0;
}

static int
demo_sitting(struct store *s, struct demo *d, struct store_sitting *st)
{
	char why[256], *err = NULL;
	int64_t now = auth_now_ms();

	memset(st, 0, sizeof *st);
	st->association_id = d->assoc;
	snprintf(st->exam_id, sizeof st->exam_id, "%s", DEMO_FORM);
	snprintf(st->title, sizeof st->title, "Demo sitting");
	snprintf(st->timezone, sizeof st->timezone, "%s", DEMO_ZONE);
	snprintf(st->admission_mode, sizeof st->admission_mode, "auto");
	st->opens_at = now - DEMO_BEFORE_MS;
	st->closes_at = now + DEMO_LENGTH_MS;
	st->capacity = 50;
	if (tz_get(st->timezone) == NULL) {
		log_warnx("demo: time zone %s is not installed (tzdata)",
		    DEMO_ZONE);
		return -1;
	}
	if (sched_window_problem(st->opens_at, st->closes_at, why,
	    sizeof why) == -1) {
		log_warnx("demo: %s", why);
		return -1;
	}
	if (sched_ctl_sitting_create(s, st, &err) == -1 ||
	    sched_ctl_proctor_add(s, st->id, d->assoc, d->users[2].id,
	    &err) == -1) {
		log_warnx("demo: %s", err);
		free(err);
		return -1;
	}
	return 0;
}

int
ctl_demo(const char *db, int argc, char **argv)
{
	struct store *s;
	struct store_sitting st;
	struct store_cand c;
	struct demo d;
	const struct tz *z;
	char program[FORM_PROGRAM_MAX + 1], why[256], code[AUTH_CODE_PRINT];
	char o[40], cl[40], *err = NULL;
	int64_t id, now = auth_now_ms();
	int published, rc = 1;
	size_t i;

	(void)argv;
	if (argc != 0) {
		log_warnx("usage: examctl --db FILE demo");
		return 2;
	}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	memset(&d, 0, sizeof d);
	if (store_association_find(s, DEMO_ASSOC, &id) != 0) {
		log_warnx("demo: %s already has the demo (association %s); "
		    "nothing was changed: use a fresh database", db, DEMO_ASSOC);
		goto out;
	}
	if (store_sched_form_program(s, DEMO_FORM, program, &published) != 1 ||
	    !published) {
		log_warnx("demo: exam form %s is not in the item bank: run "
		    "'examctl --db %s import items/bank' first", DEMO_FORM, db);
		goto out;
	}
	if (demo_seed_staff(s, &d) == -1 || demo_sitting(s, &d, &st) == -1)
		goto out;
	z = tz_get(st.timezone);
	tz_format(z, st.opens_at, o, sizeof o);
	tz_format(z, st.closes_at, cl, sizeof cl);
	printf("examd demo: association %s\n\nstaff (username, password):\n",
	    DEMO_ASSOC);
	for (i = 0; i < DEMO_NSTAFF; i++)
		printf("  %-12s %-18s %s\n", store_role_name(d.users[i].role),
		    d.users[i].username, d.passwords[i]);
	printf("\nsitting %" PRId64 " \"%s\" on form %s, open now: %s to %s "
	    "(%s)\n\ncandidates (access codes):\n", st.id, st.title, st.exam_id,
	    o, cl, st.timezone);
	for (i = 0; i < DEMO_NCANDS; i++) {
		memset(&c, 0, sizeof c);
		c.sitting_id = st.id;
		snprintf(c.name, sizeof c.name, "%s", demo_cands[i].name);
		snprintf(c.email, sizeof c.email, "%s", demo_cands[i].email);
		snprintf(c.track, sizeof c.track, "%s", demo_cands[i].track);
		c.time_multiplier = demo_cands[i].multiplier;
		c.breaks_allowed = demo_cands[i].breaks;
		snprintf(c.note, sizeof c.note, "%s", demo_cands[i].note ?
		    demo_cands[i].note : "");
		if (sched_has_accommodations(&c))
			c.approved_at = now - 30 * 86400000LL;
		if (sched_cand_problem(&c, program, now, why, sizeof why) == -1 ||
		    sched_ctl_register(s, &c, code, &err) == -1) {
			log_warnx("demo: %s: %s", c.name, err ? err : why);
			free(err);
			goto out;
		}
		printf("  %-14s %-8s %s", c.name, c.track, code);
		if (sched_has_accommodations(&c))
			printf("  (%gx time%s)", c.time_multiplier,
			    c.breaks_allowed ? ", breaks" : "");
		printf("\n");
		explicit_bzero(code, sizeof code);
	}
	rc = 0;
out:
	explicit_bzero(&d, sizeof d);
	store_close(s);
	return rc;
}
