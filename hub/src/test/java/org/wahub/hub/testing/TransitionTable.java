package org.wahub.hub.testing;

import org.junit.jupiter.params.provider.Arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a transition table written as text, one row per source state: the state's name, then one
 * cell per column, {@code x} allowed and {@code .} not. Shared by the state-machine tests so each
 * keeps only its table.
 */
public final class TransitionTable {

  private TransitionTable() {
  }

  /** Every (from, to, allowed) triple of the table, for a parameterized test. */
  public static <E extends Enum<E>> Stream<Arguments> pairs(Class<E> type, List<E> columns, String... rows) {
    List<Arguments> pairs = new ArrayList<>();
    for (String row : rows) {
      String[] cells = row.trim().split("\\s+");
      if (cells.length != columns.size() + 1) {
        throw new IllegalArgumentException("row has " + (cells.length - 1) + " cells, expected " + columns.size() + ": " + row);
      }
      E from = Enum.valueOf(type, cells[0]);
      for (int i = 0; i < columns.size(); i++) {
        pairs.add(Arguments.of(from, columns.get(i), cells[i + 1].equals("x")));
      }
    }
    return pairs.stream();
  }
}
