-- merge/src_pending.sql - src's files whose last line had no newline yet (SPEC §4: a
-- report of src counts it; merge takes what src committed, so it is not merged).
SELECT count(*) FROM src.checkpoint WHERE pending IS NOT NULL;
