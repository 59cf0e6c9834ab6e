package com.example.demo;

import java.io.FileWriter;
import java.io.IOException;

public class Broken {
    public void save(String text) throws IOException {
        try (FileWriter out = new FileWriter("/tmp/out.txt") {
            out.write(text);
        }
    }
}
