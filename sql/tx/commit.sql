-- Makes the open transaction durable.
COMMIT;
