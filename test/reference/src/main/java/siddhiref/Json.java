package siddhiref;

/** Minimal JSON writing for output values, stable across runs. */
final class Json {
    private Json() {
    }

    static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            string(sb, (String) v);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte) {
            sb.append(v);
        } else if (v instanceof Float) {
            // Float.toString keeps the float's own shortest digits (0.1f -> 0.1).
            finite(sb, ((Float) v).doubleValue(), Float.toString((Float) v));
        } else if (v instanceof Double) {
            finite(sb, (Double) v, Double.toString((Double) v));
        } else {
            // objects (sets, ...) are written as their string form
            string(sb, String.valueOf(v));
        }
    }

    private static void finite(StringBuilder sb, double d, String text) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            string(sb, text); // "NaN", "Infinity", "-Infinity": not JSON numbers
        } else {
            sb.append(text);
        }
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
