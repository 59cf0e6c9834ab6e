package com.example.billing;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jakarta.annotation.PostConstruct;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

@Component
public class InvoiceJobs {

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @Scheduled(cron = "0 0 * * * *")
    public void closeInvoices() {
        // close yesterday's invoices
    }

    @Scheduled(fixedRate = 300_000)
    public void retryPayments() {
        // retry failed payments
    }

    @PostConstruct
    void startMetrics() {
        executor.scheduleAtFixedRate(this::pushMetrics, 1, 1, TimeUnit.MINUTES);
    }

    void pushMetrics() {
    }
}
