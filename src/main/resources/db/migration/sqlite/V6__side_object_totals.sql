-- The bytes of side objects (listings, build logs) with the other totals (index.Totals), so that an LRU run starts
-- from one row instead of summing side_objects, which holds a row per path when listings are kept. Summed here once.
ALTER TABLE cache_totals ADD COLUMN side_object_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE cache_totals SET side_object_bytes = (SELECT COALESCE(SUM(size), 0) FROM side_objects) WHERE id = 1;
