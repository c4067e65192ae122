-- merge/0_begin.sql - what the statements of one merge share (lib/store/merge.c runs
-- the files of sql/merge/ in name order, with the input attached as src): the maps from
-- the input's name ids to this database's, and the caps, filled by merge/param.sql.
CREATE TEMP TABLE IF NOT EXISTS merge_param (run_id INTEGER, endpoints INTEGER, methods INTEGER, errors INTEGER);
CREATE TEMP TABLE IF NOT EXISTS map_endpoint (src INTEGER PRIMARY KEY, dst INTEGER);
CREATE TEMP TABLE IF NOT EXISTS map_method (src INTEGER PRIMARY KEY, dst INTEGER);
CREATE TEMP TABLE IF NOT EXISTS map_code (src INTEGER PRIMARY KEY, dst INTEGER);
CREATE TEMP TABLE IF NOT EXISTS map_source (src INTEGER PRIMARY KEY, dst INTEGER);
DELETE FROM temp.map_endpoint;
DELETE FROM temp.map_method;
DELETE FROM temp.map_code;
DELETE FROM temp.map_source;
