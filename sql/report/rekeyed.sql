-- Clients with a rekeyed attempt.
SELECT hash
FROM rekeyed_client;
