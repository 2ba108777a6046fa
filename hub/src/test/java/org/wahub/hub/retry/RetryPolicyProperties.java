package org.wahub.hub.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class RetryPolicyProperties {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** Without jitter each delay is exactly min(max, base * 2^(n-1)): non-decreasing and capped. */
  @Property(tries = 1000)
  void withoutJitterDelaysDoubleUntilCappedAndNeverShrink(@ForAll("policiesWithoutJitter") RetryPolicy p,
      @ForAll @IntRange(min = 1, max = 80) int n) {
    Duration d = p.backoff(n, null);
    Duration next = p.backoff(n + 1, null);
    long expected = Math.min(p.max().toMillis(), (long) Math.min((double) Long.MAX_VALUE,
        p.base().toMillis() * Math.pow(2, n - 1)));
    assertThat(d.toMillis()).isEqualTo(expected);
    assertThat(next).isGreaterThanOrEqualTo(d);
    assertThat(d).isLessThanOrEqualTo(p.max());
  }

  /** With jitter every delay lies in [nominal(1 - r), min(max, nominal(1 + r))], rounded to ms. */
  @Property(tries = 1000)
  void jitteredDelaysStayWithinTheRatioAndTheCap(@ForAll("policiesWithoutJitter") RetryPolicy shape,
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double ratio, @ForAll @IntRange(min = 1, max = 40) int n,
      @ForAll long seed) {
    RetryPolicy p = new RetryPolicy(shape.base(), shape.max(), shape.maxAttempts(), ratio);
    long nominal = p.nominalBackoff(n).toMillis();
    long d = p.backoff(n, new SplittableRandom(seed)).toMillis();
    assertThat(d).isGreaterThanOrEqualTo(Math.max(0, (long) Math.floor(nominal * (1 - ratio))));
    assertThat(d).isLessThanOrEqualTo(Math.min(p.max().toMillis(), (long) Math.ceil(nominal * (1 + ratio))));
  }

  /**
   * A message that fails with retriable errors forever is attempted exactly maxAttempts times:
   * every earlier failure is retried at now + backoff, the last one fails as attempts_exhausted.
   */
  @Property(tries = 1000)
  void neverMoreThanMaxAttempts(@ForAll("policies") RetryPolicy p, @ForAll long seed,
      @ForAll("retriableCodes") String code) {
    SplittableRandom rng = new SplittableRandom(seed);
    Instant now = T0;
    int attempts = 0;
    while (true) {
      attempts++;
      assertThat(attempts).isLessThanOrEqualTo(p.maxAttempts());
      RetryDecision d = p.decide(attempts, SendError.classify(code, "boom"), now, rng);
      if (d instanceof RetryDecision.Fail fail) {
        assertThat(fail.code()).isEqualTo(RetryPolicy.ATTEMPTS_EXHAUSTED);
        assertThat(fail.reason()).contains(SendError.normalizeCode(code));
        break;
      }
      RetryDecision.RetryAt retry = (RetryDecision.RetryAt) d;
      assertThat(retry.at()).isEqualTo(now.plus(retry.delay()));
      assertThat(retry.delay()).isLessThanOrEqualTo(p.max());
      now = retry.at();
    }
    assertThat(attempts).isEqualTo(p.maxAttempts());
  }

  /** A permanent error fails on whatever attempt it happens, with its own code. */
  @Property(tries = 1000)
  void permanentErrorsFailAtOnce(@ForAll("policies") RetryPolicy p, @ForAll @IntRange(min = 1, max = 20) int attempt,
      @ForAll("permanentCodes") String code) {
    RetryDecision d = p.decide(attempt, SendError.classify(code, "why"), T0, new SplittableRandom(1));
    assertThat(d).isEqualTo(new RetryDecision.Fail(code, "why"));
  }

  @Provide
  Arbitrary<RetryPolicy> policiesWithoutJitter() {
    return Combinators.combine(
        Arbitraries.longs().between(1, 60_000),
        Arbitraries.longs().between(0, 600_000),
        Arbitraries.integers().between(1, 12)).as((base, extra, attempts) ->
        new RetryPolicy(Duration.ofMillis(base), Duration.ofMillis(base + extra), attempts, 0.0));
  }

  @Provide
  Arbitrary<RetryPolicy> policies() {
    return Combinators.combine(policiesWithoutJitter(), Arbitraries.doubles().between(0, 1))
        .as((p, r) -> new RetryPolicy(p.base(), p.max(), p.maxAttempts(), r));
  }

  @Provide
  Arbitrary<String> retriableCodes() {
    return Arbitraries.of("timeout", "disconnected", "provider_unavailable", "rate_limited", "network",
        "circuit_open", "unknown", "Some-New-Code", "");
  }

  @Provide
  Arbitrary<String> permanentCodes() {
    return Arbitraries.of("invalid_recipient", "not_on_whatsapp", "blocked", "bad_media", "unsupported",
        "payload_rejected", "auth");
  }
}
