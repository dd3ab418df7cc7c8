-- test_load.sql: the extension loads, registers the module "lsm" and the
-- function lsm_version(), and CREATE reports clearly what it cannot do.
SELECT lsm_version();
SELECT name FROM pragma_module_list WHERE name = 'lsm';
CREATE VIRTUAL TABLE t USING lsm;
SELECT 'still running';
