-- Saved state is replaced as a whole at the end of each run.
DELETE FROM saved_state;
