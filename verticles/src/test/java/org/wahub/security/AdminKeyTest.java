package org.wahub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.wahub.Hub;
import org.wahub.HubConfig;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DESIGN §12 for keys: the database holds a key's hash and a fingerprint (first 8 hex digits of its
 * SHA-256), nothing of the key itself; HUB_ADMIN_KEY under 32 characters stops the start; a
 * generated admin key goes to a 0600 file, never to the log. Also: a HUB_DB_URL that does not
 * parse is reported without its password.
 */
@ExtendWith(VertxExtension.class)
class AdminKeyTest {

  @Test
  void aShortAdminKeyStopsTheStart(Vertx vertx) {
    Map<String, Object> cfg = Map.of("HUB_DB_URL", TestPg.newDatabaseUrl(), "HUB_HTTP_PORT", TestHub.freePort(),
        "HUB_ADMIN_KEY", "x".repeat(31));
    assertThatThrownBy(() -> start(vertx, cfg))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HUB_ADMIN_KEY must be at least 32 characters")
        .hasMessageNotContaining("xxxxxxxx");
  }

  @Test
  void aMalformedOutboundAllowListStopsTheStart(Vertx vertx) {
    Map<String, Object> cfg = Map.of("HUB_DB_URL", TestPg.newDatabaseUrl(), "HUB_HTTP_PORT", TestHub.freePort(),
        "HUB_ADMIN_KEY", TestHub.ADMIN_KEY, "HUB_OUTBOUND_ALLOW", "10.0.0.0/99");
    assertThatThrownBy(() -> start(vertx, cfg))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HUB_OUTBOUND_ALLOW");
  }

  @Test
  void aGeneratedAdminKeyIsInA0600FileNotInTheLogAndOnlyItsHashIsStored(Vertx vertx, @TempDir Path dataDir) throws Exception {
    String dbUrl = TestPg.newDatabaseUrl();
    Map<String, Object> noKey = new HashMap<>(Map.of("HUB_DATA_DIR", dataDir.toString()));
    noKey.put("HUB_ADMIN_KEY", "");
    Path file = dataDir.toAbsolutePath().normalize().resolve(Hub.ADMIN_KEY_FILE);
    String generated;
    try (CapturedLogs logs = new CapturedLogs(); TestHub hub = TestHub.start(vertx, dbUrl, noKey)) {
      generated = hub.hub.generatedAdminKey().orElseThrow();
      assertThat(hub.hub.generatedAdminKeyFile()).contains(file);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(Files.readString(file, UTF_8).strip()).isEqualTo(generated);
      assertThat(hub.http.get("/tenants", generated).status()).isEqualTo(200);

      byte[] hash = sha256(generated);
      List<Map<String, Object>> rows = hub.sql.rows("SELECT k::text AS row, fingerprint FROM api_keys k WHERE key_hash = ?", hash);
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).get("fingerprint")).isEqualTo(HexFormat.of().formatHex(hash, 0, 4));
      assertNothingOfTheKeyIn((String) rows.get(0).get("row"), generated);
      assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains(generated.substring(4, 14)));
    }
    // a second start keeps the key: none is generated, the file stays
    try (TestHub hub = TestHub.start(vertx, dbUrl, noKey)) {
      assertThat(hub.hub.generatedAdminKey()).isEmpty();
      assertThat(hub.http.get("/tenants", generated).status()).isEqualTo(200);
      assertThat(file).exists();
    }
    // HUB_ADMIN_KEY replaces it: the generated key stops working and its file goes
    Map<String, Object> withKey = Map.of("HUB_DATA_DIR", dataDir.toString());
    try (TestHub hub = TestHub.start(vertx, dbUrl, withKey)) {
      assertThat(hub.http.get("/tenants", generated).status()).isEqualTo(401);
      assertThat(hub.http.get("/tenants", TestHub.ADMIN_KEY).status()).isEqualTo(200);
      assertThat(file).doesNotExist();
      List<Map<String, Object>> rows = hub.sql.rows("SELECT k::text AS row FROM api_keys k WHERE key_hash = ?",
          sha256(TestHub.ADMIN_KEY));
      assertThat(rows).hasSize(1);
      assertNothingOfTheKeyIn((String) rows.get(0).get("row"), TestHub.ADMIN_KEY);
    }
  }

  @Test
  void tenantKeysAreListedByFingerprintAndStoredWithoutAClearPrefix(Vertx vertx) {
    try (TestHub hub = TestHub.start(vertx)) {
      Http.Res created = hub.http.post("/tenants", TestHub.ADMIN_KEY, new JsonObject().put("name", "fp-shop"));
      assertThat(created.status()).isEqualTo(201);
      JsonObject key = created.json().getJsonObject("key");
      String token = key.getString("token");
      String fingerprint = HexFormat.of().formatHex(sha256(token), 0, 4);
      assertThat(key.getString("fingerprint")).isEqualTo(fingerprint);
      assertThat(key.getString("prefix")).isEqualTo("wah_");

      JsonArray keys = hub.http.get("/tenants/" + created.json().getString("id"), TestHub.ADMIN_KEY).json().getJsonArray("keys");
      assertThat(keys).hasSize(1);
      assertThat(keys.getJsonObject(0).getString("fingerprint")).isEqualTo(fingerprint);
      assertThat(keys.getJsonObject(0).getString("prefix")).isEqualTo("wah_");
      assertThat(keys.getJsonObject(0).encode()).doesNotContain(token.substring(4, 10));

      List<Map<String, Object>> rows = hub.sql.rows("SELECT k::text AS row FROM api_keys k WHERE key_hash = ?", sha256(token));
      assertThat(rows).hasSize(1);
      assertNothingOfTheKeyIn((String) rows.get(0).get("row"), token);
    }
  }

  @Test
  void aMalformedDatabaseUrlIsReportedWithoutItsPassword(Vertx vertx) {
    String secret = "s3cr3t-Pa55word";
    for (String url : List.of("postgresql://u:" + secret + "@host:notaport/db", "u:" + secret + "@@garbage::/",
        "postgresql://u:" + secret + "@[::1/db")) {
      try (CapturedLogs logs = new CapturedLogs()) {
        Map<String, Object> cfg = Map.of("HUB_DB_URL", url, "HUB_HTTP_PORT", TestHub.freePort(),
            "HUB_ADMIN_KEY", TestHub.ADMIN_KEY);
        Throwable failure = null;
        try {
          start(vertx, cfg);
        } catch (Exception e) {
          failure = e;
        }
        assertThat(failure).as(url).isNotNull();
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as(url).contains("HUB_DB_URL").doesNotContain(secret);
        assertThat(logs.lines()).as(url).noneMatch(l -> l.contains(secret));
      }
    }
  }

  /** Neither the key nor any 6 characters of it after the public scheme ({@code wah_}). */
  private static void assertNothingOfTheKeyIn(String row, String key) {
    assertThat(row).doesNotContain(key);
    int checked = 0;
    for (int i = key.startsWith("wah_") ? 4 : 0; i + 6 <= key.length(); i++) {
      assertThat(row).doesNotContain(key.substring(i, i + 6));
      checked++;
    }
    assertThat(checked).isGreaterThan(20);
  }

  private static Hub start(Vertx vertx, Map<String, Object> cfg) throws Exception {
    return Hub.start(vertx, new HubConfig(new JsonObject(cfg))).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
