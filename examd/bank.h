/*
 * The item bank: plain structs for items and exam forms as stored, the
 * reads the daemon makes (through the read connection: cheap, on the
 * loop), and the writes an import or an attempt makes (inside a unit of
 * work, on the writer). SQL for all of it is in store_bank.c.
 *
 * Items are immutable versions: (identifier, version) never changes
 * content; different content under an identifier is the next version.
 * Forms pin exact item versions (bank_form_item.item_id).
 *
 * Keys and scorer rubrics: bank_item carries the answer key and the
 * scorer rubric because scoring and grading need them. Whoever builds a
 * reply for a candidate copies the fields it needs (stem, prompt, choices
 * id/html) and never the struct: see bank_api.c for the staff listings.
 *
 * HTML: stem_html, prompt_html, choice html and rubric html are the safe
 * subset of items/README.md. An <img src="P"> in them is relative to the
 * item; examd serves it at /api/v1/assets/{item_id}/P (bank_asset_get).
 *
 * Errors: functions returning int give 0 (or a count) or -1; where a
 * char **errstr is taken it gets a malloc'd message the caller frees.
 * The free functions are NULL-safe.
 */
#ifndef EXAMD_BANK_H
#define EXAMD_BANK_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_tx;

#define BANK_MAX_ASSET_BYTES	(2L * 1024 * 1024)	/* an item image; bigger is a mistake or an attack */
#define BANK_MAX_ASSET_SEGMENTS	4	/* "a/b/c/x.png": one route row per depth (bank_api.c) */
#define BANK_MAX_PAGE		500	/* items per listing page */
#define BANK_HASH_HEX		65	/* SHA-256 in hex + NUL */

enum bank_kind {
	BANK_MC = 1,
	BANK_ESSAY
};

struct bank_choice {
	char		*id;
	char		*html;
	int		 fixed;
};

struct bank_rubric_level {
	int		 score;
	char		*html;
};

struct bank_asset {
	char		*path;		/* as the HTML's img src says */
	char		*mime;
	unsigned char	*data;		/* NULL in reads that skip the bytes */
	size_t		 len;
	char		 sha256[BANK_HASH_HEX];
};

struct bank_item {
	int64_t		 id;		/* 0 until stored */
	char		*identifier;
	int		 version;	/* 0 until stored */
	enum bank_kind	 kind;
	char		*title;		/* "" when none */
	char		*lang;		/* NULL when none */
	char		*domain;	/* slug or NULL */
	char		*topic;		/* slug or NULL */
	char		*stem_html;
	char		*prompt_html;	/* "" when none */
	struct bank_choice *choices;	/* BANK_MC */
	size_t		 n_choices;
	char		*key;		/* BANK_MC: the correct choice id. Server-side only. */
	int		 shuffle;
	long		 expected_length;	/* BANK_ESSAY, characters; 0 unset */
	char		*rubric_html;	/* BANK_ESSAY: scorer rubric or NULL. Graders only. */
	struct bank_rubric_level *rubric;	/* ascending score */
	size_t		 n_rubric;
	struct bank_asset *assets;	/* images, sorted by path */
	size_t		 n_assets;
	char		 content_hash[BANK_HASH_HEX];
	int		 source_version;	/* 21, 22 or 30 */
	int		 retired;
	int64_t		 used;		/* attempts built with this version */
	int64_t		 imported_at;	/* ms since the epoch */
	const char	*source;	/* import only: the file it came from */
};

/* One reference of a form to an item version. */
struct bank_form_item {
	char		*ref;		/* the assessmentItemRef identifier */
	int64_t		 item_id;
	char		*category;	/* essay group or NULL */
	struct bank_item *item;		/* import only: the item it pins */
};

struct bank_require {
	char		*group;
	int		 min;
};

/* An essay part's per-track sub-section. */
struct bank_track {
	char		*identifier;
	char		*title;
	char		**tracks;	/* track codes */
	size_t		 n_tracks;
	int		 answer;	/* answer K of n_items */
	struct bank_require *require;
	size_t		 n_require;
	struct bank_form_item *items;
	size_t		 n_items;
};

struct bank_section {
	char		*identifier;
	char		*title;
	enum bank_kind	 kind;
	long		 time_limit_ms;
	int		 cut_percent;
	struct bank_form_item *items;	/* BANK_MC */
	size_t		 n_items;
	struct bank_track *tracks;	/* BANK_ESSAY */
	size_t		 n_tracks;
};

struct bank_form {
	int64_t		 id;
	char		*identifier;
	char		*title;
	char		*program;	/* "IMH" or "ECMH" */
	int		 published;
	int64_t		 used;
	int64_t		 imported_at;
	char		 content_hash[BANK_HASH_HEX];
	int		 source_version;
	struct bank_section *sections;	/* in the order the candidate takes them */
	size_t		 n_sections;
	const char	*source;	/* import only: the file it came from */
};

const char	*bank_kind_name(enum bank_kind);	/* "mc", "essay" */
/* The track section of `form`'s essay part `sec` that lists `track`, or NULL. */
const struct bank_track *bank_section_track(const struct bank_section *sec,
		    const char *track);

/* Canonical content hashes (SHA-256 hex into item->content_hash /
 * form->content_hash). An item's covers everything but id, version,
 * source_version and the bookkeeping fields, so the same content from
 * QTI 2.2 or from examd's QTI 3.0 export hashes the same. A form's covers
 * its fields and, per reference, the pinned item's content hash. */
void		 bank_item_hash(struct bank_item *);
void		 bank_sha256_hex(const void *, size_t, char out[BANK_HASH_HEX]);
void		 bank_form_hash(struct bank_form *);

void		 bank_item_free(struct bank_item *);
void		 bank_form_free(struct bank_form *);

/* ---- reads (read connection, loop thread or examctl) ---- */

/* 0 and *out, 1 when there is no such item/form (*out NULL), -1 on error. */
int		 store_item_get(struct store *, int64_t item_id,
		    struct bank_item **out);
/* Asset bytes are read only when with_data is set. */
int		 store_item_get_assets(struct store *, int64_t item_id,
		    struct bank_item *, int with_data);
int		 store_form_get(struct store *, const char *form_id,
		    struct bank_form **out, char **errstr);

/* Every form (or the published ones), read like store_form_get(). */
struct bank_form_list {
	struct bank_form **forms;
	size_t		 n;
};
int		 store_forms_list(struct store *, int published_only,
		    struct bank_form_list *out);
void		 bank_form_list_free(struct bank_form_list *);

/* Item listing filters; NULL/0 fields do not filter. */
struct bank_item_filter {
	const char	*domain;
	const char	*topic;
	const char	*kind;		/* "mc" or "essay" */
	const char	*identifier;
	int		 version;
	int		 latest_only;	/* only each identifier's highest version */
	int		 limit;		/* 1..BANK_MAX_PAGE; 0 = BANK_MAX_PAGE */
	int		 offset;
};
/* Items with their assets' metadata (no bytes); total is the count
 * without limit/offset. */
struct bank_item_list {
	struct bank_item **items;
	size_t		 n;
	int64_t		 total;
};
int		 store_items_list(struct store *, const struct bank_item_filter *,
		    struct bank_item_list *out);
void		 bank_item_list_free(struct bank_item_list *);

/* One image: 0 with *data (malloc'd, caller frees) and *mime (static or
 * malloc'd into *mime: caller frees), 1 when absent, -1 on error. */
int		 store_asset_get(struct store *, int64_t item_id,
		    const char *path, char **mime, unsigned char **data,
		    size_t *len);

/* Row counts, for examctl's summary and the tests. */
struct bank_counts {
	int64_t		 items, item_versions, assets, forms;
};
int		 store_bank_counts(struct store *, struct bank_counts *);

/* ---- writes (inside a unit of work) ---- */

/* An attempt was built with this item version / form: bump their
 * counters. A used form is never replaced by an import. */
int		 store_item_mark_used(struct store_tx *, int64_t item_id);
int		 store_form_mark_used(struct store_tx *, const char *form_id);

enum bank_outcome {
	BANK_NEW = 1,		/* first version of its identifier */
	BANK_NEW_VERSION,	/* a later version */
	BANK_UNCHANGED,		/* same content hash already stored */
	BANK_REPLACED		/* forms: an unused form's content replaced */
};

/*
 * Store items (finding an existing row with the same identifier and
 * content hash, or adding the next version) and then forms (whose
 * bank_form_item.item point into `items`). Sets each item's id and
 * version and outcome[i] / form_outcome[j]. On failure it calls
 * store_tx_fail() with the reason and returns -1: the caller's unit
 * then fails and nothing of the import stays.
 */
int		 store_bank_import(struct store_tx *, struct bank_item **items,
		    size_t n_items, enum bank_outcome *outcome,
		    struct bank_form **forms, size_t n_forms,
		    enum bank_outcome *form_outcome);

#endif
