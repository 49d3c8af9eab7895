-- fraglab corpus workload: sqlite3 inserts, an index, updates and deletes.
-- Run as: sqlite3 :memory: '.read traces/workloads/sqlite_churn.sql'
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, tag TEXT, score REAL, body BLOB);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO item(name, tag, score, body)
SELECT 'item-' || i, 'tag' || (i % 37), (i * 7919) % 1000 / 10.0, randomblob(16 + i % 200) FROM n;
CREATE INDEX item_tag ON item(tag, score);
CREATE INDEX item_name ON item(name);
UPDATE item SET body = randomblob(300) WHERE id % 3 = 0;
DELETE FROM item WHERE id % 5 = 0;
SELECT tag, count(*), avg(score) FROM item GROUP BY tag ORDER BY 2 DESC LIMIT 5;
CREATE TABLE summary AS SELECT tag, group_concat(name, ',') AS names FROM item GROUP BY tag;
SELECT count(*), sum(length(names)) FROM summary;
DROP INDEX item_name;
DELETE FROM item WHERE score > 50;
VACUUM;
SELECT count(*) FROM item;
