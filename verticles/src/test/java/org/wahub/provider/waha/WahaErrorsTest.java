package org.wahub.provider.waha;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.outbound.OutboundRefused;

import java.net.ConnectException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WAHA's answers and failures → the hub's send errors: the classification table, and its laws. */
class WahaErrorsTest {

  static final String NOT_WORKING = "{\"error\":\"Session status is not as expected. Try again later or restart the session\","
      + "\"session\":\"default\",\"status\":\"STARTING\",\"expected\":[\"WORKING\"]}";
  static final String CORE_ONLY = "{\"statusCode\":422,\"message\":\"WAHA Core support only 'default' session. You tried to use "
      + "'shop2' session. If you want to run more then one WhatsApp account - please get WAHA PLUS version.\","
      + "\"error\":\"Unprocessable Entity\"}";

  static WahaErrors.Verdict answer(int status, String body) {
    return WahaErrors.answer(status, body, null);
  }

  @Test
  void theTable() {
    // 401/403: account problem, the instance pauses
    assertRefused(answer(401, "{\"message\":\"Unauthorized\",\"statusCode\":401}"), SendError.Kind.ACCOUNT, SendError.AUTH);
    assertRefused(answer(403, "{}"), SendError.Kind.ACCOUNT, SendError.AUTH);
    // 422 session not working: retriable, and the session asks for its state
    WahaErrors.Verdict notWorking = answer(422, NOT_WORKING);
    assertRefused(notWorking, SendError.Kind.RETRIABLE, WahaErrors.SESSION_NOT_WORKING);
    assertThat(notWorking.refreshState()).isTrue();
    assertThat(notWorking.error().reason()).contains("session is STARTING, expected WORKING");
    // 422 Core with a named session: no retry fixes the config
    assertRefused(answer(422, CORE_ONLY), SendError.Kind.ACCOUNT, WahaErrors.PLUS_REQUIRED);
    // 404 unknown session: retriable + refresh (the ladder's restart creates it again)
    WahaErrors.Verdict missing = answer(404, "{\"statusCode\":404,\"message\":\"Session not found\",\"error\":\"Not Found\"}");
    assertRefused(missing, SendError.Kind.RETRIABLE, WahaErrors.SESSION_NOT_FOUND);
    assertThat(missing.refreshState()).isTrue();
    // validation: permanent
    WahaErrors.Verdict invalid = answer(400, "{\"statusCode\":400,\"message\":[\"chatId must be a string\",\"text should not be empty\"],"
        + "\"error\":\"Bad Request\"}");
    assertRefused(invalid, SendError.Kind.PERMANENT, SendError.PAYLOAD_REJECTED);
    assertThat(invalid.error().reason()).contains("chatId must be a string; text should not be empty");
    // throttled: rate limited with WAHA's Retry-After
    WahaErrors.Verdict throttled = WahaErrors.answer(429, "", "7");
    assertRefused(throttled, SendError.Kind.RATE_LIMITED, SendError.RATE_LIMITED);
    assertThat(throttled.error().retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(throttled.error().scope()).isEqualTo(SendError.Scope.INSTANCE);
    // 5xx after the hand-off: in doubt
    WahaErrors.Verdict crashed = answer(500, "{\"statusCode\":500,\"message\":\"Evaluation failed: t\"}");
    assertThat(crashed.outcome()).isInstanceOf(ProviderOutcome.Lost.class);
    assertThat(crashed.error().code()).isEqualTo(SendError.PROVIDER_UNAVAILABLE);
    assertThat(answer(502, "<html>bad gateway</html>").outcome()).isInstanceOf(ProviderOutcome.Lost.class);
    // a redirect is a base URL to fix
    assertRefused(answer(301, ""), SendError.Kind.ACCOUNT, WahaErrors.REDIRECTED);
    assertRefused(answer(408, ""), SendError.Kind.RETRIABLE, SendError.TIMEOUT);
  }

  @Test
  void failuresWithoutAnAnswer() {
    // nothing handed over: retriable
    assertRefused(WahaErrors.failure(new ConnectException("Connection refused")), SendError.Kind.RETRIABLE, SendError.NETWORK);
    assertRefused(WahaErrors.failure(new OutboundRefused(OutboundRefused.TIMEOUT, WahaErrors.CONNECT_TIMEOUT_MESSAGE)),
        SendError.Kind.RETRIABLE, SendError.NETWORK);
    assertRefused(WahaErrors.failure(new OutboundRefused(OutboundRefused.UNRESOLVABLE, "host waha.example does not resolve")),
        SendError.Kind.RETRIABLE, SendError.NETWORK);
    // the operator must act
    assertRefused(WahaErrors.failure(new OutboundRefused(OutboundRefused.REFUSED, "address 10.0.0.1 is a private address")),
        SendError.Kind.ACCOUNT, WahaErrors.OUTBOUND_REFUSED);
    // maybe handed over: in doubt
    assertThat(WahaErrors.failure(new OutboundRefused(OutboundRefused.TIMEOUT, "no complete answer within 9500 ms")).outcome())
        .isInstanceOf(ProviderOutcome.Lost.class);
    assertThat(WahaErrors.failure(new OutboundRefused(OutboundRefused.TOO_LARGE, "the answer is larger than 1 bytes")).outcome())
        .isInstanceOf(ProviderOutcome.Lost.class);
    assertThat(WahaErrors.failure(new io.vertx.core.http.HttpClosedException("Connection was closed")).outcome())
        .isInstanceOf(ProviderOutcome.Lost.class);
  }

  @Test
  void aSuccessIsNotAnError() {
    assertThatThrownBy(() -> answer(201, "{}")).isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void everyErrorStatusHasExactlyOneClassAndOnlyServerErrorsAreInDoubt(@ForAll @IntRange(min = 100, max = 599) int status,
                                                                       @ForAll @StringLength(max = 300) String body) {
    if (status >= 200 && status < 300) {
      return;
    }
    WahaErrors.Verdict v = answer(status, body);
    assertThat(v.outcome()).isNotNull();
    boolean lost = v.outcome() instanceof ProviderOutcome.Lost;
    // in doubt exactly when WAHA may have acted on the message: a server error (or a broken 1xx)
    assertThat(lost).isEqualTo(status >= 500 || status < 200);
    if (lost) {
      assertThat(v.error().isRetriable()).isTrue();
    }
    // a client error is never in doubt: WAHA answered before handing anything to WhatsApp
    if (status >= 400 && status < 500) {
      assertThat(v.outcome()).isInstanceOf(ProviderOutcome.Refused.class);
    }
    // no body, however odd, leaks into the reason unbounded or with control characters
    assertThat(v.error().reason().length()).isLessThanOrEqualTo(SendError.MAX_REASON_LENGTH);
    assertThat(v.error().reason().chars().noneMatch(c -> c < 0x20)).isTrue();
  }

  @Property
  void onlyTheKeyRefusalsAndConfigProblemsPauseTheInstance(@ForAll @IntRange(min = 300, max = 599) int status) {
    WahaErrors.Verdict v = answer(status, NOT_WORKING);
    assertThat(v.accountProblem()).isEqualTo(status == 401 || status == 403 || status < 400);
  }

  private static void assertRefused(WahaErrors.Verdict v, SendError.Kind kind, String code) {
    assertThat(v.outcome()).isInstanceOf(ProviderOutcome.Refused.class);
    assertThat(v.error().kind()).isEqualTo(kind);
    assertThat(v.error().code()).isEqualTo(code);
  }
}
