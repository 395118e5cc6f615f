/**
 * The Nix binary cache protocol: hashes and their encodings, store paths, narinfo and nix-cache-info
 * files, Ed25519 signatures in Nix's key format, compression methods and the NAR archive format.
 *
 * <p>This package depends on nothing else in ncps. Every parser in it reports malformed input with a
 * {@link dev.ncps.nix.NixParseException} and nothing else, so callers can turn bad upstream or client
 * data into a precise error without guessing at exception types.
 */
package dev.ncps.nix;
