package org.wahub.outbound;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** A complete answer, read in full and no larger than the policy allows. A 3xx is returned as is. */
public record GuardedResponse(int status, MultiMap headers, Buffer body) {
}
