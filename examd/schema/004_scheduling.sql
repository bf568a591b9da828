-- Scheduling (issue 5): sittings as coordinators edit them, candidates'
-- accommodations, one registration per e-mail per sitting.
--
-- Sitting status as stored is 'scheduled' or 'cancelled'; "open" and
-- "closed" are derived from the window and the clock by the API.

ALTER TABLE sittings ADD COLUMN updated_at INTEGER;		-- ms
ALTER TABLE sittings ADD COLUMN cancelled_at INTEGER;		-- ms
ALTER TABLE sittings ADD COLUMN cancel_reason TEXT;

-- Accommodations beyond time: the candidate may take breaks on their own
-- schedule (the clock still runs unless a proctor pauses it).
ALTER TABLE candidates ADD COLUMN breaks_allowed INTEGER NOT NULL DEFAULT 0
    CHECK (breaks_allowed IN (0, 1));
-- When the current access code was issued (ms): printed on letters, and
-- how a coordinator sees that a reissue happened.
ALTER TABLE candidates ADD COLUMN code_issued_at INTEGER;

-- The same person twice in one sitting is a mistake; e-mail addresses are
-- compared without regard to ASCII case.
CREATE UNIQUE INDEX candidates_sitting_email ON candidates(sitting_id, lower(email));
