package org.wahub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A tiny HTTP probe for container health checks ({@code java -cp wa-hub.jar org.wahub.Probe URL}),
 * so the runtime image needs no curl. Exit code 0 when the URL answers 2xx.
 */
public final class Probe {

  private Probe() {
  }

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080/health/ready";
    try {
      HttpResponse<Void> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
      System.exit(r.statusCode() / 100 == 2 ? 0 : 1);
    } catch (Exception e) {
      System.exit(1);
    }
  }
}
