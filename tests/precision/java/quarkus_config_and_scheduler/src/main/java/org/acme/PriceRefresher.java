package org.acme;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class PriceRefresher {

    @Scheduled(every = "10m")
    void refresh() {
    }
}
