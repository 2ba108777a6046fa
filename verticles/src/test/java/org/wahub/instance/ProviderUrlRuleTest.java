package org.wahub.instance;

import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.wahub.api.ApiError;
import org.wahub.hub.validation.FieldError;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule alone, with the field sets cloud-api and waha declare. */
class ProviderUrlRuleTest {

  static final Set<String> URLS = Set.of("baseUrl");
  static final Set<String> CLOUD_SECRETS = Set.of("accessToken", "appSecret");
  static final Set<String> WAHA_SECRETS = Set.of("apiKey", "webhookHmacKey");

  static JsonObject cloudStored() {
    return new JsonObject().put("baseUrl", "https://graph.facebook.com").put("apiVersion", "v25.0")
        .put("phoneNumberId", "1065").put("accessToken", "EAAG-secret").put("appSecret", "app-secret");
  }

  static JsonObject wahaStored() {
    return new JsonObject().put("baseUrl", "http://waha.internal:3000").put("apiKey", "k").put("session", "default");
  }

  @Test
  void movingTheBaseUrlAloneNamesEveryStoredSecret() {
    List<FieldError> errors = ProviderUrlRule.check(cloudStored(), new JsonObject().put("baseUrl", "https://attacker.example"),
        URLS, CLOUD_SECRETS);
    assertThat(errors).extracting(e -> e.pointer()).containsExactly("/provider/accessToken", "/provider/appSecret");
    assertThat(errors).extracting(e -> e.code()).containsOnly(FieldError.REQUIRED);
    assertThat(errors.get(0).message()).contains("baseUrl").doesNotContain("EAAG").doesNotContain("attacker");
    ApiError problem = ProviderUrlRule.problem(errors);
    assertThat(problem.status()).isEqualTo(422);
    assertThat(problem.code()).isEqualTo("provider_secrets_required");

    // only secrets that are stored are asked for: waha has no webhookHmacKey here
    assertThat(ProviderUrlRule.check(wahaStored(), new JsonObject().put("baseUrl", "http://waha2.internal:3000"), URLS, WAHA_SECRETS))
        .extracting(e -> e.pointer()).containsExactly("/provider/apiKey");
  }

  @Test
  void everyPartOfTheOriginCounts() {
    JsonObject stored = wahaStored();
    for (String moved : List.of("https://waha.internal:3000", "http://waha.internal:3001", "http://waha.internal",
        "http://evil.internal:3000", "http://waha.internal.evil.example:3000", "http://127.0.0.1:3000")) {
      assertThat(ProviderUrlRule.check(stored, new JsonObject().put("baseUrl", moved), URLS, WAHA_SECRETS))
          .as(moved).hasSize(1);
    }
    for (String same : List.of("http://waha.internal:3000", "http://WAHA.internal:3000/api/v2", "http://waha.internal.:3000/",
        "HTTP://waha.internal:3000")) {
      assertThat(ProviderUrlRule.check(stored, new JsonObject().put("baseUrl", same), URLS, WAHA_SECRETS)).as(same).isEmpty();
    }
    // default ports are the same origin as explicit ones
    JsonObject cloud = cloudStored();
    assertThat(ProviderUrlRule.check(cloud, new JsonObject().put("baseUrl", "https://graph.facebook.com:443/"), URLS, CLOUD_SECRETS)).isEmpty();
  }

  @Test
  void givingTheSecretsAgainOrRemovingThemSatisfiesTheRule() {
    JsonObject patch = new JsonObject().put("baseUrl", "https://graph.example.net")
        .put("accessToken", "new-token").put("appSecret", (Object) null);
    assertThat(ProviderUrlRule.check(cloudStored(), patch, URLS, CLOUD_SECRETS)).isEmpty();
    JsonObject half = new JsonObject().put("baseUrl", "https://graph.example.net").put("accessToken", "new-token");
    assertThat(ProviderUrlRule.check(cloudStored(), half, URLS, CLOUD_SECRETS))
        .extracting(e -> e.pointer()).containsExactly("/provider/appSecret");
  }

  @Test
  void aPatchWithoutUrlsOrAConfigWithoutSecretsIsLeftAlone() {
    assertThat(ProviderUrlRule.check(cloudStored(), null, URLS, CLOUD_SECRETS)).isEmpty();
    assertThat(ProviderUrlRule.check(cloudStored(), new JsonObject().put("apiVersion", "v26.0"), URLS, CLOUD_SECRETS)).isEmpty();
    assertThat(ProviderUrlRule.check(new JsonObject().put("baseUrl", "http://a.example"), new JsonObject().put("baseUrl", "http://b.example"),
        URLS, WAHA_SECRETS)).isEmpty();
    assertThat(ProviderUrlRule.check(cloudStored(), new JsonObject().put("baseUrl", "https://x.example"), Set.of(), CLOUD_SECRETS)).isEmpty();
    // a stored config without the URL (or with one that no longer parses) counts as moved
    assertThat(ProviderUrlRule.check(new JsonObject().put("apiKey", "k"), new JsonObject().put("baseUrl", "http://w.example"),
        URLS, WAHA_SECRETS)).hasSize(1);
  }

  @Test
  void malformedUrlsAreA400WithoutEchoingThem() {
    for (String bad : List.of("https://user:pa55@graph.example.net", "https://graph.example.net/?access_token=x",
        "https://graph.example.net/#x", "ftp://graph.example.net", "https://2130706433/")) {
      List<FieldError> errors = ProviderUrlRule.check(cloudStored(), new JsonObject().put("baseUrl", bad), URLS, CLOUD_SECRETS);
      assertThat(errors).as(bad).hasSize(1);
      assertThat(errors.get(0).pointer()).isEqualTo("/provider/baseUrl");
      assertThat(errors.get(0).code()).isEqualTo(FieldError.INVALID_FORMAT);
      assertThat(errors.get(0).message()).doesNotContain("pa55").doesNotContain("access_token");
      assertThat(ProviderUrlRule.problem(errors).status()).isEqualTo(400);
      // on create too (nothing stored)
      assertThat(ProviderUrlRule.check(null, new JsonObject().put("baseUrl", bad), URLS, CLOUD_SECRETS)).hasSize(1);
    }
  }

  /** Any change of scheme, host or port with no secret given asks for exactly the stored ones; a path change never does. */
  @Property(tries = 300)
  void originChangeAsksForExactlyTheStoredSecrets(@ForAll("urls") String before, @ForAll("urls") String after,
                                                  @ForAll boolean hasKey, @ForAll boolean hasHmac) {
    JsonObject stored = new JsonObject().put("baseUrl", before);
    if (hasKey) {
      stored.put("apiKey", "k");
    }
    if (hasHmac) {
      stored.put("webhookHmacKey", "h");
    }
    List<FieldError> errors = ProviderUrlRule.check(stored, new JsonObject().put("baseUrl", after), URLS, WAHA_SECRETS);
    boolean moved = !origin(before).equals(origin(after));
    int expected = moved ? (hasKey ? 1 : 0) + (hasHmac ? 1 : 0) : 0;
    assertThat(errors).hasSize(expected);
  }

  @Provide
  Arbitrary<String> urls() {
    return Combinators.combine(Arbitraries.of("http", "https"), Arbitraries.of("a.example", "b.example", "A.example"),
        Arbitraries.of("", ":80", ":443", ":3000"), Arbitraries.of("", "/", "/api", "/v2/x"))
        .as((s, h, p, path) -> s + "://" + h + p + path);
  }

  private static String origin(String url) {
    java.net.URI u = java.net.URI.create(url);
    int port = u.getPort() == -1 ? (u.getScheme().equals("https") ? 443 : 80) : u.getPort();
    return u.getScheme() + "://" + u.getHost().toLowerCase() + ":" + port;
  }
}
