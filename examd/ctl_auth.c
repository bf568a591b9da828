/*
 * examctl association add, user add, user passwd, audit verify. Changes
 * are audited with actor "examctl" in the transaction that makes them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "audit.h"
#include "auth.h"
#include "ctl.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "store_identity.h"

struct ctl_op {
	const char		*code, *name;
	struct store_user	 user;
	int64_t			 id;
	int			 kind, dup;
};

enum { CTL_ASSOC_ADD, CTL_USER_ADD, CTL_PASSWD };

static int
ctl_audit(struct store_tx *tx, const char *action, const char *object,
    int64_t assoc, json_t *details)
{
	struct audit_rec rec;

	memset(&rec, 0, sizeof rec);
	rec.actor = "examctl";
	rec.role = "-";
	rec.association_id = assoc;
	return audit_append(tx, &rec, action, object, details);
}

static int
ctl_op_work(struct store_tx *tx, void *arg)
{
	struct ctl_op *op = arg;
	char obj[48];
	int rc, n;

	switch (op->kind) {
	case CTL_ASSOC_ADD:
		if ((rc = store_association_insert(tx, op->code, op->name,
		    &op->id)) != 0)
			return (op->dup = rc == STORE_DUP) ? STORE_DUP :
			    STORE_EFAIL;
		snprintf(obj, sizeof obj, "association:%" PRId64, op->id);
		return ctl_audit(tx, "association.create", obj, op->id,
		    json_pack("{s:s,s:s}", "code", op->code, "name",
		    op->name)) ? STORE_EFAIL : STORE_OK;
	case CTL_USER_ADD:
		if ((rc = store_user_insert(tx, &op->user, &op->id)) != 0)
			return (op->dup = rc == STORE_DUP) ? STORE_DUP :
			    STORE_EFAIL;
		snprintf(obj, sizeof obj, "user:%" PRId64, op->id);
		return ctl_audit(tx, "user.create", obj,
		    op->user.association_id, json_pack("{s:s,s:s,s:s?,s:b}",
		    "username", op->user.username, "role",
		    store_role_name(op->user.role), "endorsement",
		    op->user.endorsement[0] ? op->user.endorsement : NULL,
		    "may_adjudicate", op->user.may_adjudicate)) ?
		    STORE_EFAIL : STORE_OK;
	case CTL_PASSWD:
		if (store_user_set_password(tx, op->user.id,
		    op->user.password_hash) != 0 ||
		    store_sessions_revoke_principal(tx, op->user.role,
		    op->user.id, auth_now_ms(), &n) != 0)
			return STORE_EFAIL;
		snprintf(obj, sizeof obj, "user:%" PRId64, op->user.id);
		return ctl_audit(tx, "user.password_reset", obj,
		    op->user.association_id, json_pack("{s:i}",
		    "sessions_ended", n)) ? STORE_EFAIL : STORE_OK;
	}
	return STORE_EFAIL;
}

static int
ctl_op_run(struct store *s, struct ctl_op *op)
{
	char *err = NULL;
	int rc;

	rc = store_run(s, ctl_op_work, op, &err);
	if (rc == STORE_OK)
		return 0;
	if (op->dup)
		log_warnx("%s \"%s\" already exists", op->kind == CTL_ASSOC_ADD ?
		    "association" : "user", op->kind == CTL_ASSOC_ADD ?
		    op->code : op->user.username);
	else
		log_warnx("%s", err ? err : "the change could not be stored");
	free(err);
	return 1;
}

int
ctl_association(const char *db, int argc, char **argv)
{
	struct ctl_op op;
	struct store *s;
	int rc;

	if (argc != 3 || strcmp(argv[0], "add") != 0) {
		log_warnx("usage: examctl --db FILE association add CODE NAME");
		return 2;
	}
	if (!account_code_valid(argv[1])) {
		log_warnx("association code \"%s\": use 1 to 32 letters, digits "
		    "or '-'", argv[1]);
		return 1;
	}
	if (argv[2][0] == '\0' || strlen(argv[2]) > ASSOC_NAME_MAX) {
		log_warnx("association name: 1 to %d bytes", ASSOC_NAME_MAX);
		return 1;
	}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	memset(&op, 0, sizeof op);
	op.kind = CTL_ASSOC_ADD;
	op.code = argv[1];
	op.name = argv[2];
	if ((rc = ctl_op_run(s, &op)) == 0)
		printf("association %s (id %" PRId64 ")\n", op.code, op.id);
	store_close(s);
	return rc;
}

/* The password: the first line of standard input. Wiped by the caller. */
static int
ctl_read_password(char *buf, size_t len)
{
	const char *why;
	size_t n;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password (at least %d characters): ",
		    AUTH_PASSWORD_MIN);
	if (fgets(buf, (int)len, stdin) == NULL) {
		log_warnx("no password on standard input");
		return -1;
	}
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == len - 1) {
		log_warnx("password too long (at most %d bytes)",
		    AUTH_PASSWORD_MAX);
		return -1;
	}
	buf[n] = '\0';
	if ((why = account_password_problem(buf)) != NULL) {
		log_warnx("%s", why);
		return -1;
	}
	return 0;
}

static int
ctl_user_add(struct store *s, int argc, char **argv)
{
	struct ctl_op op;
	char pw[AUTH_PASSWORD_MAX + 2];
	const char *role = NULL, *code = NULL, *endorsement = NULL;
	int i, rc = 1;

	memset(&op, 0, sizeof op);
	op.kind = CTL_USER_ADD;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--adjudicator") == 0) {
			op.user.may_adjudicate = 1;
			continue;
		}
		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "--role") == 0)
			role = argv[++i];
		else if (strcmp(argv[i], "--association") == 0)
			code = argv[++i];
		else if (strcmp(argv[i], "--endorsement") == 0)
			endorsement = argv[++i];
		else
			goto usage;
	}
	if (role == NULL)
		goto usage;
	if (!account_username_valid(argv[0])) {
		log_warnx("user name \"%s\": use 1 to %d letters, digits or "
		    ". _ @ -", argv[0], USERNAME_MAX);
		return 1;
	}
	op.user.role = store_role_parse(role);
	if (op.user.role == 0 || op.user.role == ROLE_CANDIDATE) {
		log_warnx("--role must be admin, coordinator, proctor or grader");
		return 1;
	}
	if ((op.user.role == ROLE_ADMIN) != (code == NULL)) {
		log_warnx(op.user.role == ROLE_ADMIN ? "an administrator "
		    "belongs to no association" : "--association CODE is "
		    "required for this role");
		return 1;
	}
	if (endorsement != NULL && (op.user.role != ROLE_GRADER ||
	    !account_endorsement_valid(endorsement))) {
		log_warnx("--endorsement is for graders: IMHS, IMHM-C, IMHM-P, "
		    "IMHM-RF, ECMHS, ECMHM-C, ECMHM-P or ECMHM-RF");
		return 1;
	}
	if (op.user.may_adjudicate && op.user.role != ROLE_GRADER) {
		log_warnx("--adjudicator is for graders");
		return 1;
	}
	if (code != NULL && store_association_find(s, code,
	    &op.user.association_id) != 1) {
		log_warnx("no association with code \"%s\"", code);
		return 1;
	}
	snprintf(op.user.username, sizeof op.user.username, "%s", argv[0]);
	if (endorsement != NULL)
		snprintf(op.user.endorsement, sizeof op.user.endorsement, "%s",
		    endorsement);
	if (ctl_read_password(pw, sizeof pw) == 0) {
		if (auth_password_hash(pw, op.user.password_hash) == -1)
			log_warnx("cannot hash the password");
		else if ((rc = ctl_op_run(s, &op)) == 0)
			printf("user %s (%s, id %" PRId64 ")\n",
			    op.user.username, role, op.id);
	}
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(&op, sizeof op);
	return rc;
usage:
	log_warnx("usage: examctl --db FILE user add USERNAME --role "
	    "admin|coordinator|proctor|grader [--association CODE] "
	    "[--endorsement TRACK] [--adjudicator]");
	return 2;
}

static int
ctl_user_passwd(struct store *s, int argc, char **argv)
{
	struct ctl_op op;
	char pw[AUTH_PASSWORD_MAX + 2];
	int rc = 1;

	if (argc != 1) {
		log_warnx("usage: examctl --db FILE user passwd USERNAME");
		return 2;
	}
	memset(&op, 0, sizeof op);
	op.kind = CTL_PASSWD;
	if (store_user_find(s, argv[0], &op.user) != 1) {
		log_warnx("no user \"%s\"", argv[0]);
		return 1;
	}
	if (ctl_read_password(pw, sizeof pw) == 0) {
		if (auth_password_hash(pw, op.user.password_hash) == -1)
			log_warnx("cannot hash the password");
		else if ((rc = ctl_op_run(s, &op)) == 0)
			printf("password of %s changed; its sessions ended\n",
			    op.user.username);
	}
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(&op, sizeof op);
	return rc;
}

int
ctl_user(const char *db, int argc, char **argv)
{
	struct store *s;
	int rc;

	if (argc < 2 || (strcmp(argv[0], "add") != 0 &&
	    strcmp(argv[0], "passwd") != 0)) {
		log_warnx("usage: examctl --db FILE user add USERNAME --role "
		    "ROLE ... | user passwd USERNAME");
		return 2;
	}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	rc = strcmp(argv[0], "add") == 0 ? ctl_user_add(s, argc - 1, argv + 1) :
	    ctl_user_passwd(s, argc - 1, argv + 1);
	store_close(s);
	return rc;
}

struct ctl_verify {
	struct audit_verify	 v;
	int64_t			 bad_seq;
	const char		*why;
};

static int
ctl_verify_entry(const struct audit_entry *e, void *arg)
{
	struct ctl_verify *cv = arg;

	if (audit_verify_next(&cv->v, e, &cv->why) == 0)
		return 0;
	/* A gap or a reordering is first visible at the expected number. */
	cv->bad_seq = e->seq < cv->v.expect_seq || e->seq > cv->v.expect_seq ?
	    cv->v.expect_seq : e->seq;
	return 1;
}

int
ctl_audit_cmd(const char *db, int argc, char **argv)
{
	struct ctl_verify cv;
	struct store *s;
	char *err = NULL;
	int rc;

	if (argc != 1 || strcmp(argv[0], "verify") != 0) {
		log_warnx("usage: examctl --db FILE audit verify");
		return 2;
	}
	if ((s = ctl_open(db)) == NULL)
		return 1;
	memset(&cv, 0, sizeof cv);
	audit_verify_init(&cv.v);
	rc = store_audit_walk(s, ctl_verify_entry, &cv, &err);
	store_close(s);
	if (rc == -1) {
		log_warnx("%s: %s", db, err);
		free(err);
		return 1;
	}
	if (rc == 1) {
		log_warnx("%s: audit entry %" PRId64 ": %s", db, cv.bad_seq,
		    cv.why);
		printf("audit chain broken at entry %" PRId64 " (%" PRId64
		    " entries before it verified)\n", cv.bad_seq, cv.v.count);
		return 1;
	}
	/* Note the head elsewhere: a rewritten chain would end in another. */
	printf("audit chain intact: %" PRId64 " entries, head %s\n",
	    cv.v.count, cv.v.prev);
	return 0;
}
