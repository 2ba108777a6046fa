package org.wahub.provider.waha;

import org.wahub.hub.instance.InstanceState;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What a WAHA session status means to the hub (PROVIDERS.md §2.2), as pure functions.
 *
 * <ul>
 * <li>{@code WORKING} → READY: the only status that sends.</li>
 * <li>{@code SCAN_QR_CODE} → NEEDS_QR (a hard stop: no sends, no automatic restarts; the QR is
 *     served). The 2026 passkey statuses ({@code PASSKEY_REQUIRED},
 *     {@code PASSKEY_CONFIRMATION_REQUIRED}, GOWS only) need a human on the phone just the same, and a
 *     restart would only cancel the prompt, so they are NEEDS_QR too (without a QR).</li>
 * <li>{@code STARTING} → STARTING while the hub is opening the session (or waiting for a QR scan);
 *     after READY it means the session dropped and the engine is reconnecting: DISCONNECTED, so the
 *     reconnect ladder takes over unless the engine is back first.</li>
 * <li>{@code STOPPED}, {@code FAILED} and anything unknown → DISCONNECTED (not ready; the ladder
 *     restarts it: WAHA's own advice for FAILED), except while the hub waits for a QR scan: WAHA gave
 *     up waiting, which is still for a person to resolve.</li>
 * </ul>
 * AUTH_FAILURE never comes from a status: WAHA has no "logged out" status (a logout shows a new QR);
 * it comes from WAHA refusing the API key (401/403).
 */
public final class WahaStatus {

  public static final String STOPPED = "STOPPED";
  public static final String STARTING = "STARTING";
  public static final String SCAN_QR_CODE = "SCAN_QR_CODE";
  public static final String WORKING = "WORKING";
  public static final String FAILED = "FAILED";
  public static final String PASSKEY_REQUIRED = "PASSKEY_REQUIRED";
  public static final String PASSKEY_CONFIRMATION_REQUIRED = "PASSKEY_CONFIRMATION_REQUIRED";

  private static final Set<String> PASSKEY = Set.of(PASSKEY_REQUIRED, PASSKEY_CONFIRMATION_REQUIRED);
  private static final int MAX_SHOWN = 40;

  private WahaStatus() {
  }

  /**
   * The state to report for {@code status}, given the state the session last reported
   * ({@code believed}, null before the first report). Empty when there is nothing to report (a
   * STARTING while the hub already knows the session is down).
   */
  public static Optional<InstanceState> hubState(String status, InstanceState believed) {
    if (WORKING.equals(status)) {
      return Optional.of(InstanceState.READY);
    }
    if (needsHuman(status)) {
      return Optional.of(InstanceState.NEEDS_QR);
    }
    if (STARTING.equals(status)) {
      if (believed == null || believed == InstanceState.STARTING || believed == InstanceState.NEEDS_QR) {
        return Optional.of(InstanceState.STARTING);
      }
      return believed == InstanceState.READY ? Optional.of(InstanceState.DISCONNECTED) : Optional.empty();
    }
    if (believed == InstanceState.NEEDS_QR) {
      // WAHA gave up waiting for the scan: still a person's move (a restart shows a new QR), and
      // NEEDS_QR is a hard stop the ladder must not leave on its own
      return Optional.empty();
    }
    return Optional.of(InstanceState.DISCONNECTED);
  }

  /** The statuses only a person can end (scan a QR, confirm a passkey): no automatic restart helps. */
  public static boolean needsHuman(String status) {
    return status != null && (SCAN_QR_CODE.equals(status) || PASSKEY.contains(status));
  }

  /** Whether WAHA has a QR code to show for this status. */
  public static boolean hasQr(String status) {
    return SCAN_QR_CODE.equals(status);
  }

  /** The reason the hub records with the state change (the status as WAHA said it, cut to a sane length). */
  public static String reason(String status) {
    String shown = shown(status);
    if (WORKING.equals(status)) {
      return "WAHA session WORKING";
    }
    if (SCAN_QR_CODE.equals(status)) {
      return "WAHA session waits for a QR scan (SCAN_QR_CODE): GET /instances/:id/qr or POST /instances/:id/pairing-code";
    }
    if (status != null && PASSKEY.contains(status)) {
      return "WAHA session waits for a passkey on the phone (" + shown + ")";
    }
    if (STARTING.equals(status)) {
      return "WAHA session STARTING";
    }
    if (STOPPED.equals(status) || FAILED.equals(status)) {
      return "WAHA session " + shown;
    }
    return "WAHA session status " + shown + " is not known to the hub: treated as not ready";
  }

  /**
   * How long to wait before asking WAHA for the status again. Webhooks usually tell first; the poll
   * is the safety net for a lost webhook or a hub without HUB_PUBLIC_URL. Quick while the session
   * is on its way up, slower while it waits for a person, slow while it works.
   */
  public static Duration pollAfter(String status) {
    if (WORKING.equals(status)) {
      return Duration.ofSeconds(30);
    }
    if (needsHuman(status)) {
      return Duration.ofSeconds(5);
    }
    if (STARTING.equals(status) || status == null) {
      return Duration.ofSeconds(2);
    }
    return Duration.ofSeconds(10);
  }

  /** A status as it may appear in logs and reasons: printable ASCII, at most 40 characters. */
  static String shown(String status) {
    if (status == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < status.length() && sb.length() < MAX_SHOWN; i++) {
      char c = status.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }
}
