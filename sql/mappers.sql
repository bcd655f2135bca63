-- Mappers (docs/connectors.md, "Mappers"), through siddhi.map_decode()
-- and siddhi.map_encode(): every format both ways, round trips, options,
-- types, and malformed payloads with their SQLSTATEs.
CREATE TABLE m_all (i int, l bigint, f real, d double precision,
                    b boolean, s text, o jsonb);
CREATE TABLE m_stock (symbol text, price double precision, volume bigint);

-- errors as "SQLSTATE: message", so the codes show
CREATE FUNCTION m_try(rel regclass, map text, payload text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
    SELECT count(*) INTO n FROM siddhi.map_decode(rel, map, payload);
    RETURN n || ' events';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION m_try_bytes(rel regclass, map text, payload bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
    SELECT count(*) INTO n FROM siddhi.map_decode(rel, map, payload);
    RETURN n || ' events';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- encode then decode: the event back?
CREATE FUNCTION m_round(rel regclass, map text, event jsonb) RETURNS jsonb
LANGUAGE sql AS $$
    SELECT siddhi.map_decode(rel, map, siddhi.map_encode(rel, map, event))
$$;

-- JSON ------------------------------------------------------------------
-- Siddhi's default form, an array of them, and the flat object
SELECT siddhi.map_decode('m_all', '@map(type=''json'')',
  '{"event": {"i": 1, "l": 9000000000, "f": 1.5, "d": 2.25, "b": true,
              "s": "x\u00e9\"y", "o": {"k": [1, {"z": null}]}}}');
SELECT siddhi.map_decode('m_stock', '@map(type=''json'')',
  '[{"event": {"symbol": "IBM", "price": 12.5, "volume": 100}},
    {"event": {"symbol": "WSO2", "price": 55.6, "volume": 200}}]');
SELECT siddhi.map_decode('m_stock', '@map(type=''json'')',
  '{"Symbol": "IBM", "price": "12.5", "volume": 100, "extra": [1, 2]}');
SELECT siddhi.map_decode('m_all', '@map(type=''json'')',
  '{"i": null, "l": null, "f": null, "d": null, "b": null, "s": null, "o": null}');
SELECT count(*) FROM siddhi.map_decode('m_stock', '@map(type=''json'')', '[]');
-- strings into numbers, numbers into text, nested JSON into text
SELECT siddhi.map_decode('m_all', '@map(type=''json'')',
  '{"i": "7", "l": -1, "f": 1e2, "d": -0.5, "b": "false", "s": 12.50, "o": "str"}');
SELECT siddhi.map_decode('m_stock', '@map(type=''json'')',
  '{"symbol": {"nested": true}, "price": 1, "volume": 2}');
-- enclosing.element and @attributes paths
SELECT siddhi.map_decode('m_stock',
  '@map(type=''json'', enclosing.element=''$.portfolio'',
        @attributes(symbol="$.stock.company[''symbol'']", price="$.stock.price",
                    volume="$.q[1]"))',
  '{"portfolio": [{"stock": {"company": {"symbol": "FB"}, "price": 55.6}, "q": [0, 100]},
                  {"stock": {"company": {"symbol": "GOOG"}, "price": 1.5}, "q": [0, 7]}],
    "other": {"x": 1}}');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''json'', enclosing.element=''$.a.b'',
        @attributes(''$.s'', ''$.p'', ''$.v''))',
  '{"a": {"b": {"s": "ONE", "p": 1, "v": 1}}}');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''json'', @attributes(symbol=''s'', price=''$["p"]'', volume=''$.v''))',
  '[{"s": "A", "p": 1, "v": 1}, {"s": "B", "p": 2, "v": 2}]');
-- fail.on.missing.attribute
SELECT m_try('m_stock', '@map(type=''json'')', '{"symbol": "IBM", "price": 1}');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''json'', fail.on.missing.attribute=''false'')',
  '{"symbol": "IBM", "price": 1}');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''json'', fail.on.missing.attribute=''false'',
        @attributes(symbol=''$.a.b'', price=''$.p'', volume=''$.v[3]''))',
  '{"a": 1, "p": 2, "v": [1]}');
-- malformed and mistyped
SELECT m_try('m_stock', '@map(type=''json'')', '{"symbol": "IBM", "price": 1,');
SELECT m_try('m_stock', '@map(type=''json'')', '{"symbol": "IBM" "price": 1}');
SELECT m_try('m_stock', '@map(type=''json'')', '{"symbol": "IBM"} x');
SELECT m_try('m_stock', '@map(type=''json'')', '{"symbol": "\uZZZZ"}');
SELECT m_try('m_stock', '@map(type=''json'')', '');
SELECT m_try('m_stock', '@map(type=''json'')', '42');
SELECT m_try('m_stock', '@map(type=''json'')', '[{"symbol": "A", "price": 1, "volume": 1}, 3]');
SELECT m_try('m_stock', '@map(type=''json'')',
  '{"symbol": "IBM", "price": "cheap", "volume": 1}');
SELECT m_try('m_stock', '@map(type=''json'')',
  '{"symbol": "IBM", "price": 1, "volume": 1e40}');
SELECT m_try('m_stock', '@map(type=''json'')',
  '{"symbol": "IBM", "price": [1], "volume": 1}');
SELECT m_try('m_stock', '@map(type=''json'', enclosing.element=''$.x'')',
  '{"y": []}');
SELECT m_try_bytes('m_stock', '@map(type=''json'')',
  '\x7b2273796d626f6c223a2022ff227d'::bytea);
SELECT m_try_bytes('m_stock', '@map(type=''json'')', '\x7b00'::bytea);
\set VERBOSITY default
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''json'')',
  '{"symbol": "IBM", "price": 1, "volume": "many"}');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''json'')',
  '{"event": {"symbol": "IBM", "price": 1}}');
-- deploy-time checks of paths and templates
SELECT * FROM siddhi.map_decode('m_stock',
  '@map(type=''json'', @attributes(symbol=''$..s'', price=''$.p'', volume=''$.v''))', '{}');
SELECT * FROM siddhi.map_decode('m_stock',
  '@map(type=''json'', enclosing.element=''$.a[*]'')', '{}');
SELECT * FROM siddhi.map_decode('m_stock',
  '@map(type=''json'', fail.on.missing.attribute=''maybe'')', '{}');
SELECT siddhi.map_encode('m_stock', '@map(type=''json'', @payload(''{"a": {{nope}}}''))', '{}');
SELECT siddhi.map_encode('m_stock', '@map(type=''json'', @payload(''{"a": {{symbol}''))', '{}');
-- sink: the default form, enclosing.element, templates, validate.json
SELECT convert_from(siddhi.map_encode('m_all', '@map(type=''json'')',
  '{"i": 1, "l": 9000000000, "f": 1.5, "d": 2.25, "b": true,
    "s": "x\"y\n", "o": {"k": [1, null]}}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_all', '@map(type=''json'')',
  '{"d": "NaN", "f": "-Infinity"}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock',
  '@map(type=''json'', enclosing.element=''$.portfolio.stock'')',
  '{"symbol": "IBM", "price": 12.5, "volume": 1}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock',
  '@map(type=''json'', @payload(''{"sym":"{{symbol}}","p":{{price}},"v":{{volume}},"raw":{{symbol}}}''))',
  '{"symbol": "I\"B\\M", "price": 12.5}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock',
  '@map(type=''json'', validate.json=''true'', @payload(''{"s": {{ symbol }}}''))',
  '{"symbol": "IBM"}'), 'UTF8');
SELECT siddhi.map_encode('m_stock',
  '@map(type=''json'', validate.json=''true'', @payload(''{"s": {{symbol}}''))',
  '{"symbol": "IBM"}');
SELECT siddhi.map_encode('m_stock', '@map(type=''json'')', '{"symbl": "IBM"}');
SELECT siddhi.map_encode('m_stock', '@map(type=''json'')', '[1]');
-- round trips
SELECT m_round('m_all', '@map(type=''json'')',
  '{"i": -5, "l": 1, "f": 0.25, "d": 1.5e10, "b": false, "s": "a,\"b\"\n\tc", "o": [1, "x", {"y": {}}]}');
SELECT m_round('m_all', '@map(type=''json'')', '{}');

-- CSV -------------------------------------------------------------------
SELECT siddhi.map_decode('m_all', '@map(type=''csv'')',
  E'1,9000000000,1.5,2.25,true,"a ""b"", c","{""k"": 1}"\n2,,,,,,\r\n\n3,3,3,3,false,"",null');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''csv'', delimiter=''|'', header.present=''true'')',
  E'symbol|price|volume\nIBM|12.5|100\n"multi\nline"|1|2\n');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''csv'', @attributes(symbol=''2'', price=''0'', volume=''1''))',
  E'12.5,100,IBM,ignored');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''csv'', delimiter=''\t'', fail.on.unknown.attribute=''false'')',
  E'IBM\t1.5');
SELECT m_try('m_stock', '@map(type=''csv'')', 'IBM,1.5');
SELECT m_try('m_stock', '@map(type=''csv'')', 'IBM,1.5,1,2');
SELECT m_try('m_stock', '@map(type=''csv'')', '"IBM,1.5,1');
SELECT m_try('m_stock', '@map(type=''csv'')', '"IBM"x,1.5,1');
SELECT m_try('m_stock', '@map(type=''csv'')', 'IBM,1.5,lots');
SELECT m_try('m_stock', '@map(type=''csv'', @attributes(symbol=''0'', price=''1'', volume=''5''))', 'IBM,1.5,1');
SELECT siddhi.map_decode('m_stock', '@map(type=''csv'', event.grouping.enabled=''true'')',
  E'A,1,1\nB,2,2');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''csv'', delimiter='';;'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''csv'', @attributes(symbol=''first'', price=''1'', volume=''2''))', '');
SELECT convert_from(siddhi.map_encode('m_all', '@map(type=''csv'')',
  '{"i": 1, "l": 2, "f": 1.5, "d": null, "b": true, "s": "a,\"b\"\nc", "o": {"k": 1}}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock', '@map(type=''csv'', delimiter=''|'', header=''true'')',
  '{"symbol": "", "price": 1, "volume": 2}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock', '@map(type=''csv'', @payload(''{{volume}};{{symbol}}''))',
  '{"symbol": "IBM", "price": 1}'), 'UTF8');
SELECT m_round('m_all', '@map(type=''csv'')',
  '{"i": -5, "l": 1, "f": 0.25, "d": 1.5e10, "b": false, "s": "a,\"b\"\n\tc", "o": [1, "x"]}');
SELECT m_round('m_all', '@map(type=''csv'')', '{"s": ""}');

-- text ------------------------------------------------------------------
SELECT siddhi.map_decode('m_all', '@map(type=''text'')',
  E'i:1,\nl:9000000000,\nf:1.5,\nd:2.25,\nb:true,\ns:"a \\"q\\", b",\no:"{\\"k\\": 1}"');
SELECT siddhi.map_decode('m_stock', '@map(type=''text'')',
  E'volume:100, price:12.5, symbol:"IBM", other:"x"');
SELECT siddhi.map_decode('m_stock', '@map(type=''text'', event.grouping.enabled=''true'')',
  E'symbol:"A",\nprice:1,\nvolume:1\n~~~~~~~~~~\nsymbol:"B",\nprice:2,\nvolume:null\n~~~~~~~~~~\n');
SELECT siddhi.map_decode('m_stock', '@map(type=''text'', event.grouping.enabled=''true'', delimiter=''##'')',
  E'symbol:"A",price:1,volume:1##symbol:"B",price:2,volume:2');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''text'', regex.A=''(\w+)\s([-0-9.]+)'', regex.B=''volume\s([0-9]+)'',
        @attributes(symbol=''A[1]'', price=''A[2]'', volume=''B''))',
  'IBM 12.5 with volume 300');
SELECT siddhi.map_decode('m_stock',
  '@map(type=''text'', fail.on.missing.attribute=''false'', regex.A=''(\w+)\s([-0-9.]+)'',
        regex.B=''volume\s([0-9]+)'', @attributes(symbol=''A[1]'', price=''A[2]'', volume=''B[1]''))',
  'IBM 12.5');
SELECT m_try('m_stock', '@map(type=''text'', regex.A=''(\w+)\s([-0-9.]+)'', regex.B=''volume\s([0-9]+)'',
        @attributes(symbol=''A[1]'', price=''A[2]'', volume=''B''))', 'IBM 12.5');
SELECT m_try('m_stock', '@map(type=''text'')', 'symbol:"IBM",price:1');
SELECT m_try('m_stock', '@map(type=''text'')', 'symbol "IBM"');
SELECT m_try('m_stock', '@map(type=''text'')', 'symbol:"IBM');
SELECT m_try('m_stock', '@map(type=''text'')', 'symbol:"IBM" x, price:1, volume:1');
SELECT m_try('m_stock', '@map(type=''text'')', 'symbol:"IBM", price:cheap, volume:1');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''text'', regex.A=''(\w+'', @attributes(symbol=''A'', price=''A'', volume=''A''))', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''text'', regex.A=''(\w+)'', @attributes(symbol=''A[2]'', price=''A'', volume=''A''))', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''text'', regex.A=''(\w+)'', @attributes(symbol=''C[1]'', price=''A'', volume=''A''))', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''text'', regex.A=''(\w+)'')', '');
SELECT convert_from(siddhi.map_encode('m_all', '@map(type=''text'')',
  '{"i": 1, "l": 2, "f": 1.5, "d": null, "b": true, "s": "a \"q\" \\", "o": {"k": 1}}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock', '@map(type=''text'', new.line.character='' '')',
  '{"symbol": "IBM", "price": 1, "volume": 2}'), 'UTF8');
-- the line break spelled with escapes, as SiddhiQL strings cannot hold one;
-- what it writes reads back
SELECT replace(replace(convert_from(siddhi.map_encode('m_stock', '@map(type=''text'', new.line.character=''\r\n'')',
  '{"symbol": "IBM", "price": 1, "volume": 2}'), 'UTF8'), E'\r', '<CR>'), E'\n', '<LF>');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''text'')',
  siddhi.map_encode('m_stock', '@map(type=''text'', new.line.character=''\t\n'')',
    '{"symbol": "IBM", "price": 1, "volume": 2}'));
SELECT convert_from(siddhi.map_encode('m_stock', '@map(type=''text'', new.line.character=''\\x'')',
  '{"symbol": "IBM", "price": 1, "volume": 2}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock', '@map(type=''text'', mustache.enabled=''false'', @payload(''Stock {{symbol}} at {{price}} ({{volume}})''))',
  '{"symbol": "IBM", "price": 1}'), 'UTF8');
SELECT m_round('m_all', '@map(type=''text'')',
  '{"i": -5, "l": 1, "f": 0.25, "d": 1.5e10, "b": false, "s": "a,\"b\"\n\tc\\", "o": [1, "x"]}');

-- keyvalue --------------------------------------------------------------
SELECT siddhi.map_decode('m_all', '@map(type=''keyvalue'')',
  E'i=1, l = 9000000000\nf=1.5,d=2.25,b=true,s=" a, ""b"" ",o={"k": 1}');
SELECT siddhi.map_decode('m_stock', '@map(type=''keyvalue'', @attributes(symbol=''sym'', price=''p'', volume=''v''))',
  'sym=IBM,p=1.5,v=,symbol=ignored');
SELECT siddhi.map_decode('m_stock', '@map(type=''keyvalue'', fail.on.missing.attribute=''false'')',
  'symbol=""');
SELECT m_try('m_stock', '@map(type=''keyvalue'')', 'symbol=IBM,price=1');
SELECT m_try('m_stock', '@map(type=''keyvalue'')', 'symbol=IBM,price,volume=1');
SELECT m_try('m_stock', '@map(type=''keyvalue'')', 'symbol="IBM,price=1,volume=1');
SELECT m_try('m_stock', '@map(type=''keyvalue'')', 'symbol="IBM"x,price=1,volume=1');
SELECT m_try('m_stock', '@map(type=''keyvalue'')', 'symbol=IBM,price=1,volume=1.5');
SELECT convert_from(siddhi.map_encode('m_all', '@map(type=''keyvalue'')',
  '{"i": 1, "l": 2, "f": 1.5, "d": null, "b": true, "s": " a,\"b\"", "o": {"k": 1}}'), 'UTF8');
SELECT convert_from(siddhi.map_encode('m_stock', '@map(type=''keyvalue'', @payload(''sym={{symbol}}''))',
  '{"symbol": "IBM"}'), 'UTF8');
SELECT m_round('m_all', '@map(type=''keyvalue'')',
  '{"i": -5, "l": 1, "f": 0.25, "d": 1.5e10, "b": false, "s": "a,\"b\"\n\tc", "o": [1, "x"]}');
SELECT m_round('m_all', '@map(type=''keyvalue'')', '{"s": ""}');

-- avro ------------------------------------------------------------------
\set schema '{"type": "record", "name": "r", "fields": [{"name": "i", "type": "int"}, {"name": "l", "type": "long"}, {"name": "f", "type": "float"}, {"name": "d", "type": ["null", "double"]}, {"name": "b", "type": "boolean"}, {"name": "s", "type": ["string", "null"]}, {"name": "o", "type": ["null", "string"]}, {"name": "extra", "type": ["null", {"type": "array", "items": "long"}]}]}'
SELECT format('@map(type=''avro'', schema.def=''%s'')', :'schema') AS avro \gset
SELECT siddhi.map_encode('m_all', :'avro',
  '{"i": 1, "l": -2, "f": 1.5, "d": null, "b": true, "s": "IBM", "o": {"k": 1}}');
SELECT siddhi.map_decode('m_all', :'avro',
  siddhi.map_encode('m_all', :'avro',
    '{"i": 1, "l": -2, "f": 1.5, "d": null, "b": true, "s": "IBM", "o": {"k": 1}}'));
-- a datum written by hand: extra = [1, 2] in two blocks, skipped
SELECT siddhi.map_decode('m_all', :'avro',
  '\x02030000c03f000100000002020201020400'::bytea);
SELECT m_round('m_all', :'avro',
  '{"i": -5, "l": 9000000000, "f": 0.25, "d": 1.5e10, "b": false, "s": "a,\"b\"\n\tc", "o": [1, "x"]}');
-- truncated
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0001000649424d02107b226b223a20317d'::bytea);
-- a byte too many
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0001000649424d02107b226b223a20317d0000'::bytea);
-- a union branch out of range
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0001000649424d02107b226b223a20317d04'::bytea);
-- a boolean of 2
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0002000649424d02107b226b223a20317d00'::bytea);
-- a string that is not UTF-8
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0001000649ff4d02107b226b223a20317d00'::bytea);
-- a number over 10 bytes
SELECT m_try_bytes('m_all', :'avro', '\xffffffffffffffffffff01030000c03f0001000649424d02107b226b223a20317d00'::bytea);
-- an int out of range
SELECT m_try_bytes('m_all', :'avro', '\xfeffffff1f030000c03f0001000649424d02107b226b223a20317d00'::bytea);
-- a length past the end
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0001007f49424d02107b226b223a20317d00'::bytea);
-- an array claiming two million items in a few bytes
SELECT m_try_bytes('m_all', :'avro', '\x02030000c03f0001000649424d02107b226b223a20317d028092f40100'::bytea);
SELECT siddhi.map_encode('m_all', :'avro', '{"i": 1}');
-- schema.file: a server file, for members of pg_read_server_files
SELECT current_setting('data_directory') || '/m_schema.avsc' AS schemafile \gset
DO $$ BEGIN
  EXECUTE format('COPY (SELECT %L) TO %L', '{"type": "record", "name": "r", "fields": [{"name": "symbol", "type": "string"}, {"name": "price", "type": "double"}, {"name": "volume", "type": ["null", "long"]}]}', current_setting('data_directory') || '/m_schema.avsc');
END $$;
SELECT format('@map(type=''avro'', schema.file=%L)', :'schemafile') AS avrofile \gset
SELECT siddhi.map_decode('m_stock', :'avrofile',
  siddhi.map_encode('m_stock', :'avrofile', '{"symbol": "IBM", "price": 2.5}'));
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.file=''/nonexistent/s.avsc'')', '');
CREATE ROLE m_filer;
SET ROLE m_filer;
\set SHOW_CONTEXT never
SELECT * FROM siddhi.map_decode('m_stock', :'avrofile', '');
\set SHOW_CONTEXT errors
RESET ROLE;
DROP ROLE m_filer;
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.def=''{"type": "record"'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.def=''"int"'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.def=''{"type": "record", "name": "r", "fields": [{"name": "symbol", "type": "string"}, {"name": "price", "type": "int"}, {"name": "volume", "type": "long"}]}'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.def=''{"type": "record", "name": "r", "fields": [{"name": "symbol", "type": "string"}, {"name": "price", "type": "double"}]}'')', '');
SELECT siddhi.map_encode('m_stock', '@map(type=''avro'', schema.def=''{"type": "record", "name": "r", "fields": [{"name": "symbol", "type": "string"}, {"name": "price", "type": "double"}, {"name": "volume", "type": "long"}, {"name": "x", "type": "int"}]}'')', '{}');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.registry=''http://x'')', '');
-- one schema, not two (none: made from the attributes, sql/avro_schema.sql)
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''avro'', schema.def=''"int"'', schema.file=''/x.avsc'')', '');

-- passThrough: the event itself, for the in-memory broker ---------------
SELECT m_round('m_all', '', '{"i": 1, "l": 2, "f": 1.5, "b": true, "s": "IBM", "o": {"k": [1]}}');
SELECT m_round('m_all', '', '{}');
SELECT m_try_bytes('m_stock', '',
  siddhi.map_encode('m_all', '', '{"i": 1}'));
SELECT m_try_bytes('m_all', '', '\x0102'::bytea);
SELECT m_try_bytes('m_all', '',
  substr(siddhi.map_encode('m_all', '', '{"s": "a string of more than thirty bytes"}'), 1, 30));
SELECT m_try_bytes('m_all', '',
  overlay(siddhi.map_encode('m_all', '', '{"s": "a string of more than thirty bytes"}')
          placing '\xff' from 5));
CREATE ROLE m_user;
SET ROLE m_user;
SELECT m_try_bytes('m_all', '', siddhi.map_encode('m_all', '', '{}'));
SELECT siddhi.map_decode('m_stock', '@map(type=''json'')', '{"symbol": "IBM", "price": 1, "volume": 2}');
RESET ROLE;
DROP ROLE m_user;

-- the map text itself
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''xml'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''json'', no.such=''1'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''json'', @attributes(nope=''$.a''))', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''json'') @map(type=''csv'')', '');
SELECT * FROM siddhi.map_decode('m_stock', '@map(type=''json''', '');

-- a stream of a deployed app
SELECT siddhi.deploy('m_app', 'define stream MStream (sym string, n long);');
SELECT siddhi.map_decode('mstream', '@map(type=''json'')', '{"sym": "A", "n": 1}');
SELECT siddhi.undeploy('m_app');
