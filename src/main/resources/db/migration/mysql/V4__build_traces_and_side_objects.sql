-- Build trace entries (build-trace-v2): the output path a derivation output built to, with its signatures (ours
-- included) one per line. Paths are store path base names, as in the protocol. Same table in every dialect.
CREATE TABLE build_traces (
    id          bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    drv_path    varchar(512) NOT NULL,
    output_name varchar(255) NOT NULL,
    out_path    varchar(512) NOT NULL,
    signatures  text         NOT NULL,
    created_at  datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  datetime(6)  NULL,
    UNIQUE KEY build_traces_key_uniq (drv_path, output_name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Objects stored for a narinfo besides its NAR (its .ls listing, its derivation's build log): their bytes count
-- toward the LRU's total and they are evicted with the narinfo (the caller deletes the bytes, rows go first).
CREATE TABLE side_objects (
    id         bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    narinfo_id bigint       NOT NULL,
    object_key varchar(255) NOT NULL,
    size       bigint       NOT NULL,
    UNIQUE KEY side_objects_key_uniq (narinfo_id, object_key),
    CONSTRAINT side_objects_narinfo_fk FOREIGN KEY (narinfo_id) REFERENCES narinfos (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
-- A build log is found by its derivation, which narinfos name in Deriver.
CREATE INDEX narinfos_deriver_idx ON narinfos (deriver);
