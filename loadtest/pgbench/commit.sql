-- pgbench script: one tiny durable transaction (one row, one commit), for the commit ceiling.
INSERT INTO commits DEFAULT VALUES;
