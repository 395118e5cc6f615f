package dev.ncps.config;

import java.util.List;
import java.util.Optional;

/**
 * One configuration option, declared once in {@link Options}: its YAML key, command-line flag, environment
 * variable, type, default and documentation. The command line, the environment and file lookup, the
 * validation messages and {@code docs/configuration.md} are all derived from these descriptors.
 *
 * @param key the dotted YAML key, or null when the option cannot be set in the file
 * @param aliasKeys further YAML keys accepted for the same option
 * @param flag the long flag without its leading dashes
 * @param env the environment variable, or null
 * @param defaultValue the default as text (parsed like any other value), or null when there is none
 *     or it is computed (then {@code defaultDoc} says how)
 * @param repeatable a list: the flag may be repeated, the env var and YAML scalars are split on commas
 * @param replacedBy for a deprecated option, the option that replaces it; it is read only when that one is unset
 * @param extension true for options the Go ncps does not have
 */
public record Option<T>(String key, List<String> aliasKeys, String flag, String env, ValueType<T> type,
                        String defaultValue, String defaultDoc, String doc, boolean repeatable,
                        Section section, Scope scope, Option<T> replacedBy, boolean extension) {

    /** Which commands accept the option. */
    public enum Scope {
        /** The root command and every subcommand. */
        GLOBAL,
        /** {@code serve} only. */
        SERVE,
        /** {@code serve} and {@code migrate up}: what locates the database. */
        SERVE_AND_MIGRATE
    }

    /** Headings of the generated reference, in order. */
    public enum Section {
        GENERAL("General"),
        SERVER("Server"),
        UPSTREAM("Upstream caches"),
        STORAGE("Storage"),
        DATABASE("Database"),
        SIGNING("Signing"),
        AUTH("Access control and uploads"),
        LRU("Size limit and eviction (LRU)"),
        REDIS("Redis"),
        LOCK("Locks"),
        DEPRECATED("Deprecated (accepted with a warning)"),
        GO_ONLY("Options of the Go ncps that ncps-java accepts and does not use (each logs a warning when set)");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    static <T> Option<T> of(Section section, Scope scope, String key, String flag, String env, ValueType<T> type) {
        return new Option<>(key, List.of(), flag, env, type, null, null, "", false, section, scope, null, false);
    }

    Option<T> doc(String text) {
        return new Option<>(key, aliasKeys, flag, env, type, defaultValue, defaultDoc, text, repeatable, section, scope, replacedBy, extension);
    }

    Option<T> defaultValue(String text) {
        return new Option<>(key, aliasKeys, flag, env, type, text, defaultDoc, doc, repeatable, section, scope, replacedBy, extension);
    }

    Option<T> computedDefault(String description) {
        return new Option<>(key, aliasKeys, flag, env, type, defaultValue, description, doc, repeatable, section, scope, replacedBy, extension);
    }

    Option<T> list() {
        return new Option<>(key, aliasKeys, flag, env, type, defaultValue, defaultDoc, doc, true, section, scope, replacedBy, extension);
    }

    Option<T> alias(String otherKey) {
        return new Option<>(key, List.of(otherKey), flag, env, type, defaultValue, defaultDoc, doc, repeatable, section, scope, replacedBy, extension);
    }

    Option<T> deprecatedFor(Option<T> replacement) {
        return new Option<>(key, aliasKeys, flag, env, type, defaultValue, defaultDoc, doc, repeatable, Section.DEPRECATED, scope, replacement, extension);
    }

    Option<T> javaExtension() {
        return new Option<>(key, aliasKeys, flag, env, type, defaultValue, defaultDoc, doc, repeatable, section, scope, replacedBy, true);
    }

    public Optional<String> keyOpt() {
        return Optional.ofNullable(key);
    }

    public boolean deprecated() {
        return replacedBy != null;
    }

    /** An option of a Go ncps feature that ncps-java does not have: accepted, warned about, unused. */
    public boolean goOnly() {
        return section == Section.GO_ONLY;
    }

    /** Every YAML key that sets this option. */
    public List<String> allKeys() {
        return key == null ? List.of() : java.util.stream.Stream.concat(java.util.stream.Stream.of(key), aliasKeys.stream()).toList();
    }

    /** How error messages name the option: {@code key (--flag, ENV)}. */
    public String label() {
        String flagText = "--" + flag;
        String envText = env == null ? "" : ", " + env;
        return key == null ? flagText + (env == null ? "" : " (" + env + ")") : key + " (" + flagText + envText + ")";
    }

    // Options are compared by identity: two descriptors are never the same option, and the record's
    // value equality would recurse through replacedBy for nothing.
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return label();
    }
}
