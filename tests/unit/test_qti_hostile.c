/*
 * test_qti_hostile.c: hostile XML against every QTI entry point. None may
 * crash, read a local file, touch the network, or return a result.
 * Run from the repository root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "qti_fixture.h"

#define NS "http://www.imsglobal.org/xsd/imsqti_v2p1"

/*
 * Every parser refuses `path`; the message contains `want` and never any
 * line of /etc/passwd.
 */
static void
all_refuse(const char *path, const char *want)
{
	char *err = NULL;
	struct qti_item *it;
	struct qti_form *f;
	struct qti_package *p;

	it = qti_item_parse(path, NULL, &err);
	assert_null(it);
	assert_non_null(err);
	if (strstr(err, want) == NULL)
		print_message("item: want \"%s\", got %s\n", want, err);
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "root:"));
	free(err);
	err = NULL;
	f = qti_form_parse(path, NULL, &err);
	assert_null(f);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
	free(err);
	err = NULL;
	p = qti_package_read(path, &err);
	assert_null(p);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
	free(err);
}

/* A listening socket: if the parser ever connects, we see it. */
static int
listener(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s;

	assert_true((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return s;
}

static int
was_connected(int s)
{
	struct pollfd pfd = { s, POLLIN, 0 };

	return poll(&pfd, 1, 0) > 0;
}

static void
test_external_entity_file(void **state)
{
	(void)state;
	all_refuse(put("xxe1.xml",
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE assessmentItem [\n"
	    "  <!ENTITY x SYSTEM \"file:///etc/passwd\">\n"
	    "]>\n"
	    "<assessmentItem xmlns=\"" NS "\" identifier=\"i\" title=\"&x;\">"
	    "<itemBody><p>&x;</p></itemBody></assessmentItem>\n"),
	    ":2: DOCTYPE declarations are not allowed");
	/* external DTD subset */
	all_refuse(put("xxe2.xml",
	    "<!DOCTYPE assessmentItem SYSTEM \"/etc/passwd\">\n"
	    "<assessmentItem xmlns=\"" NS "\" identifier=\"i\"/>\n"),
	    "DOCTYPE declarations are not allowed");
}

static void
test_external_entity_network(void **state)
{
	char doc[1024];
	int s, port;

	(void)state;
	s = listener(&port);
	snprintf(doc, sizeof(doc),
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE assessmentItem [\n"
	    "  <!ENTITY x SYSTEM \"http://127.0.0.1:%d/x\">\n"
	    "  <!ENTITY %% p SYSTEM \"http://127.0.0.1:%d/p\">\n"
	    "  %%p;\n"
	    "]>\n"
	    "<assessmentItem xmlns=\"" NS "\" identifier=\"i\">&x;"
	    "</assessmentItem>\n", port, port);
	all_refuse(put("xxe3.xml", doc), "DOCTYPE declarations are not allowed");
	/* and the spelling from the brief: a closed port */
	all_refuse(put("xxe4.xml",
	    "<!DOCTYPE a [<!ENTITY x SYSTEM \"http://127.0.0.1:1/x\">]>\n"
	    "<assessmentItem xmlns=\"" NS "\">&x;</assessmentItem>\n"),
	    "DOCTYPE declarations are not allowed");
	/* schemaLocation hints are never fetched either */
	snprintf(doc, sizeof(doc),
	    "<assessmentItem xmlns=\"" NS "\" xmlns:xsi=\"http://www.w3.org/"
	    "2001/XMLSchema-instance\" xsi:schemaLocation=\"" NS
	    " http://127.0.0.1:%d/evil.xsd\" identifier=\"i\" title=\"t\" "
	    "adaptive=\"false\" timeDependent=\"false\"><itemBody><p>x</p>"
	    "</itemBody></assessmentItem>\n", port);
	{
		char *err = NULL;

		assert_null(qti_item_parse(put("loc.xml", doc), NULL, &err));
		assert_non_null(strstr(err, "no interaction"));
		free(err);
	}
	assert_int_equal(was_connected(s), 0);
	close(s);
}

static void
test_billion_laughs(void **state)
{
	(void)state;
	all_refuse(put("lol.xml",
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<assessmentItem xmlns=\"" NS "\" identifier=\"i\">&lol9;"
	    "</assessmentItem>\n"),
	    "DOCTYPE declarations are not allowed");
	/* also through the sanitizer's in-memory entry point */
	{
		const char *x = "<!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\">]><p>&a;</p>";
		char *err = NULL;

		assert_null(qti_html_sanitize(x, strlen(x), NULL, NULL, &err));
		assert_non_null(strstr(err, "DOCTYPE"));
		free(err);
	}
}

static char *
nested(size_t levels, size_t *len)
{
	static const char head[] = "<assessmentItem xmlns=\"" NS
	    "\" identifier=\"i\"><itemBody>";
	static const char tail[] = "</itemBody></assessmentItem>";
	size_t n = sizeof(head) - 1 + levels * 11 + sizeof(tail) - 1, i;
	char *s = malloc(n + 1), *p;

	assert_non_null(s);
	p = s;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (i = 0; i < levels; i++, p += 5)
		memcpy(p, "<div>", 5);
	for (i = 0; i < levels; i++, p += 6)
		memcpy(p, "</div>", 6);
	memcpy(p, tail, sizeof(tail) - 1);
	p += sizeof(tail) - 1;
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

static void
test_deep_nesting(void **state)
{
	size_t len;
	char *s;

	(void)state;
	/* 100k levels: stopped by the parser, reported as too deep */
	s = nested(100000, &len);
	all_refuse(put_bytes("deep.xml", s, len), "elements nested deeper than 64");
	free(s);
	/* 70 levels: libxml2 accepts it (its limit is 256); ours refuses */
	s = nested(70, &len);
	all_refuse(put_bytes("deep70.xml", s, len),
	    "elements nested deeper than 64");
	free(s);
}

static void
test_huge_file_refused_before_reading(void **state)
{
	char path[256];
	struct timespec t0, t1;
	char *err = NULL;
	double ms;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/huge.xml", tmpdir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, "<a>", 3), 3);
	/* 100 MB, sparse: instant to create, takes no disk */
	assert_int_equal(ftruncate(fd, 100L * 1024 * 1024), 0);
	assert_int_equal(close(fd), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	all_refuse(path, "file too large (104857600 bytes; the limit is 4194304)");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* reading 100 MB three times would take far longer than this */
	assert_true(ms < 1000.0);
	/* just over the cap */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) >= 0);
	assert_int_equal(ftruncate(fd, QTI_MAX_FILE_BYTES + 1), 0);
	assert_int_equal(close(fd), 0);
	assert_null(qti_item_parse(path, NULL, &err));
	assert_non_null(strstr(err, "file too large"));
	free(err);
}

static void
test_invalid_utf8(void **state)
{
	static const char bad[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<assessmentItem xmlns=\"" NS "\" identifier=\"i\" title=\"caf\xff\"/>\n";
	static const char overlong[] =
	    "<assessmentItem xmlns=\"" NS "\" identifier=\"i\">\n\n"
	    "<p>\xc0\xaf</p></assessmentItem>";
	static const char surrogate[] =
	    "<assessmentItem xmlns=\"" NS "\" title=\"\xed\xa0\x80\"/>";
	static const char latin1_declared_utf8[] =
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?><p>na\xefve</p>";

	(void)state;
	all_refuse(put_bytes("u1.xml", bad, sizeof(bad) - 1),
	    ":2: invalid UTF-8 (byte offset");
	all_refuse(put_bytes("u2.xml", overlong, sizeof(overlong) - 1),
	    ":3: invalid UTF-8");
	all_refuse(put_bytes("u3.xml", surrogate, sizeof(surrogate) - 1),
	    "invalid UTF-8");
	all_refuse(put_bytes("u4.xml", latin1_declared_utf8,
	    sizeof(latin1_declared_utf8) - 1), "invalid UTF-8");
	{
		char *err = NULL;

		assert_null(qti_html_sanitize(bad, sizeof(bad) - 1, NULL, NULL,
		    &err));
		assert_non_null(strstr(err, "invalid UTF-8"));
		free(err);
	}
}

static void
test_zero_byte_and_odd_files(void **state)
{
	char *err = NULL;

	(void)state;
	all_refuse(put_bytes("zero.xml", "", 0), "empty file (zero bytes)");
	all_refuse(put("nul.xml", "   "), "not well-formed XML");
	/* a directory, a missing file */
	all_refuse(tmpdir, "not a regular file");
	all_refuse("/nonexistent/examd/item.xml", "No such file or directory");
	/* a NUL byte inside */
	all_refuse(put_bytes("nulbyte.xml", "<a>\0</a>", 8), "not well-formed");
	/* a fifo: refused, and opening it must not block waiting for a
	 * writer (this test would hang) */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/fifo.xml", tmpdir);
		assert_int_equal(mkfifo(path, 0600), 0);
		assert_null(qti_item_parse(path, NULL, &err));
		assert_non_null(strstr(err, "not a regular file"));
		free(err);
		unlink(path);
	}
}

static void
test_xinclude_is_not_processed(void **state)
{
	char *err = NULL;
	struct qti_item *it;

	(void)state;
	it = qti_item_parse(put("xi.xml",
	    "<assessmentItem xmlns=\"" NS "\" xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
	    "identifier=\"i\" title=\"t\" adaptive=\"false\" timeDependent=\"false\">"
	    "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" "
	    "baseType=\"string\"/><itemBody><div><xi:include href=\"/etc/passwd\" "
	    "parse=\"text\"/></div><extendedTextInteraction responseIdentifier="
	    "\"RESPONSE\"/></itemBody></assessmentItem>"), NULL, &err);
	/* accepted or refused, the file never shows up */
	if (it) {
		assert_null(strstr(it->stem_html, "root:"));
		assert_null(strstr(it->stem_html, "include"));
		assert_string_equal(it->stem_html, "<div></div>");
	} else {
		assert_non_null(err);
		assert_null(strstr(err, "root:"));
	}
	free(err);
	qti_item_free(it);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_external_entity_file),
		cmocka_unit_test(test_external_entity_network),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_file_refused_before_reading),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_zero_byte_and_odd_files),
		cmocka_unit_test(test_xinclude_is_not_processed),
	};

	return cmocka_run_group_tests_name("qti_hostile", tests, setup_tmp,
	    teardown_tmp);
}
