package org.wahub.provider.simulator;

import io.vertx.core.json.JsonObject;

import java.util.Random;

/**
 * How the simulated recipients behave after a successful send (issue 14 part 6), from the
 * instance's simulator config: a delivered receipt after {@code deliveredAfterMs}, a read receipt
 * after {@code readAfterMs}, a reply {@code replyText} with {@code replyProbability} after
 * {@code replyAfterMs}, and a vote on a poll with {@code voteProbability} after {@code voteAfterMs},
 * for {@code voteOption} or else a random option. Every draw comes from its own random, seeded from
 * {@code seed} when set, so a seeded run repeats and the send-failure draws are not disturbed.
 */
record Counterpart(Long deliveredAfterMs, Long readAfterMs, String replyText, double replyProbability,
                   long replyAfterMs, double voteProbability, String voteOption, long voteAfterMs, Random random) {

  static Counterpart of(JsonObject config) {
    Random random = config.containsKey("seed") ? new Random(config.getLong("seed") * 31 + 17) : new Random();
    return new Counterpart(config.getLong("deliveredAfterMs"), config.getLong("readAfterMs"),
        config.getString("replyText"), config.getDouble("replyProbability", 1.0), config.getLong("replyAfterMs", 1000L),
        config.getDouble("voteProbability", 0.0), config.getString("voteOption"), config.getLong("voteAfterMs", 1000L),
        random);
  }

  double draw() {
    return random.nextDouble();
  }

  int pick(int n) {
    return random.nextInt(n);
  }
}
