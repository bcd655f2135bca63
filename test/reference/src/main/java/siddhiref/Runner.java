package siddhiref;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.SiddhiManager;
import io.siddhi.core.config.SiddhiAppContext;
import io.siddhi.core.event.ComplexEvent;
import io.siddhi.core.event.ComplexEventChunk;
import io.siddhi.core.event.Event;
import io.siddhi.core.partition.PartitionRuntime;
import io.siddhi.core.query.QueryRuntime;
import io.siddhi.core.query.QueryRuntimeImpl;
import io.siddhi.core.query.output.callback.QueryCallback;
import io.siddhi.core.stream.input.InputHandler;
import io.siddhi.query.api.definition.Attribute;
import io.siddhi.query.api.definition.StreamDefinition;
import io.siddhi.query.api.execution.query.Query;
import io.siddhi.query.api.execution.query.output.stream.InsertIntoStream;
import io.siddhi.query.api.execution.query.output.stream.OutputStream;
import io.siddhi.query.api.execution.query.output.stream.ReturnStream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs one conformance case through Siddhi Java in playback mode.
 *
 * Usage: java -jar siddhi-reference.jar CASE_DIR
 *
 * Reads CASE_DIR/app.siddhi and CASE_DIR/input.jsonl and prints one JSON line
 * per output event of every query, in the order Siddhi delivers them.
 * See test/conformance/README.md for the formats.
 */
public final class Runner {

    private static final Pattern PLAYBACK = Pattern.compile("@\\s*app\\s*:\\s*playback",
            Pattern.CASE_INSENSITIVE);

    private final PrintWriter out;
    /** The app context (holds the playback clock), taken from the first query. */
    private SiddhiAppContext appContext;

    private Runner(PrintWriter out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: run-reference.sh CASE_DIR");
            System.exit(2);
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        int rc;
        try {
            rc = new Runner(out).run(Path.of(args[0]));
        } finally {
            out.flush();
        }
        // Siddhi leaves non-daemon executor threads behind; leave decisively.
        System.exit(rc);
    }

    private int run(Path caseDir) throws IOException, InterruptedException {
        String app = Files.readString(caseDir.resolve("app.siddhi"), StandardCharsets.UTF_8);
        if (!PLAYBACK.matcher(app).find()) {
            // Plain @app:playback: no idle.time, so the clock moves only with
            // event timestamps (and our advance_to lines): fully deterministic.
            app = "@app:playback\n" + app;
        } else if (app.toLowerCase(Locale.ROOT).contains("idle.time")) {
            System.err.println("warning: @app:playback(idle.time=...) advances the clock on wall time; "
                    + "results may not be deterministic");
        }
        List<String> inputLines = Files.readAllLines(caseDir.resolve("input.jsonl"), StandardCharsets.UTF_8);

        SiddhiManager manager = new SiddhiManager();
        SiddhiAppRuntime runtime;
        try {
            runtime = manager.createSiddhiAppRuntime(app);
        } catch (RuntimeException e) {
            System.err.println("error: Siddhi rejected the app: " + e.getMessage());
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                System.err.println("  caused by: " + c);
            }
            manager.shutdown();
            return 3;
        }
        try {
            for (QueryRuntime q : runtime.getQueries()) {
                attach(q);
            }
            for (PartitionRuntime p : runtime.getPartitions()) {
                for (QueryRuntime q : p.getQueries()) {
                    attach(q);
                }
            }
            runtime.start();
            int lineNo = 0;
            boolean anchored = false;
            for (String line : inputLines) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonObject obj = JsonParser.parseString(line).getAsJsonObject();
                if (!anchored) {
                    anchored = true;
                    long first = obj.has("advance_to") ? obj.get("advance_to").getAsLong()
                            : obj.get("ts").getAsLong();
                    for (QueryRuntime q : runtime.getQueries()) {
                        anchorRateLimiter((QueryRuntimeImpl) q, first);
                    }
                }
                if (obj.has("advance_to")) {
                    advanceTo(obj.get("advance_to").getAsLong(), lineNo);
                } else {
                    sendEvent(runtime, obj, lineNo);
                }
            }
        } finally {
            out.flush();
            runtime.shutdown();
            manager.shutdown();
        }
        return 0;
    }

    /**
     * Output rate limits per time (all, last, snapshot) start their first
     * period from the wall clock when the app starts, even in playback, so
     * with playback timestamps they would never fire. Restart that period at
     * the first input time instead, as if the app had been started on the
     * wall clock at that instant (and as our engine does in playback).
     */
    private static void anchorRateLimiter(QueryRuntimeImpl q, long start) {
        try {
            Object limiter = q.getOutputRateManager();
            Object inner = field(limiter, "outputRateLimiter");
            if (inner != null) {
                limiter = inner; // the snapshot limiter inside its wrapper
            }
            Object scheduler = field(limiter, "scheduler");
            if (scheduler == null) {
                return; // per events, or first per time: no timer
            }
            long value = ((Number) field(limiter, "value")).longValue();
            Object holder = field(limiter, "stateHolder");
            Object state = holder.getClass().getMethod("getState").invoke(holder);
            setField(state, "scheduledTime", start + value);
            invokeReturnState(holder, state);
            Object schedHolder = field(scheduler, "stateHolder");
            Object schedState = schedHolder.getClass().getMethod("getState").invoke(schedHolder);
            ((java.util.Collection<?>) field(schedState, "toNotifyQueue")).clear();
            invokeReturnState(schedHolder, schedState);
            scheduler.getClass().getMethod("notifyAt", long.class).invoke(scheduler, start + value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot restart the rate limiter of " + q.getQueryId(), e);
        }
    }

    private static void invokeReturnState(Object holder, Object state) throws ReflectiveOperationException {
        for (java.lang.reflect.Method m : holder.getClass().getMethods()) {
            if (m.getName().equals("returnState") && m.getParameterCount() == 1) {
                m.invoke(holder, state);
                return;
            }
        }
    }

    private static java.lang.reflect.Field findField(Class<?> c, String name) {
        for (; c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return null;
    }

    private static Object field(Object o, String name) throws IllegalAccessException {
        java.lang.reflect.Field f = findField(o.getClass(), name);
        return f == null ? null : f.get(o);
    }

    private static void setField(Object o, String name, long v) throws IllegalAccessException {
        java.lang.reflect.Field f = findField(o.getClass(), name);
        if (f.getType() == Long.class) {
            f.set(o, Long.valueOf(v));
        } else {
            f.setLong(o, v);
        }
    }

    /** Registers our callback on one query; partition queries are not reachable by name. */
    private void attach(QueryRuntime q) {
        Query query = q.getQuery();
        OutputStream os = query.getOutputStream();
        String name;
        if (os instanceof InsertIntoStream && ((InsertIntoStream) os).isInnerStream()) {
            return; // partition-local '#stream': internal, not an output of the app
        } else if (os == null || os instanceof ReturnStream || os.getId() == null) {
            name = q.getQueryId();
        } else {
            name = os.getId();
        }
        OrderedCallback cb = new OrderedCallback(name.toLowerCase(Locale.ROOT));
        cb.setQueryName(q.getQueryId());
        cb.setQuery(query);
        SiddhiAppContext ctx = ((QueryRuntimeImpl) q).getSiddhiQueryContext().getSiddhiAppContext();
        cb.setContext(ctx);
        if (appContext == null) {
            appContext = ctx;
        }
        ((QueryRuntimeImpl) q).addCallback(cb);
    }

    private void advanceTo(long ts, int lineNo) {
        if (appContext == null) {
            throw new IllegalStateException("input line " + lineNo + ": advance_to needs at least one query");
        }
        // Exactly what InputHandler.send(ts, data) does in playback mode before it
        // hands the event on: the schedulers fire every timer due at or before ts.
        appContext.getTimestampGenerator().setCurrentTimestamp(ts);
    }

    private void sendEvent(SiddhiAppRuntime runtime, JsonObject obj, int lineNo) throws InterruptedException {
        String wanted = obj.get("stream").getAsString();
        StreamDefinition def = null;
        for (Map.Entry<String, StreamDefinition> e : runtime.getStreamDefinitionMap().entrySet()) {
            if (e.getKey().equalsIgnoreCase(wanted)) {
                def = e.getValue();
                break;
            }
        }
        if (def == null) {
            throw new IllegalArgumentException("input line " + lineNo + ": no stream named " + wanted);
        }
        JsonArray data = obj.getAsJsonArray("data");
        List<Attribute> attrs = def.getAttributeList();
        if (data.size() != attrs.size()) {
            throw new IllegalArgumentException("input line " + lineNo + ": stream " + def.getId() + " has "
                    + attrs.size() + " attributes, line gives " + data.size());
        }
        Object[] values = new Object[attrs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = convert(data.get(i), attrs.get(i).getType(), lineNo);
        }
        InputHandler handler = runtime.getInputHandler(def.getId());
        handler.send(obj.get("ts").getAsLong(), values);
    }

    private static Object convert(JsonElement v, Attribute.Type type, int lineNo) {
        if (v == null || v.isJsonNull()) {
            return null;
        }
        switch (type) {
            case INT:
                return v.getAsInt();
            case LONG:
                return v.getAsLong();
            case FLOAT:
                return v.getAsFloat();
            case DOUBLE:
                return v.getAsDouble();
            case BOOL:
                return v.getAsBoolean();
            case STRING:
                return v.getAsString();
            default:
                if (v.isJsonPrimitive()) {
                    return v.getAsJsonPrimitive().isNumber() ? v.getAsDouble() : v.getAsString();
                }
                throw new IllegalArgumentException("input line " + lineNo + ": cannot convert " + v + " to " + type);
        }
    }

    /**
     * A query callback that keeps the order of the delivered chunk. The stock
     * QueryCallback.receive() splits a chunk into inEvents and removeEvents,
     * which loses how current and expired events interleave.
     */
    private final class OrderedCallback extends QueryCallback {
        private final String stream;

        OrderedCallback(String stream) {
            this.stream = stream;
        }

        @Override
        public void receiveStreamEvent(ComplexEventChunk chunk) {
            chunk.reset();
            while (chunk.hasNext()) {
                ComplexEvent ev = chunk.next();
                boolean expired;
                if (ev.getType() == ComplexEvent.Type.CURRENT) {
                    expired = false;
                } else if (ev.getType() == ComplexEvent.Type.EXPIRED) {
                    expired = true;
                } else {
                    continue; // TIMER / RESET are internal
                }
                emit(stream, expired, ev.getTimestamp(), ev.getOutputData());
            }
        }

        @Override
        public void receive(long timestamp, Event[] inEvents, Event[] removeEvents) {
            // unused: receiveStreamEvent is overridden
        }
    }

    private void emit(String stream, boolean expired, long ts, Object[] data) {
        StringBuilder sb = new StringBuilder(64);
        sb.append("{\"stream\": ");
        Json.string(sb, stream);
        sb.append(", \"expired\": ").append(expired);
        sb.append(", \"ts\": ").append(ts);
        sb.append(", \"data\": [");
        for (int i = 0; i < data.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Json.value(sb, data[i]);
        }
        sb.append("]}");
        out.println(sb);
    }
}
