package org.wahub.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.wahub.support.Chromium;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's chromium through its chromedriver, headless): an
 * operator logs in with a tenant key, sees an instance waiting for its QR turn READY, watches a
 * message sent through the API become {@code sent}, and retries a failed one with the page's
 * button — all without reloading the page. Screenshots (light and dark, laptop and phone) go to
 * {@code target/screenshots/}.
 *
 * <p>Updates reach the page from {@code GET /events}; on a hub without that route the page falls
 * back to reading everything again every 5 s. The waits below allow for either.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

  private static final String INSTANCE = "dash-main";
  /** Markup in a server value must show as text: this message text would run script if it were parsed. */
  private static final String HOSTILE_TEXT = "Order 1002 <img src=x onerror=\"window.pwned=1\"> confirmed";

  static TestHub hub;
  static TestHub.Tenant shop;
  static ChromeDriver driver;
  static Path screenshots;

  @BeforeAll
  static void start(Vertx vertx) throws IOException {
    driver = Chromium.start(); // skips (or fails under CI) before a hub is started for nothing
    hub = TestHub.start(vertx);
    shop = hub.tenant("dash-shop");
    screenshots = Path.of(System.getProperty("wahub.test.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (hub != null) {
      hub.close();
    }
  }

  private static ConditionFactory page() {
    // the fallback refresh runs every 5 s; leave room for a busy 2-core machine
    return Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).ignoreExceptions();
  }

  private static String base() {
    return "http://127.0.0.1:" + hub.port;
  }

  private static String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  private static boolean present(String css) {
    return !driver.findElements(By.cssSelector(css)).isEmpty();
  }

  @Test
  @Order(1)
  void anOperatorRunsAnInstanceEndToEnd() throws IOException {
    hub.instance(shop, INSTANCE, new JsonObject().put("name", "Shop 1 main number")
        .put("pacing", new JsonObject().put("minIntervalMs", 100)));
    // a second number that stays unpaired (and makes the screenshots look like a shop's)
    hub.instance(shop, "dash-backup", new JsonObject().put("name", "Backup number"));

    driver.get(base() + "/");
    page().until(() -> driver.findElement(By.id("key")).isDisplayed());
    driver.findElement(By.id("key")).sendKeys(shop.key());
    driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();

    // the key never lands in the address bar, and stays only in this tab's session storage
    String card = "article[data-id='" + INSTANCE + "']";
    page().until(() -> present(card));
    assertThat(driver.getCurrentUrl()).doesNotContain(shop.key());
    assertThat((String) js("return sessionStorage.getItem('wahub.key')")).isEqualTo(shop.key());
    assertThat((String) js("return localStorage.length + ''")).isEqualTo("0");

    // NEEDS_QR with its QR code drawn
    page().until(() -> text(card + " .state").equals("NEEDS_QR"));
    page().until(() -> present(card + " .qr svg path"));
    assertThat(driver.findElement(By.cssSelector(card + " .qr svg")).getAttribute("aria-label")).contains(INSTANCE);
    assertThat(text(card + " h3")).isEqualTo("Shop 1 main number");
    // health and webhooks are other features: on a hub without them the page says so or hides the panel
    page().until(() -> !text("#health").equals("Health: …"));
    shoot("1-needs-qr");

    // the page is live on the hub's own GET /events (not the fallback of reading everything again)
    page().until(() -> "live".equals(driver.findElement(By.id("live")).getAttribute("data-state")));

    // the QR is "scanned": READY without a reload; the QR is gone
    js("window.__sameDocument = true");
    simulate(new JsonObject().put("event", "ready"));
    page().until(() -> text(card + " .state").equals("READY"));
    page().until(() -> !present(card + " .qr svg"));
    assertThat(text(card + " [data-stat=queue] dd")).startsWith("0");

    // a message sent through the API, due in a few seconds: queued on the page, then sent
    String id = send(new JsonObject().put("to", "+4915112345678").put("text", "Order 1001 confirmed")
        .put("sendAt", Instant.now().plusSeconds(6).toString()));
    driver.findElement(By.id("lookup")).sendKeys(id);
    driver.findElement(By.cssSelector("#lookup-form button[type=submit]")).click();
    String row = "#recent tr[data-id='" + id + "']";
    page().until(() -> present(row));
    assertThat(text(row + " .status")).isIn("queued", "sending", "sent");
    page().until(() -> text(row + " .status").equals("sent"));
    page().until(() -> Integer.parseInt(text(card + " [data-stat=sent1h] dd")) >= 1);
    assertThat(js("return window.__sameDocument === true")).as("the page was not reloaded").isEqualTo(true);

    // a permanent failure shows in the failed list; the page's Retry button queues it again
    simulate(new JsonObject().put("event", "fail_next").put("count", 1).put("kind", "permanent"));
    String failed = send(new JsonObject().put("to", "+4915112345679").put("text", HOSTILE_TEXT));
    String deadRow = "#dead tr[data-id='" + failed + "']";
    page().until(() -> present(deadRow));
    assertThat(text(deadRow)).contains(INSTANCE);
    assertThat(text("#count-failed")).isEqualTo("1");
    shoot("2-failed");
    viewport(1100, false); // the whole page, for the README
    shoot("readme");
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    WebElement retry = driver.findElement(By.cssSelector(deadRow + " button[data-action=retry]"));
    assertThat(retry.getAttribute("aria-label")).contains("Retry message");
    retry.click();
    page().until(() -> !present(deadRow));
    page().until(() -> text("#recent tr[data-id='" + failed + "'] .status").equals("sent"));
    assertThat(hub.http.get("/messages/" + failed, shop.key()).json().getString("status")).isEqualTo("sent");
    assertThat(js("return window.__sameDocument === true")).as("the page was not reloaded").isEqualTo(true);
    // screen readers were told (aria-live region)
    assertThat((String) js("return document.getElementById('announcer').textContent")).contains("queued again");

    // the message's history, in a modal dialog that Escape closes
    driver.findElement(By.cssSelector("#recent tr[data-id='" + failed + "'] button[data-action=details]")).click();
    page().until(() -> driver.findElement(By.id("detail")).isDisplayed());
    page().until(() -> text("#detail-body").contains("sent"));
    assertThat(driver.findElements(By.cssSelector("#detail-body tbody tr")).size()).isGreaterThanOrEqualTo(3);
    // server strings are text, never markup
    assertThat(text("#detail-body .content")).isEqualTo(HOSTILE_TEXT);
    assertThat(driver.findElements(By.cssSelector("#detail-body img"))).isEmpty();
    assertThat(js("return window.pwned === undefined")).isEqualTo(true);
    shoot("3-history");
    driver.findElement(By.id("detail")).sendKeys(org.openqa.selenium.Keys.ESCAPE);
    page().until(() -> !driver.findElement(By.id("detail")).isDisplayed());

    screenshotsInBothSchemesAndWidths();
    assertNoPolicyViolations();
  }

  @Test
  @Order(2)
  void theStreamParserFollowsTheEventStreamFormat() {
    // the parser of GET /events, run in the browser on chunks split at awkward places
    Object out = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "import('/assets/sse.js').then(({SseParser}) => {"
            + "  const events = []; const retries = [];"
            + "  const p = new SseParser(e => events.push(e), ms => retries.push(ms));"
            + "  for (const chunk of ['\\uFEFF: ping\\n\\nev', 'ent: message.sent\\r', '\\nid: 7\\r\\ndata: {\"a\"',"
            + "      ':1}\\n\\n', 'data: x\\ndata:y\\n\\nretry: 1500\\nid: 8\\nevent: instance.state_changed\\rdata: z\\r\\r',"
            + "      'data: lost at the end']) p.push(chunk);"
            + "  done(JSON.stringify({events, retries, last: p.lastEventId}));"
            + "}).catch(e => done('error: ' + e));");
    JsonObject result = new JsonObject((String) out);
    JsonArray events = result.getJsonArray("events");
    assertThat(events).hasSize(3);
    assertThat(events.getJsonObject(0).getMap()).isEqualTo(Map.of("type", "message.sent", "data", "{\"a\":1}", "id", "7"));
    // an event without id keeps the last one; data lines join with \n; no event: is "message"
    assertThat(events.getJsonObject(1).getMap()).isEqualTo(Map.of("type", "message", "data", "x\ny", "id", "7"));
    assertThat(events.getJsonObject(2).getMap()).isEqualTo(Map.of("type", "instance.state_changed", "data", "z", "id", "8"));
    assertThat(result.getJsonArray("retries").getList()).containsExactly(1500);
    assertThat(result.getString("last")).isEqualTo("8");
  }

  @Test
  @Order(3)
  void theAdminKeySeesTenantsAndLogOutForgetsTheKey() throws IOException {
    driver.get(base() + "/");
    page().until(() -> driver.findElement(By.id("logout")).isDisplayed());
    driver.findElement(By.id("logout")).click();
    page().until(() -> driver.findElement(By.id("key")).isDisplayed());
    assertThat(js("return sessionStorage.getItem('wahub.key')")).isNull();

    driver.findElement(By.id("key")).sendKeys("wah_not-a-key-of-this-hub-0123456789abcdef");
    driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    page().until(() -> text("#login-error").contains("does not accept"));

    driver.findElement(By.id("key")).sendKeys(TestHub.ADMIN_KEY);
    driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    page().until(() -> text("#tenants").contains("dash-shop"));
    assertThat(driver.findElement(By.id("instances-panel")).isDisplayed()).isFalse();
    assertThat(text("#who")).isEqualTo("admin key");
    shoot("4-admin");
  }

  private static String send(JsonObject body) {
    Http.Res res = hub.http.post("/instances/" + INSTANCE + "/messages", shop.key(), body);
    assertThat(res.status()).as(res.toString()).isEqualTo(202);
    return res.json().getString("id");
  }

  private static void simulate(JsonObject body) {
    Http.Res res = hub.http.post("/instances/" + INSTANCE + "/simulate", shop.key(), body);
    assertThat(res.status()).as(res.toString()).isBetween(200, 299);
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static void screenshotsInBothSchemesAndWidths() throws IOException {
    for (String scheme : List.of("light", "dark")) {
      driver.executeCdpCommand("Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
      assertThat(js("return matchMedia('(prefers-color-scheme: dark)').matches")).isEqualTo(scheme.equals("dark"));
      for (Map.Entry<String, Integer> width : Map.of("desktop", 1280, "phone", 390).entrySet()) {
        viewport(width.getValue(), width.getKey().equals("phone"));
        if (width.getKey().equals("phone")) {
          // nothing wider than the phone: no sideways scrolling of the page itself
          shoot(scheme + "-" + width.getKey());
          Object wide = js("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
              + ".slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')");
          assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue()).as("too wide: %s", wide)
              .isLessThanOrEqualTo(390);
        } else {
          shoot(scheme + "-" + width.getKey());
        }
      }
    }
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
  }

  /** Sets the viewport to the given width and the page's full height, so a screenshot shows it all. */
  private static void viewport(int width, boolean mobile) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", mobile));
    int height = ((Number) js("return document.documentElement.scrollHeight")).intValue();
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", Math.min(Math.max(height, 600), 5000), "deviceScaleFactor", 1, "mobile", mobile));
  }

  private static void shoot(String name) throws IOException {
    Files.write(screenshots.resolve("dashboard-" + name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  /** The page ran under its Content-Security-Policy without tripping it (it needs nothing inline). */
  private static void assertNoPolicyViolations() {
    List<String> violations = driver.manage().logs().get("browser").getAll().stream()
        .map(LogEntry::getMessage)
        .filter(m -> m.contains("Content Security Policy") || m.contains("Content-Security-Policy"))
        .toList();
    assertThat(violations).isEmpty();
  }
}
