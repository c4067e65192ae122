-- Whether a file source has a last line without its newline yet (a report counts it as
-- if input ended there, SPEC §4).
SELECT count(*) FROM checkpoint WHERE pending IS NOT NULL;
