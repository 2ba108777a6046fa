package org.wahub.maintenance;

import io.vertx.core.Future;

import java.util.function.Supplier;

/** Runs a bounded batch statement again until one comes back short: no statement holds its locks long. */
final class Batches {

  private Batches() {
  }

  /** The total the batches reported. */
  static Future<Integer> until(int batchSize, Supplier<Future<Integer>> batch) {
    return next(batchSize, batch, 0);
  }

  private static Future<Integer> next(int batchSize, Supplier<Future<Integer>> batch, int sofar) {
    return batch.get().compose(n -> n < batchSize ? Future.succeededFuture(sofar + n) : next(batchSize, batch, sofar + n));
  }
}
