-- Identity, tenancy and the audit chain (issue 4).
--
-- Times in this schema are INTEGER milliseconds since the Unix epoch, UTC
-- (columns named *_at), except audit.at which is RFC 3339 text because it
-- is part of the hashed canonical entry. The API converts to RFC 3339.

-- A state association (tenant). Everything a coordinator, proctor or
-- candidate sees hangs off exactly one association.
CREATE TABLE associations (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE,		-- "MI", "AIMH-UK"
	name		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
) STRICT;

-- Staff accounts. Administrators belong to no association; every other
-- role belongs to exactly one.
CREATE TABLE users (
	id		INTEGER PRIMARY KEY,
	username	TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role		TEXT NOT NULL CHECK (role IN
			    ('admin', 'coordinator', 'proctor', 'grader')),
	association_id	INTEGER REFERENCES associations(id),
	password_hash	TEXT NOT NULL,			-- argon2id encoded string
	endorsement	TEXT,				-- graders: IMHS, IMHM-C, ... ECMHM-RF
	may_adjudicate	INTEGER NOT NULL DEFAULT 0 CHECK (may_adjudicate IN (0, 1)),
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at	INTEGER NOT NULL,
	CHECK ((role = 'admin') = (association_id IS NULL))
) STRICT;
CREATE INDEX users_association ON users(association_id);

-- A sitting: one exam window of one association. Scheduling (issue 5)
-- builds the API on this table and may extend it.
CREATE TABLE sittings (
	id		INTEGER PRIMARY KEY,
	association_id	INTEGER NOT NULL REFERENCES associations(id),
	exam_id		TEXT NOT NULL,			-- exam form identifier
	title		TEXT NOT NULL,
	opens_at	INTEGER NOT NULL,		-- ms, UTC
	closes_at	INTEGER NOT NULL,		-- ms, UTC
	timezone	TEXT NOT NULL DEFAULT 'UTC',	-- IANA name, for display
	capacity	INTEGER,
	admission_mode	TEXT NOT NULL DEFAULT 'proctor',	-- 'proctor' | 'auto'
	status		TEXT NOT NULL DEFAULT 'scheduled',
	created_at	INTEGER NOT NULL,
	CHECK (closes_at > opens_at)
) STRICT;
CREATE INDEX sittings_association ON sittings(association_id);

CREATE TABLE sitting_proctors (
	sitting_id	INTEGER NOT NULL REFERENCES sittings(id) ON DELETE CASCADE,
	user_id		INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (sitting_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX sitting_proctors_user ON sitting_proctors(user_id);

-- A candidate's registration for one sitting. The access code is stored
-- only as SHA-256 (hex) of its normalised 20-character form; see auth.h.
CREATE TABLE candidates (
	id		INTEGER PRIMARY KEY,
	sitting_id	INTEGER NOT NULL REFERENCES sittings(id),
	association_id	INTEGER NOT NULL REFERENCES associations(id),
	name		TEXT NOT NULL,
	email		TEXT NOT NULL,
	track		TEXT NOT NULL,
	access_code_hash TEXT NOT NULL UNIQUE,
	time_multiplier	REAL NOT NULL DEFAULT 1.0,
	extra_ms_mc	INTEGER NOT NULL DEFAULT 0,	-- extra time per part, ms
	extra_ms_essay	INTEGER NOT NULL DEFAULT 0,
	accommodations	TEXT,				-- note
	accommodations_approved_at INTEGER,		-- ms
	status		TEXT NOT NULL DEFAULT 'registered',
	created_at	INTEGER NOT NULL
) STRICT;
CREATE INDEX candidates_sitting ON candidates(sitting_id);

-- Sign-in sessions. Only SHA-256 of the bearer token is stored. For staff
-- principal_id is users.id; for candidates it is candidates.id.
CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	token_hash	TEXT NOT NULL UNIQUE,
	role		TEXT NOT NULL,
	principal_id	INTEGER NOT NULL,
	association_id	INTEGER,			-- NULL for admin
	created_at	INTEGER NOT NULL,
	last_seen_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,		-- absolute end
	idle_ms		INTEGER,			-- NULL: no idle timeout
	revoked_at	INTEGER
) STRICT;
CREATE INDEX sessions_principal ON sessions(role, principal_id);

-- Things a proctor must see: a second sign-in that took over an attempt,
-- and later the proctor's own notes (delivery may extend).
CREATE TABLE incidents (
	id		INTEGER PRIMARY KEY,
	sitting_id	INTEGER NOT NULL REFERENCES sittings(id),
	candidate_id	INTEGER REFERENCES candidates(id),
	association_id	INTEGER NOT NULL REFERENCES associations(id),
	kind		TEXT NOT NULL,			-- 'takeover', 'note', ...
	details		TEXT NOT NULL DEFAULT '{}',	-- JSON
	user_id		INTEGER REFERENCES users(id),	-- staff author, if any
	created_at	INTEGER NOT NULL
) STRICT;
CREATE INDEX incidents_sitting ON incidents(sitting_id);

-- The audit chain. hash = SHA-256(prev_hash || "\n" || canonical entry);
-- see audit.h for the canonical form. Append-only: the triggers refuse
-- UPDATE and DELETE through SQLite; `examctl audit verify` detects what
-- bypasses them.
CREATE TABLE audit (
	seq		INTEGER PRIMARY KEY,
	at		TEXT NOT NULL,			-- RFC 3339 UTC, ms
	actor		TEXT NOT NULL,			-- "user:3", "candidate:9", "anonymous", "examctl"
	role		TEXT NOT NULL,
	association_id	INTEGER,
	candidate_id	INTEGER,
	action		TEXT NOT NULL,			-- "login", "login.failed", ...
	object		TEXT NOT NULL,			-- "user:3", "sitting:4", ""
	details		TEXT NOT NULL,			-- canonical JSON object
	request_id	TEXT NOT NULL,
	prev_hash	TEXT NOT NULL,
	hash		TEXT NOT NULL
) STRICT;
CREATE INDEX audit_association ON audit(association_id, seq);
CREATE INDEX audit_candidate ON audit(candidate_id) WHERE candidate_id IS NOT NULL;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit is append-only');
END;
