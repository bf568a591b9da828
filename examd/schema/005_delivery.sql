-- Delivery (issue 6): a candidate's attempt, its parts with their clocks,
-- the MC answers and the essay responses.
--
-- Times are INTEGER ms since the Unix epoch (0: not yet). An attempt is
-- built at admission in one unit: item order and option order are drawn
-- from `seed` (delivery_shuffle_*) and stored, so the store is the record
-- and the seed a check.

CREATE TABLE attempts (
	id		INTEGER PRIMARY KEY,
	candidate_id	INTEGER NOT NULL UNIQUE REFERENCES candidates(id),
	sitting_id	INTEGER NOT NULL REFERENCES sittings(id),
	association_id	INTEGER NOT NULL REFERENCES associations(id),
	form_id		TEXT NOT NULL,			-- forms.identifier
	track		TEXT NOT NULL,
	seed		INTEGER NOT NULL,		-- 64 bits, from RAND_bytes
	status		TEXT NOT NULL,			-- delivery_attempt_state_name()
	created_at	INTEGER NOT NULL,
	admitted_at	INTEGER NOT NULL DEFAULT 0,
	completed_at	INTEGER NOT NULL DEFAULT 0,
	void_reason	TEXT
) STRICT;
CREATE INDEX attempts_sitting ON attempts(sitting_id);

-- A part of an attempt, in form order; the struct delivery_clock fields as
-- they are.
CREATE TABLE attempt_sections (
	attempt_id	INTEGER NOT NULL REFERENCES attempts(id),
	position	INTEGER NOT NULL,		-- 0-based, form order
	identifier	TEXT NOT NULL,			-- the form's section identifier
	title		TEXT NOT NULL DEFAULT '',
	kind		TEXT NOT NULL CHECK (kind IN ('mc', 'essay')),
	status		TEXT NOT NULL DEFAULT 'not_started',	-- not_started | open | submitted
	cut_percent	INTEGER NOT NULL,
	started_at	INTEGER NOT NULL DEFAULT 0,
	limit_ms	INTEGER NOT NULL,
	multiplier	INTEGER NOT NULL DEFAULT 1000,	-- per mille
	extra_ms	INTEGER NOT NULL DEFAULT 0,
	extended_ms	INTEGER NOT NULL DEFAULT 0,
	paused_total_ms	INTEGER NOT NULL DEFAULT 0,
	paused_since	INTEGER NOT NULL DEFAULT 0,
	submitted_at	INTEGER NOT NULL DEFAULT 0,
	submitted_by	TEXT CHECK (submitted_by IN ('candidate', 'server', 'forfeit', 'proctor')),
	-- essay parts: the track's rule (items/README.md)
	essay_answer	INTEGER NOT NULL DEFAULT 0,
	essay_require	TEXT NOT NULL DEFAULT '[]',	-- JSON [{"group","min"}]
	-- MC parts: the score at submission (staff only)
	mc_raw		INTEGER,
	mc_max		INTEGER,
	mc_percent_tenths INTEGER,
	mc_passed	INTEGER,
	PRIMARY KEY (attempt_id, position),
	UNIQUE (attempt_id, identifier)
) STRICT, WITHOUT ROWID;
CREATE INDEX attempt_sections_open ON attempt_sections(status)
    WHERE status = 'open';

-- MC items in the candidate's order. choice_order: JSON array of the
-- item's original choice ids in displayed order (letter a = first).
CREATE TABLE attempt_items (
	attempt_id	INTEGER NOT NULL,
	position	INTEGER NOT NULL,		-- the section
	n		INTEGER NOT NULL,		-- 1-based candidate order
	item_id		INTEGER NOT NULL REFERENCES items(id),
	choice_order	TEXT NOT NULL,
	answer		TEXT,				-- original choice id, NULL: none
	flagged		INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
	seq		INTEGER NOT NULL DEFAULT 0,
	saves		INTEGER NOT NULL DEFAULT 0,	-- applied saves, for the audit summary
	saved_at	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (attempt_id, position, n),
	FOREIGN KEY (attempt_id, position) REFERENCES attempt_sections(attempt_id, position)
) STRICT, WITHOUT ROWID;

-- Essay prompts of the candidate's track and their responses. A prompt is
-- chosen once its saved text has at least one word.
CREATE TABLE attempt_essays (
	attempt_id	INTEGER NOT NULL,
	position	INTEGER NOT NULL,		-- the section
	pid		TEXT NOT NULL,			-- candidate-facing prompt id: p1, p2, ...
	n		INTEGER NOT NULL,		-- 1-based form order
	item_id		INTEGER NOT NULL REFERENCES items(id),
	category	TEXT,				-- group names, space-separated
	chosen		INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),
	text		TEXT NOT NULL DEFAULT '',
	words		INTEGER NOT NULL DEFAULT 0,
	seq		INTEGER NOT NULL DEFAULT 0,
	saves		INTEGER NOT NULL DEFAULT 0,
	saved_at	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (attempt_id, position, pid),
	FOREIGN KEY (attempt_id, position) REFERENCES attempt_sections(attempt_id, position)
) STRICT, WITHOUT ROWID;

-- Proctor time changes, for the record beside the audit chain.
CREATE TABLE attempt_clock_log (
	id		INTEGER PRIMARY KEY,
	attempt_id	INTEGER NOT NULL REFERENCES attempts(id),
	position	INTEGER NOT NULL,
	kind		TEXT NOT NULL,			-- pause | resume | extend | restart_credit
	ms		INTEGER NOT NULL DEFAULT 0,
	reason		TEXT,
	user_id		INTEGER,
	at		INTEGER NOT NULL
) STRICT;
CREATE INDEX attempt_clock_log_attempt ON attempt_clock_log(attempt_id);
