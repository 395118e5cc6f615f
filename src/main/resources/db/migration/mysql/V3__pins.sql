-- Pins. pinned_closures holds the roots clients pinned (table and hash column as in the Go ncps) with the state of
-- fetching their closure; pinned_paths every store path of a closure found so far, written before the path is
-- fetched. LRU never evicts a narinfo whose hash is in pinned_paths. Shared by every instance using this database.
CREATE TABLE pinned_closures (
    id         bigint      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    hash       varchar(64) NOT NULL,
    state      varchar(16) NOT NULL DEFAULT 'walking',
    fetched    bigint      NOT NULL DEFAULT 0,
    error      text        NULL,
    created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at datetime(6) NULL,
    UNIQUE KEY pinned_closures_hash_uniq (hash)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE pinned_paths (
    id     bigint      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pin_id bigint      NOT NULL,
    hash   varchar(64) NOT NULL,
    UNIQUE KEY pinned_paths_pin_hash_uniq (pin_id, hash),
    KEY pinned_paths_hash_idx (hash),
    CONSTRAINT pinned_paths_pin_fk FOREIGN KEY (pin_id) REFERENCES pinned_closures (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
