package dev.ncps.nix;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A build trace entry (Nix's {@code build-trace-v2}, formerly "realisations"): the output path that an output of a
 * (resolved) derivation built to, with signatures. Content-addressed derivations look these up before building.
 *
 * <p>A binary cache keeps one file per entry, {@code build-trace-v2/<drv base name>/<output>.doi}: the path is the
 * key and the body the value, {@code {"outPath":"<base name>","signatures":[{"keyName":"…","sig":"<base64>"}]}}.
 * A signature covers the {@linkplain #fingerprint() fingerprint}, the compact JSON of key and value without the
 * signatures, members in name order (how Nix's JSON library writes objects). Signatures are kept here in the
 * narinfo form {@code name:base64}, so {@link PublicKey} and {@link SecretKey} verify and make both alike.
 */
public record BuildTrace(StorePath drvPath, String outputName, StorePath outPath, List<String> signatures) {
    /** Nix's output name alphabet (derivation outputs are attribute-like names). */
    private static final Pattern OUTPUT_NAME = Pattern.compile("[A-Za-z0-9+\\-_?=][A-Za-z0-9+\\-._?=]{0,210}");

    public BuildTrace {
        if (!drvPath.name().endsWith(".drv")) {
            throw new IllegalArgumentException("not a derivation: " + drvPath);
        }
        if (!isValidOutputName(outputName)) {
            throw new IllegalArgumentException("invalid output name: " + outputName);
        }
        signatures = List.copyOf(signatures);
    }

    public static boolean isValidOutputName(String name) {
        return OUTPUT_NAME.matcher(name).matches();
    }

    /**
     * The entry for the key {@code drvPath}/{@code outputName} from a {@code .doi} body: the value as Nix writes it,
     * or a whole entry ({@code {"key":…,"value":…}}, as the Go ncps expects uploads) whose key must be this one.
     * Store paths may be base names (Nix) or absolute; signatures strings ({@code name:base64}) or objects. Other
     * members (the older {@code dependentRealisations}) are ignored, as Nix ignores them.
     */
    public static BuildTrace parse(StorePath drvPath, String outputName, String json) throws NixParseException {
        Map<String, Object> value = object(Json.parse(json), "the document");
        if (value.containsKey("key") || value.containsKey("value")) {
            Map<String, Object> key = object(value.get("key"), "key");
            StorePath keyDrv = storePath(key.get("drvPath"), "key.drvPath");
            Object keyOutput = key.get("outputName");
            if (!keyDrv.equals(drvPath) || !outputName.equals(keyOutput)) {
                throw new NixParseException("its key (" + keyDrv.baseName() + ", " + keyOutput + ") is not the one in the URL ("
                        + drvPath.baseName() + ", " + outputName + ")");
            }
            value = object(value.get("value"), "value");
        }
        StorePath outPath = storePath(value.get("outPath"), "outPath");
        List<String> signatures = new ArrayList<>();
        Object listed = value.get("signatures");
        if (listed != null && listed != Json.NULL) {
            if (!(listed instanceof List<?> items)) {
                throw new NixParseException("signatures is not an array");
            }
            for (Object item : items) {
                signatures.add(signature(item));
            }
        }
        return new BuildTrace(drvPath, outputName, outPath, signatures.stream().distinct().toList());
    }

    /** What signatures cover: {@code {"key":{"drvPath":…,"outputName":…},"value":{"outPath":…}}}. */
    public String fingerprint() {
        StringBuilder out = new StringBuilder("{\"key\":{\"drvPath\":");
        JsonString.append(drvPath.baseName(), out);
        out.append(",\"outputName\":");
        JsonString.append(outputName, out);
        out.append("},\"value\":{\"outPath\":");
        JsonString.append(outPath.baseName(), out);
        return out.append("}}").toString();
    }

    /** The {@code .doi} body: the value, signatures as objects. */
    public String valueJson() {
        StringBuilder out = new StringBuilder("{\"outPath\":");
        JsonString.append(outPath.baseName(), out);
        out.append(",\"signatures\":[");
        for (int i = 0; i < signatures.size(); i++) {
            String signature = signatures.get(i);
            int colon = signature.indexOf(':');
            out.append(i == 0 ? "" : ",").append("{\"keyName\":");
            JsonString.append(signature.substring(0, colon), out);
            out.append(",\"sig\":");
            JsonString.append(signature.substring(colon + 1), out);
            out.append('}');
        }
        return out.append("]}").toString();
    }

    public BuildTrace withSignatures(List<String> replaced) {
        return new BuildTrace(drvPath, outputName, outPath, replaced);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) throws NixParseException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new NixParseException(what + " is not a JSON object");
        }
        return (Map<String, Object>) map;
    }

    private static StorePath storePath(Object value, String what) throws NixParseException {
        if (!(value instanceof String text)) {
            throw new NixParseException(what + " is missing or not a string");
        }
        return text.startsWith("/") ? StorePath.parse(text) : StorePath.parseBaseName(text);
    }

    /** {@code name:base64} from either form, checked to be a name and an Ed25519 signature's 64 bytes. */
    private static String signature(Object item) throws NixParseException {
        String name;
        String sig;
        if (item instanceof String text) {
            int colon = text.indexOf(':');
            if (colon < 0) throw new NixParseException("signature \"" + text + "\" is not name:base64");
            name = text.substring(0, colon);
            sig = text.substring(colon + 1);
        } else if (item instanceof Map<?, ?> map && map.get("keyName") instanceof String keyName && map.get("sig") instanceof String s) {
            name = keyName;
            sig = s;
        } else {
            throw new NixParseException("a signature is neither \"name:base64\" nor {\"keyName\",\"sig\"}");
        }
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new NixParseException("signature key name \"" + name + "\" is not usable");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            throw new NixParseException("signature by " + name + " is not base64");
        }
        if (bytes.length != 64) {
            throw new NixParseException("signature by " + name + " is not 64 bytes");
        }
        return name + ":" + sig;
    }
}
