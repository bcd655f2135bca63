-- Every function, aggregate, view and table of the extension says what it
-- is (\df+ siddhi.*, \dv+ siddhi.*): an object added without a COMMENT
-- shows up here.
SELECT 'function ' || p.oid::regprocedure AS uncommented
  FROM pg_proc p
 WHERE p.pronamespace = 'siddhi'::regnamespace
   AND obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT 'relation ' || c.oid::regclass
  FROM pg_class c
 WHERE c.relnamespace = 'siddhi'::regnamespace
   AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
   AND obj_description(c.oid, 'pg_class') IS NULL
ORDER BY 1;

-- and psql shows it
SELECT p.proname, obj_description(p.oid, 'pg_proc')
  FROM pg_proc p
 WHERE p.oid = 'siddhi.deploy(text, text, boolean, boolean)'::regprocedure;
