-- The NAR file each narinfo LRU removed names (stored or not), with that narinfo, written in the transaction that
-- deletes the rows.
-- A NAR request that finds no row (its client holds a narinfo that some instance still served from memory, or that
-- the client kept in its own narinfo cache) resolves that narinfo again through the miss path instead of answering
-- 404. Only narinfos ncps itself held and evicted are listed; LRU prunes rows older than 30 days and all but the newest
-- 500,000. Counted in no total (cache_totals, the LRU's size).
CREATE TABLE evicted_nar_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    hash         TEXT      NOT NULL,
    compression  TEXT      NOT NULL,
    narinfo_hash TEXT      NOT NULL,
    evicted_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX evicted_nar_files_key_uniq ON evicted_nar_files (hash, compression);
CREATE INDEX evicted_nar_files_evicted_at_idx ON evicted_nar_files (evicted_at);
