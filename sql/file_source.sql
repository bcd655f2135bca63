-- The file source's deploy-time checks (reading, tailing, rotation and
-- restarts: t/030_file_source.pl).  siddhi.file_directory is not set
-- here: the option rules are checked first, the paths last.
\set VERBOSITY default
-- one of file.uri and dir.uri
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', dir.uri = 'in', @map(type = 'csv')) define stream S (a int);
$$);
-- a mapper is needed: lines are text
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv') define stream S (a int);
$$);
-- modes
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', mode = 'binary.full', tailing = 'false', @map(type = 'text')) define stream S (a string);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.log', mode = 'regex', begin.regex = '<e>(', @map(type = 'text')) define stream S (a string);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.log', end.regex = '</e>', @map(type = 'text')) define stream S (a string);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', mode = 'lines', @map(type = 'text')) define stream S (a string);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.json', mode = 'text.full', tailing = 'true', @map(type = 'json')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', tailing = 'maybe', @map(type = 'csv')) define stream S (a int);
$$);
-- actions
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', tailing = 'false', action.after.process = 'archive', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', action.after.process = 'delete', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', tailing = 'false', action.after.process = 'move', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', tailing = 'false', move.after.process = 'done', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', max.line.length = '0', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', poll.interval = '10', @map(type = 'csv')) define stream S (a int);
$$);
-- the paths: file connectors are off without siddhi.file_directory
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'file:///var/lib/siddhi/in/orders.csv', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', dir.uri = 'in', tailing = 'false', action.after.process = 'none', @map(type = 'csv')) define stream S (a int);
$$);
-- the SQL dialect's spelling reaches the same checks
SELECT siddhi.deploy('fsrc', $$
CREATE SOURCE FsrcOrders (id BIGINT, sym STRING) WITH (type = 'file', file.uri = 'in/orders.csv', format = 'csv');
$$);
-- reading server files takes pg_read_server_files, as COPY FROM a file
-- does; moving or deleting them pg_write_server_files too
CREATE ROLE fs_reader LOGIN;
CREATE ROLE fs_nobody LOGIN;
GRANT pg_read_server_files TO fs_reader;
GRANT USAGE ON SCHEMA siddhi TO fs_reader, fs_nobody;
GRANT CREATE ON SCHEMA public TO fs_reader, fs_nobody;
SET ROLE fs_nobody;
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', @map(type = 'csv')) define stream S (a int);
$$);
SET ROLE fs_reader;
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', tailing = 'false', @map(type = 'csv')) define stream S (a int);
$$);
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', tailing = 'false', action.after.process = 'move', move.after.process = 'done', @map(type = 'csv')) define stream S (a int);
$$);
-- reading alone is allowed (and stops at the path here)
SELECT siddhi.deploy('fsrc', $$
@source(type = 'file', file.uri = 'a.csv', @map(type = 'csv')) define stream S (a int);
$$);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM fs_reader, fs_nobody;
REVOKE USAGE ON SCHEMA siddhi FROM fs_reader, fs_nobody;
DROP ROLE fs_reader;
DROP ROLE fs_nobody;
SELECT count(*) FROM siddhi.apps WHERE name = 'fsrc';
