package org.wahub.provider.waha;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.wahub.hub.instance.InstanceState;

import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** WAHA session statuses → hub states: the table, and what must hold for any status. */
class WahaStatusTest {

  @Test
  void theTable() {
    assertThat(WahaStatus.hubState("WORKING", InstanceState.STARTING)).contains(InstanceState.READY);
    assertThat(WahaStatus.hubState("SCAN_QR_CODE", InstanceState.STARTING)).contains(InstanceState.NEEDS_QR);
    assertThat(WahaStatus.hubState("SCAN_QR_CODE", InstanceState.READY)).contains(InstanceState.NEEDS_QR); // logged out
    assertThat(WahaStatus.hubState("PASSKEY_REQUIRED", InstanceState.STARTING)).contains(InstanceState.NEEDS_QR);
    assertThat(WahaStatus.hubState("PASSKEY_CONFIRMATION_REQUIRED", InstanceState.READY)).contains(InstanceState.NEEDS_QR);
    // STARTING: on the way up it is STARTING, after READY the session dropped
    assertThat(WahaStatus.hubState("STARTING", null)).contains(InstanceState.STARTING);
    assertThat(WahaStatus.hubState("STARTING", InstanceState.STARTING)).contains(InstanceState.STARTING);
    assertThat(WahaStatus.hubState("STARTING", InstanceState.NEEDS_QR)).contains(InstanceState.STARTING);
    assertThat(WahaStatus.hubState("STARTING", InstanceState.READY)).contains(InstanceState.DISCONNECTED);
    assertThat(WahaStatus.hubState("STARTING", InstanceState.DISCONNECTED)).isEmpty();
    // down: the reconnect ladder restarts it
    assertThat(WahaStatus.hubState("STOPPED", InstanceState.READY)).contains(InstanceState.DISCONNECTED);
    assertThat(WahaStatus.hubState("FAILED", InstanceState.READY)).contains(InstanceState.DISCONNECTED);
    assertThat(WahaStatus.hubState("SOMETHING_NEW", InstanceState.READY)).contains(InstanceState.DISCONNECTED);
    assertThat(WahaStatus.hubState(null, InstanceState.READY)).contains(InstanceState.DISCONNECTED);
    // WAHA stopped waiting for a scan: the hub stays NEEDS_QR (a hard stop: a person restarts it)
    assertThat(WahaStatus.hubState("STOPPED", InstanceState.NEEDS_QR)).isEmpty();
    assertThat(WahaStatus.hubState("FAILED", InstanceState.NEEDS_QR)).isEmpty();
    assertThat(WahaStatus.reason("SOMETHING_NEW")).contains("not known").contains("SOMETHING_NEW");
  }

  @Test
  void onlyAScanHasAQrAndOnlyPeopleEndQrAndPasskeys() {
    assertThat(WahaStatus.hasQr("SCAN_QR_CODE")).isTrue();
    assertThat(WahaStatus.hasQr("PASSKEY_REQUIRED")).isFalse();
    assertThat(WahaStatus.needsHuman("PASSKEY_REQUIRED")).isTrue();
    assertThat(WahaStatus.needsHuman("FAILED")).isFalse();
  }

  @Provide
  Arbitrary<String> statuses() {
    return Arbitraries.oneOf(Arbitraries.of("STOPPED", "STARTING", "SCAN_QR_CODE", "WORKING", "FAILED", "PASSKEY_REQUIRED",
        "PASSKEY_CONFIRMATION_REQUIRED"), Arbitraries.strings().ofMaxLength(60).injectNull(0.05));
  }

  @Provide
  Arbitrary<InstanceState> believed() {
    return Arbitraries.of(InstanceState.values()).injectNull(0.1);
  }

  @Property
  void onlyWorkingIsReadyAndNothingUnknownSends(@ForAll("statuses") String status, @ForAll("believed") InstanceState believed) {
    Optional<InstanceState> state = WahaStatus.hubState(status, believed);
    assertThat(state.filter(InstanceState::canSend).isPresent()).isEqualTo("WORKING".equals(status));
    // a status never claims an account problem or a ladder verdict: those are the hub's own
    assertThat(state.filter(s -> s == InstanceState.AUTH_FAILURE || s == InstanceState.FAILED
        || s == InstanceState.STOPPED || s == InstanceState.RESTARTING)).isEmpty();
    // whatever it reports, the state the session believed may move there (or it reports nothing)
    if (state.isPresent() && believed != null && believed != state.get()
        && Arrays.asList(InstanceState.STARTING, InstanceState.NEEDS_QR, InstanceState.READY, InstanceState.DISCONNECTED)
        .contains(believed)) {
      assertThat(believed.canTransitionTo(state.get())).as(believed + " -> " + state.get() + " for " + status).isTrue();
    }
    assertThat(WahaStatus.reason(status).length()).isLessThan(200);
    assertThat(WahaStatus.pollAfter(status)).isPositive();
  }
}
