-- The json mapper's own token scanner (map_json.c json_next) against the
-- payloads where it must hand over to PostgreSQL's json_lex: malformed
-- numbers and words, escapes, control characters, newlines, truncation,
-- and the integer bounds of the int2/int4/int8 shortcut.  Results, errors,
-- their details and byte positions must be exactly PostgreSQL's lexer's
-- (this file gives the same output on a build without the scanner).
CREATE TABLE js_all (i int, l bigint, f real, d double precision,
                     b boolean, s text, o jsonb);
CREATE TABLE js_sm (a smallint, b smallint);
CREATE FUNCTION js_try(rel regclass, map text, payload text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE r text; d text;
BEGIN
    SELECT string_agg(x::text, ' | ') INTO r FROM siddhi.map_decode(rel, map, payload) x;
    RETURN coalesce(r, '<none>');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || ' / ' || d;
END $$;
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1.5,"d":2.25,"b":true,"s":"x","o":null}');
SELECT js_try('js_all', '@map(type=''json'')', ' 	{ "i" : 1 ,
 "l" : -2 ,
 "f":1e3,"d":-0.5E-2,"b":false,"s":"a b","o":[1,{"z":null}]}
 ');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":01,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":-,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":-0,"l":-0,"f":-0,"d":-0,"b":true,"s":"x","o":-0}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1.,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1.e5,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1e,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1e+,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1E-3,"d":2e+2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":12abc,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":9223372036854775807,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":9223372036854775808,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":-9223372036854775808,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":-9223372036854775809,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":123456789012345678,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":-123456789012345678,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":1234567890123456789,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":2147483647,"l":1,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":2147483648,"l":1,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":-2147483648,"l":1,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":-2147483649,"l":1,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":999999999,"l":1,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":-999999999,"l":1,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1.0,"l":2.0,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1e2,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":"12","l":"-3","f":"1.5","d":"2","b":"true","s":12,"o":"str"}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x\u00e9\"y\n","o":{"a":"\u0041"}}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x	y","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"unterminated');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"héllo wörld","o":"日本"}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":tru,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":truex,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":True,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":false1,"s":"x","o":nul}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":null,"s":null,"o":nulll}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":null,"s":null,"o":null_}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i" 1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1,}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1} x');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1} {}');
SELECT js_try('js_all', '@map(type=''json'')', '');
SELECT js_try('js_all', '@map(type=''json'')', '   ');
SELECT js_try('js_all', '@map(type=''json'')', '{');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":[1,2');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1');
SELECT js_try('js_all', '@map(type=''json'')', '[{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1},{"i":3,"l":4,"f":1,"d":2,"b":false,"s":"y","o":2}]');
SELECT js_try('js_all', '@map(type=''json'')', '{"event":{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}}');
SELECT js_try('js_all', '@map(type=''json'')', '{"I":1,"L":2,"F":1,"D":2,"B":true,"S":"x","O":1,"extra":{"deep":[1,"2",{"x":tru}]}}');
SELECT js_try('js_all', '@map(type=''json'')', '{"I":1,"L":2,"F":1,"D":2,"B":true,"S":"x","O":1,"extra":{"deep":[1,"2",{"x":true}]}}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1,"\u0069":5}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1,"e":"\x"}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1,"e":"\u12"}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":@}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":.5}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":+5}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1,"d":2,"b":true,"s":"x","o":1}
');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,
"l":2,"f":1,"d":2,"b":true,"s":"x","o":1, "q": bad}');
SELECT js_try('js_all', '@map(type=''json'')', '{"l":2}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":-12,"l":2,"f":1,"d":2,"b":true,"s":"","o":""}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":1e400,"d":1e400,"b":true,"s":"x","o":1}');
SELECT js_try('js_all', '@map(type=''json'')', '{"i":1,"l":2,"f":0.1,"d":0.30000000000000004,"b":true,"s":"x","o":1e-400}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":9999,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":-9999,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":32767,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":32768,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":-32768,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":-32769,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":10000,"b":1}');
SELECT js_try('js_sm', '@map(type=''json'')', '{"a":099,"b":1}');
DROP FUNCTION js_try(regclass, text, text);
DROP TABLE js_all, js_sm;
