package org.wahub.hub.webhook;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which event types an endpoint receives. A pattern is a known type ({@code message.sent}), a
 * category wildcard ({@code message.*}: every known type that starts with {@code message.}) or
 * {@code *} (every type). Patterns are checked against the known types when the endpoint is
 * created or changed, so a typo is a 400, not an endpoint that silently never hears anything.
 *
 * <p>Types in {@code explicitOnly} ({@code message.queued}) match only when named: wildcards skip
 * them. Writing such an event costs the intake a row per accepted message, so the outbox writes
 * it only while some endpoint asks for it by name, and a {@code *} must not ask by accident.
 *
 * <p>{@value #TEST} is never subscribed: it is sent to one endpoint by its test-ping request.
 */
public final class EventTypeFilter {

  public static final String ALL = "*";
  public static final String TEST = "webhook.test";
  public static final int MAX_PATTERNS = 64;
  public static final int MAX_PATTERN_LENGTH = 100;

  private final List<String> patterns;
  private final Set<String> explicitOnly;

  private EventTypeFilter(List<String> patterns, Set<String> explicitOnly) {
    this.patterns = List.copyOf(patterns);
    this.explicitOnly = Set.copyOf(explicitOnly);
  }

  /** One problem with one pattern: its index in the list, a stable code and a message. */
  public record Problem(int index, String code, String message) {
  }

  /** A parse result: the filter, or the problems (never both). */
  public record Parsed(EventTypeFilter filter, List<Problem> problems) {
  }

  /**
   * Validates {@code patterns} against the {@code known} types. Duplicates are dropped (the first
   * stays); an empty list, more than {@value #MAX_PATTERNS} patterns, a non-pattern, or a pattern
   * that matches no known type is a problem.
   */
  public static Parsed parse(List<?> patterns, Set<String> known, Set<String> explicitOnly) {
    Objects.requireNonNull(known, "known");
    List<Problem> problems = new ArrayList<>();
    if (patterns == null || patterns.isEmpty()) {
      problems.add(new Problem(-1, "too_short", "needs at least one event type or pattern (\"*\" for all)"));
      return new Parsed(null, problems);
    }
    if (patterns.size() > MAX_PATTERNS) {
      problems.add(new Problem(-1, "too_long", "at most " + MAX_PATTERNS + " event types or patterns"));
      return new Parsed(null, problems);
    }
    LinkedHashSet<String> kept = new LinkedHashSet<>();
    for (int i = 0; i < patterns.size(); i++) {
      Object raw = patterns.get(i);
      if (!(raw instanceof String p)) {
        problems.add(new Problem(i, "invalid_type", "must be a string"));
        continue;
      }
      if (p.isEmpty() || p.length() > MAX_PATTERN_LENGTH) {
        problems.add(new Problem(i, "invalid_value", "must have 1 to " + MAX_PATTERN_LENGTH + " characters"));
        continue;
      }
      if (!valid(p, known)) {
        problems.add(new Problem(i, "unknown_event_type", "'" + printable(p) + "' is not a known event type or pattern; known: "
            + String.join(", ", new TreeSet<>(known)) + ", a category such as message.*, or *"));
        continue;
      }
      kept.add(p);
    }
    return problems.isEmpty()
        ? new Parsed(new EventTypeFilter(new ArrayList<>(kept), explicitOnly), List.of())
        : new Parsed(null, problems);
  }

  /** A filter from patterns that were validated before (read back from storage). */
  public static EventTypeFilter trusted(List<String> patterns, Set<String> explicitOnly) {
    return new EventTypeFilter(patterns, explicitOnly);
  }

  private static boolean valid(String p, Set<String> known) {
    if (p.equals(ALL)) {
      return true;
    }
    if (p.endsWith(".*")) {
      String prefix = p.substring(0, p.length() - 1);
      return prefix.length() > 1 && prefix.indexOf('*') < 0 && known.stream().anyMatch(t -> t.startsWith(prefix));
    }
    return known.contains(p);
  }

  /** True when an event of {@code type} goes to this endpoint. */
  public boolean matches(String type) {
    if (type == null) {
      return false;
    }
    for (String p : patterns) {
      if (p.equals(type)) {
        return true;
      }
    }
    if (explicitOnly.contains(type)) {
      return false;
    }
    for (String p : patterns) {
      if (p.equals(ALL) || (p.endsWith(".*") && type.startsWith(p.substring(0, p.length() - 1)))) {
        return true;
      }
    }
    return false;
  }

  /** The patterns, deduplicated, in the order given. */
  public List<String> patterns() {
    return patterns;
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    StringBuilder sb = new StringBuilder();
    cut.codePoints().forEach(c -> sb.append(Character.isISOControl(c) ? '?' : Character.toChars(c)[0]));
    return sb.toString();
  }
}
