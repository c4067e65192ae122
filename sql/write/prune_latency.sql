-- prune: latency histograms of the minutes before ?1.
DELETE FROM latency WHERE minute < ?1;
