package com.example;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

public class MainVerticle extends AbstractVerticle {

    @Override
    public void start(Promise<Void> startPromise) {
        Router router = Router.router(vertx);
        router.get("/healthz").handler(ctx -> ctx.response().end("ok"));
        vertx.createHttpServer()
            .requestHandler(router)
            .listen(8888)
            .onSuccess(server -> startPromise.complete())
            .onFailure(startPromise::fail);
    }

    public static void main(String[] args) {
        Vertx.vertx().deployVerticle(new MainVerticle());
    }
}
