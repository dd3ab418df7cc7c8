-- test_load.sql: the extension loads, registers the module "lsm" and the
-- functions, and a table can be created and used at once.
SELECT lsm_version();
SELECT name FROM pragma_module_list WHERE name = 'lsm';
SELECT name FROM pragma_function_list WHERE name LIKE 'lsm\_%' ESCAPE '\'
 ORDER BY name;
CREATE VIRTUAL TABLE t USING lsm;
INSERT INTO t VALUES('hello', 'world');
SELECT * FROM t;
