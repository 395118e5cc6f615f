package dev.ncps.config;

/** Log levels; the Go ncps's {@code fatal} and {@code panic} map to {@link #ERROR}. */
public enum LogLevel { TRACE, DEBUG, INFO, WARN, ERROR }
