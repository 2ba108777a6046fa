package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's payload limits (text length, metadata size) are the ones the intake applies. */
@ExtendWith(VertxExtension.class)
class PayloadLimitsConfigTest {

  static TestHub hub;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of("HUB_MAX_TEXT_LENGTH", 10, "HUB_MAX_METADATA_BYTES", 20));
    shop = hub.tenant("limits-shop");
    hub.instance(shop, "small", null);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void configuredTextAndMetadataLimitsApply() {
    Http http = hub.http;
    JsonObject ok = new JsonObject().put("to", "+4915112345678").put("text", "0123456789");
    assertThat(http.post("/instances/small/messages", shop.key(), ok).status()).isEqualTo(202);

    Http.Res longText = http.post("/instances/small/messages", shop.key(), ok.copy().put("text", "0123456789X"));
    assertThat(longText.status()).isEqualTo(400);
    assertThat(longText.body()).contains("/text");

    Http.Res bigMeta = http.post("/instances/small/messages", shop.key(), ok.copy().put("text", "meta")
        .put("metadata", new JsonObject().put("order", "a-long-order-reference")));
    assertThat(bigMeta.status()).isEqualTo(400);
    assertThat(bigMeta.body()).contains("/metadata");
    assertThat(hub.sql.count("SELECT count(*) FROM messages")).isEqualTo(1);
  }
}
