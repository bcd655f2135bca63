CREATE EXTENSION siddhi;
SELECT extversion FROM pg_extension WHERE extname = 'siddhi';
