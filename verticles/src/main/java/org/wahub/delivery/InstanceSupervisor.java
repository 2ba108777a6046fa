package org.wahub.delivery;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.db.Pools;
import org.wahub.instance.Instance;
import org.wahub.instance.InstanceStore;

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
 * in batches so that thousands of instances do not stall the event loops at start.
 */
public final class InstanceSupervisor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceSupervisor.class);
  private static final long RETRY_MS = 5_000;

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
  private Pool pool;
  private InstanceStore store;
  private MessageConsumer<JsonObject> changes;

  public InstanceSupervisor(HubConfig config, PgConnectOptions connectOptions, InstanceVerticleFactory factory) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.factory = factory;
  }

  public static InstanceVerticleFactory defaultFactory(HubConfig config, PgConnectOptions options) {
    return instance -> new InstanceVerticle(instance, config, options, Providers.forInstance(instance));
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    store = new InstanceStore(pool);
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
    return changes.completion().compose(x -> pass());
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

  /** Ids deployed right now (for tests and status). */
  public Set<String> deployedIds() {
    return Set.copyOf(registry.keySet());
  }

  private void runPasses() {
    if (passRunning || stopping) {
      return;
    }
    pass().onComplete(ar -> {
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
    Future<Map<String, Instance>> desired = full
        ? store.listAll().map(list -> {
          Map<String, Instance> m = new HashMap<>();
          list.forEach(i -> m.put(i.id(), i));
          return m;
        })
        : loadSome(ids);
    return desired.compose(want -> {
      Set<String> scope = full ? new HashSet<>(registry.keySet()) : new HashSet<>(ids);
      scope.addAll(want.keySet());
      List<String> work = new ArrayList<>(scope);
      work.sort(null);
      return inBatches(work, want);
    }).eventually(() -> {
      passRunning = false;
      return Future.succeededFuture();
    }).mapEmpty();
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

  private Future<Void> inBatches(List<String> ids, Map<String, Instance> want) {
    int size = Math.max(1, config.supervisorDeployBatch());
    Future<Void> chain = Future.succeededFuture();
    List<String> failures = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += size) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + size));
      chain = chain.compose(x -> {
        List<Future<Void>> ops = new ArrayList<>();
        for (String id : chunk) {
          ops.add(reconcileOne(id, want.get(id)).recover(err -> {
            failures.add(id);
            LOG.warn("could not reconcile instance {} {}", kv("instanceId", id), kv("error", err.toString()));
            return Future.succeededFuture();
          }));
        }
        return Future.join(ops).mapEmpty();
      });
    }
    return chain.onSuccess(x -> {
      if (!failures.isEmpty()) {
        scheduleRetry();
      }
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
