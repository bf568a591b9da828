/*
 * delivery_essay.c: essay text (UTF-8, size, word count) and a track's
 * "answer K of N, at least M from group G" rule.
 */
#include <string.h>

#include "delivery.h"
#include "delivery_priv.h"

/* ---- UTF-8 ---- */

/*
 * Decode the code point at s[*i] (n bytes in all) into *cp and advance *i.
 * Returns 0, or -1 for a byte that does not start a valid sequence (then
 * *i advances by one byte and *cp is 0xFFFD). NUL decodes as 0.
 */
static int
utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
	unsigned c = s[*i];
	size_t len, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else
		goto bad;	/* continuation byte, C0/C1 overlong lead, > F4 */
	if (len > n - *i)
		goto bad;
	for (k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			goto bad;
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	*i += len;
	return 0;
bad:
	*cp = 0xfffd;
	(*i)++;
	return -1;
}

bool
delivery_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < n)
		if (utf8_next(u, n, &i, &cp) == -1 || cp == 0)
			return false;
	return true;
}

enum delivery_text
delivery_essay_text_check(const char *s, size_t n)
{
	if (n > EXAMD_MAX_ESSAY_BYTES)
		return DELIVERY_TEXT_TOO_LARGE;
	if (!delivery_utf8_valid(s, n))
		return DELIVERY_TEXT_BAD_UTF8;
	return DELIVERY_TEXT_OK;
}

/* ---- words ---- */

static bool
is_space(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200b) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000 || c == 0xfeff;
}

/* Non-ASCII code points that are neither letters nor digits: controls,
 * punctuation, symbols, combining and format marks, emoji. Everything else
 * above U+007F counts as a letter (scripts are too many to list; these
 * blocks are where stray marks between words come from). */
static const struct { uint32_t lo, hi; } not_alnum[] = {
	{ 0x0080, 0x00a9 },	/* C1 controls, Latin-1 punctuation and signs */
	{ 0x00ab, 0x00b1 },	/* « ¬ soft hyphen ® ¯ ° ± (ª is a letter) */
	{ 0x00b4, 0x00b4 },	/* ´ (² ³ µ are alphanumeric) */
	{ 0x00b6, 0x00b8 },	/* ¶ · ¸ */
	{ 0x00bb, 0x00bb },	/* » */
	{ 0x00bf, 0x00bf },	/* ¿ */
	{ 0x00d7, 0x00d7 },	/* × */
	{ 0x00f7, 0x00f7 },	/* ÷ */
	{ 0x0300, 0x036f },	/* combining diacritics, alone */
	{ 0x200c, 0x206f },	/* joiners, dashes, quotes, bullets, ellipsis */
	{ 0x20a0, 0x20ff },	/* currency signs, combining marks for symbols */
	{ 0x2190, 0x245f },	/* arrows, maths, technical, control pictures */
	{ 0x2500, 0x27ff },	/* box drawing, shapes, dingbats, maths */
	{ 0x2900, 0x2bff },	/* arrows, maths, misc symbols */
	{ 0x2e00, 0x2e7f },	/* supplemental punctuation */
	{ 0x3001, 0x3004 },	/* CJK punctuation 、。〃〄 */
	{ 0x3008, 0x3020 },	/* CJK brackets and marks */
	{ 0xfe00, 0xfe1f },	/* variation selectors, vertical forms */
	{ 0xfe30, 0xfe6f },	/* CJK compatibility and small forms */
	{ 0xff01, 0xff0f },	/* full-width ASCII punctuation */
	{ 0xff1a, 0xff20 },
	{ 0xff3b, 0xff40 },
	{ 0xff5b, 0xff65 },
	{ 0xfff0, 0xffff },	/* specials, U+FFFD (an invalid byte) */
	{ 0x1f000, 0x1faff },	/* emoji, playing cards, pictographs */
	{ 0xe0000, 0xe007f },	/* tags */
};

static bool
is_alnum(uint32_t c)
{
	size_t i;

	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z');
	for (i = 0; i < sizeof(not_alnum) / sizeof(not_alnum[0]); i++)
		if (c >= not_alnum[i].lo && c <= not_alnum[i].hi)
			return false;
	return true;
}

size_t
delivery_word_count(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, words = 0;
	bool counted = false;
	uint32_t cp;

	while (i < n) {
		(void)utf8_next(u, n, &i, &cp);	/* bad byte: U+FFFD, a symbol */
		if (is_space(cp)) {
			counted = false;
			continue;
		}
		if (!counted && is_alnum(cp)) {
			counted = true;
			words++;
		}
	}
	return words;
}

/* ---- the K-of-N rule ---- */

bool
delivery_essay_in_group(const char *cats, const char *group)
{
	size_t glen, len;

	if (cats == NULL || group == NULL || (glen = strlen(group)) == 0)
		return false;
	for (;;) {
		cats += strspn(cats, " \t\r\n");
		if (*cats == '\0')
			return false;
		len = strcspn(cats, " \t\r\n");
		if (len == glen && memcmp(cats, group, len) == 0)
			return true;
		cats += len;
	}
}

struct essay_ctx {
	const struct delivery_essay_rule *rule;
	size_t	 n;
	bool	 taken[EXAMD_MAX_ESSAY_PROMPTS];
	bool	 member[EXAMD_MAX_ESSAY_PROMPTS][EXAMD_MAX_ESSAY_PROMPTS];
	int	 need[EXAMD_MAX_ESSAY_PROMPTS];	/* per group: still missing */
	size_t	 count;		/* prompts in the set */
};

/* Check the rule and the set; fill the context with the set in `set`. */
static enum delivery_essay
essay_ctx_init(struct essay_ctx *x, const struct delivery_essay_rule *rule,
    const struct delivery_essay_prompt *p, size_t n, const bool *set,
    char **errstr)
{
	size_t i, g;

	if (rule == NULL || n > EXAMD_MAX_ESSAY_PROMPTS || rule->answer < 1 ||
	    (size_t)rule->answer > n ||
	    rule->n_require > EXAMD_MAX_ESSAY_PROMPTS ||
	    (rule->n_require > 0 && rule->require == NULL)) {
		delivery_err(errstr, "the track's essay rule is not usable");
		return DELIVERY_ESSAY_BAD_RULE;
	}
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->n = n;
	for (g = 0; g < rule->n_require; g++) {
		if (rule->require[g].group == NULL || rule->require[g].min < 0) {
			delivery_err(errstr, "the track's essay rule is not "
			    "usable");
			return DELIVERY_ESSAY_BAD_RULE;
		}
		x->need[g] = rule->require[g].min;
	}
	for (i = 0; i < n; i++) {
		x->taken[i] = set[i];
		if (set[i])
			x->count++;
		for (g = 0; g < rule->n_require; g++) {
			x->member[i][g] = delivery_essay_in_group(
			    p[i].categories, rule->require[g].group);
			if (set[i] && x->member[i][g])
				x->need[g]--;
		}
	}
	return DELIVERY_ESSAY_OK;
}

static void
essay_take(struct essay_ctx *x, size_t i, int delta)
{
	size_t g;

	for (g = 0; g < x->rule->n_require; g++)
		if (x->member[i][g])
			x->need[g] -= delta;
}

/* Can at most r more prompts (from start on, not taken) bring every group
 * to its minimum? It walks subsets in index order (each at most once), so
 * at most 2^EXAMD_MAX_ESSAY_PROMPTS of them; only prompts that help an
 * unmet group are tried. (More than r never hurts a minimum, so "at most r"
 * is "exactly r" as long as r prompts are left, which K <= N ensures.) */
static bool
essay_cover(struct essay_ctx *x, size_t start, int r)
{
	size_t i, g;
	bool unmet = false, helps, ok;

	for (g = 0; g < x->rule->n_require; g++)
		if (x->need[g] > 0)
			unmet = true;
	if (!unmet)
		return true;
	if (r == 0)
		return false;
	for (i = start; i < x->n; i++) {
		if (x->taken[i])
			continue;
		helps = false;
		for (g = 0; g < x->rule->n_require; g++)
			if (x->need[g] > 0 && x->member[i][g])
				helps = true;
		if (!helps)
			continue;
		essay_take(x, i, 1);
		ok = essay_cover(x, i + 1, r - 1);
		essay_take(x, i, -1);
		if (ok)
			return true;
	}
	return false;
}

/* The first group below its minimum, or -1. */
static int
essay_first_unmet(const struct essay_ctx *x)
{
	size_t g;

	for (g = 0; g < x->rule->n_require; g++)
		if (x->need[g] > 0)
			return (int)g;
	return -1;
}

enum delivery_essay
delivery_essay_may_choose(const struct delivery_essay_rule *rule,
    const struct delivery_essay_prompt *p, size_t n, const bool *chosen,
    size_t idx, char **errstr)
{
	struct essay_ctx x;
	enum delivery_essay v;
	int g;

	if ((v = essay_ctx_init(&x, rule, p, n, chosen, errstr)) !=
	    DELIVERY_ESSAY_OK)
		return v;
	if (idx >= n) {
		delivery_err(errstr, "no such vignette");
		return DELIVERY_ESSAY_BAD_RULE;
	}
	if (chosen[idx])
		return DELIVERY_ESSAY_OK;
	if (x.count >= (size_t)rule->answer) {
		delivery_err(errstr, "this track answers %d of the %zu "
		    "vignettes, and %zu are already chosen", rule->answer, n,
		    x.count);
		return DELIVERY_ESSAY_TOO_MANY;
	}
	x.taken[idx] = true;
	essay_take(&x, idx, 1);
	x.count++;
	if (!essay_cover(&x, 0, rule->answer - (int)x.count)) {
		g = essay_first_unmet(&x);
		delivery_err(errstr, "this track needs at least %d answer%s "
		    "from the %s vignettes; choosing %s as well leaves no room "
		    "for %s", rule->require[g].min,
		    rule->require[g].min == 1 ? "" : "s",
		    rule->require[g].group, p[idx].id ? p[idx].id : "this one",
		    rule->require[g].min == 1 ? "it" : "them");
		return DELIVERY_ESSAY_GROUP_BLOCKED;
	}
	return DELIVERY_ESSAY_OK;
}

enum delivery_essay
delivery_essay_check_submit(const struct delivery_essay_rule *rule,
    const struct delivery_essay_prompt *p, size_t n, const bool *answered,
    char **errstr)
{
	struct essay_ctx x;
	enum delivery_essay v;
	size_t count;
	int g;

	if ((v = essay_ctx_init(&x, rule, p, n, answered, errstr)) !=
	    DELIVERY_ESSAY_OK)
		return v;
	count = x.count;
	if (count != (size_t)rule->answer) {
		delivery_err(errstr, "this track answers %d of the %zu "
		    "vignettes; %zu %s answered", rule->answer, n, count,
		    count == 1 ? "is" : "are");
		return count < (size_t)rule->answer ? DELIVERY_ESSAY_TOO_FEW :
		    DELIVERY_ESSAY_TOO_MANY;
	}
	if ((g = essay_first_unmet(&x)) >= 0) {
		delivery_err(errstr, "this track needs at least %d answer%s "
		    "from the %s vignettes", rule->require[g].min,
		    rule->require[g].min == 1 ? "" : "s",
		    rule->require[g].group);
		return DELIVERY_ESSAY_GROUP_SHORT;
	}
	return DELIVERY_ESSAY_OK;
}
