package com.example.billing;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ReminderController {

    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);

    @PostMapping("/reminders")
    public String remind() {
        delays.schedule(() -> System.out.println("reminder"), 5, TimeUnit.SECONDS);
        return "scheduled";
    }
}
