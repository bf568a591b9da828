/*
 * qti_fixture.h: what the QTI unit tests share (test_qti_form.c,
 * test_qti_item.c, test_qti_hostile.c): the cmocka preamble, the shared
 * corpus of real QTI, and a scratch folder with files written into it.
 * Included once per test program; helpers a program does not use are
 * static inline so that they cost no warning.
 */
#ifndef QTI_FIXTURE_H
#define QTI_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../examd/qti.h"

/* The shared corpus: $EXAMD_QTI_CORPUS, or ../shared/qti-corpus; NULL if none. */
static inline const char *
corpus_dir(void)
{
	static const char *const tries[] = {
		"../shared/qti-corpus", "../../shared/qti-corpus",
	};
	const char *env = getenv("EXAMD_QTI_CORPUS");
	struct stat sb;
	size_t i;

	if (env && *env)
		return stat(env, &sb) == 0 ? env : NULL;
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++)
		if (stat(tries[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			return tries[i];
	return NULL;
}

#define NEED_CORPUS(dir) do { \
	if (((dir) = corpus_dir()) == NULL) { \
		print_message("qti corpus not found (set EXAMD_QTI_CORPUS); " \
		    "skipping\n"); \
		skip(); \
	} \
} while (0)

/* The scratch folder: made by setup_tmp, removed with all in it by teardown_tmp. */
static char tmpdir[64];

static inline int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline int
setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/examd-qti-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int
teardown_tmp(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write len bytes of buf to tmpdir/name; returns the path (static buffer). */
static inline const char *
put_bytes(const char *name, const char *buf, size_t len)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

/* Write the string s to tmpdir/name; returns the path (static buffer). */
static inline const char *
put(const char *name, const char *s)
{
	return put_bytes(name, s, strlen(s));
}

#endif
