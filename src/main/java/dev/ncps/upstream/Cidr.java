package dev.ncps.upstream;

import java.net.InetAddress;

/** An address block such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
record Cidr(byte[] prefix, int bits) {

    /** @throws IllegalArgumentException when {@code text} is not {@code <address literal>/<bits>} */
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an address block like 10.0.0.0/8");
        }
        byte[] prefix = InetAddress.ofLiteral(text.substring(0, slash)).getAddress();
        int bits;
        try {
            bits = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (bits < 0 || bits > prefix.length * 8) {
            throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + prefix.length * 8);
        }
        return new Cidr(prefix, bits);
    }

    boolean contains(byte[] address) {
        if (address.length != prefix.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        int mask = 0xff << (8 - rest) & 0xff;
        return rest == 0 || (address[full] & mask) == (prefix[full] & mask);
    }
}
