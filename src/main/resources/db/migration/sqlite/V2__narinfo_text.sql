-- The narinfo with its signatures as ncps serves it, written with the row, so a hit reads one row. Rows written before
-- have none and are assembled from their row, references and signatures.
ALTER TABLE narinfos ADD COLUMN narinfo_text TEXT NULL;
