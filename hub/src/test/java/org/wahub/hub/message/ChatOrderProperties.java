package org.wahub.hub.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class ChatOrderProperties {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  /** Order by (orderAt, seq, id), written out independently of ChatOrder.QUEUE_ORDER. */
  private static boolean before(PendingMessage a, PendingMessage b) {
    int c = a.orderAt().compareTo(b.orderAt());
    if (c != 0) {
      return c < 0;
    }
    if (a.seq() != b.seq()) {
      return a.seq() < b.seq();
    }
    return a.id().compareTo(b.id()) < 0;
  }

  private static boolean pending(PendingMessage m) {
    return m.status() == MessageStatus.QUEUED || m.status() == MessageStatus.SENDING;
  }

  private static boolean expiredAt(PendingMessage m, Instant now) {
    return m.status() == MessageStatus.QUEUED && m.expiresAt() != null && !m.expiresAt().isAfter(now);
  }

  private static boolean dueAt(PendingMessage m, Instant now) {
    return m.status() == MessageStatus.QUEUED
        && (m.nextAttemptAt() == null || !m.nextAttemptAt().isAfter(now))
        && (m.sendAt() == null || !m.sendAt().isAfter(now));
  }

  /** A message is its chat's head iff every earlier pending message of the chat is an expired QUEUED one. */
  private static boolean isHead(PendingMessage m, List<PendingMessage> all, Instant now) {
    return pending(m) && !expiredAt(m, now) && all.stream().noneMatch(o -> o != m && pending(o)
        && o.chatId().equals(m.chatId()) && before(o, m) && !expiredAt(o, now));
  }

  /**
   * The pick equals a brute-force reading of the rule: due is the earliest due head; expired are
   * the expired QUEUED messages with nothing unexpired pending ahead of them; the wake time is
   * the earliest moment a blocked QUEUED head becomes due or expires.
   */
  @Property(tries = 1000)
  void thePickMatchesABruteForceReadingOfTheRule(@ForAll("queues") List<PendingMessage> queue) {
    ChatOrder.Pick pick = ChatOrder.next(queue, NOW);

    Optional<PendingMessage> expectedDue = queue.stream()
        .filter(m -> isHead(m, queue, NOW) && dueAt(m, NOW))
        .reduce((a, b) -> before(a, b) ? a : b);
    assertThat(pick.due()).isEqualTo(expectedDue);

    List<PendingMessage> expectedExpired = queue.stream()
        .filter(m -> expiredAt(m, NOW) && queue.stream().noneMatch(o -> o != m && pending(o)
            && o.chatId().equals(m.chatId()) && before(o, m) && !expiredAt(o, NOW)))
        .toList();
    assertThat(pick.expired()).containsExactlyInAnyOrderElementsOf(expectedExpired);

    Optional<Instant> expectedWake = queue.stream()
        .filter(m -> isHead(m, queue, NOW) && m.status() == MessageStatus.QUEUED && !dueAt(m, NOW))
        .map(m -> {
          Instant due = m.nextAttemptAt() == null ? m.sendAt()
              : m.sendAt() == null ? m.nextAttemptAt()
              : m.sendAt().isAfter(m.nextAttemptAt()) ? m.sendAt() : m.nextAttemptAt();
          return m.expiresAt() != null && m.expiresAt().isBefore(due) ? m.expiresAt() : due;
        })
        .min(Comparator.naturalOrder());
    assertThat(pick.nextWakeAt()).isEqualTo(expectedWake);
    expectedWake.ifPresent(w -> assertThat(w).isAfter(NOW));
  }

  /** Never picks a message while an earlier one of its chat is QUEUED or SENDING and not expired. */
  @Property(tries = 1000)
  void neverOvertakesAnEarlierPendingMessageOfTheSameChat(@ForAll("queues") List<PendingMessage> queue) {
    ChatOrder.next(queue, NOW).due().ifPresent(due -> {
      assertThat(dueAt(due, NOW)).isTrue();
      assertThat(queue).noneMatch(o -> o != due && pending(o) && o.chatId().equals(due.chatId())
          && before(o, due) && !expiredAt(o, NOW));
    });
  }

  /** Removing a chat whose head is blocked (retry, schedule, in flight) changes nothing for the others. */
  @Property(tries = 1000)
  void aBlockedChatHoldsBackOnlyItself(@ForAll("queues") List<PendingMessage> queue) {
    ChatOrder.Pick pick = ChatOrder.next(queue, NOW);
    for (String chat : queue.stream().map(PendingMessage::chatId).distinct().toList()) {
      Optional<PendingMessage> head = queue.stream()
          .filter(m -> m.chatId().equals(chat) && isHead(m, queue, NOW)).findFirst();
      if (head.isEmpty() || dueAt(head.get(), NOW)) {
        continue;
      }
      List<PendingMessage> others = queue.stream().filter(m -> !m.chatId().equals(chat)).toList();
      ChatOrder.Pick without = ChatOrder.next(others, NOW);
      assertThat(pick.due()).as("blocked chat %s", chat).isEqualTo(without.due());
      assertThat(pick.due()).map(PendingMessage::chatId).isNotEqualTo(Optional.of(chat));
    }
  }

  /**
   * A send loop with random outcomes (sent, retried later, slow completion) and random
   * expiries: per chat the messages go out in (orderAt, seq) order, there is never more than one
   * SENDING per chat, and every message ends sent or expired.
   */
  @Property(tries = 1000)
  void sendsAreFifoPerChatUnderRandomPicksCompletionsAndRetries(@ForAll("queues") List<PendingMessage> initial,
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int concurrency) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, PendingMessage> state = new LinkedHashMap<>();
    for (PendingMessage m : initial) {
      if (pending(m)) {
        // start from a clean queue: in-flight leftovers are released, as crash recovery would
        state.put(m.id(), new PendingMessage(m.id(), m.chatId(), m.orderAt(), m.seq(), m.attempts(), m.nextAttemptAt(),
            m.sendAt(), m.expiresAt(), MessageStatus.QUEUED));
      }
    }
    List<PendingMessage> original = List.copyOf(state.values());
    Map<String, Instant> inFlightUntil = new HashMap<>();
    Map<String, Boolean> willSucceed = new HashMap<>();
    Map<String, List<String>> sentPerChat = new HashMap<>();
    List<String> expired = new ArrayList<>();
    Instant now = NOW;

    for (int step = 0; step < 5_000; step++) {
      ChatOrder.Pick pick = ChatOrder.next(List.copyOf(state.values()), now);
      for (PendingMessage e : pick.expired()) {
        state.put(e.id(), e.withStatus(MessageStatus.EXPIRED));
        expired.add(e.id());
      }
      if (pick.due().isPresent() && inFlightUntil.size() < concurrency) {
        PendingMessage m = pick.due().get();
        assertThat(inFlightUntil.keySet()).noneMatch(id -> state.get(id).chatId().equals(m.chatId()));
        state.put(m.id(), m.withStatus(MessageStatus.SENDING));
        inFlightUntil.put(m.id(), now.plusMillis(rng.nextLong(0, 3_000)));
        willSucceed.put(m.id(), m.attempts() >= 2 || rng.nextInt(3) > 0);
        continue;
      }
      Optional<Instant> nextCompletion = inFlightUntil.values().stream().min(Comparator.naturalOrder());
      Optional<Instant> next = nextCompletion;
      if (pick.nextWakeAt().isPresent() && (next.isEmpty() || pick.nextWakeAt().get().isBefore(next.get()))) {
        next = pick.nextWakeAt();
      }
      if (next.isEmpty()) {
        if (!pick.expired().isEmpty()) {
          continue;
        }
        break;
      }
      now = next.get().isAfter(now) ? next.get() : now;
      for (String id : List.copyOf(inFlightUntil.keySet())) {
        if (!inFlightUntil.get(id).isAfter(now)) {
          inFlightUntil.remove(id);
          PendingMessage m = state.get(id);
          if (willSucceed.get(id)) {
            state.put(id, m.withStatus(MessageStatus.SENT));
            sentPerChat.computeIfAbsent(m.chatId(), k -> new ArrayList<>()).add(id);
          } else {
            state.put(id, new PendingMessage(id, m.chatId(), m.orderAt(), m.seq(), m.attempts() + 1,
                now.plusMillis(rng.nextLong(1, 20_000)), m.sendAt(), m.expiresAt(), MessageStatus.QUEUED));
          }
        }
      }
    }

    assertThat(state.values()).allMatch(m -> m.status() == MessageStatus.SENT || m.status() == MessageStatus.EXPIRED);
    Map<String, List<PendingMessage>> byChat = original.stream().collect(Collectors.groupingBy(PendingMessage::chatId));
    for (Map.Entry<String, List<PendingMessage>> chat : byChat.entrySet()) {
      List<String> fifo = chat.getValue().stream()
          .filter(m -> !expired.contains(m.id()))
          .sorted((a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0)
          .map(PendingMessage::id)
          .toList();
      assertThat(sentPerChat.getOrDefault(chat.getKey(), List.of())).as("chat %s", chat.getKey()).isEqualTo(fifo);
    }
  }

  @Provide
  Arbitrary<List<PendingMessage>> queues() {
    Arbitrary<Instant> around = Arbitraries.integers().between(-120, 120).map(s -> NOW.plusSeconds(s));
    Arbitrary<Instant> maybe = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just((Instant) null)), Tuple.of(2, around));
    Arbitrary<MessageStatus> status = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.just(MessageStatus.QUEUED)),
        Tuple.of(2, Arbitraries.just(MessageStatus.SENDING)),
        Tuple.of(2, Arbitraries.of(MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.IN_DOUBT,
            MessageStatus.CANCELLED, MessageStatus.EXPIRED, MessageStatus.DELIVERED, MessageStatus.READ)));
    Arbitrary<PendingMessage> message = Combinators.combine(
        Arbitraries.of("A", "B", "C"),
        Arbitraries.integers().between(-60, 60),
        Arbitraries.integers().between(0, 3),
        maybe, maybe, maybe, status).as((chat, order, attempts, next, sendAt, expires, st) ->
        new PendingMessage("?", chat, sendAt != null ? sendAt : NOW.plusSeconds(order), 0, attempts, next,
            sendAt, expires, st));
    return message.list().ofMaxSize(14).map(list -> {
      List<PendingMessage> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        PendingMessage m = list.get(i);
        out.add(new PendingMessage("m" + i, m.chatId(), m.orderAt(), i, m.attempts(), m.nextAttemptAt(), m.sendAt(),
            m.expiresAt(), m.status()));
      }
      return out;
    });
  }
}
