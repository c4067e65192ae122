-- prune: chains and outcomes of the minutes before ?1.
DELETE FROM chain_minute WHERE minute < ?1;
