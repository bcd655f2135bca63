package siddhiref;

import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.SiddhiManager;
import io.siddhi.core.event.Event;
import io.siddhi.core.stream.input.InputHandler;
import io.siddhi.core.stream.output.StreamCallback;
import io.siddhi.query.api.definition.Attribute;
import io.siddhi.query.api.definition.StreamDefinition;
import io.siddhi.query.compiler.SiddhiCompiler;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Engine throughput of one app in Siddhi Java, for bench/compare.
 *
 * Usage: java -cp siddhi-reference.jar siddhiref.Bench APP_FILE EVENTS WARMUP
 *            [KEYS [RATE [LOAD_STREAM LOAD_ROWS]]]
 *
 * With LOAD_STREAM, events 0 .. LOAD_ROWS-1 (generated the same way) go
 * into that stream first, untimed, and it is not an input otherwise: the
 * app's query from it fills a table the timed queries read.
 *
 * Sends WARMUP events (to let the JIT compile), then EVENTS events, through
 * InputHandler.send(timestamp, data) in playback mode, round robin over the
 * app's input streams (the streams it defines), and prints
 * "events=N seconds=S events_per_second=R outputs=O" for the timed part.
 * Events are generated exactly as bench/compare generates them for siddhi:
 * for event i, the timestamp is i * 1000 / RATE (RATE events per second of
 * event time, default 1000: 1 ms apart), a string is "S" + (i % KEYS)
 * (KEYS default 1000), an int is i % KEYS, a long named ts is the
 * timestamp, another long is i, a double is (i % 500) / 3.0, a float the
 * same as a float, a bool i % 2 == 0.
 */
public final class Bench {

    private Bench() {
    }

    static Object value(Attribute attr, long i, long keys, long ts) {
        switch (attr.getType()) {
            case STRING: return "S" + (i % keys);
            case INT: return (int) (i % keys);
            case LONG: return attr.getName().equals("ts") ? ts : i;
            case DOUBLE: return (i % 500) / 3.0;
            case FLOAT: return (float) ((i % 500) / 3.0);
            case BOOL: return i % 2 == 0;
            default: throw new IllegalArgumentException("no generator for " + attr.getType());
        }
    }

    public static void main(String[] args) throws Exception {
        String app = new String(Files.readAllBytes(Path.of(args[0])), StandardCharsets.UTF_8);
        long events = Long.parseLong(args[1]);
        long warmup = Long.parseLong(args[2]);
        long keys = args.length > 3 ? Long.parseLong(args[3]) : 1000;
        long rate = args.length > 4 ? Long.parseLong(args[4]) : 1000;
        String load = args.length > 6 ? args[5] : null;
        long loadRows = args.length > 6 ? Long.parseLong(args[6]) : 0;
        if (!app.toLowerCase().contains("@app:playback")) {
            app = "@app:playback\n" + app;
        }
        SiddhiManager manager = new SiddhiManager();
        SiddhiAppRuntime runtime = manager.createSiddhiAppRuntime(app);
        AtomicLong outputs = new AtomicLong();
        runtime.addCallback("Out", new StreamCallback() {
            @Override
            public void receive(Event[] out) {
                outputs.addAndGet(out.length);
            }
        });
        /* input streams: those the app defines (queries infer the others) */
        java.util.Set<String> defined =
                SiddhiCompiler.parse(app).getStreamDefinitionMap().keySet();
        List<InputHandler> handlers = new ArrayList<>();
        List<List<Attribute>> schemas = new ArrayList<>();
        for (StreamDefinition def : runtime.getStreamDefinitionMap().values()) {
            if (!defined.contains(def.getId()) || def.getId().equalsIgnoreCase("Out")
                    || (load != null && def.getId().equalsIgnoreCase(load))) {
                continue;
            }
            handlers.add(runtime.getInputHandler(def.getId()));
            schemas.add(def.getAttributeList());
        }
        runtime.start();

        if (load != null) {
            StreamDefinition def = null;
            for (StreamDefinition d : runtime.getStreamDefinitionMap().values()) {
                if (d.getId().equalsIgnoreCase(load)) {
                    def = d;
                }
            }
            if (def == null) {
                throw new IllegalArgumentException("no stream " + load);
            }
            InputHandler loader = runtime.getInputHandler(def.getId());
            List<Attribute> schema = def.getAttributeList();
            for (long i = 0; i < loadRows; i++) {
                Object[] data = new Object[schema.size()];
                for (int a = 0; a < data.length; a++) {
                    data[a] = value(schema.get(a), i, keys, 0);
                }
                loader.send(0, data);
            }
        }

        long t0 = 0;
        for (long i = 0; i < warmup + events; i++) {
            if (i == warmup) {
                outputs.set(0);
                t0 = System.nanoTime();
            }
            int s = (int) (i % handlers.size());
            List<Attribute> schema = schemas.get(s);
            long ts = i * 1000 / rate;
            Object[] data = new Object[schema.size()];
            for (int a = 0; a < data.length; a++) {
                data[a] = value(schema.get(a), i, keys, ts);
            }
            handlers.get(s).send(ts, data);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("events=%d seconds=%.3f events_per_second=%.0f outputs=%d%n",
                events, seconds, events / seconds, outputs.get());
        runtime.shutdown();
        manager.shutdown();
    }
}
