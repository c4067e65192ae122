-- The retry state the last run saved: chains in progress, rekey entries, waiting attempts.
SELECT kind, key, data FROM saved_state ORDER BY kind, key;
