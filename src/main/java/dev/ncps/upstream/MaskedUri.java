package dev.ncps.upstream;

import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URL as messages and logs show it: the {@code user:password@} an upstream URL may carry is replaced by
 * {@code ***@}. Messages of this package name URLs only through it; they reach logs, never clients.
 */
final class MaskedUri {
    private MaskedUri() {}

    static String of(URI uri) {
        String userInfo = uri.getRawUserInfo();
        String text = uri.toString();
        return userInfo == null ? text : text.replaceFirst(Pattern.quote(userInfo + "@"), Matcher.quoteReplacement("***@"));
    }
}
