package org.wahub.provider.waha;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.outbound.OutboundRefused;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Locale;

/**
 * WAHA's answers and failures as the hub's closed set of send errors (DESIGN §7a), pure.
 *
 * <table>
 * <caption>answers</caption>
 * <tr><th>WAHA says</th><th>outcome</th><th>why</th></tr>
 * <tr><td>401, 403</td><td>refused, account problem</td><td>the API key is wrong or lacks the right:
 *     nothing can be sent until a person fixes the config (the instance pauses in AUTH_FAILURE)</td></tr>
 * <tr><td>422 "only 'default' session"</td><td>refused, account problem</td><td>WAHA Core with a named
 *     session: a config problem no retry fixes</td></tr>
 * <tr><td>422 (session status not as expected), 404 (no such session)</td><td>refused, retriable;
 *     the session asks WAHA for its state</td><td>WAHA answers before it hands anything to WhatsApp</td></tr>
 * <tr><td>408</td><td>refused, retriable</td><td>the request was not read in time, so not acted on</td></tr>
 * <tr><td>429</td><td>refused, rate limited (Retry-After, whole instance)</td><td></td></tr>
 * <tr><td>other 4xx</td><td>refused, permanent {@code payload_rejected}</td><td>WAHA validated the
 *     request and refused it: the same request is refused again</td></tr>
 * <tr><td>3xx</td><td>refused, account problem</td><td>the base URL points at a redirect (e.g. http
 *     to https); the guard never follows one, so every call fails until the URL is fixed</td></tr>
 * <tr><td>5xx</td><td>lost (in doubt)</td><td>the engine failed after it had the message: it may be
 *     on the phone</td></tr>
 * </table>
 * <table>
 * <caption>failures without an answer</caption>
 * <tr><td>connection refused, connect time-out, name does not resolve</td><td>refused, retriable
 *     {@code network}</td><td>nothing was handed over</td></tr>
 * <tr><td>policy refusal, bad URL</td><td>refused, account problem</td><td>the operator must allow the
 *     address (HUB_OUTBOUND_ALLOW) or fix the URL</td></tr>
 * <tr><td>time-out after connecting, answer too large, connection lost, anything else</td>
 *     <td>lost (in doubt)</td><td>the request may have been read and acted on</td></tr>
 * </table>
 */
public final class WahaErrors {

  public static final String SESSION_NOT_WORKING = "session_not_working";
  public static final String SESSION_NOT_FOUND = "session_not_found";
  public static final String PLUS_REQUIRED = "waha_plus_required";
  public static final String REDIRECTED = "waha_redirect";
  public static final String OUTBOUND_REFUSED = "outbound_refused";

  /** The guard's own words for a connect time-out (OutboundGuard#translate): nothing was sent yet. */
  static final String CONNECT_TIMEOUT_MESSAGE = "connecting timed out";
  private static final int MAX_DETAIL = 200;

  private WahaErrors() {
  }

  /**
   * One classified failure.
   *
   * @param outcome      what the send loop records
   * @param refreshState the session should ask WAHA for its status now (it may have dropped)
   */
  public record Verdict(ProviderOutcome outcome, boolean refreshState) {

    public SendError error() {
      return outcome instanceof ProviderOutcome.Refused r ? r.error() : ((ProviderOutcome.Lost) outcome).error();
    }

    public boolean accountProblem() {
      return error().kind() == SendError.Kind.ACCOUNT;
    }
  }

  /** A non-2xx answer. {@code body} as received (may be null); {@code retryAfter} the header, if any. */
  public static Verdict answer(int status, String body, String retryAfter) {
    if (status >= 200 && status < 300) {
      throw new IllegalArgumentException("a 2xx answer is not an error: " + status);
    }
    String detail = detail(body);
    String said = "WAHA answered " + status + (detail.isEmpty() ? "" : ": " + detail);
    if (status == 401 || status == 403) {
      return refused(SendError.account(SendError.AUTH, status == 401
          ? "WAHA refused the API key (401); set provider.apiKey to the server's WAHA_API_KEY"
          : "WAHA forbids this call for the API key (403)"), false);
    }
    if (status == 422) {
      if (coreOnly(detail)) {
        return refused(SendError.account(PLUS_REQUIRED, said
            + " (WAHA Core serves only the session 'default': use it, or WAHA Plus for named sessions)"), false);
      }
      return refused(SendError.retriable(SESSION_NOT_WORKING, said), true);
    }
    if (status == 404) {
      return refused(SendError.retriable(SESSION_NOT_FOUND, said), true);
    }
    if (status == 408) {
      return refused(SendError.retriable(SendError.TIMEOUT, said), false);
    }
    if (status == 429) {
      return refused(SendError.rateLimited(SendError.RATE_LIMITED, said, retryAfter(retryAfter), SendError.Scope.INSTANCE),
          false);
    }
    if (status >= 500) {
      return new Verdict(new ProviderOutcome.Lost(SendError.retriable(SendError.PROVIDER_UNAVAILABLE,
          said + " after the hand-off: the message may have been sent")), true);
    }
    if (status >= 300 && status < 400) {
      return refused(SendError.account(REDIRECTED, said
          + " (a redirect; redirects are never followed: set provider.baseUrl to the final URL)"), false);
    }
    if (status >= 400) {
      return refused(SendError.permanent(SendError.PAYLOAD_REJECTED, said), false);
    }
    // 1xx as a final answer is a broken server: we cannot tell what it did
    return new Verdict(new ProviderOutcome.Lost(SendError.retriable(SendError.UNKNOWN, said)), true);
  }

  /** A call that ended without an answer. */
  public static Verdict failure(Throwable t) {
    if (t instanceof OutboundRefused r) {
      return switch (r.code()) {
        case OutboundRefused.TIMEOUT -> CONNECT_TIMEOUT_MESSAGE.equals(r.getMessage())
            ? refused(SendError.retriable(SendError.NETWORK, "WAHA not reachable: " + r.getMessage()), true)
            : new Verdict(new ProviderOutcome.Lost(SendError.retriable(SendError.TIMEOUT,
                "no answer from WAHA (" + r.getMessage() + ") after the hand-off: the message may have been sent")), true);
        case OutboundRefused.UNRESOLVABLE -> refused(SendError.retriable(SendError.NETWORK, r.getMessage()), true);
        case OutboundRefused.TOO_LARGE -> new Verdict(new ProviderOutcome.Lost(SendError.retriable(SendError.UNKNOWN,
            "WAHA's answer was too large to read (" + r.getMessage() + "); the message may have been sent")), false);
        default -> refused(SendError.account(OUTBOUND_REFUSED, "the hub may not call this WAHA: " + r.getMessage()), false);
      };
    }
    if (causedBy(t, ConnectException.class)) {
      return refused(SendError.retriable(SendError.NETWORK, "WAHA not reachable (connection refused)"), true);
    }
    return new Verdict(new ProviderOutcome.Lost(SendError.retriable(SendError.NETWORK,
        "the connection to WAHA failed after the hand-off (" + t.getClass().getSimpleName()
            + "): the message may have been sent")), true);
  }

  /** WAHA Core's refusal of a named session. */
  static boolean coreOnly(String detail) {
    String d = detail.toLowerCase(Locale.ROOT);
    return d.contains("only 'default' session") || d.contains("only \"default\" session")
        || (d.contains("waha core") && d.contains("'default'"));
  }

  /**
   * The human part of an error body: NestJS {@code message} (a string or a list), else
   * {@code error}, else the text itself; printable, at most 200 characters. WAHA's 422 body for a
   * session in the wrong state becomes "session is STARTING, expected WORKING".
   */
  static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String out = null;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(body);
      if (parsed instanceof JsonObject o) {
        if (o.getValue("expected") instanceof JsonArray expected && o.getValue("status") instanceof String s) {
          out = "session is " + s + ", expected " + String.join("|", expected.stream().map(String::valueOf).toList());
        } else if (o.getValue("message") instanceof String m) {
          out = m;
        } else if (o.getValue("message") instanceof JsonArray list) {
          out = String.join("; ", list.stream().map(String::valueOf).toList());
        } else if (o.getValue("error") instanceof String e) {
          out = e;
        }
      }
    } catch (DecodeException | ClassCastException e) {
      // not JSON: an HTML page from a proxy, plain text
    }
    return printable(out != null ? out : body);
  }

  static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 86_400));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: the backoff decides
    }
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_DETAIL));
    for (int i = 0; i < s.length() && sb.length() < MAX_DETAIL; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return sb.toString().trim();
  }

  private static Verdict refused(SendError e, boolean refresh) {
    return new Verdict(new ProviderOutcome.Refused(e), refresh);
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
