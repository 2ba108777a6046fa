package org.wahub.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts Vert.x JSON wrappers into the plain Map/List trees the hub/ rules take. */
public final class JsonTrees {

  private JsonTrees() {
  }

  public static Map<String, Object> plain(JsonObject json) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : json) {
      out.put(e.getKey(), plainValue(e.getValue()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object plainValue(Object v) {
    if (v instanceof JsonObject o) {
      return plain(o);
    }
    if (v instanceof JsonArray a) {
      List<Object> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        out.add(plainValue(a.getValue(i)));
      }
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      return plain(new JsonObject((Map<String, Object>) m));
    }
    if (v instanceof List<?> l) {
      return plainValue(new JsonArray((List<Object>) l));
    }
    return v;
  }
}
