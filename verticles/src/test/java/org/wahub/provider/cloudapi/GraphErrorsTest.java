package org.wahub.provider.cloudapi;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.outbound.OutboundRefused;

import java.net.ConnectException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of PROVIDERS.md §1.4, code by code, and the answers that are not Graph errors. */
class GraphErrorsTest {

  /** Meta's error body shape (PROVIDERS.md §1.3). */
  static JsonObject error(int code, String message, String details) {
    return new JsonObject().put("error", new JsonObject().put("message", "(#" + code + ") " + message)
        .put("type", "OAuthException").put("code", code)
        .put("error_data", new JsonObject().put("messaging_product", "whatsapp").put("details", details))
        .put("fbtrace_id", "Az8or2yhqkZfEZ-_4Qn_Bam"));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource({
      // code, kind, hub code
      "0, ACCOUNT, auth",
      "190, ACCOUNT, auth",
      "3, ACCOUNT, graph_3",
      "10, ACCOUNT, graph_10",
      "200, ACCOUNT, graph_200",
      "299, ACCOUNT, graph_299",
      "131005, ACCOUNT, graph_131005",
      "368, ACCOUNT, graph_368",
      "131031, ACCOUNT, graph_131031",
      "131042, ACCOUNT, graph_131042",
      "33, ACCOUNT, graph_33",
      "131037, ACCOUNT, graph_131037",
      "131045, ACCOUNT, graph_131045",
      "133010, ACCOUNT, graph_133010",
      "131063, ACCOUNT, graph_131063",
      "131064, ACCOUNT, graph_131064",
      "130429, RATE_LIMITED, rate_limited",
      "4, RATE_LIMITED, rate_limited",
      "80007, RATE_LIMITED, rate_limited",
      "131048, RATE_LIMITED, spam_rate_limited",
      "133016, RATE_LIMITED, rate_limited",
      "131056, RATE_LIMITED, pair_rate_limited",
      "131047, NEEDS_TEMPLATE, needs_template",
      "1, RETRIABLE, graph_1",
      "2, RETRIABLE, graph_2",
      "131000, RETRIABLE, graph_131000",
      "131016, RETRIABLE, graph_131016",
      "131057, RETRIABLE, graph_131057",
      "133004, RETRIABLE, graph_133004",
      "131026, PERMANENT, not_on_whatsapp",
      "131021, PERMANENT, invalid_recipient",
      "131030, PERMANENT, invalid_recipient",
      "130403, PERMANENT, blocked",
      "131051, PERMANENT, unsupported",
      "131053, PERMANENT, bad_media",
      "100, PERMANENT, payload_rejected",
      "131008, PERMANENT, payload_rejected",
      "131009, PERMANENT, payload_rejected",
      "135000, PERMANENT, payload_rejected",
      "130472, PERMANENT, graph_130472",
      "130497, PERMANENT, graph_130497",
      "131049, PERMANENT, graph_131049",
      "131050, PERMANENT, graph_131050",
      "132000, PERMANENT, graph_132000",
      "132001, PERMANENT, graph_132001",
      "132005, PERMANENT, graph_132005",
      "132007, PERMANENT, graph_132007",
      "132012, PERMANENT, graph_132012",
      "132015, PERMANENT, graph_132015",
      "132016, PERMANENT, graph_132016",
      "999999, RETRIABLE, graph_999999",
  })
  void everyCodeOfTheTable(int code, SendError.Kind kind, String hubCode) {
    SendError e = GraphErrors.fromAnswer(400, error(code, "Title", "details of " + code), null, 1);
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(hubCode);
    assertThat(e.reason()).startsWith("Graph " + code + ": (#" + code + ") Title").contains("details of " + code);
  }

  @Test
  void throughputPausesTheInstanceUntilRetryAfterOrAboutASecond() {
    SendError e = GraphErrors.fromAnswer(400, error(130429, "Rate limit hit", "Cloud API message throughput has been reached."), null, 1);
    assertThat(e.scope()).isEqualTo(SendError.Scope.INSTANCE);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(GraphErrors.fromAnswer(400, error(130429, "Rate limit hit", ""), Duration.ofSeconds(7), 1).retryAfter())
        .isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void thePairLimitHoldsOnlyTheRecipientAndBacksOffByPowersOfFour() {
    SendError first = GraphErrors.fromAnswer(400, error(131056, "Pair rate limit hit", ""), null, 1);
    assertThat(first.scope()).isEqualTo(SendError.Scope.RECIPIENT);
    assertThat(first.retryAfter()).isEqualTo(Duration.ofSeconds(6));
    assertThat(GraphErrors.pairWait(3)).isEqualTo(Duration.ofSeconds(16));
    assertThat(GraphErrors.pairWait(4)).isEqualTo(Duration.ofSeconds(64));
    assertThat(GraphErrors.pairWait(50)).isEqualTo(Duration.ofSeconds(1024));
  }

  @Test
  void code1IsRetriedOnceThenPermanent() {
    assertThat(GraphErrors.classify(1, null, "x", null, 1).kind()).isEqualTo(SendError.Kind.RETRIABLE);
    assertThat(GraphErrors.classify(1, null, "x", null, 2).kind()).isEqualTo(SendError.Kind.PERMANENT);
  }

  @Test
  void isTransientMakesAParameterErrorRetriableButNotAnAccountProblem() {
    JsonObject transientBad = error(131009, "Parameter value is not valid", "");
    transientBad.getJsonObject("error").put("is_transient", true);
    assertThat(GraphErrors.fromAnswer(400, transientBad, null, 1).kind()).isEqualTo(SendError.Kind.RETRIABLE);
    JsonObject transientAuth = error(190, "Access token expired", "");
    transientAuth.getJsonObject("error").put("is_transient", true);
    assertThat(GraphErrors.fromAnswer(401, transientAuth, null, 1).kind()).isEqualTo(SendError.Kind.ACCOUNT);
  }

  @Test
  void answersWithoutAGraphErrorBody() {
    assertThat(GraphErrors.fromAnswer(401, null, null, 1).kind()).isEqualTo(SendError.Kind.ACCOUNT);
    SendError throttled = GraphErrors.fromAnswer(429, new JsonObject().put("oops", 1), Duration.ofSeconds(3), 1);
    assertThat(throttled.kind()).isEqualTo(SendError.Kind.RATE_LIMITED);
    assertThat(throttled.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(GraphErrors.fromAnswer(404, null, null, 1).kind()).isEqualTo(SendError.Kind.RETRIABLE);
    assertThat(GraphErrors.retryAfter("12")).isEqualTo(Duration.ofSeconds(12));
    assertThat(GraphErrors.retryAfter("Wed, 21 Oct 2026 07:28:00 GMT")).isNull();
  }

  @Test
  void sendOutcomes() {
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    JsonObject ok = new JsonObject().put("messaging_product", "whatsapp")
        .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject().put("input", "+16505551234").put("wa_id", "16505551234")))
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("id", "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1")));
    assertThat(CloudApiSession.outcome(new GraphClient.Answer(200, none, ok), 1))
        .isEqualTo(new ProviderOutcome.Sent("wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1"));
    // accepted without an id: it may be on the phone, so it is in doubt, not resent
    assertThat(CloudApiSession.outcome(new GraphClient.Answer(200, none, new JsonObject()), 1)).isInstanceOf(ProviderOutcome.Lost.class);
    // a 5xx without a Graph error: maybe taken
    assertThat(CloudApiSession.outcome(new GraphClient.Answer(502, none, null), 1)).isInstanceOf(ProviderOutcome.Lost.class);
    // a 5xx with a Graph error is Meta's word: refused, by its code
    assertThat(CloudApiSession.outcome(new GraphClient.Answer(500, none, error(131000, "Something went wrong", "")), 1))
        .isInstanceOf(ProviderOutcome.Refused.class);
    MultiMap retry = MultiMap.caseInsensitiveMultiMap().add("Retry-After", "9");
    ProviderOutcome throttled = CloudApiSession.outcome(new GraphClient.Answer(400, retry, error(130429, "Rate limit hit", "")), 1);
    assertThat(((ProviderOutcome.Refused) throttled).error().retryAfter()).isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void transportFailuresBeforeAndAfterHandOff() {
    assertThat(CloudApiSession.transportOutcome(new ConnectException("refused"))).isInstanceOf(ProviderOutcome.Refused.class);
    assertThat(CloudApiSession.transportOutcome(new OutboundRefused(OutboundRefused.REFUSED, "loopback")))
        .isInstanceOf(ProviderOutcome.Refused.class);
    assertThat(CloudApiSession.transportOutcome(new OutboundRefused(OutboundRefused.TIMEOUT, "no data")))
        .isInstanceOf(ProviderOutcome.Lost.class);
    assertThat(CloudApiSession.transportOutcome(new io.vertx.core.http.HttpClosedException("closed")))
        .isInstanceOf(ProviderOutcome.Lost.class);
  }
}
