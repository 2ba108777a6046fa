package org.wahub.intake;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Pass-through codec for immutable records that only travel on the local bus (intake requests
 * and results): no copy, no serialisation. Sending one to another node is a programming error,
 * hence the throwing wire methods.
 */
public final class LocalCodec implements MessageCodec<Object, Object> {

  public static final String NAME = "wahub-local";

  /** Registers the codec once per Vert.x instance (tests start several hubs on one Vert.x). */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new LocalCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // registered by an earlier hub on the same Vert.x
    }
  }

  public static DeliveryOptions options() {
    return new DeliveryOptions().setCodecName(NAME).setLocalOnly(true);
  }

  @Override
  public void encodeToWire(Buffer buffer, Object o) {
    throw new IllegalStateException(NAME + " is local only and cannot cross nodes");
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    throw new IllegalStateException(NAME + " is local only and cannot cross nodes");
  }

  @Override
  public Object transform(Object o) {
    return o;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
