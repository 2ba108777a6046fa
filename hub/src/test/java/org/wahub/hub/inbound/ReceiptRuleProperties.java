package org.wahub.hub.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.wahub.hub.message.MessageStatus;

/**
 * Receipts only move a message forward, whatever order the provider delivers them in. Virtual time:
 * each receipt carries the provider's timestamp (a fake clock from T0), and arrival order is an
 * arbitrary shuffle of them, as with webhook retries.
 */
class ReceiptRuleProperties {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  record Timed(ReceiptStatus status, Instant at) {
  }

  @Provide
  Arbitrary<List<Timed>> arrivals() {
    Arbitrary<Timed> one = Combinators.combine(Arbitraries.of(ReceiptStatus.class),
        Arbitraries.integers().between(0, 600_000)).as((s, ms) -> new Timed(s, T0.plus(Duration.ofMillis(ms))));
    return one.list().ofMinSize(0).ofMaxSize(12);
  }

  private static MessageStatus play(MessageStatus start, List<Timed> arrivals) {
    MessageStatus s = start;
    for (Timed t : arrivals) {
      ReceiptRule.Decision d = ReceiptRule.decide(s, t.status());
      if (d instanceof ReceiptRule.Apply a) {
        assertThat(a.from()).isEqualTo(s);
        assertThat(s.canTransitionTo(a.to())).as("%s -> %s", s, a.to()).isTrue();
        s = a.to();
      }
    }
    return s;
  }

  @Property(tries = 2000)
  void anApplyIsAlwaysALegalTransitionAndNeverGoesBack(@ForAll MessageStatus current, @ForAll ReceiptStatus receipt) {
    ReceiptRule.Decision d = ReceiptRule.decide(current, receipt);
    if (d instanceof ReceiptRule.Apply a) {
      assertThat(current.canTransitionTo(a.to())).isTrue();
      if (a.to() != MessageStatus.FAILED) {
        assertThat(ReceiptRule.rank(a.to())).isGreaterThan(ReceiptRule.rank(current));
      }
    } else {
      // deciding again gives the same answer: receipts are idempotent on the message
      assertThat(ReceiptRule.decide(current, receipt)).isEqualTo(d);
    }
  }

  /**
   * Delivery receipts in any arrival order end where the furthest one says, unless a failure came
   * first, before any delivery was known; then the message stays failed.
   */
  @Property(tries = 3000)
  void anyArrivalOrderEndsAtTheFurthestReceipt(@ForAll("arrivals") List<Timed> arrivals) {
    MessageStatus end = play(MessageStatus.SENT, arrivals);
    int firstFailed = indexOf(arrivals, ReceiptStatus.FAILED);
    int firstForward = -1;
    for (int i = 0; i < arrivals.size(); i++) {
      if (arrivals.get(i).status() == ReceiptStatus.DELIVERED || arrivals.get(i).status() == ReceiptStatus.READ) {
        firstForward = i;
        break;
      }
    }
    if (firstFailed >= 0 && (firstForward < 0 || firstFailed < firstForward)) {
      assertThat(end).isEqualTo(MessageStatus.FAILED);
    } else if (indexOf(arrivals, ReceiptStatus.READ) >= 0) {
      assertThat(end).isEqualTo(MessageStatus.READ);
    } else if (indexOf(arrivals, ReceiptStatus.DELIVERED) >= 0) {
      assertThat(end).isEqualTo(MessageStatus.DELIVERED);
    } else {
      assertThat(end).isEqualTo(MessageStatus.SENT);
    }
  }

  /** Without failures the result does not depend on arrival order: provider time order gives the same end. */
  @Property(tries = 2000)
  void withoutFailuresArrivalOrderDoesNotMatter(@ForAll("arrivals") List<Timed> arrivals) {
    List<Timed> forward = arrivals.stream().filter(t -> t.status() != ReceiptStatus.FAILED).toList();
    List<Timed> inTimeOrder = new ArrayList<>(forward);
    inTimeOrder.sort(Comparator.comparing(Timed::at));
    assertThat(play(MessageStatus.SENT, forward)).isEqualTo(play(MessageStatus.SENT, inTimeOrder));
    assertThat(play(MessageStatus.IN_DOUBT, forward)).isEqualTo(play(MessageStatus.IN_DOUBT, inTimeOrder));
  }

  /** Replaying the same receipts again (a provider's webhook retry) changes nothing. */
  @Property(tries = 2000)
  void replayingReceiptsChangesNothing(@ForAll("arrivals") List<Timed> arrivals) {
    MessageStatus once = play(MessageStatus.SENT, arrivals);
    assertThat(play(once, arrivals)).isEqualTo(once);
  }

  @Property(tries = 500)
  void receiptsNeverTouchMessagesThatAreNotOut(@ForAll("arrivals") List<Timed> arrivals) {
    for (MessageStatus s : List.of(MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.CANCELLED,
        MessageStatus.EXPIRED)) {
      assertThat(play(s, arrivals)).isEqualTo(s);
    }
  }

  private static int indexOf(List<Timed> arrivals, ReceiptStatus status) {
    for (int i = 0; i < arrivals.size(); i++) {
      if (arrivals.get(i).status() == status) {
        return i;
      }
    }
    return -1;
  }
}
