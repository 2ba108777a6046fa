package org.wahub.support;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

/**
 * Debian's {@code chromium} and {@code chromium-driver}, headless, for browser tests. Both paths are
 * given to Selenium, so Selenium Manager never tries to download a browser or a driver (this
 * machine reaches no such site). Without them a test is skipped on a developer's machine and fails
 * under CI ({@code CI} set), where {@code .ci/run} installs them.
 */
public final class Chromium {

  public static final Path BROWSER = Path.of(System.getProperty("wahub.test.chromium", "/usr/bin/chromium"));
  public static final Path DRIVER = Path.of(System.getProperty("wahub.test.chromedriver", "/usr/bin/chromedriver"));

  private Chromium() {
  }

  public static ChromeDriver start() throws IOException {
    boolean installed = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    String missing = "chromium and chromium-driver are needed (apt-get install -y chromium chromium-driver): "
        + BROWSER + (Files.isExecutable(BROWSER) ? " found, " : " missing, ")
        + DRIVER + (Files.isExecutable(DRIVER) ? " found" : " missing");
    if (!installed) {
      if (System.getenv("CI") != null) {
        throw new IllegalStateException(missing);
      }
      Assumptions.abort(missing);
    }
    // a fresh profile per run: no cookies, storage or cache of an earlier run
    Path profile = Files.createTempDirectory("wahub-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile, "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
        "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--lang=en-US");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }
}
