-- The item bank (issue 3): items in immutable versions, their images, and
-- exam forms whose item references pin exact item versions.
--
-- Times are INTEGER milliseconds since the Unix epoch, UTC (*_at).
-- An item row never changes content once written: different content under
-- the same identifier is a new row with the next version. Only `retired`
-- and `used` move. content_hash is hex SHA-256 of the canonical content
-- (bank.h, bank_item_hash): re-importing the same content finds the row.

CREATE TABLE items (
	id		INTEGER PRIMARY KEY,
	identifier	TEXT NOT NULL,
	version		INTEGER NOT NULL CHECK (version >= 1),
	kind		TEXT NOT NULL CHECK (kind IN ('mc', 'essay')),
	title		TEXT NOT NULL DEFAULT '',
	lang		TEXT,
	domain		TEXT,				-- slug, items/README.md
	topic		TEXT,
	stem_html	TEXT NOT NULL,			-- candidate-facing, sanitized
	prompt_html	TEXT NOT NULL DEFAULT '',
	choices		TEXT,				-- mc: JSON [{"id","html","fixed"}]
	answer_key	TEXT,				-- mc: a choice id; NEVER sent to candidates
	shuffle		INTEGER NOT NULL DEFAULT 0 CHECK (shuffle IN (0, 1)),
	expected_length	INTEGER NOT NULL DEFAULT 0,	-- essay: characters, 0 unset
	rubric_html	TEXT,				-- essay: scorer rubric; graders only
	rubric		TEXT,				-- essay: JSON [{"score","html"}]
	content_hash	TEXT NOT NULL,
	source_version	INTEGER NOT NULL,		-- 21, 22, 30: the QTI it came from
	retired		INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
	used		INTEGER NOT NULL DEFAULT 0,	-- attempts built with this version
	imported_at	INTEGER NOT NULL,
	UNIQUE (identifier, version),
	UNIQUE (identifier, content_hash),
	CHECK ((kind = 'mc') = (answer_key IS NOT NULL))
) STRICT;
CREATE INDEX items_domain ON items(domain, topic);

-- Images an item's HTML references (img src relative to the item file).
CREATE TABLE item_assets (
	item_id		INTEGER NOT NULL REFERENCES items(id),
	path		TEXT NOT NULL,
	mime		TEXT NOT NULL,
	data		BLOB NOT NULL,
	sha256		TEXT NOT NULL,
	PRIMARY KEY (item_id, path)
) STRICT, WITHOUT ROWID;

-- An exam form. The identifier is what sittings.exam_id names, so it is
-- kept when an unused form is re-imported with other content (its sections
-- are replaced in place); a form that attempts have used (used > 0) is
-- never replaced: import the new content under a new identifier.
CREATE TABLE forms (
	id		INTEGER PRIMARY KEY,
	identifier	TEXT NOT NULL UNIQUE,
	title		TEXT NOT NULL DEFAULT '',
	program		TEXT NOT NULL CHECK (program IN ('IMH', 'ECMH')),
	published	INTEGER NOT NULL DEFAULT 1 CHECK (published IN (0, 1)),
	content_hash	TEXT NOT NULL,
	source_version	INTEGER NOT NULL,
	used		INTEGER NOT NULL DEFAULT 0,	-- attempts built from it
	imported_at	INTEGER NOT NULL
) STRICT;

-- The parts of a form, in the order the candidate takes them.
CREATE TABLE form_sections (
	id		INTEGER PRIMARY KEY,
	form_id		INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	identifier	TEXT NOT NULL,
	title		TEXT NOT NULL DEFAULT '',
	kind		TEXT NOT NULL CHECK (kind IN ('mc', 'essay')),
	time_limit_ms	INTEGER NOT NULL CHECK (time_limit_ms > 0),
	cut_percent	INTEGER NOT NULL CHECK (cut_percent BETWEEN 1 AND 100),
	UNIQUE (form_id, position),
	UNIQUE (form_id, identifier)
) STRICT;

-- An essay part's per-track sub-section: "answer K of these N, with at
-- least M from group G" (require: JSON [{"group","min"}]).
CREATE TABLE form_tracks (
	id		INTEGER PRIMARY KEY,
	section_id	INTEGER NOT NULL REFERENCES form_sections(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	identifier	TEXT NOT NULL,
	title		TEXT NOT NULL DEFAULT '',
	tracks		TEXT NOT NULL,			-- space-separated track codes
	answer		INTEGER NOT NULL CHECK (answer >= 1),
	require		TEXT NOT NULL DEFAULT '[]',
	UNIQUE (section_id, position)
) STRICT;

-- The items of a part (track_id NULL: an MC part) or of a track's
-- sub-section, in order, each pinned to one item version.
CREATE TABLE form_items (
	section_id	INTEGER NOT NULL REFERENCES form_sections(id) ON DELETE CASCADE,
	track_id	INTEGER REFERENCES form_tracks(id) ON DELETE CASCADE,
	position	INTEGER NOT NULL,
	ref		TEXT NOT NULL,			-- assessmentItemRef identifier
	item_id		INTEGER NOT NULL REFERENCES items(id),
	category	TEXT,				-- essay group, e.g. "supervisory"
	UNIQUE (section_id, track_id, position)
) STRICT;
CREATE INDEX form_items_section ON form_items(section_id, track_id, position);
CREATE INDEX form_items_item ON form_items(item_id);
