-- Same tables, columns, indexes and constraints as ../postgresql and ../mysql (checked by SchemaEquivalenceTest).
-- Timestamps are UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', written by the application, so they sort chronologically.
CREATE TABLE config (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    key        TEXT      NOT NULL,
    value      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NULL
);
CREATE UNIQUE INDEX config_key_uniq ON config (key);

CREATE TABLE narinfos (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    hash             TEXT      NOT NULL,
    store_path       TEXT      NOT NULL,
    url              TEXT      NOT NULL,
    compression      TEXT      NULL,
    file_hash        TEXT      NULL,
    file_size        BIGINT    NULL,
    nar_hash         TEXT      NOT NULL,
    nar_size         BIGINT    NOT NULL,
    deriver          TEXT      NULL,
    system           TEXT      NULL,
    ca               TEXT      NULL,
    upstream_url     TEXT      NULL,
    nar_file_hash    TEXT      NULL,
    nar_file_compression TEXT      NULL,
    last_accessed_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    created_at       TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at       TIMESTAMP NULL
);
CREATE UNIQUE INDEX narinfos_hash_uniq ON narinfos (hash);
-- The NAR file named by the URL, so a NAR request finds its narinfo (and the upstream URL) by index.
CREATE INDEX narinfos_nar_file_idx ON narinfos (nar_file_hash, nar_file_compression);
CREATE INDEX narinfos_last_accessed_at_idx ON narinfos (last_accessed_at);

CREATE TABLE narinfo_references (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    narinfo_id BIGINT  NOT NULL REFERENCES narinfos (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    reference  TEXT    NOT NULL
);
CREATE UNIQUE INDEX narinfo_references_position_uniq ON narinfo_references (narinfo_id, idx);
CREATE INDEX narinfo_references_reference_idx ON narinfo_references (reference);

CREATE TABLE narinfo_signatures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    narinfo_id BIGINT  NOT NULL REFERENCES narinfos (id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    signature  TEXT    NOT NULL
);
CREATE UNIQUE INDEX narinfo_signatures_position_uniq ON narinfo_signatures (narinfo_id, idx);

CREATE TABLE nar_files (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    hash             TEXT      NOT NULL,
    compression      TEXT      NOT NULL DEFAULT '',
    query            TEXT      NOT NULL DEFAULT '',
    file_size        BIGINT    NOT NULL,
    last_accessed_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    created_at       TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at       TIMESTAMP NULL
);
CREATE UNIQUE INDEX nar_files_hash_compression_query_uniq ON nar_files (hash, compression, query);
CREATE INDEX nar_files_last_accessed_at_idx ON nar_files (last_accessed_at);

CREATE TABLE narinfo_nar_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    narinfo_id  BIGINT NOT NULL REFERENCES narinfos (id) ON DELETE CASCADE,
    nar_file_id BIGINT NOT NULL REFERENCES nar_files (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX narinfo_nar_files_pair_uniq ON narinfo_nar_files (narinfo_id, nar_file_id);
CREATE INDEX narinfo_nar_files_nar_file_id_idx ON narinfo_nar_files (nar_file_id);
