-- Deploy-time errors: each names line and column, and nothing is created.
\set VERBOSITY default
-- a syntax error
SELECT siddhi.deploy('bad0', $$
define stream S (a int, b string);
from S[a > 1] selec a insert into T;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('bad1', $$
define stream S (a int, b string);
from S[c > 1] select a insert into T;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('bad2', $$
define stream S (a int, b string);
from S[a > 'x'] select a insert into T;
$$);
SELECT siddhi.deploy('bad3', $$
define stream S (a int, b string);
from S select nosuchfunction(a) as x insert into T;
$$);
SELECT siddhi.deploy('bad4', $$
define stream S (a int, b string);
from Missing select a insert into T;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('bad5', $$
define stream S (a int, b string);
from S[a + 1] select a insert into T;
$$);
SELECT siddhi.deploy('bad6', $$
define stream S (a int, b string);
define table T (a int);
from S select b insert into T;
$$);
SELECT siddhi.deploy('bad7', $$
define stream S (a int, b string);
define table T (a int);
from S select a, b insert into T;
$$);
SELECT siddhi.deploy('bad8', $$
define stream S (a int, b string);
from S select a * 2 insert into T;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('bad9', $$
define stream S (a int, a string);
$$);
SELECT siddhi.deploy('bad10', $$
define stream S (a int);
define stream S (b int);
$$);
SELECT siddhi.deploy('bad11', $$
define stream S (a int);
from S insert into S;
$$);
SELECT siddhi.deploy('bad12', $$
define stream S (a int);
from S#window.lossyInfrequent(0.1) select a insert into T;
$$);
\echo :LAST_ERROR_SQLSTATE
SELECT siddhi.deploy('bad13', $$
define stream S (a int);
from S select a, a insert into T;
$$);
SELECT siddhi.deploy('', 'define stream S (a int);');
SELECT siddhi.deploy(NULL, 'define stream S (a int);');
-- nothing of the failed deploys exists
SELECT count(*) FROM siddhi.apps WHERE name LIKE 'bad%';
SELECT count(*) FROM pg_class WHERE relname IN ('s', 't');

-- an existing relation that is not a stream
CREATE TABLE plain (a int);
SELECT siddhi.deploy('bad14', $$ define stream Plain (a int); $$);
DROP TABLE plain;

-- an existing stream is reused only with the same columns
SELECT siddhi.deploy('shape1', $$ define stream Shaped (a int, b string); $$);
SELECT siddhi.deploy('shape2', $$ define stream Shaped (a int, b long); $$);
SELECT siddhi.deploy('shape3', $$ define stream Shaped (a int); $$);
SELECT siddhi.deploy('shape4', $$ define stream Shaped (a int, b string); $$);
SELECT name FROM siddhi.apps WHERE name LIKE 'shape%' ORDER BY name;
SELECT siddhi.undeploy('shape1');
SELECT to_regclass('shaped') IS NOT NULL AS still_used_by_shape4;
SELECT siddhi.undeploy('shape4');
