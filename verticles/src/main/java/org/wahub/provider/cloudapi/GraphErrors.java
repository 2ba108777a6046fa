package org.wahub.provider.cloudapi;

import io.vertx.core.json.JsonObject;
import org.wahub.hub.retry.SendError;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Meta's Graph API errors in the hub's closed set of send errors (PROVIDERS.md §1.4). Pure: an
 * error's {@code code} (and, where it matters, its {@code is_transient} flag, the HTTP status, a
 * {@code Retry-After} and the attempt number) in, one {@link SendError} out. Codes are what Meta
 * asks integrators to branch on; the message titles are not parsed.
 *
 * <p>Decisions where the table is silent: unknown codes are retriable (the retry ladder bounds the
 * cost, see {@link SendError#classify}); {@code 132015}/{@code 132016} (one template paused or
 * disabled) fail the message instead of pausing the whole number, whose other messages are fine;
 * {@code 131030} (recipient not in the test number's allowed list) is a permanent
 * {@code invalid_recipient}.
 */
final class GraphErrors {

  /** How a class of codes is handled. */
  enum Handling { RATE_INSTANCE, RATE_RECIPIENT, RETRY, RETRY_ONCE, PERMANENT, WINDOW, ACCOUNT }

  /** One row of the table: the handling, the hub's code for it, and a default wait for rate limits. */
  record Rule(Handling handling, String hubCode, Duration defaultWait) {
  }

  /** Meta's advice for the pair rate limit: retry after 4^X seconds, X growing per failure. */
  static final Duration PAIR_MIN_WAIT = Duration.ofSeconds(6);
  static final Duration PAIR_MAX_WAIT = Duration.ofSeconds(1024);
  /** Without a Retry-After, a 429 or an HTTP-level throttle waits this long. */
  static final Duration HTTP_429_WAIT = Duration.ofSeconds(5);

  private static final Map<Integer, Rule> TABLE = new HashMap<>();

  static {
    account(Set.of(0, 190), SendError.AUTH);
    account(Set.of(3, 10, 131005, 368, 131031, 131042, 33, 131037, 131045, 133010, 131063, 131064), null);
    rate(130429, SendError.RATE_LIMITED, Duration.ofSeconds(1)); // throughput per number, ≈1 s
    rate(4, SendError.RATE_LIMITED, Duration.ofSeconds(60)); // the app's Graph call rate
    rate(80007, SendError.RATE_LIMITED, Duration.ofSeconds(60)); // the WABA's rate
    rate(131048, "spam_rate_limited", Duration.ofMinutes(30)); // earlier messages flagged: long pause
    rate(133016, SendError.RATE_LIMITED, Duration.ofSeconds(60));
    TABLE.put(131056, new Rule(Handling.RATE_RECIPIENT, "pair_rate_limited", PAIR_MIN_WAIT));
    TABLE.put(131047, new Rule(Handling.WINDOW, SendError.NEEDS_TEMPLATE, null));
    TABLE.put(1, new Rule(Handling.RETRY_ONCE, null, null));
    for (int code : new int[] {2, 131000, 131016, 131057, 133004}) {
      TABLE.put(code, new Rule(Handling.RETRY, null, null));
    }
    permanent(Set.of(131026), SendError.NOT_ON_WHATSAPP);
    permanent(Set.of(131021, 131030), SendError.INVALID_RECIPIENT);
    permanent(Set.of(130403), SendError.BLOCKED);
    permanent(Set.of(131051), SendError.UNSUPPORTED);
    permanent(Set.of(131053), SendError.BAD_MEDIA);
    permanent(Set.of(100, 131008, 131009, 135000), SendError.PAYLOAD_REJECTED);
    permanent(Set.of(130472, 130497, 131049, 131050, 132000, 132001, 132005, 132007, 132012, 132015, 132016), null);
  }

  private GraphErrors() {
  }

  private static void account(Set<Integer> codes, String hubCode) {
    codes.forEach(c -> TABLE.put(c, new Rule(Handling.ACCOUNT, hubCode, null)));
  }

  private static void rate(int code, String hubCode, Duration wait) {
    TABLE.put(code, new Rule(Handling.RATE_INSTANCE, hubCode, wait));
  }

  private static void permanent(Set<Integer> codes, String hubCode) {
    codes.forEach(c -> TABLE.put(c, new Rule(Handling.PERMANENT, hubCode, null)));
  }

  /** The rule for a code; 200–299 are permissions (account), anything unknown is retriable. */
  static Rule rule(int code) {
    Rule r = TABLE.get(code);
    if (r != null) {
      return r;
    }
    if (code >= 200 && code <= 299) {
      return new Rule(Handling.ACCOUNT, null, null);
    }
    return new Rule(Handling.RETRY, null, null);
  }

  /**
   * Classifies one Graph error.
   *
   * @param code        the error's {@code code}
   * @param isTransient its {@code is_transient} flag (Meta says a retry can work), or null
   * @param text        what to show: message and details (never the request)
   * @param retryAfter  the answer's {@code Retry-After}, or null
   * @param attempt     the attempt that got this answer (1-based)
   */
  static SendError classify(int code, Boolean isTransient, String text, Duration retryAfter, int attempt) {
    Rule r = rule(code);
    String hubCode = r.hubCode() != null ? r.hubCode() : "graph_" + code;
    String reason = "Graph " + code + (text == null || text.isBlank() ? "" : ": " + text);
    return switch (r.handling()) {
      case ACCOUNT -> SendError.account(hubCode, reason);
      case WINDOW -> SendError.needsTemplate(reason + " (outside the 24 h customer-care window: send a template)");
      case RATE_INSTANCE -> SendError.rateLimited(hubCode, reason, retryAfter != null ? retryAfter : r.defaultWait(),
          SendError.Scope.INSTANCE);
      case RATE_RECIPIENT -> SendError.rateLimited(hubCode, reason, pairWait(attempt), SendError.Scope.RECIPIENT);
      case RETRY -> SendError.retriable(hubCode, reason);
      case RETRY_ONCE -> attempt <= 1 || Boolean.TRUE.equals(isTransient)
          ? SendError.retriable(hubCode, reason) : SendError.permanent(hubCode, reason + " (again on a retry)");
      case PERMANENT -> Boolean.TRUE.equals(isTransient)
          ? SendError.retriable(hubCode, reason + " (Meta marks it transient)") : SendError.permanent(hubCode, reason);
    };
  }

  /** 4^(attempt-1) seconds, at least the pair spacing of 6 s, at most 1024 s. */
  static Duration pairWait(int attempt) {
    int x = Math.max(0, Math.min(attempt - 1, 5));
    Duration meta = Duration.ofSeconds(1L << (2 * x));
    Duration wait = meta.compareTo(PAIR_MIN_WAIT) < 0 ? PAIR_MIN_WAIT : meta;
    return wait.compareTo(PAIR_MAX_WAIT) > 0 ? PAIR_MAX_WAIT : wait;
  }

  /**
   * An error answer as a whole: a Graph error body ({@code {"error":{"code",…}}}) is classified by
   * its code whatever the HTTP status; without one, 401/403 are an account problem, 429 a throttle
   * and anything else retriable. (A 5xx without a Graph error body is not an answer about the
   * message: the caller treats it as lost, see {@link CloudApiSession}.)
   */
  static SendError fromAnswer(int status, JsonObject body, Duration retryAfter, int attempt) {
    JsonObject error = graphError(body);
    if (error != null) {
      Integer code = code(error);
      return classify(code, transientFlag(error), text(error), retryAfter, attempt);
    }
    String reason = "Graph answered HTTP " + status + " without an error body";
    if (status == 401 || status == 403) {
      return SendError.account(SendError.AUTH, reason);
    }
    if (status == 429) {
      return SendError.rateLimited(SendError.RATE_LIMITED, reason, retryAfter != null ? retryAfter : HTTP_429_WAIT,
          SendError.Scope.INSTANCE);
    }
    return SendError.retriable("http_" + status, reason);
  }

  /** The {@code error} object of a Graph answer, when it has one with a numeric code. */
  static JsonObject graphError(JsonObject body) {
    if (body == null || !(body.getValue("error") instanceof JsonObject error)) {
      return null;
    }
    return code(error) == null ? null : error;
  }

  /** Whether an error answer means the account or its token was refused (start: AUTH_FAILURE). */
  static boolean isAccountProblem(int status, JsonObject body) {
    JsonObject error = graphError(body);
    if (error != null) {
      return rule(code(error)).handling() == Handling.ACCOUNT;
    }
    return status == 401 || status == 403;
  }

  static Integer code(JsonObject error) {
    Object c = error.getValue("code");
    if (c instanceof Number n) {
      return n.intValue();
    }
    if (c instanceof String s) {
      try {
        return Integer.valueOf(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Boolean transientFlag(JsonObject error) {
    return error.getValue("is_transient") instanceof Boolean b ? b : null;
  }

  /** The error's message and {@code error_data.details}, for the message's last error. */
  static String text(JsonObject error) {
    String message = error.getValue("message") instanceof String s ? s : null;
    String details = error.getValue("error_data") instanceof JsonObject d && d.getValue("details") instanceof String s
        ? s : null;
    if (message == null) {
      return details;
    }
    return details == null || message.contains(details) ? message : message + " (" + details + ")";
  }

  /** {@code Retry-After} in seconds, or null when absent or not a number of seconds. */
  static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 86_400));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: rare from Graph; the rule's default wait applies
    }
  }
}
