package org.wahub.outbound;

/**
 * The outbound guard would not make, or would not finish, a call. {@link #code()} is stable:
 * {@value #BAD_URL}, {@value #REFUSED}, {@value #UNRESOLVABLE}, {@value #TOO_LARGE},
 * {@value #TIMEOUT}. Messages never contain request headers or bodies (they carry secrets), nor
 * the URL's user info.
 */
public final class OutboundRefused extends RuntimeException {

  /** The URL is malformed or not allowed in form (scheme, user info, query on a base URL, odd IPv4 spelling). */
  public static final String BAD_URL = "bad_url";
  /** The host is or resolves to an address the policy forbids. */
  public static final String REFUSED = "outbound_refused";
  /** The host name does not resolve. */
  public static final String UNRESOLVABLE = "unresolvable";
  /** The answer was larger than the policy's maxResponseBytes; reading stopped there. */
  public static final String TOO_LARGE = "response_too_large";
  /** Connect or the whole exchange took longer than allowed. */
  public static final String TIMEOUT = "timeout";

  private final String code;

  public OutboundRefused(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }

  /** True when retrying the same call later may work (timeouts); policy and form refusals are permanent. */
  public boolean retriable() {
    return TIMEOUT.equals(code) || UNRESOLVABLE.equals(code);
  }
}
