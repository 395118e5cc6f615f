package dev.ncps.config;

import java.time.ZoneId;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The size limit. The LRU job runs only with a schedule, and a schedule always comes with a max size.
 *
 * @param maxSize bytes
 */
public record LruConfig(OptionalLong maxSize, Optional<Schedule> schedule, ZoneId timezone) {}
