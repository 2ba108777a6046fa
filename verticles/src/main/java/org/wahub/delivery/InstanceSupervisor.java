package org.wahub.delivery;

import org.wahub.outbound.OutboundGuard;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.provider.ProviderRegistry;
import org.wahub.HubConfig;
import org.wahub.db.Pools;
import org.wahub.instance.Instance;
import org.wahub.instance.InstanceStore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Keeps exactly one InstanceVerticle per instance row: deploys at start and on create, redeploys
 * on change (undeploy, then deploy), undeploys on delete. Reconciles by diff against the database,
 * one pass at a time: triggers that arrive during a pass collapse into one more pass. The registry
 * changes only when an operation succeeded, so a failed one is retried by a later pass. Deploys go
 * in batches so that thousands of instances do not stall the event loops at start, and the first
 * pass runs in the background: {@code start()} completes once the supervisor listens for changes,
 * so the hub answers (and is ready) while its instances are still being deployed.
 */
public final class InstanceSupervisor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceSupervisor.class);
  private static final long RETRY_MS = 5_000;
  /** Instance rows read per query of a full pass. */
  private static final int PAGE = 500;
  /** The first deploy batch after a start; it doubles up to HUB_SUPERVISOR_DEPLOY_BATCH. */
  private static final int FIRST_BATCH = 4;

  /** Builds the verticle of one instance (tests pass their own). */
  @FunctionalInterface
  public interface InstanceVerticleFactory {
    Deployable create(Instance instance);
  }

  private record Deployed(String deploymentId, int version) {
  }

  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final InstanceVerticleFactory factory;
  private final Map<String, Deployed> registry = new HashMap<>();
  private final Set<String> pendingIds = new HashSet<>();
  private boolean fullPassPending;
  private boolean passRunning;
  private long retryTimer = -1;
  private boolean stopping;
  private long startedAtNanos;
  private int batchSize;
  private final List<Promise<Void>> quiesced = new ArrayList<>();
  private Pool pool;
  private InstanceStore store;
  private MessageConsumer<JsonObject> changes;

  public InstanceSupervisor(HubConfig config, PgConnectOptions connectOptions, InstanceVerticleFactory factory) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.factory = factory;
  }

  public static InstanceVerticleFactory defaultFactory(HubConfig config, PgConnectOptions options, OutboundGuard outbound,
                                                      org.wahub.metrics.HubMetrics metrics) {
    return instance -> new InstanceVerticle(instance, config, options,
        ProviderRegistry.defaults().get(instance.providerType()), outbound, Clock.systemUTC(),
        metrics.instance(instance.id(), instance.tenantId()));
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    store = new InstanceStore(pool);
    batchSize = Math.min(FIRST_BATCH, Math.max(1, config.supervisorDeployBatch()));
    changes = vertx.eventBus().consumer(Addresses.INSTANCE_CHANGED, m -> {
      String id = m.body() == null ? null : m.body().getString("id");
      if (id == null) {
        fullPassPending = true;
      } else {
        pendingIds.add(id);
      }
      runPasses();
    });
    fullPassPending = true;
    // the first pass deploys every instance in batches in the background: the API (deployed after
    // this verticle) answers meanwhile; an op on an instance not deployed yet gets 503 + Retry-After
    return changes.completion().onSuccess(x -> {
      startedAtNanos = System.nanoTime();
      runPasses();
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
    // the instance verticles are children of this deployment: Vert.x undeploys them with it
    return changes.unregister().eventually(() -> pool.close());
  }

  /**
   * Stops reconciling ahead of an undeploy: no further batch starts (the undeploy takes the
   * instances deployed so far with it). Completes once no batch is in flight. Safe from any thread.
   */
  public Future<Void> quiesce() {
    if (context == null) {
      return Future.succeededFuture(); // never deployed
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopping = true;
      if (retryTimer != -1) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      if (passRunning) {
        quiesced.add(done);
      } else {
        done.complete();
      }
    });
    return done.future();
  }

  /** Ids deployed right now (for tests and status). */
  public Set<String> deployedIds() {
    return Set.copyOf(registry.keySet());
  }

  private void runPasses() {
    if (passRunning || stopping) {
      return;
    }
    pass().onComplete(ar -> {
      if (stopping) {
        quiesced.forEach(Promise::tryComplete);
        quiesced.clear();
        return;
      }
      if (ar.succeeded() && startedAtNanos != 0) {
        LOG.info("initial deploy done {} {}", kv("instances", registry.size()),
            kv("ms", (System.nanoTime() - startedAtNanos) / 1_000_000));
        startedAtNanos = 0;
      }
      if (ar.failed()) {
        LOG.warn("reconcile pass failed, retrying in {} ms {}", RETRY_MS, kv("error", ar.cause().toString()));
        scheduleRetry();
      }
      if (fullPassPending || !pendingIds.isEmpty()) {
        runPasses();
      }
    });
  }

  private void scheduleRetry() {
    if (retryTimer == -1 && !stopping) {
      fullPassPending = true;
      retryTimer = vertx.setTimer(RETRY_MS, t -> {
        retryTimer = -1;
        runPasses();
      });
    }
  }

  /** One reconcile pass over everything (full) or over the ids changed since the last pass. */
  private Future<Void> pass() {
    passRunning = true;
    boolean full = fullPassPending;
    Set<String> ids = new HashSet<>(pendingIds);
    fullPassPending = false;
    pendingIds.clear();
    Future<Void> work = full ? fullPass() : loadSome(ids).compose(want -> {
      Set<String> scope = new HashSet<>(ids);
      scope.addAll(want.keySet());
      List<String> sorted = new ArrayList<>(scope);
      sorted.sort(null);
      return inBatches(sorted, want);
    });
    return work.eventually(() -> {
      passRunning = false;
      return Future.succeededFuture();
    });
  }

  /**
   * Walks the whole table in pages (keyset by id), so no callback decodes or deploys more than a
   * page, then undeploys what was deployed but not seen (deleted meanwhile).
   */
  private Future<Void> fullPass() {
    Set<String> seen = new HashSet<>();
    return page("", seen).compose(x -> {
      if (stopping) {
        return Future.succeededFuture();
      }
      List<String> gone = new ArrayList<>();
      for (String id : registry.keySet()) {
        if (!seen.contains(id)) {
          gone.add(id);
        }
      }
      gone.sort(null);
      return inBatches(gone, Map.of());
    });
  }

  private Future<Void> page(String after, Set<String> seen) {
    if (stopping) {
      return Future.succeededFuture();
    }
    return store.listPage(after, PAGE).compose(rows -> {
      Map<String, Instance> want = new HashMap<>();
      List<String> ids = new ArrayList<>(rows.size());
      for (Instance i : rows) {
        want.put(i.id(), i);
        ids.add(i.id());
        seen.add(i.id());
      }
      Future<Void> done = inBatches(ids, want);
      return rows.size() < PAGE ? done : done.compose(x -> page(ids.get(ids.size() - 1), seen));
    });
  }

  private Future<Map<String, Instance>> loadSome(Set<String> ids) {
    List<Future<Optional<Instance>>> reads = new ArrayList<>();
    for (String id : ids) {
      reads.add(store.get(id));
    }
    return Future.all(reads).map(x -> {
      Map<String, Instance> m = new HashMap<>();
      for (Future<Optional<Instance>> f : reads) {
        f.result().ifPresent(i -> m.put(i.id(), i));
      }
      return m;
    });
  }

  /** Reconciles {@code ids} (those that need a deploy or undeploy) one batch after the other. */
  private Future<Void> inBatches(List<String> ids, Map<String, Instance> want) {
    List<String> work = new ArrayList<>();
    for (String id : ids) {
      Deployed current = registry.get(id);
      Instance wanted = want.get(id);
      if (wanted == null ? current != null : current == null || current.version() != wanted.version()) {
        work.add(id);
      }
    }
    List<String> failures = new ArrayList<>();
    return batchesFrom(work, 0, want, failures).onSuccess(x -> {
      if (!failures.isEmpty()) {
        scheduleRetry();
      }
    });
  }

  /**
   * One batch, then the rest once it is done. The batch size starts small and doubles up to
   * HUB_SUPERVISOR_DEPLOY_BATCH: the first deploys after a start run cold (interpreted) code, and a
   * full batch of them at once would hold the event loops for tens of milliseconds.
   */
  private Future<Void> batchesFrom(List<String> ids, int from, Map<String, Instance> want, List<String> failures) {
    if (from >= ids.size() || stopping) {
      return Future.succeededFuture(); // on stop, the undeploy takes the children deployed so far
    }
    List<String> chunk = ids.subList(from, Math.min(ids.size(), from + batchSize));
    List<Future<Void>> ops = new ArrayList<>(chunk.size());
    for (String id : chunk) {
      ops.add(reconcileOne(id, want.get(id)).recover(err -> {
        failures.add(id);
        LOG.warn("could not reconcile instance {} {}", kv("instanceId", id), kv("error", err.toString()));
        return Future.succeededFuture();
      }));
    }
    return Future.join(ops).compose(x -> {
      batchSize = Math.min(Math.max(1, config.supervisorDeployBatch()), batchSize * 2);
      return batchesFrom(ids, from + chunk.size(), want, failures);
    });
  }

  private Future<Void> reconcileOne(String id, Instance wanted) {
    Deployed current = registry.get(id);
    if (wanted == null) {
      return current == null ? Future.succeededFuture() : undeploy(id, current);
    }
    if (current != null && current.version() == wanted.version()) {
      return Future.succeededFuture();
    }
    Future<Void> removed = current == null ? Future.succeededFuture() : undeploy(id, current);
    return removed.compose(x -> vertx.deployVerticle(factory.create(wanted)))
        .onSuccess(deploymentId -> registry.put(id, new Deployed(deploymentId, wanted.version())))
        .mapEmpty();
  }

  private Future<Void> undeploy(String id, Deployed current) {
    return vertx.undeploy(current.deploymentId())
        .recover(err -> err instanceof IllegalStateException
            ? Future.succeededFuture() // already gone
            : Future.failedFuture(err))
        .onSuccess(x -> registry.remove(id));
  }
}
