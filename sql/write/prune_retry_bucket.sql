-- prune: retries and their verdicts of the minutes before ?1.
DELETE FROM retry_bucket WHERE minute < ?1;
