-- The NAR file each narinfo LRU removed names (stored or not), with that narinfo, written in the transaction that
-- deletes the rows.
-- A NAR request that finds no row (its client holds a narinfo that some instance still served from memory, or that
-- the client kept in its own narinfo cache) resolves that narinfo again through the miss path instead of answering
-- 404. Only narinfos ncps itself held and evicted are listed; LRU prunes rows older than 30 days and all but the newest
-- 500,000. Counted in no total (cache_totals, the LRU's size).
CREATE TABLE evicted_nar_files (
    id           bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    hash         varchar(128) NOT NULL,
    compression  varchar(16)  NOT NULL,
    narinfo_hash varchar(64)  NOT NULL,
    evicted_at   datetime(6)  NOT NULL,
    UNIQUE KEY evicted_nar_files_key_uniq (hash, compression),
    KEY evicted_nar_files_evicted_at_idx (evicted_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
