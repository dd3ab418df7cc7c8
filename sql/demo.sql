-- demo.sql: a short tour of lsmvtab, run by quick-start command (1) in the
-- sqlite3 shell after ".load ./lsmvtab".
.headers on
.mode column
SELECT lsm_version() AS version;
SELECT name AS module FROM pragma_module_list WHERE name = 'lsm';
