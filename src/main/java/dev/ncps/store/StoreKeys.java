package dev.ncps.store;

import dev.ncps.nix.Compression;

/**
 * Object names, identical to the Go ncps layout so that {@code aws s3 sync} of a local folder gives a
 * valid S3 bucket and back: {@code store/nar/<n0>/<n0n1>/<N>.nar<ext>}.
 */
public final class StoreKeys {
    private StoreKeys() {}

    /** {@code narHash} is the NAR file hash as it appears in the URL (nix32 or base16), already validated. */
    public static String nar(String narHash, Compression compression) {
        return "store/nar/" + narHash.charAt(0) + "/" + narHash.substring(0, 2) + "/" + narHash + ".nar"
                + compression.extension();
    }
}
