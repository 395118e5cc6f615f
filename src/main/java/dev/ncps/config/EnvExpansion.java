package dev.ncps.config;

import java.util.Map;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in config file values, from the environment. The Go ncps
 * documents this but never implemented it; secrets in env vars referenced from the file is what
 * users expect. {@code $$} writes a literal {@code $}.
 */
final class EnvExpansion {
    private EnvExpansion() {}

    /** Thrown with a message that completes "key: ...". */
    static final class UnsetVariableException extends Exception {
        UnsetVariableException(String message) {
            super(message);
        }
    }

    static String expand(String text, Map<String, String> env) throws UnsetVariableException {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new UnsetVariableException("unterminated ${ in '" + text + "'");
                }
                out.append(lookup(text.substring(i + 2, close), env));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String lookup(String expression, Map<String, String> env) throws UnsetVariableException {
        int sep = expression.indexOf(":-");
        String name = sep < 0 ? expression : expression.substring(0, sep);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new UnsetVariableException("'${" + expression + "}' is not a variable reference; "
                    + "expected ${NAME} or ${NAME:-default}");
        }
        String value = env.get(name);
        if (value != null && !value.isEmpty()) {
            return value;
        }
        if (sep >= 0) {
            return expression.substring(sep + 2);
        }
        throw new UnsetVariableException("environment variable " + name + " is not set; set it or write ${"
                + name + ":-default}");
    }
}
