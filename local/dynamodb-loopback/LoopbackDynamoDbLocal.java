import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Runs DynamoDB Local (same command-line options) listening on one address only, 127.0.0.1
 * unless -Ddynamodb.host says otherwise. Its own CLI has no bind option: its Jetty server
 * is built with a port only, so it listens on every interface. This sets the host of that
 * server's connector before it starts. DynamoDBProxyServer keeps the Jetty server in a
 * private field `server` (DynamoDB Local 3.3.1): if a later version renames it, this fails
 * loudly instead of listening everywhere.
 *
 * It also exits when its standard input closes, which is when the process that started it
 * dies, however it died (even SIGKILL): DynamoDB Local never outlives `npm start`.
 */
public class LoopbackDynamoDbLocal {
    public static void main(String[] args) throws Exception {
        String host = System.getProperty("dynamodb.host", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server jetty = (Server) field.get(proxy);
        for (Connector connector : jetty.getConnectors()) {
            ((ServerConnector) connector).setHost(host);
        }
        Thread parentWatch = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // Nothing is ever sent: only the end of the stream matters.
                }
            } catch (IOException e) {
                // A broken pipe means the parent is gone, too.
            }
            System.exit(0);
        }, "parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();
        proxy.start();
        System.out.println("DynamoDB Local listening on " + host);
        proxy.join();
    }
}
