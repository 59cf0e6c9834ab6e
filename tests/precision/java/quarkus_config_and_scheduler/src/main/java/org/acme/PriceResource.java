package org.acme;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("/prices")
public class PriceResource {

    @GET
    public String prices() {
        return "[]";
    }
}
