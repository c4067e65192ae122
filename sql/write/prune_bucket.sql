-- prune: attempts of the minutes before ?1 (a minute number: µs / 60 s).
DELETE FROM bucket WHERE minute < ?1;
