import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
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
 * It answers only requests whose Host header is its own address and port (`127.0.0.1:<port>`),
 * as every other local port does: a web page that rebinds a name of its own to 127.0.0.1 gets 421.
 * The check wraps the Jetty server's handler (Jetty 12's core Handler API) before it starts.
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
        int port = -1;
        for (Connector connector : jetty.getConnectors()) {
            ((ServerConnector) connector).setHost(host);
            port = ((ServerConnector) connector).getPort();
        }
        String ownHost = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        jetty.setHandler(new OwnHostOnly(jetty.getHandler(), ownHost));
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

    /** Refuses (421) any request whose Host is not `ownHost`; passes the rest to DynamoDB Local. */
    static final class OwnHostOnly extends Handler.Wrapper {
        private final String ownHost;

        OwnHostOnly(Handler handler, String ownHost) {
            super(handler);
            this.ownHost = ownHost;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (ownHost.equals(request.getHeaders().get(HttpHeader.HOST))) {
                return super.handle(request, response, callback);
            }
            response.setStatus(421);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            Content.Sink.write(response, true, "This local server answers only requests for Host " + ownHost + ".\n", callback);
            return true;
        }
    }
}
