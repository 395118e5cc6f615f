-- Build trace entries (build-trace-v2): the output path a derivation output built to, with its signatures (ours
-- included) one per line. Paths are store path base names, as in the protocol. Same table in every dialect.
CREATE TABLE build_traces (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    drv_path    TEXT      NOT NULL,
    output_name TEXT      NOT NULL,
    out_path    TEXT      NOT NULL,
    signatures  TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at  TIMESTAMP NULL
);
CREATE UNIQUE INDEX build_traces_key_uniq ON build_traces (drv_path, output_name);

-- Objects stored for a narinfo besides its NAR (its .ls listing, its derivation's build log): their bytes count
-- toward the LRU's total and they are evicted with the narinfo (the caller deletes the bytes, rows go first).
CREATE TABLE side_objects (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    narinfo_id BIGINT  NOT NULL REFERENCES narinfos (id) ON DELETE CASCADE,
    object_key TEXT    NOT NULL,
    size       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX side_objects_key_uniq ON side_objects (narinfo_id, object_key);
-- A build log is found by its derivation, which narinfos name in Deriver.
CREATE INDEX narinfos_deriver_idx ON narinfos (deriver);
