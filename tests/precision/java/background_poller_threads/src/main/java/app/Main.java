package app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public final class Main {

    private static volatile String latest = "";

    private Main() {
    }

    static void pollQueue() {
        while (true) {
            latest = "message";
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Thread poller = new Thread(Main::pollQueue, "queue-poller");
        poller.setDaemon(true);
        poller.start();

        new Timer("warmup", true).schedule(new TimerTask() {
            @Override
            public void run() {
                latest = "warm";
            }
        }, 10_000);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        pool.submit(() -> System.out.println("started"));

        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/latest", exchange -> {
            byte[] body = latest.getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(pool);
        server.start();
    }
}
