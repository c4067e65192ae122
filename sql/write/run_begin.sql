-- A run starts as "running".
INSERT INTO run(command, version, started_us, status) VALUES (?1, ?2, ?3, 'running');
