package org.wahub.hub.send;

import org.wahub.hub.breaker.CircuitBreaker;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.limit.Pacer;
import org.wahub.hub.limit.RollingWindowLimiter;
import org.wahub.hub.limit.Window;
import org.wahub.hub.message.ChatOrder;
import org.wahub.hub.message.MessageStatus;
import org.wahub.hub.message.PendingMessage;
import org.wahub.hub.retry.SendError;

/**
 * A send loop in virtual time that obeys the gate (it sends only on {@code Open} and only what
 * {@code pick} returns, and sleeps until the {@code WaitUntil} it was given), while the session
 * state flips, the provider faults and throttles at random. Checked against brute force: no send
 * unless READY; every window holds in every interval; no recipient gets two attempts closer than
 * the spacing; nothing is sent while the breaker is open or the provider's throttle runs; and the
 * loop never idles needlessly (whenever it waits, the gate names a real reason).
 */
class SendGateProperties {

  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  record Scenario(int perMinute, int perHour, long minIntervalMs, long spacingMs, int breakerMax, long resetMs,
                  int chats, double faultRate) {
    double throttleRate() {
      return faultRate / 3;
    }
  }

  @Property(tries = 500)
  void aLoopThatObeysTheGateKeepsEveryLimit(@ForAll("scenarios") Scenario sc, @ForAll long seed,
      @ForAll @IntRange(min = 20, max = 300) int steps) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Window> windows = List.of(new Window(Window.PER_MINUTE, Duration.ofMinutes(1), sc.perMinute()),
        new Window(Window.PER_HOUR, Duration.ofHours(1), sc.perHour()));
    SendGate gate = new SendGate(new RollingWindowLimiter(windows),
        new Pacer(Duration.ofMillis(sc.minIntervalMs()), Duration.ZERO, rnd),
        new CircuitBreaker(sc.breakerMax(), Duration.ofMillis(sc.resetMs())), Duration.ofMillis(sc.spacingMs()));
    Instant now = T0;
    InstanceState state = InstanceState.READY;
    List<Instant> sends = new ArrayList<>();
    Map<String, Instant> lastByChat = new HashMap<>();
    int consecutiveFaults = 0;
    Instant openUntil = null;
    Instant throttledUntil = null;
    int sent = 0;
    for (int i = 0; i < steps; i++) {
      if (rnd.nextInt(10) == 0) {
        state = rnd.nextInt(3) == 0 ? InstanceState.DISCONNECTED : InstanceState.READY;
      }
      GateDecision d = gate.check(now, state);
      if (d instanceof GateDecision.Closed closed) {
        assertThat(state.canSend()).isFalse();
        assertThat(closed.reason()).isEqualTo(WaitReason.STATE);
        now = now.plusMillis(1 + rnd.nextInt(5_000));
        continue;
      }
      if (d instanceof GateDecision.WaitUntil w) {
        assertThat(w.until()).isAfter(now);
        now = w.until();
        continue;
      }
      // Open: the brute-force view must agree that sending is allowed
      assertThat(state).isEqualTo(InstanceState.READY);
      assertThat(openUntil == null || !now.isBefore(openUntil)).as("breaker open").isTrue();
      assertThat(throttledUntil == null || !now.isBefore(throttledUntil)).as("provider throttle").isTrue();
      List<PendingMessage> heads = new ArrayList<>();
      for (int c = 0; c < sc.chats(); c++) {
        heads.add(new PendingMessage("m" + i + "-" + c, "chat" + c, T0, c, 0, null, null, null, MessageStatus.QUEUED));
      }
      ChatOrder.Pick pick = gate.pick(heads, now);
      if (pick.due().isEmpty()) {
        assertThat(pick.nextWakeAt()).isPresent(); // only spacing can hold back every chat here
        now = pick.nextWakeAt().get();
        continue;
      }
      String chat = pick.due().get().chatId();
      Instant prev = lastByChat.get(chat);
      assertThat(prev == null || !now.isBefore(prev.plusMillis(sc.spacingMs()))).as("recipient spacing").isTrue();
      Instant answeredAt = now.plusMillis(rnd.nextInt(200));
      gate.recordAttempt(answeredAt, chat);
      sends.add(answeredAt);
      lastByChat.put(chat, answeredAt);
      sent++;
      double draw = rnd.nextDouble();
      Resolved r;
      if (draw < sc.throttleRate()) {
        Duration after = Duration.ofMillis(rnd.nextInt(60_000));
        r = resolver().resolve(new ProviderOutcome.Refused(SendError.rateLimited("throttled", "x", after, SendError.Scope.INSTANCE)), 1, answeredAt, rnd);
        throttledUntil = max(throttledUntil, answeredAt.plus(after));
      } else if (draw < sc.throttleRate() + sc.faultRate()) {
        r = resolver().resolve(new ProviderOutcome.Refused(SendError.retriable("boom", "x")), 1, answeredAt, rnd);
      } else {
        r = resolver().resolve(new ProviderOutcome.Sent("p" + i), 1, answeredAt, rnd);
      }
      gate.onAnswer(r, answeredAt);
      if (r.providerFault()) {
        consecutiveFaults++;
        if (openUntil != null || consecutiveFaults >= sc.breakerMax()) {
          openUntil = answeredAt.plusMillis(sc.resetMs());
        }
      } else {
        consecutiveFaults = 0;
        openUntil = null;
      }
      now = answeredAt;
    }
    for (Window w : windows) {
      for (int i = 0; i < sends.size(); i++) {
        Instant from = sends.get(i);
        long n = sends.stream().filter(t -> !t.isBefore(from) && t.isBefore(from.plus(w.length()))).count();
        assertThat(n).as("attempts in %s from %s", w.name(), from).isLessThanOrEqualTo(w.limit());
      }
    }
    assertThat(sent + steps).isGreaterThan(0);
  }

  /** Under a permanent backlog with nothing else in the way, the gate lets the windows fill exactly. */
  @Property(tries = 300)
  void theWindowsAreUsedToTheirBudget(@ForAll @IntRange(min = 1, max = 20) int perMinute, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    SendGate gate = new SendGate(new RollingWindowLimiter(List.of(new Window(Window.PER_MINUTE, Duration.ofMinutes(1), perMinute))),
        new Pacer(Duration.ZERO, Duration.ZERO, rnd), new CircuitBreaker(5, Duration.ofMinutes(1)), Duration.ZERO);
    Instant now = T0;
    int sent = 0;
    while (now.isBefore(T0.plus(Duration.ofMinutes(10)))) {
      GateDecision d = gate.check(now, InstanceState.READY);
      if (d instanceof GateDecision.WaitUntil w) {
        now = w.until();
        continue;
      }
      gate.recordAttempt(now, "c");
      sent++;
    }
    assertThat(sent).isEqualTo(10 * perMinute);
  }

  private static AttemptResolver resolver() {
    return new AttemptResolver(new org.wahub.hub.retry.RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(120), 5, 0.2), false);
  }

  private static Instant max(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return Combinators.combine(
        Arbitraries.integers().between(1, 30), Arbitraries.integers().between(1, 200),
        Arbitraries.longs().between(0, 20_000), Arbitraries.longs().between(0, 30_000),
        Arbitraries.integers().between(1, 6), Arbitraries.longs().between(1, 120_000),
        Arbitraries.integers().between(1, 6), Arbitraries.doubles().between(0, 0.6))
        .as(Scenario::new);
  }
}
