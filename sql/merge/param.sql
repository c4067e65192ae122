-- merge/param.sql - the run the merged rejected samples belong to, and the caps of the
-- name tables (lib/base/defaults.h), for the statements of sql/merge/.
INSERT INTO temp.merge_param(run_id, endpoints, methods, errors) VALUES (?1, ?2, ?3, ?4);
