-- The numbers the LRU and the store gauges need, kept by ncps in the same transaction as every insert, update and
-- delete of narinfos and nar_files (index.Totals), so neither counts nor sums every row. One row, id 1; each write
-- transaction updates it last, after every other lock it takes. Counted here once from the rows that exist.
CREATE TABLE cache_totals (
    id             bigint PRIMARY KEY,
    narinfo_count  bigint NOT NULL,
    nar_file_count bigint NOT NULL,
    nar_file_bytes bigint NOT NULL
);
INSERT INTO cache_totals (id, narinfo_count, nar_file_count, nar_file_bytes)
SELECT 1, (SELECT COUNT(*) FROM narinfos), (SELECT COUNT(*) FROM nar_files), (SELECT COALESCE(SUM(file_size), 0) FROM nar_files);
