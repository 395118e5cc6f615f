package dev.ncps.config;

/** When the S3 client computes and validates request checksums (the AWS SDK's two settings). */
public enum ChecksumMode { WHEN_SUPPORTED, WHEN_REQUIRED }
