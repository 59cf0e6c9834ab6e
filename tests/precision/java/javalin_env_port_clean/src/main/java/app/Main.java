package app;

import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

public class Main {

    static Map<String, String> loadMessages() {
        try {
            return Map.of("greeting", Files.readString(Path.of("messages.txt")).trim());
        } catch (IOException e) {
            return Map.of("greeting", "hello");
        }
    }

    public static void main(String[] args) {
        Map<String, String> messages = loadMessages();
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "7070"));

        // Warm the JIT once at startup; the thread ends after one pass.
        new Thread(() -> {
            for (int i = 0; i < 1000; i++) {
                messages.get("greeting");
            }
        }).start();

        Javalin app = Javalin.create();
        app.get("/", ctx -> ctx.result(messages.get("greeting")));
        app.start("0.0.0.0", port);
    }
}
