package dev.ncps.config;

import dev.ncps.lock.RedisSettings;
import dev.ncps.lru.Schedule;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.PublicKey;
import dev.ncps.upstream.UpstreamSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The value types of the options, each with the one parser every source goes through. */
final class ValueTypes {
    private ValueTypes() {}

    interface Parser<T> {
        T parse(String text) throws InvalidValueException;
    }

    static <T> ValueType<T> of(String name, String form, Parser<T> parser) {
        return new ValueType<>() {
            @Override
            public T parse(String text) throws InvalidValueException {
                return parser.parse(text);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String form() {
                return form;
            }
        };
    }

    static final ValueType<String> STRING = of("string", "any text", text -> text);

    private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "false", "FALSE", "False");
    static final ValueType<Boolean> BOOLEAN = of("bool", "true or false", text -> {
        if (TRUE.contains(text)) {
            return true;
        }
        if (FALSE.contains(text)) {
            return false;
        }
        throw new InvalidValueException("expected true or false");
    });

    static final ValueType<Integer> NON_NEGATIVE_INT = integer("integer", "a whole number ≥ 0", 0);
    static final ValueType<Integer> POSITIVE_INT = integer("positive integer", "a whole number ≥ 1", 1);

    private static ValueType<Integer> integer(String name, String form, int min) {
        return of(name, form, text -> {
            try {
                int value = Integer.parseInt(text);
                if (value >= min) {
                    return value;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
            throw new InvalidValueException("expected " + form);
        });
    }

    static final ValueType<Duration> DURATION = of("duration", GoDuration.FORM, GoDuration::parse);
    static final ValueType<Duration> POSITIVE_DURATION = of("positive duration", GoDuration.FORM + ", above 0", text -> {
        Duration duration = GoDuration.parse(text);
        if (duration.isNegative() || duration.isZero()) {
            throw new InvalidValueException("expected a duration above 0");
        }
        return duration;
    });
    static final String INSTANT_FORM = "an ISO-8601 date (midnight UTC) or UTC time, e.g. 2027-01-31 or 2027-01-31T12:00:00Z";
    static final ValueType<java.time.Instant> INSTANT = of("date", INSTANT_FORM, text -> {
        try {
            return text.contains("T") ? java.time.Instant.parse(text)
                    : java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidValueException("expected " + INSTANT_FORM);
        }
    });
    static final ValueType<Long> SIZE = of("size", SizeUnits.FORM + ", or 0", SizeUnits::parse);
    static final ValueType<Long> POSITIVE_SIZE = of("positive size", SizeUnits.FORM + ", above 0", text -> {
        long size = SizeUnits.parse(text);
        if (size <= 0) {
            throw new InvalidValueException("expected a size above 0");
        }
        return size;
    });
    static final ValueType<UpstreamSpec> UPSTREAM_URL = of("upstream URL", UpstreamUrl.FORM, UpstreamUrl::parse);
    static final ValueType<Schedule> SCHEDULE = of("cron", ScheduleText.FORM, ScheduleText::parse);
    static final ValueType<DatabaseUrl> DATABASE_URL = of("database URL", DatabaseUrl.FORM, DatabaseUrl::parse);
    static final ValueType<HostPort> LISTEN_ADDRESS = of("address", HostPort.LISTEN_FORM, HostPort::parseListen);
    static final ValueType<String> REDIS_ADDRESS = of("host:port", RedisSettings.ADDRESS_FORM, text -> {
        if (!RedisSettings.isAddress(text)) {
            throw new InvalidValueException("expected " + RedisSettings.ADDRESS_FORM);
        }
        return text;
    });

    static final String PUBLIC_KEY_FORM = "a Nix public key name:base64 whose base64 holds 32 bytes, "
            + "e.g. cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    static final ValueType<PublicKey> PUBLIC_KEY = of("public key", PUBLIC_KEY_FORM, text -> {
        if (text.indexOf(':') <= 0 || text.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidValueException("expected " + PUBLIC_KEY_FORM);
        }
        try {
            return PublicKey.parse(text);
        } catch (NixParseException | RuntimeException e) {
            throw new InvalidValueException("expected " + PUBLIC_KEY_FORM);
        }
    });

    static final String HOSTNAME_FORM = "a host name without scheme or '/', e.g. cache.example.com";
    static final ValueType<String> HOSTNAME = of("hostname", HOSTNAME_FORM, text -> {
        if (text.isBlank() || text.contains("/") || text.contains("://") || text.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidValueException("expected " + HOSTNAME_FORM);
        }
        return text;
    });

    static final ValueType<Path> PATH = of("path", "a file system path", text -> {
        try {
            if (!text.isEmpty()) {
                return Path.of(text);
            }
        } catch (InvalidPathException ignored) {
            // falls through to the message below
        }
        throw new InvalidValueException("expected a file system path");
    });

    static final String HTTP_URL_FORM = "an http or https URL with a host, e.g. https://s3.amazonaws.com";
    static final ValueType<URI> HTTP_URL = of("URL", HTTP_URL_FORM, text -> {
        try {
            URI uri = new URI(text);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null) {
                // Schemes are case-insensitive, but S3Config (and the clients behind the other URLs) compare them in lower case.
                return new URI(uri.getScheme().toLowerCase(Locale.ROOT) + text.substring(uri.getScheme().length()));
            }
        } catch (URISyntaxException ignored) {
            // falls through to the message below
        }
        throw new InvalidValueException("expected " + HTTP_URL_FORM);
    });

    static final String TIMEZONE_FORM = "Local, UTC or an IANA time zone name, e.g. Europe/Berlin";
    static final ValueType<ZoneId> TIMEZONE = of("time zone", TIMEZONE_FORM, text -> {
        if (text.equals("Local")) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new InvalidValueException("expected " + TIMEZONE_FORM);
        }
    });

    /** One of a closed set of words (in the order given), matched case-insensitively. */
    static <E> ValueType<E> choice(String name, List<Map.Entry<String, E>> words) {
        Map<String, E> byWord = new LinkedHashMap<>();
        words.forEach(w -> byWord.put(w.getKey(), w.getValue()));
        String form = "one of " + String.join(", ", byWord.keySet());
        return of(name, form, text -> {
            E value = byWord.get(text.toLowerCase(Locale.ROOT));
            if (value == null) {
                throw new InvalidValueException("expected " + form);
            }
            return value;
        });
    }
}
