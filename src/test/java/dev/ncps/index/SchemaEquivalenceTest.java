package dev.ncps.index;

import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After migrating, the three engines hold the same schema: tables, columns (normalised types and
 * nullability), primary keys, indexes (name, uniqueness, columns) and foreign keys with their delete rule,
 * all read through JDBC metadata.
 */
@Tag("slow")
class SchemaEquivalenceTest {
    @TempDir
    Path dir;

    @Test
    void sqlitePostgresqlAndMysqlSchemasAreTheSame() throws Exception {
        IndexConfig sqlite = TestIndexConfigs.sqlite(dir.resolve("schema.db"));
        Map<String, Object> sqliteSchema = describe(sqlite);
        try (PostgresServer pg = PostgresServer.start(); MariaDbServer maria = MariaDbServer.start("schema")) {
            Map<String, Object> postgresSchema = describe(TestIndexConfigs.of(pg.createDatabase()));
            Map<String, Object> mysqlSchema = describe(TestIndexConfigs.of(maria.createDatabase()));
            assertThat(postgresSchema).isEqualTo(sqliteSchema);
            assertThat(mysqlSchema).isEqualTo(sqliteSchema);
        }
        assertThat(sqliteSchema).containsKeys("config", "narinfos", "narinfo_references", "narinfo_signatures",
                "nar_files", "narinfo_nar_files");
    }

    private static Map<String, Object> describe(IndexConfig config) throws Exception {
        Index.migrate(config, false);
        Map<String, Object> schema = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password())) {
            DatabaseMetaData meta = c.getMetaData();
            String catalog = config.dialect() == Dialect.MYSQL ? c.getCatalog() : null;
            String schemaName = config.dialect() == Dialect.POSTGRESQL ? "public" : null;
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = meta.getTables(catalog, schemaName, "%", new String[] {"TABLE"})) {
                while (rows.next()) {
                    String table = rows.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!table.startsWith("flyway_") && !table.startsWith("sqlite_")) tables.add(table);
                }
            }
            for (String table : tables) schema.put(table, describeTable(meta, catalog, schemaName, table));
        }
        return schema;
    }

    private static Map<String, Object> describeTable(DatabaseMetaData meta, String catalog, String schemaName, String table)
            throws Exception {
        Map<String, Object> t = new TreeMap<>();
        TreeSet<String> primaryKey = new TreeSet<>();
        try (ResultSet rows = meta.getPrimaryKeys(catalog, schemaName, table)) {
            while (rows.next()) primaryKey.add(rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
        }
        t.put("primary key", primaryKey);
        try (ResultSet rows = meta.getColumns(catalog, schemaName, table, "%")) {
            while (rows.next()) {
                String column = rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                String type = normalise(rows.getString("TYPE_NAME"), primaryKey.contains(column));
                t.put("column " + column, type + (rows.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls ? " not null" : " null"));
            }
        }
        Map<String, TreeMap<Integer, String>> indexColumns = new TreeMap<>();
        Map<String, Boolean> unique = new TreeMap<>();
        try (ResultSet rows = meta.getIndexInfo(catalog, schemaName, table, false, false)) {
            while (rows.next()) {
                String name = rows.getString("INDEX_NAME");
                if (name == null) continue;
                name = name.toLowerCase(Locale.ROOT);
                if (name.equals("primary") || name.endsWith("_pkey") || name.startsWith("sqlite_autoindex")) continue;
                indexColumns.computeIfAbsent(name, k -> new TreeMap<>())
                        .put(rows.getInt("ORDINAL_POSITION"), rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                unique.put(name, !rows.getBoolean("NON_UNIQUE"));
            }
        }
        indexColumns.forEach((name, columns) ->
                t.put("index " + name, (unique.get(name) ? "unique " : "") + String.join(",", columns.values())));
        try (ResultSet rows = meta.getImportedKeys(catalog, schemaName, table)) {
            while (rows.next()) {
                t.put("foreign key " + rows.getString("FKCOLUMN_NAME").toLowerCase(Locale.ROOT),
                        rows.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT) + "."
                                + rows.getString("PKCOLUMN_NAME").toLowerCase(Locale.ROOT)
                                + (rows.getShort("DELETE_RULE") == DatabaseMetaData.importedKeyCascade ? " on delete cascade" : ""));
            }
        }
        return t;
    }

    /** integer / bigint / text / timestamp; SQLite's INTEGER PRIMARY KEY is a 64-bit rowid. */
    private static String normalise(String typeName, boolean primaryKey) {
        String type = typeName.toLowerCase(Locale.ROOT).replaceAll("\\(.*", "").trim();
        return switch (type) {
            case "int8", "bigint", "bigserial" -> "bigint";
            case "int4", "int", "integer", "serial" -> primaryKey ? "bigint" : "integer";
            case "varchar", "text", "character varying", "longtext", "mediumtext" -> "text";
            case "timestamptz", "timestamp", "datetime" -> "timestamp";
            default -> type;
        };
    }
}
