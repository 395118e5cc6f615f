-- Pins. pinned_closures holds the roots clients pinned (table and hash column as in the Go ncps) with the state of
-- fetching their closure; pinned_paths every store path of a closure found so far, written before the path is
-- fetched. LRU never evicts a narinfo whose hash is in pinned_paths. Shared by every instance using this database.
CREATE TABLE pinned_closures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    hash       TEXT      NOT NULL,
    state      TEXT      NOT NULL DEFAULT 'walking',
    fetched    BIGINT    NOT NULL DEFAULT 0,
    error      TEXT      NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TIMESTAMP NULL
);
CREATE UNIQUE INDEX pinned_closures_hash_uniq ON pinned_closures (hash);

CREATE TABLE pinned_paths (
    id     INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    pin_id BIGINT  NOT NULL REFERENCES pinned_closures (id) ON DELETE CASCADE,
    hash   TEXT    NOT NULL
);
CREATE UNIQUE INDEX pinned_paths_pin_hash_uniq ON pinned_paths (pin_id, hash);
CREATE INDEX pinned_paths_hash_idx ON pinned_paths (hash);
