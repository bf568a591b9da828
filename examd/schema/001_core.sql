-- Facts about this database: instance id, last heartbeat (for crediting
-- time lost to a restart), and the like.
CREATE TABLE meta (
	key	TEXT PRIMARY KEY,
	value	TEXT NOT NULL
) STRICT;
