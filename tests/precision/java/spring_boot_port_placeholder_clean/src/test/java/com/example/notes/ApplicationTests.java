package com.example.notes;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ApplicationTests {
    @Test
    void writesFixture() throws Exception {
        Files.writeString(Path.of("fixture.json"), "{}");
    }
}
