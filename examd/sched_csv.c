/*
 * RFC 4180 CSV, strictly, for bulk registration: see sched.h. One pass,
 * no I/O. Accepted beyond the RFC, because spreadsheets write them: LF or
 * lone CR line ends, a UTF-8 byte-order mark, a missing final line end,
 * blank lines (skipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "scheduling.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when invalid. */
static size_t
csv_utf8_len(const unsigned char *p, size_t left)
{
	size_t n, i;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* 0, or -1 with the line of the first bad byte in *line. */
static int
csv_utf8_check(const unsigned char *p, size_t len, int *line, const char **why)
{
	size_t i = 0, n;

	*line = 1;
	while (i < len) {
		if (p[i] == '\0') {
			*why = "contains a NUL byte";
			return -1;
		}
		if ((n = csv_utf8_len(p + i, len - i)) == 0) {
			*why = "is not valid UTF-8";
			return -1;
		}
		if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == len ||
		    p[i + 1] != '\n')))
			(*line)++;
		i += n;
	}
	return 0;
}

struct csv_build {
	struct sched_csv	*csv;
	char			*field;
	size_t			 flen, fcap;
	struct sched_csv_row	 row;
	int			 rowcap;
};

static void
csv_field_add(struct csv_build *b, char c)
{
	char *p;

	if (b->flen + 1 >= b->fcap) {
		b->fcap = b->fcap ? b->fcap * 2 : 64;
		if ((p = realloc(b->field, b->fcap)) == NULL)
			fatal("csv_field_add");
		b->field = p;
	}
	b->field[b->flen++] = c;
}

static int
csv_field_end(struct csv_build *b, char **errstr)
{
	char **f;

	if (b->row.n == SCHED_CSV_MAX_COLS) {
		*errstr = xasprintf("line %d: more than %d columns",
		    b->row.line, SCHED_CSV_MAX_COLS);
		return -1;
	}
	if (b->row.n == b->rowcap) {
		b->rowcap = b->rowcap ? b->rowcap * 2 : 8;
		if ((f = reallocarray(b->row.f, b->rowcap, sizeof *f)) == NULL)
			fatal("csv_field_end");
		b->row.f = f;
	}
	csv_field_add(b, '\0');
	if ((b->row.f[b->row.n++] = strdup(b->field)) == NULL)
		fatal("csv_field_end");
	b->flen = 0;
	return 0;
}

static void
csv_row_free(struct sched_csv_row *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	memset(r, 0, sizeof *r);
}

static int
csv_row_end(struct csv_build *b, char **errstr)
{
	struct sched_csv *c = b->csv;
	struct sched_csv_row *rows;

	/* A blank line is one empty field: skip it. */
	if (b->row.n == 1 && b->row.f[0][0] == '\0') {
		csv_row_free(&b->row);
		b->rowcap = 0;
		return 0;
	}
	if (c->nrows == SCHED_CSV_MAX_ROWS + 1) {
		*errstr = xasprintf("more than %d rows (one sitting's worth)",
		    SCHED_CSV_MAX_ROWS);
		return -1;
	}
	if (c->nrows % 64 == 0) {
		if ((rows = reallocarray(c->rows, c->nrows + 64,
		    sizeof *rows)) == NULL)
			fatal("csv_row_end");
		c->rows = rows;
	}
	b->row.num = c->nrows + 1;
	c->rows[c->nrows++] = b->row;
	memset(&b->row, 0, sizeof b->row);
	b->rowcap = 0;
	return 0;
}

void
sched_csv_free(struct sched_csv *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrows; i++)
		csv_row_free(&c->rows[i]);
	free(c->rows);
	free(c);
}

int
sched_csv_parse(const char *buf, size_t len, struct sched_csv **out,
    char **errstr)
{
	const unsigned char *p = (const unsigned char *)buf;
	struct csv_build b;
	const char *why;
	size_t i = 0;
	int line, quoted, qline;

	*out = NULL;
	if (len > SCHED_CSV_MAX_BYTES) {
		*errstr = xasprintf("the file is larger than %d bytes",
		    SCHED_CSV_MAX_BYTES);
		return -1;
	}
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (csv_utf8_check(p + i, len - i, &line, &why) == -1) {
		*errstr = xasprintf("line %d %s", line, why);
		return -1;
	}
	memset(&b, 0, sizeof b);
	if ((b.csv = calloc(1, sizeof *b.csv)) == NULL)
		fatal("sched_csv_parse");
	line = 1;
	b.row.line = 1;
	while (i < len) {
		quoted = 0;
		if (p[i] == '"') {
			quoted = 1;
			qline = line;
			for (i++;; i++) {
				if (i == len) {
					*errstr = xasprintf("line %d: a quoted "
					    "field is never closed", qline);
					goto fail;
				}
				if (p[i] == '"') {
					if (i + 1 < len && p[i + 1] == '"') {
						csv_field_add(&b, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				if (p[i] == '\n' || (p[i] == '\r' &&
				    (i + 1 == len || p[i + 1] != '\n')))
					line++;
				if (b.flen >= SCHED_CSV_MAX_FIELD)
					goto toolong;
				csv_field_add(&b, (char)p[i]);
			}
		}
		/* Unquoted field, or what follows a closing quote. */
		while (i < len && p[i] != ',' && p[i] != '\r' && p[i] != '\n') {
			if (quoted || p[i] == '"') {
				*errstr = xasprintf("line %d: a quote may only "
				    "enclose a whole field (write \"\" for a "
				    "quote inside a quoted field)", line);
				goto fail;
			}
			if (b.flen >= SCHED_CSV_MAX_FIELD)
				goto toolong;
			csv_field_add(&b, (char)p[i++]);
		}
		if (csv_field_end(&b, errstr) == -1)
			goto fail;
		if (i == len)
			break;
		if (p[i] == ',') {
			i++;
			if (i == len && csv_field_end(&b, errstr) == -1)
				goto fail;
			continue;
		}
		/* CRLF, LF or a lone CR ends the record. */
		i += p[i] == '\r' && i + 1 < len && p[i + 1] == '\n' ? 2 : 1;
		if (csv_row_end(&b, errstr) == -1)
			goto fail;
		b.row.line = ++line;
	}
	if (b.row.n > 0 && csv_row_end(&b, errstr) == -1)
		goto fail;
	free(b.field);
	*out = b.csv;
	return 0;
toolong:
	*errstr = xasprintf("line %d: a field is longer than %d bytes", line,
	    SCHED_CSV_MAX_FIELD);
fail:
	free(b.field);
	csv_row_free(&b.row);
	sched_csv_free(b.csv);
	return -1;
}
