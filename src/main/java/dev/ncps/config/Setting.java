package dev.ncps.config;

import java.util.List;
import java.util.Set;

/**
 * One option as the configuration sets it: its text values and where they come from ("flag --x", "env X",
 * "config file F key k", "default"). For {@code ncps config check}; the values are unparsed text.
 */
public record Setting(Option<?> option, List<String> texts, String origin) {
    private static final Set<Option<?>> SECRETS = Set.of(Options.CACHE_STORAGE_S3_SECRET_ACCESS_KEY,
            Options.CACHE_REDIS_PASSWORD, Options.CACHE_GET_TOKEN);

    public Setting {
        texts = List.copyOf(texts);
    }

    /** The value as it may be shown: secrets as {@code ****}, passwords inside URLs hidden. */
    public String display() {
        if (texts.isEmpty()) return "";
        if (SECRETS.contains(option)) return "****";
        return String.join(",", texts.stream().map(Resolver::hidePassword).toList());
    }
}
