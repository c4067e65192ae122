-- Chains and their outcomes per minute, summed into the stored row (columns in the order
-- of lib/store/rows.h RL_AGG_*).
INSERT INTO chain_minute(minute, chains, recovered, gave_up, rekeyed, unretried)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(minute) DO UPDATE SET
  chains = chains + excluded.chains,
  recovered = recovered + excluded.recovered,
  gave_up = gave_up + excluded.gave_up,
  rekeyed = rekeyed + excluded.rekeyed,
  unretried = unretried + excluded.unretried;
