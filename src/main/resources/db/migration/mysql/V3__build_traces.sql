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
