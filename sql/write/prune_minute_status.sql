-- prune: the timeline's rows of the minutes before ?1.
DELETE FROM minute_status WHERE minute < ?1;
