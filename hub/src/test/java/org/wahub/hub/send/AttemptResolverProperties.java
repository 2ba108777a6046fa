package org.wahub.hub.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Example;
import org.wahub.hub.retry.RetryPolicy;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.Resolved.MessageResolution;

/** The attempt resolver against the rules of DESIGN §4 and §7a, for every error kind and capability. */
class AttemptResolverProperties {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(120), 5, 0.2);

  @Property(tries = 1000)
  void everyOutcomeIsResolvedByTheRules(@ForAll("errors") SendError error, @ForAll boolean lost, @ForAll boolean dedupes,
      @ForAll @IntRange(min = 1, max = 8) int attempts, @ForAll long seed) {
    AttemptResolver resolver = new AttemptResolver(POLICY, dedupes);
    ProviderOutcome outcome = lost ? new ProviderOutcome.Lost(error) : new ProviderOutcome.Refused(error);
    Resolved r = resolver.resolve(outcome, attempts, NOW, new SplittableRandom(seed));
    MessageResolution m = r.message();

    if (lost) {
      // the in-doubt rule: never resend blindly unless the provider deduplicates
      assertThat(m instanceof MessageResolution.InDoubt).isEqualTo(!dedupes);
      assertThat(r.providerFault()).isTrue();
      if (dedupes) {
        assertRetryOrExhausted(m, attempts, Duration.ZERO);
      }
      return;
    }
    switch (error.kind()) {
      case PERMANENT, NEEDS_TEMPLATE -> {
        assertThat(m).isEqualTo(new MessageResolution.Fail(error.code(), error.reason()));
        assertThat(r.providerAnswered()).isTrue();
        assertThat(r.providerFault()).isFalse();
      }
      case RETRIABLE -> {
        assertRetryOrExhausted(m, attempts, Duration.ZERO);
        assertThat(r.pauseUntil()).isEmpty();
        assertThat(r.accountProblem()).isEmpty();
      }
      case RATE_LIMITED -> {
        assertRetryOrExhausted(m, attempts, error.retryAfter());
        assertThat(r.pauseUntil().isPresent()).isEqualTo(error.scope() == SendError.Scope.INSTANCE);
        r.pauseUntil().ifPresent(p -> assertThat(p).isEqualTo(NOW.plus(error.retryAfter())));
      }
      case ACCOUNT -> {
        assertThat(r.accountProblem()).isPresent();
        assertRetryOrExhausted(m, attempts, Duration.ZERO);
      }
    }
    assertThat(m).isNotInstanceOf(MessageResolution.InDoubt.class); // an answer is never in doubt
  }

  private static void assertRetryOrExhausted(MessageResolution m, int attempts, Duration atLeast) {
    if (attempts >= POLICY.maxAttempts()) {
      assertThat(m).isInstanceOf(MessageResolution.Fail.class);
      assertThat(((MessageResolution.Fail) m).code()).isEqualTo(RetryPolicy.ATTEMPTS_EXHAUSTED);
    } else {
      assertThat(m).isInstanceOf(MessageResolution.RetryAt.class);
      Instant at = ((MessageResolution.RetryAt) m).at();
      assertThat(at).isAfterOrEqualTo(NOW.plus(atLeast)).isAfter(NOW);
    }
  }

  @Example
  void aSendIsSentAndClosesTheBreaker() {
    Resolved r = new AttemptResolver(POLICY, false).resolve(new ProviderOutcome.Sent("wamid.1"), 1, NOW, new SplittableRandom(1));
    assertThat(r.message()).isEqualTo(new MessageResolution.MarkSent("wamid.1"));
    assertThat(r.providerAnswered()).isTrue();
  }

  @Example
  void outsideTheCareWindowFailsAsNeedsTemplate() {
    Resolved r = new AttemptResolver(POLICY, true).resolve(
        new ProviderOutcome.Refused(SendError.needsTemplate("131047: re-engagement message")), 1, NOW, new SplittableRandom(1));
    assertThat(r.message()).isEqualTo(new MessageResolution.Fail("needs_template", "131047: re-engagement message"));
  }

  @Provide
  Arbitrary<SendError> errors() {
    Arbitrary<String> codes = Arbitraries.of("timeout", "provider_unavailable", "rate_limited", "invalid_recipient",
        "auth", "130429", "131056");
    Arbitrary<Duration> after = Arbitraries.longs().between(0, 600_000).map(Duration::ofMillis);
    return Arbitraries.oneOf(
        codes.map(c -> SendError.retriable(c, "r")),
        codes.map(c -> SendError.permanent(c, "p")),
        codes.map(c -> SendError.account(c, "a")),
        Arbitraries.just(SendError.needsTemplate("outside window")),
        net.jqwik.api.Combinators.combine(codes, after, Arbitraries.of(SendError.Scope.class))
            .as((c, d, s) -> SendError.rateLimited(c, "t", d, s)));
  }
}
