package org.wahub.dashboard;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's files over HTTP: served from the jar's {@code webroot/} without a key, with the
 * headers that keep another origin's script away from the key the page holds, and nothing else
 * of the class path or the file system reachable through them.
 */
@ExtendWith(VertxExtension.class)
class DashboardRoutesTest {

  static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void thePageIsServedAtTheRootWithItsSecurityHeaders() {
    Http.Res res = hub.http.get("/", null);
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.header("Content-Type")).startsWith("text/html");
    assertThat(res.body()).contains("<title>wa-hub dashboard</title>");
    assertSecurityHeaders(res);
  }

  @Test
  void thePageHasNoInlineScriptOrStyleSoThePolicyNeedsNoUnsafeInline() {
    String html = hub.http.get("/", null).body();
    Matcher scripts = Pattern.compile("<script\\b([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
    int count = 0;
    while (scripts.find()) {
      assertThat(scripts.group(1)).as("every script is a file").contains("src=\"/assets/");
      assertThat(scripts.group(2).trim()).as("and has no body").isEmpty();
      count++;
    }
    assertThat(count).isPositive();
    assertThat(html).doesNotContainPattern("(?i)<style|\\sstyle=|\\son[a-z]+=|javascript:");
    assertThat(DashboardRoutes.CONTENT_SECURITY_POLICY).doesNotContain("unsafe");
  }

  @Test
  void everyFileThePageNamesIsServedWithItsType() {
    Map<String, String> types = Map.of(
        "/assets/app.js", "text/javascript",
        "/assets/api.js", "text/javascript",
        "/assets/events.js", "text/javascript",
        "/assets/sse.js", "text/javascript",
        "/assets/dom.js", "text/javascript",
        "/assets/qr.js", "text/javascript",
        "/assets/vendor/qrcodegen.js", "text/javascript",
        "/assets/style.css", "text/css",
        "/assets/favicon.svg", "image/svg+xml");
    types.forEach((path, type) -> {
      Http.Res res = hub.http.get(path, null);
      assertThat(res.status()).as(path).isEqualTo(200);
      // a module script served as anything but JavaScript is refused under nosniff
      assertThat(res.header("Content-Type")).as(path).startsWith(type);
      assertSecurityHeaders(res);
    });
  }

  @Test
  void nothingOutsideTheAssetsIsReachable() {
    for (String path : List.of("/assets/", "/assets/vendor/", "/assets/missing.js", "/assets/../index.html",
        "/assets/%2e%2e/index.html", "/assets/..%2f..%2fconf/config.json", "/index.html", "/conf/config.json",
        "/assets/../../logback.xml", "/assets/vendor/README.md/../../../conf/config.json")) {
      Http.Res res = hub.http.get(path, null);
      assertThat(res.status()).as(path).isIn(400, 403, 404);
      assertThat(res.body()).as(path).doesNotContain("HUB_").doesNotContain("<configuration");
    }
  }

  @Test
  void theApiIsStillTheApiBesideThePage() {
    assertThat(hub.http.get("/instances", null).status()).isEqualTo(401);
    assertThat(hub.http.get("/no-such-route", null).status()).isEqualTo(404);
    assertThat(hub.http.send("POST", "/", null, "{}", "application/json", Map.of()).status()).isIn(404, 405);
  }

  private static void assertSecurityHeaders(Http.Res res) {
    String csp = res.header("Content-Security-Policy");
    assertThat(csp).contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'")
        .contains("object-src 'none'").contains("base-uri 'none'");
    assertThat(res.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(res.header("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(res.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(res.header("Cache-Control")).isEqualTo("no-cache");
  }
}
