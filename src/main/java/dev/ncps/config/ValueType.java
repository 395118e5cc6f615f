package dev.ncps.config;

/**
 * How the text of one option value becomes a typed value. Every source (flag, env var, YAML scalar,
 * default) arrives as text, so one parser per type gives every source the same rules and messages.
 */
public interface ValueType<T> {
    /** Parses {@code text}; a bad value throws {@link InvalidValueException} saying what is expected. */
    T parse(String text) throws InvalidValueException;

    /** Short name of the type for the generated reference, e.g. {@code duration}. */
    String name();

    /** The allowed forms, for the generated reference. */
    String form();
}
