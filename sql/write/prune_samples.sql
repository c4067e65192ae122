-- prune: rejected-line samples of runs that finished before ?1 (µs, the wall clock:
-- a rejected line has no time of its own).
DELETE FROM rejected_sample WHERE run_id IN (SELECT id FROM run WHERE finished_us < ?1);
