-- Same tables, columns, indexes and constraints as ../postgresql and ../sqlite (checked by SchemaEquivalenceTest).
-- MySQL 8 and MariaDB 10.6+. Binary collation: hashes and paths compare byte for byte, as in the other dialects.
-- Long free-form values (URLs, signatures, CA, config values) are TEXT: no 255-character limit.
CREATE TABLE config (
    id         bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `key`      varchar(255) NOT NULL,
    value      text         NOT NULL,
    created_at datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at datetime(6)  NULL,
    UNIQUE KEY config_key_uniq (`key`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE narinfos (
    id               bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    hash             varchar(64)  NOT NULL,
    store_path       varchar(512) NOT NULL,
    url              text         NOT NULL,
    compression      varchar(16)  NULL,
    file_hash        varchar(160) NULL,
    file_size        bigint       NULL,
    nar_hash         varchar(160) NOT NULL,
    nar_size         bigint       NOT NULL,
    deriver          varchar(512) NULL,
    `system`         varchar(64)  NULL,
    ca               text         NULL,
    upstream_url     text         NULL,
    nar_file_hash    varchar(128) NULL,
    nar_file_compression varchar(16) NULL,
    last_accessed_at datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    created_at       datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at       datetime(6)  NULL,
    UNIQUE KEY narinfos_hash_uniq (hash),
    KEY narinfos_nar_file_idx (nar_file_hash, nar_file_compression),
    KEY narinfos_last_accessed_at_idx (last_accessed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE narinfo_references (
    id         bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    narinfo_id bigint       NOT NULL,
    idx        integer      NOT NULL,
    reference  varchar(512) NOT NULL,
    UNIQUE KEY narinfo_references_position_uniq (narinfo_id, idx),
    KEY narinfo_references_reference_idx (reference),
    CONSTRAINT narinfo_references_narinfo_fk FOREIGN KEY (narinfo_id) REFERENCES narinfos (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE narinfo_signatures (
    id         bigint  NOT NULL AUTO_INCREMENT PRIMARY KEY,
    narinfo_id bigint  NOT NULL,
    idx        integer NOT NULL,
    signature  text    NOT NULL,
    UNIQUE KEY narinfo_signatures_position_uniq (narinfo_id, idx),
    CONSTRAINT narinfo_signatures_narinfo_fk FOREIGN KEY (narinfo_id) REFERENCES narinfos (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE nar_files (
    id               bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    hash             varchar(128) NOT NULL,
    compression      varchar(16)  NOT NULL DEFAULT '',
    query            varchar(512) NOT NULL DEFAULT '',
    file_size        bigint       NOT NULL,
    last_accessed_at datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    created_at       datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at       datetime(6)  NULL,
    UNIQUE KEY nar_files_hash_compression_query_uniq (hash, compression, query),
    KEY nar_files_last_accessed_at_idx (last_accessed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE narinfo_nar_files (
    id          bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    narinfo_id  bigint NOT NULL,
    nar_file_id bigint NOT NULL,
    UNIQUE KEY narinfo_nar_files_pair_uniq (narinfo_id, nar_file_id),
    KEY narinfo_nar_files_nar_file_id_idx (nar_file_id),
    CONSTRAINT narinfo_nar_files_narinfo_fk FOREIGN KEY (narinfo_id) REFERENCES narinfos (id) ON DELETE CASCADE,
    CONSTRAINT narinfo_nar_files_nar_file_fk FOREIGN KEY (nar_file_id) REFERENCES nar_files (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
