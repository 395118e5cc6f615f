package dev.ncps.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders {@code docs/configuration.md} from {@link Options}. A test fails when the committed file differs;
 * regenerate with {@code ./mvnw -o -q test -Dtest=ConfigReferenceTest -Dncps.docs.update=true}.
 */
public final class ConfigReference {
    private ConfigReference() {}

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        Files.writeString(target, markdown(), StandardCharsets.UTF_8);
    }

    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("""
                # Configuration reference

                <!-- Generated from dev.ncps.config.Options by dev.ncps.config.ConfigReference; do not edit by hand.
                     Regenerate: ./mvnw -o -q test -Dtest=ConfigReferenceTest -Dncps.docs.update=true -->

                Every option can be given as a command-line flag, an environment variable or a key in the YAML
                configuration file. Flags, variable names and keys are those of the Go ncps, so an existing
                `config.yaml`, Helm values or environment keep working; options marked *ncps-java extension*
                are ours.

                ## Where values come from

                For each option the first of these that sets it wins:

                1. the command-line flag;
                2. the environment variable;
                3. the configuration file;
                4. the default.

                **This differs from the Go ncps**, where the configuration file beats the environment. Here the
                environment overrides the file, the usual convention for containers: one `config.yaml` can be
                shared and an instance adjusted with a variable. See [compatibility](compatibility.md).

                An empty environment variable counts as unset. List options (marked *list*) may repeat the
                flag; their environment variable and a plain string in the file are split on commas
                (`CACHE_UPSTREAM_URLS=https://a,https://b`); in the file a YAML list is the clearer form.

                ## The configuration file

                `--config` (or `NCPS_CONFIG_FILE`) names a YAML file; a file named that way must exist. Without
                it, ncps reads `$XDG_CONFIG_HOME/ncps/config.yaml` (else `~/.config/ncps/config.yaml`) if that
                file exists. Keys are nested maps addressed by the dotted names below, so `cache.upstream.urls`
                is written

                ```yaml
                cache:
                  upstream:
                    urls:
                      - https://cache.nixos.org
                ```

                - **Environment references.** `${NAME}` in a value is replaced by the environment variable
                  `NAME`, and `${NAME:-fallback}` uses `fallback` when it is unset or empty. A reference to an
                  unset variable without fallback is an error naming the key. `$$` writes a literal `$`.
                - **Strict keys.** An unknown key is an error (with a suggestion when a known key is close), and
                  so is a key written twice. Keys of Go ncps features that ncps-java does not have
                  (%s) are ignored with a warning, so a Go configuration still loads.
                - A key written with no value counts as unset.

                ## Defaults that need no setup

                The Go ncps requires a host name and a database URL. ncps-java starts with only upstreams:

                ```sh
                ncps serve --cache-upstream-url https://cache.nixos.org \\
                  --cache-upstream-public-key cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=
                ```

                - `cache.hostname` defaults to this machine's host name (`localhost` when it has none);
                - storage is local, in `./ncps-data` under the working directory, unless an S3 bucket is set;
                - the database is SQLite in `<storage directory>/db/db.sqlite` when storage is local (with S3
                  storage a database URL is required: a local SQLite file cannot be shared by instances).

                ## Proxies

                Upstream requests honour the standard `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` variables
                (upper case first, then lower case), read as Go's `net/http` reads them, as the Go ncps did:
                `HTTP_PROXY` serves http:// upstreams and `HTTPS_PROXY` https:// ones (tunnelled with CONNECT);
                a value without a scheme is an http proxy; `USER:PASSWORD@` in it is sent as proxy basic
                authentication. `NO_PROXY` is a comma-separated list of host names (each also matching its
                subdomains; a leading dot matches only subdomains), IP addresses, address blocks (`10.0.0.0/8`),
                any of them with `:PORT`, or `*`; `localhost` and loopback addresses never use a proxy. A
                malformed proxy variable is a configuration error. Through a proxy, the proxy resolves names, so
                only address literals and `localhost` can be refused by ncps' upstream target policy; the proxy's
                own rules must keep upstreams away from internal addresses (see docs/design/upstreams.md).

                ## Errors

                Bad configuration stops ncps before it starts, with exit code 2 and one line per problem naming
                the key, the flag and the variable, the value and what is allowed, for example:

                ```
                invalid value for cache.max-size (--cache-max-size, CACHE_MAX_SIZE): '5GB': expected %s
                ```

                Besides each value's form, these rules are checked: exactly one storage (local or S3; S3 needs
                bucket, endpoint, access key id and secret access key); at least one upstream; public keys
                belong to upstreams (with one upstream every key is its own; with several, each key is named after
                an upstream's host, `<host>-<n>`, and a key that fits none is an error; an upstream without a key
                starts with a warning and gives only content-addressed paths, unless its URL says
                `?trust-unsigned=true`, which is warned about too); `cache.lru.schedule`
                needs `cache.max-size`; the redis lock backend needs `cache.redis.addrs`; the postgres lock
                backend needs a PostgreSQL database; a redis or postgres lock backend (several instances)
                refuses local storage and SQLite; a netrc file named explicitly must exist.

                ## Value types

                | Type | Form |
                |---|---|
                """.formatted(String.join(", ", Options.IGNORED_GO_KEYS.stream()
                        .map(k -> "`" + (k.endsWith(".") ? k + "*" : k) + "`").toList()), SizeUnits.FORM));
        Map<String, String> types = new LinkedHashMap<>();
        Options.ALL.forEach(o -> types.putIfAbsent(o.type().name(), o.type().form()));
        types.forEach((name, form) -> md.append("| ").append(name).append(" | ").append(cell(form)).append(" |\n"));

        for (Option.Section section : Option.Section.values()) {
            List<Option<?>> options = Options.ALL.stream().filter(o -> o.section() == section).toList();
            md.append("\n## ").append(section.title()).append("\n\n");
            md.append("| Flag | Environment | Key | Type | Default | Description |\n|---|---|---|---|---|---|\n");
            for (Option<?> option : options) {
                md.append("| `--").append(option.flag()).append("` | ")
                        .append(option.env() == null ? "" : "`" + option.env() + "`").append(" | ")
                        .append(option.allKeys().stream().map(k -> "`" + k + "`").collect(Collectors.joining("<br>"))).append(" | ")
                        .append(option.type().name()).append(option.repeatable() ? ", list" : "").append(" | ")
                        .append(defaultText(option)).append(" | ")
                        .append(cell(description(option))).append(" |\n");
            }
        }
        return md.toString();
    }

    private static String defaultText(Option<?> option) {
        if (option.defaultValue() != null) {
            return "`" + option.defaultValue() + "`";
        }
        return option.defaultDoc() == null ? "" : cell(option.defaultDoc());
    }

    private static String description(Option<?> option) {
        String text = option.doc();
        if (option.extension()) {
            text += " *ncps-java extension.*";
        }
        if (option.aliasKeys().contains("cache.database.url")) {
            text += " The key `cache.database.url` (used by the Go ncps's `migrate`) is accepted too.";
        }
        if (option.deprecated()) {
            text = "Deprecated: " + text + " Read only when `--" + option.replacedBy().flag() + "` is unset.";
        }
        return text;
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
