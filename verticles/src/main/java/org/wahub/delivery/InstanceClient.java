package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.wahub.Addresses;
import org.wahub.api.ApiError;
import org.wahub.instance.Instance;
import org.wahub.instance.InstanceStore;
import org.wahub.intake.LocalCodec;

import java.util.List;
import java.util.Map;

/** Asks a running instance over the bus; a missing or silent instance becomes a 503 problem. */
public final class InstanceClient {

  private static final long BUS_TIMEOUT_MS = 5_000;
  private final Vertx vertx;

  public InstanceClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The tenant's instance, or a 404 problem (another tenant's instance is not found either). */
  public static Future<Instance> owned(InstanceStore instances, String tenantId, String id) {
    return instances.get(tenantId, id).compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get())
        : Future.failedFuture(ApiError.notFound("no instance " + id)));
  }

  public Future<InstanceReply> ask(String instanceId, InstanceRequest request) {
    return vertx.eventBus().<InstanceReply>request(Addresses.instanceOps(instanceId), request,
            LocalCodec.options().setSendTimeout(BUS_TIMEOUT_MS))
        .map(m -> m.body())
        .recover(err -> Future.failedFuture(err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? new ApiError(503, "instance_not_running", "Instance not running",
                "instance " + instanceId + " is being (re)deployed; retry in a moment", List.of(), Map.of("Retry-After", "1"))
            : ApiError.unavailable("the instance did not answer in time")));
  }
}
