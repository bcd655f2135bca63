package siddhiref;

import io.siddhi.core.SiddhiAppRuntime;
import io.siddhi.core.SiddhiManager;
import io.siddhi.core.stream.input.InputHandler;
import io.siddhi.query.api.definition.Attribute;
import io.siddhi.query.api.definition.StreamDefinition;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Heap held by one app's state in Siddhi Java, for bench/memory.sh.
 *
 * Usage: java -cp siddhi-reference.jar siddhiref.Memory RATE
 *            APP_FILE EVENTS KEYS [APP_FILE EVENTS KEYS ...]
 *
 * For each (app, events, keys) in turn, in this one JVM: creates the app
 * (in playback), sends EVENTS events into its stream Feed, generated
 * as Bench generates them (KEYS distinct strings and ints, RATE events per
 * second of event time), runs System.gc() until the used heap settles and
 * prints "app=FILE events=N used=BYTES" with the runtime still alive
 * (totalMemory - freeMemory), then shuts the app down before the next one.
 * The caller takes differences between runs of the same app with a small
 * and a large state: what the state costs, without the JVM's and the app's
 * fixed costs.
 */
public final class Memory {

    private Memory() {
    }

    static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            long u = rt.totalMemory() - rt.freeMemory();
            if (i >= 3 && Math.abs(u - last) < 64 * 1024) {
                return u;
            }
            last = u;
        }
        return last;
    }

    public static void main(String[] args) throws Exception {
        long rate = Long.parseLong(args[0]);
        for (int a = 1; a + 2 < args.length; a += 3) {
            String file = args[a];
            long events = Long.parseLong(args[a + 1]);
            long keys = Long.parseLong(args[a + 2]);
            String app = new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8);
            if (!app.toLowerCase().contains("@app:playback")) {
                app = "@app:playback\n" + app;
            }
            SiddhiManager manager = new SiddhiManager();
            SiddhiAppRuntime runtime = manager.createSiddhiAppRuntime(app);
            StreamDefinition in = null;
            for (StreamDefinition def : runtime.getStreamDefinitionMap().values()) {
                if (def.getId().equalsIgnoreCase("Feed")) {
                    in = def;
                }
            }
            if (in == null) {
                throw new IllegalArgumentException("no stream Feed in " + file);
            }
            InputHandler handler = runtime.getInputHandler(in.getId());
            List<Attribute> schema = in.getAttributeList();
            runtime.start();
            for (long i = 0; i < events; i++) {
                long ts = i * 1000 / rate;
                Object[] data = new Object[schema.size()];
                for (int c = 0; c < data.length; c++) {
                    data[c] = Bench.value(schema.get(c), i, keys, ts);
                }
                handler.send(ts, data);
            }
            long u = used();
            System.out.printf("app=%s events=%d used=%d%n", file, events, u);
            runtime.shutdown();
            manager.shutdown();
            runtime = null;
            manager = null;
            used();
        }
    }
}
