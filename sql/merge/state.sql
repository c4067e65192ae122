-- merge/state.sql - src's saved state (sql/migrate/0002_retries.sql), attempts in their
-- input order.
SELECT kind, key, data FROM src.saved_state ORDER BY kind, key;
