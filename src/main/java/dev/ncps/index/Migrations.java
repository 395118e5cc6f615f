package dev.ncps.index;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Flyway over the per-dialect scripts in {@code db/migration/<dialect>}. Flyway serialises concurrent
 * runs with a database lock (PostgreSQL advisory lock, MySQL {@code GET_LOCK}), so instances starting
 * together apply each version once.
 */
final class Migrations {
    private Migrations() {}

    static MigrationReport run(Dialect dialect, DataSource dataSource, boolean dryRun) throws IndexException {
        refuseGoDatabase(dataSource);
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(dialect.migrationLocation())
                    .failOnMissingLocations(true)
                    .cleanDisabled(true)
                    .load();
            MigrationInfoService before = flyway.info();
            List<String> applied = versions(before.applied());
            if (dryRun) return new MigrationReport(applied, List.of(), versions(before.pending()));
            MigrateResult result = flyway.migrate();
            List<String> now = result.migrations.stream().map(m -> m.version).toList();
            return new MigrationReport(applied, now, versions(flyway.info().pending()));
        } catch (FlywayException e) {
            throw new IndexException("migrating the " + dialect + " index schema failed: " + e.getMessage(), e);
        }
    }

    /**
     * The Go ncps keeps its schema version in goose's {@code schema_migrations}; Flyway would fail on its
     * tables with a long trace. The default SQLite path of the Go NixOS module equals ours, so this is met
     * in practice.
     */
    private static void refuseGoDatabase(DataSource dataSource) throws IndexException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeQuery("SELECT version_id FROM schema_migrations WHERE 1 = 0").close();
        } catch (SQLException noGooseTable) {
            return;
        }
        throw new GoDatabaseException("this database was created by the Go ncps (it has goose's schema_migrations table); "
                + "ncps-java does not change it. Take the deployment over with 'ncps import-go' into a new database "
                + "(see docs/operations/import-go.md)");
    }

    private static List<String> versions(MigrationInfo[] infos) {
        return Arrays.stream(infos).map(i -> i.getVersion() == null ? i.getDescription() : i.getVersion().getVersion())
                .toList();
    }
}
