package dev.ncps.lru;

import java.time.ZoneId;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code cache.max-size} and {@code cache.lru.*} options. The LRU job runs only with a schedule, and the
 * config loader refuses a schedule without a max size.
 *
 * @param maxSize  bytes the cache is trimmed to ({@code cache.max-size}); empty: no limit
 * @param schedule when the job runs ({@code cache.lru.schedule}); empty: never
 * @param timezone the zone a schedule without a {@code TZ=} prefix runs in ({@code cache.lru.timezone})
 */
public record LruSettings(OptionalLong maxSize, Optional<Schedule> schedule, ZoneId timezone) {}
