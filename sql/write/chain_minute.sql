-- Chains and their outcomes per minute, summed into the stored row (columns in the order
-- of lib/store/rows.h RL_AGG_*).
-- sql/merge/3_retries.sql adds another database's rows by the same rule: change both.
INSERT INTO chain_minute(minute, chains, recovered, gave_up, rekeyed, unretried)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(minute) DO UPDATE SET
  chains = chains + excluded.chains,
  recovered = recovered + excluded.recovered,
  gave_up = gave_up + excluded.gave_up,
  rekeyed = rekeyed + excluded.rekeyed,
  unretried = unretried + excluded.unretried;
