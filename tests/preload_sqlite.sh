#!/bin/bash
# preload_sqlite: sqlite3 running inserts, an index, updates, deletes and a
# VACUUM in :memory: on each flmalloc policy, with output identical to the
# run on the C library's malloc.
source "$(dirname "$0")/lib/common.sh"
SQLITE=/usr/bin/sqlite3
require_program "$SQLITE"
require_build
make_workdir

cat >"$WORK/workload.sql" <<'SQL'
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, payload BLOB);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000)
INSERT INTO item SELECT x, 'name' || x, x % 97, zeroblob(x % 700) FROM n;
CREATE INDEX item_grp ON item(grp, name);
DELETE FROM item WHERE id % 3 = 0;
UPDATE item SET name = name || '-updated', payload = zeroblob(900) WHERE grp < 10;
SELECT count(*), sum(length(payload)), max(name), min(name) FROM item;
SELECT grp, count(*), sum(id) FROM item GROUP BY grp ORDER BY grp LIMIT 5;
SELECT name FROM item WHERE grp = 42 ORDER BY name LIMIT 3;
CREATE TABLE pairs AS SELECT a.id AS a, b.id AS b FROM item a JOIN item b ON a.grp = b.grp WHERE a.id < 400 AND b.id < 400;
SELECT count(*), sum(a * b) % 1000003 FROM pairs;
DELETE FROM item WHERE grp BETWEEN 20 AND 60;
VACUUM;
PRAGMA integrity_check;
SELECT count(*), total(length(name)) FROM item;
SQL

sqlite_workload() {
	"$SQLITE" :memory: <"$WORK/workload.sql"
}

compare_with_every_policy sqlite "sqlite3" sqlite_workload
finish
