-- Delivery (issue 6), the sitting's side: when examd closed the window,
-- a sitting-wide pause that holds new starts, and the candidate's status
-- kept true by the database itself.

-- When examd ran the window's closing pass (ms; 0: not yet): parts nobody
-- started forfeited, candidates never admitted marked absent. A window
-- that closed while examd was down is closed at the next start.
ALTER TABLE sittings ADD COLUMN window_closed_at INTEGER NOT NULL DEFAULT 0;
-- Since when the whole sitting is paused (ms; 0: not paused). While it
-- is, no part starts; open parts carry their own pause.
ALTER TABLE sittings ADD COLUMN paused_at INTEGER NOT NULL DEFAULT 0;

-- candidates.status is where a candidate is: 'registered', 'waiting'
-- (signed in), then the attempt's own status ('admitted', 'in_section',
-- 'between_sections', 'complete', 'void'), or 'absent' (the window closed
-- before an admission; set by examd). The attempt is the truth once there
-- is one: these triggers copy it in the same transaction as the write that
-- changes it, so no code path can leave the two apart.
CREATE TRIGGER candidates_status_attempt_insert AFTER INSERT ON attempts
BEGIN
	UPDATE candidates SET status = NEW.status WHERE id = NEW.candidate_id;
END;
CREATE TRIGGER candidates_status_attempt_update AFTER UPDATE OF status
    ON attempts WHEN NEW.status <> OLD.status
BEGIN
	UPDATE candidates SET status = NEW.status WHERE id = NEW.candidate_id;
END;
CREATE TRIGGER candidates_status_signin AFTER INSERT ON sessions
    WHEN NEW.role = 'candidate'
BEGIN
	UPDATE candidates SET status = 'waiting'
	    WHERE id = NEW.principal_id AND status = 'registered';
END;

UPDATE candidates SET status = 'waiting' WHERE status = 'registered' AND
    EXISTS (SELECT 1 FROM sessions x WHERE x.role = 'candidate' AND
    x.principal_id = candidates.id);
UPDATE candidates SET status = (SELECT a.status FROM attempts a
    WHERE a.candidate_id = candidates.id)
    WHERE EXISTS (SELECT 1 FROM attempts a WHERE a.candidate_id = candidates.id);
