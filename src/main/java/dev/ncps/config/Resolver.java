package dev.ncps.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds each option's value by precedence: command-line flag, then environment variable, then config
 * file, then default. Parse failures are collected as problems, so one run reports every bad value.
 */
final class Resolver {
    private final Map<Option<?>, List<String>> flags;
    private final Map<String, String> env;
    private final ConfigFile file;
    private final List<String> problems;
    private final List<String> warnings;

    Resolver(Map<Option<?>, List<String>> flags, Map<String, String> env, ConfigFile file,
             List<String> problems, List<String> warnings) {
        this.flags = flags;
        this.env = env;
        this.file = file;
        this.problems = problems;
        this.warnings = warnings;
    }

    /** Text values of one option from the first source that has it, and which source that was. */
    private record Raw(List<String> texts, String origin) {}

    private Optional<Raw> raw(Option<?> option) {
        List<String> flagValues = flags.get(option);
        if (flagValues != null && !flagValues.isEmpty()) {
            return Optional.of(new Raw(option.repeatable() ? splitAll(flagValues) : List.of(flagValues.getLast()),
                    "flag --" + option.flag()));
        }
        String envValue = option.env() == null ? null : env.get(option.env());
        if (envValue != null && !envValue.isBlank()) {
            return Optional.of(new Raw(option.repeatable() ? split(envValue) : List.of(envValue.strip()), "env " + option.env()));
        }
        return fromFile(option);
    }

    private Optional<Raw> fromFile(Option<?> option) {
        Optional<Raw> found = Optional.empty();
        String foundKey = null;
        for (String key : option.allKeys()) {
            Optional<Raw> here = file.get(key).flatMap(value -> fileValue(option, key, value));
            if (here.isPresent() && found.isPresent() && !here.get().texts().equals(found.get().texts())) {
                problems.add(file.describe() + ": " + foundKey + " and " + key + " both set " + option.label()
                        + " to different values; keep one");
            } else if (here.isPresent() && found.isEmpty()) {
                found = here;
                foundKey = key;
            }
        }
        return found;
    }

    private Optional<Raw> fileValue(Option<?> option, String key, Object value) {
        if (value instanceof List<?> list) {
            if (!option.repeatable()) {
                problems.add("invalid value for " + option.label() + ": a list in " + file.describe()
                        + ": expected a single value");
                return Optional.empty();
            }
            return Optional.of(new Raw(list.stream().map(Object::toString).map(String::strip).filter(s -> !s.isEmpty()).toList(),
                    file.describe() + " key " + key));
        }
        String text = value.toString().strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        // A scalar for a list option is split like an env var: the Go ncps joins and re-splits on commas.
        return Optional.of(new Raw(option.repeatable() ? split(text) : List.of(text), file.describe() + " key " + key));
    }

    private static List<String> split(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> splitAll(List<String> texts) {
        return texts.stream().flatMap(t -> split(t).stream()).toList();
    }

    /** The option's raw values, falling back to the deprecated options it replaces. */
    private Optional<Map.Entry<Option<?>, Raw>> lookup(Option<?> option) {
        Optional<Raw> raw = raw(option);
        if (raw.isPresent()) {
            return Optional.of(Map.entry(option, raw.get()));
        }
        for (Option<?> old : Options.ALL) {
            if (old.replacedBy() == option) {
                Optional<Raw> oldRaw = raw(old);
                if (oldRaw.isPresent()) {
                    warnings.add(old.label() + " is deprecated; use " + option.label());
                    return Optional.of(Map.entry(old, oldRaw.get()));
                }
            }
        }
        return Optional.empty();
    }

    /** Where the option's value comes from and its text, as given; the default when nothing sets it. */
    Setting setting(Option<?> option) {
        return lookup(option).map(found -> new Setting(option, found.getValue().texts(), found.getValue().origin()
                        + (found.getKey() == option ? "" : " (deprecated " + found.getKey().label() + ")")))
                .orElseGet(() -> option.defaultValue() == null || option.defaultValue().isEmpty()
                        ? new Setting(option, List.of(), option.defaultDoc() == null ? "default"
                                : "default (" + option.defaultDoc().replace("`", "") + ")")
                        : new Setting(option, List.of(option.defaultValue()), "default"));
    }

    boolean isSet(Option<?> option) {
        return lookup(option).isPresent();
    }

    /** The configured value, if any; an invalid value is recorded and yields empty. */
    <T> Optional<T> value(Option<T> option) {
        List<T> values = values(option);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.getLast());
    }

    /** The configured value or the option's default. */
    <T> T valueOrDefault(Option<T> option) {
        if (option.defaultValue() == null) {
            throw new IllegalStateException(option.label() + " has no default");
        }
        if (isSet(option)) {
            return value(option).orElseGet(() -> parseDefault(option));
        }
        return parseDefault(option);
    }

    /** Every configured value of a list option (empty when unset). */
    <T> List<T> values(Option<T> option) {
        var found = lookup(option);
        if (found.isEmpty()) {
            return List.of();
        }
        @SuppressWarnings("unchecked") // lookup returns the option itself or one it replaces, both Option<T>
        Option<T> source = (Option<T>) found.get().getKey();
        List<T> parsed = new ArrayList<>();
        for (String text : found.get().getValue().texts()) {
            try {
                parsed.add(source.type().parse(text));
            } catch (InvalidValueException e) {
                problems.add("invalid value for " + source.label() + ": '" + hidePassword(text) + "': " + e.getMessage());
            }
        }
        return parsed;
    }

    private static <T> T parseDefault(Option<T> option) {
        try {
            return option.type().parse(option.defaultValue());
        } catch (InvalidValueException e) {
            throw new IllegalStateException("bad default of " + option.label() + ": " + e.getMessage(), e);
        }
    }

    /** Error messages repeat the value; a password in a URL must not end up in logs. */
    static String hidePassword(String text) {
        return text.replaceAll("(://[^:/@]*:)[^@/]*@", "$1***@");
    }
}
