package org.wahub.bench.reliability;

/** One scenario of the harness: drives the real jar and records into its {@link ScenarioResult}. */
interface Scenario {

  String name();

  String title();

  void run(Context ctx, ScenarioResult result) throws Exception;
}
