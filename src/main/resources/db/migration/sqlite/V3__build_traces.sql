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
