-- A blob of saved state whose chain closed, or whose attempt was judged, since the last commit.
DELETE FROM saved_state WHERE kind = ?1 AND key = ?2;
