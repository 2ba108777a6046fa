package org.wahub.hub.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The instance machine under random inputs in virtual time, driven by a glue that does exactly
 * what the commands say (one ladder timer, restarts that succeed, fail or hang at random, provider
 * reports and operator commands at random moments). Checks the contract of DESIGN §5 on every
 * command: legal, chained state changes; never more restarts than the window allows in any
 * interval; no automatic restart after NEEDS_QR/AUTH_FAILURE, FAILED or STOPPED until the
 * session or an operator acts; the machine's state always equals the last persisted one.
 */
class InstanceMachineProperties {

  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  enum Input { READY, DISCONNECT, NEEDS_QR, AUTH_FAILURE, ACCOUNT_PROBLEM, START_FAILED, MANUAL_SOFT, MANUAL_HARD, STOP, START, WAIT }

  @Property(tries = 1000)
  void theMachineKeepsItsContractUnderRandomInputs(@ForAll("policies") ReconnectPolicy policy,
      @ForAll("inputs") List<Tuple.Tuple2<Integer, Input>> inputs, @ForAll long seed) {
    Glue g = new Glue(policy, seed);
    g.run(g.machine.boot(g.now(), true));
    for (Tuple.Tuple2<Integer, Input> in : inputs) {
      g.advance(in.get1());
      g.apply(in.get2());
    }
    g.advance(6 * 3_600_000); // every pending timer and restart outcome fires
    assertThat(g.commands).isGreaterThan(0);
    assertWindowHeld(g.restartStarts, policy);
  }

  /** A session that never recovers ends FAILED after exactly maxAttempts automatic restarts, with no restart after. */
  @Property(tries = 300)
  void aDeadSessionEndsFailedAfterMaxAttempts(@ForAll("policies") ReconnectPolicy policy, @ForAll long seed) {
    Glue g = new Glue(policy, seed);
    g.restartsAlwaysFail = true;
    g.run(g.machine.boot(g.now(), true));
    g.apply(Input.READY);
    g.apply(Input.DISCONNECT);
    g.advance(48 * 3_600_000);
    assertThat(g.machine.state()).isEqualTo(InstanceState.FAILED);
    assertThat(g.restartStarts).hasSize(policy.maxAttempts());
    assertWindowHeld(g.restartStarts, policy);
  }

  private static void assertWindowHeld(List<Instant> starts, ReconnectPolicy policy) {
    long window = policy.restartWindow().toMillis();
    for (int i = 0; i < starts.size(); i++) {
      long from = starts.get(i).toEpochMilli();
      long inWindow = starts.stream().mapToLong(Instant::toEpochMilli).filter(t -> t >= from && t < from + window).count();
      assertThat(inWindow).as("restarts in the window from %s", starts.get(i)).isLessThanOrEqualTo(policy.maxRestartsPerWindow());
    }
  }

  /** The glue of the real verticle, in virtual time, with the invariants checked per command. */
  static final class Glue {
    final InstanceMachine machine;
    final Random random;
    long clock = T0.toEpochMilli();
    Long ladderTimer;
    final TreeMap<Long, List<Runnable>> pending = new TreeMap<>();
    InstanceState persisted = InstanceState.STARTING;
    boolean needsHuman; // hard stop, FAILED or STOPPED: no automatic restart until READY or an operator
    boolean restartsAlwaysFail;
    final List<Instant> restartStarts = new ArrayList<>();
    int commands;

    Glue(ReconnectPolicy policy, long seed) {
      this.machine = new InstanceMachine("i1", policy, List.of(), T0);
      this.random = new Random(seed);
    }

    Instant now() {
      return Instant.ofEpochMilli(clock);
    }

    void advance(long ms) {
      long until = clock + ms;
      while (true) {
        Long next = nextEventAt();
        if (next == null || next > until) {
          break;
        }
        clock = next;
        if (ladderTimer != null && ladderTimer == next) {
          ladderTimer = null;
          run(machine.onLadderTimer(now()));
        } else {
          List<Runnable> due = pending.remove(next);
          due.forEach(Runnable::run);
        }
      }
      clock = until;
    }

    private Long nextEventAt() {
      Long p = pending.isEmpty() ? null : pending.firstKey();
      if (ladderTimer == null) {
        return p;
      }
      return p == null || ladderTimer <= p ? ladderTimer : p;
    }

    void apply(Input in) {
      Instant now = now();
      switch (in) {
        case READY -> run(machine.onProviderState(now, InstanceState.READY, null));
        case DISCONNECT -> run(machine.onProviderState(now, InstanceState.DISCONNECTED, "dropped"));
        case NEEDS_QR -> run(machine.onProviderState(now, InstanceState.NEEDS_QR, "qr"));
        case AUTH_FAILURE -> run(machine.onProviderState(now, InstanceState.AUTH_FAILURE, "auth"));
        case ACCOUNT_PROBLEM -> run(machine.onAccountProblem(now, "token revoked"));
        case START_FAILED -> run(machine.onSessionStartFailed(now, "refused"));
        case MANUAL_SOFT, MANUAL_HARD -> operator(machine.manualRestart(now, in == Input.MANUAL_SOFT ? RestartType.SOFT : RestartType.HARD));
        case STOP -> operator(machine.operatorStop(now));
        case START -> operator(machine.operatorStart(now));
        case WAIT -> { }
      }
      assertThat(machine.state()).isEqualTo(persisted);
    }

    private void operator(InstanceMachine.Step step) {
      if (step.reply() instanceof OperatorReply.Accepted) {
        needsHuman = false; // a human acted
      }
      if (step.reply() instanceof OperatorReply.Refused r) {
        assertThat(step.commands()).isEmpty();
        if (r.refusal() == OperatorReply.Refusal.RESTART_WINDOW_EXHAUSTED) {
          assertThat(r.retryAt()).isAfter(now());
        }
      }
      run(step.commands());
    }

    void run(List<InstanceCommand> out) {
      for (InstanceCommand c : out) {
        commands++;
        if (c instanceof InstanceCommand.ChangeState s) {
          assertThat(s.from()).isEqualTo(persisted);
          assertThat(s.from().canTransitionTo(s.to())).as("%s -> %s", s.from(), s.to()).isTrue();
          assertThat(s.at()).isEqualTo(now());
          persisted = s.to();
          if (s.to().isHardStop() || s.to() == InstanceState.FAILED || s.to() == InstanceState.STOPPED) {
            needsHuman = true;
          } else if (s.to() == InstanceState.READY) {
            needsHuman = false;
          }
        } else if (c instanceof InstanceCommand.ArmLadderTimer a) {
          assertThat(a.at()).isAfterOrEqualTo(now());
          ladderTimer = a.at().toEpochMilli();
        } else if (c instanceof InstanceCommand.CancelLadderTimer) {
          ladderTimer = null;
        } else if (c instanceof InstanceCommand.RestartSession r) {
          if (!r.manual()) {
            assertThat(needsHuman).as("automatic restart while %s", persisted).isFalse();
          }
          assertThat(persisted).isNotEqualTo(InstanceState.STOPPED);
          restartStarts.add(r.at());
          int kind = restartsAlwaysFail ? 1 : random.nextInt(3);
          long timeout = machine.ladder().policy().timeoutOf(r.type()).toMillis();
          long after = 1 + (long) (random.nextDouble() * 2 * timeout);
          if (kind < 2) {
            boolean ok = kind == 0;
            int episode = r.episode();
            pending.computeIfAbsent(clock + after, k -> new ArrayList<>()).add(() ->
                run(machine.onRestartFinished(now(), episode, ok, ok ? null : "still down")));
          } // kind 2: the restart hangs; the ladder's timeout must notice
        } else if (c instanceof InstanceCommand.Ignored i) {
          assertThat(i.from()).isEqualTo(persisted);
        }
      }
    }
  }

  @Provide
  Arbitrary<ReconnectPolicy> policies() {
    return Arbitraries.integers().between(1, 5).flatMap(maxRestarts ->
        Arbitraries.integers().between(1, 6).flatMap(maxAttempts ->
            Arbitraries.longs().between(1_000, 300_000).list().ofMinSize(1).ofMaxSize(5).flatMap(delays ->
                Arbitraries.longs().between(10_000, 1_200_000).map(window -> new ReconnectPolicy(
                    delays.stream().map(Duration::ofMillis).toList(), maxRestarts, Duration.ofMillis(window),
                    maxAttempts, Duration.ofMillis(60_000), Duration.ofMillis(120_000))))));
  }

  @Provide
  Arbitrary<List<Tuple.Tuple2<Integer, Input>>> inputs() {
    return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 400_000), Arbitraries.of(Input.class))
        .as(Tuple::of).list().ofMaxSize(60);
  }
}
