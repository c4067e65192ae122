-- merge/6_end.sql - done with this input.
DELETE FROM temp.merge_param;
