/* The audit chain's canonical form and hashing (no I/O), and audit_submit(). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit.h"
#include "http.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "store_identity.h"

static const char audit_zero[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void
audit_int(char *buf, size_t len, int64_t v)
{
	if (v == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%" PRId64, v);
}

char *
audit_canonical(const struct audit_entry *e)
{
	char assoc[24], cand[24];

	audit_int(assoc, sizeof assoc, e->association_id);
	audit_int(cand, sizeof cand, e->candidate_id);
	return xasprintf("%" PRId64 "\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s",
	    e->seq, e->at, e->actor, e->role, assoc, cand, e->action,
	    e->object, e->details, e->request_id);
}

void
audit_hash(const char *prev_hash, const char *canonical,
    char out[AUDIT_HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev_hash, strlen(prev_hash)) != 1 ||
	    EVP_DigestUpdate(ctx, "\n", 1) != 1 ||
	    EVP_DigestUpdate(ctx, canonical, strlen(canonical)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		fatalx("audit_hash: SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

char *
audit_details_text(json_t *details)
{
	char *s;

	if (details == NULL)
		return strdup("{}");
	if ((s = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("audit_details_text");
	return s;
}

void
audit_verify_init(struct audit_verify *v)
{
	memset(v, 0, sizeof *v);
	v->expect_seq = 1;
	memcpy(v->prev, audit_zero, sizeof audit_zero);
}

int
audit_verify_next(struct audit_verify *v, const struct audit_entry *e,
    const char **why)
{
	char h[AUDIT_HASH_HEX], *c;

	if (e->seq < v->expect_seq) {
		*why = "sequence number out of order";
		return -1;
	}
	if (e->seq > v->expect_seq) {
		*why = "entry missing (sequence gap)";
		return -1;
	}
	if (strcmp(e->prev_hash, v->prev) != 0) {
		*why = "previous-hash link broken (entry inserted, removed "
		    "or reordered before it)";
		return -1;
	}
	c = audit_canonical(e);
	audit_hash(e->prev_hash, c, h);
	free(c);
	if (strcmp(h, e->hash) != 0) {
		*why = "hash mismatch (entry changed)";
		return -1;
	}
	memcpy(v->prev, h, sizeof h);
	v->expect_seq++;
	v->count++;
	return 0;
}

int
audit_append(struct store_tx *tx, struct audit_rec *rec, const char *action,
    const char *object, json_t *details)
{
	int rc;

	rec->action = action;
	rec->object = object;
	rec->details = details;
	rc = store_audit_append(tx, rec);
	rec->details = NULL;
	json_decref(details);
	return rc;
}

/* An entry queued by audit_submit(): owns copies of every string. */
struct audit_job {
	struct audit_rec	 rec;
	char			*actor, *role, *action, *object, *details,
				*request_id;
};

static int
audit_job_work(struct store_tx *tx, void *arg)
{
	struct audit_job *j = arg;

	return store_audit_append(tx, &j->rec) == -1 ? STORE_EFAIL : STORE_OK;
}

static void
audit_job_free(struct audit_job *j)
{
	free(j->actor);
	free(j->role);
	free(j->action);
	free(j->object);
	free(j->details);
	free(j->request_id);
	free(j);
}

static void
audit_job_done(int rc, void *arg)
{
	struct audit_job *j = arg;

	if (rc != STORE_OK)
		log_warnx("audit: cannot record %s by %s (%d)", j->rec.action,
		    j->rec.actor, rc);
	audit_job_free(j);
}

static char *
audit_strdup(const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		fatal("audit_strdup");
	return d;
}

void
audit_submit(struct server *srv, const struct audit_rec *rec)
{
	struct audit_job *j;

	if ((j = calloc(1, sizeof *j)) == NULL)
		fatal("audit_submit");
	j->rec = *rec;
	j->rec.actor = j->actor = audit_strdup(rec->actor);
	j->rec.role = j->role = audit_strdup(rec->role);
	j->rec.action = j->action = audit_strdup(rec->action);
	j->rec.object = j->object = audit_strdup(rec->object);
	j->rec.request_id = j->request_id = audit_strdup(rec->request_id);
	/* jansson is not shared across threads: the writer gets text. */
	j->rec.details_text = j->details = rec->details_text != NULL ?
	    audit_strdup(rec->details_text) : audit_details_text(rec->details);
	j->rec.details = NULL;
	if (store_submit(srv->store, audit_job_work, audit_job_done, j) == -1) {
		log_warnx("audit: store busy, cannot record %s by %s",
		    rec->action, rec->actor);
		audit_job_free(j);
	}
}

void
audit_rec_from_req(struct audit_rec *rec, struct req *req, char *actorbuf,
    size_t actorlen)
{
	memset(rec, 0, sizeof *rec);
	if (req->who.role == 0)
		snprintf(actorbuf, actorlen, "anonymous");
	else
		snprintf(actorbuf, actorlen, "%s:%" PRId64,
		    req->who.role == ROLE_CANDIDATE ? "candidate" : "user",
		    req->who.user_id);
	rec->actor = actorbuf;
	rec->role = store_role_name(req->who.role);
	rec->association_id = req->who.association_id;
	if (req->who.role == ROLE_CANDIDATE)
		rec->candidate_id = req->who.user_id;
	rec->request_id = req->id;
}
