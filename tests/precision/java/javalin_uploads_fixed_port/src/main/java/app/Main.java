package app;

import io.javalin.Javalin;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

public class Main {

    private static final Path UPLOADS = Paths.get("uploads");

    public static void main(String[] args) throws IOException {
        Files.createDirectories(UPLOADS);
        Javalin app = Javalin.create(config -> config.showJavalinBanner = false);
        app.get("/healthz", ctx -> ctx.result("ok"));
        app.post("/files", ctx -> {
            for (UploadedFile file : ctx.uploadedFiles("file")) {
                try (InputStream in = file.content()) {
                    Files.copy(in, UPLOADS.resolve(file.filename()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            ctx.status(201);
        });
        app.start(7070);
    }
}
