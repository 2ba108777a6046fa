package org.wahub.provider.waha;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * WAHA's official OpenAPI document (test resource {@code waha/openapi.json}, see its README) as a
 * request validator: which operations exist, and whether a request body matches the operation's
 * schema, checked with {@code com.networknt:json-schema-validator} (OpenAPI 3.1 dialect).
 *
 * <p>Stricter than the document in one way: every object schema a request body reaches gets
 * {@code additionalProperties: false} in memory, so a misspelled member fails here instead of being
 * ignored by WAHA.
 */
final class WahaSpec {

  private static final String BASE = "https://wa-hub.test/waha/openapi.json";
  private static final String SCHEMAS = "#/components/schemas/";

  private final JsonObject document;
  private final SchemaRegistry registry;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  WahaSpec() {
    try (InputStream in = WahaSpec.class.getResourceAsStream("/waha/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("waha/openapi.json is missing from the test resources");
      }
      document = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    JsonObject strict = document.copy();
    tighten(strict.getJsonObject("components").getJsonObject("schemas"), requestSchemas(strict));
    String text = strict.encode();
    registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(BASE, text)));
  }

  /** Whether the document has {@code method path} ({@code path} as a template, e.g. {@code /api/sessions/{session}}). */
  boolean hasOperation(String method, String template) {
    JsonObject path = document.getJsonObject("paths").getJsonObject(template);
    return path != null && path.containsKey(method.toLowerCase(java.util.Locale.ROOT));
  }

  /** The name of the request body schema of an operation, or null when it takes no body. */
  String requestSchema(String method, String template) {
    JsonObject op = document.getJsonObject("paths").getJsonObject(template).getJsonObject(method.toLowerCase(java.util.Locale.ROOT));
    JsonObject body = op.getJsonObject("requestBody");
    if (body == null) {
      return null;
    }
    String ref = body.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema").getString("$ref");
    return ref.substring(SCHEMAS.length());
  }

  /** The validation errors of {@code json} against the named component schema (empty: valid). */
  List<String> validate(String schemaName, String json) {
    Schema schema = schemas.computeIfAbsent(schemaName, n -> registry.getSchema(SchemaLocation.of(BASE + SCHEMAS + n)));
    return schema.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
  }

  private static Set<String> requestSchemas(JsonObject doc) {
    Set<String> names = new HashSet<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String p : paths.fieldNames()) {
      for (String m : paths.getJsonObject(p).fieldNames()) {
        if (paths.getJsonObject(p).getValue(m) instanceof JsonObject op && op.getValue("requestBody") instanceof JsonObject rb
            && rb.getValue("content") instanceof JsonObject c && c.getValue("application/json") instanceof JsonObject j
            && j.getValue("schema") instanceof JsonObject s && s.getValue("$ref") instanceof String ref
            && ref.startsWith(SCHEMAS)) {
          names.add(ref.substring(SCHEMAS.length()));
        }
      }
    }
    return names;
  }

  /** additionalProperties:false on every object schema reachable from {@code roots}. */
  private static void tighten(JsonObject components, Set<String> roots) {
    Deque<String> todo = new ArrayDeque<>(roots);
    Set<String> done = new HashSet<>();
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!done.add(name) || !(components.getValue(name) instanceof JsonObject schema)) {
        continue;
      }
      walk(schema, todo);
    }
  }

  private static void walk(Object node, Deque<String> todo) {
    if (node instanceof JsonObject o) {
      if (o.getValue("$ref") instanceof String ref && ref.startsWith(SCHEMAS)) {
        todo.push(ref.substring(SCHEMAS.length()));
      }
      if (o.getValue("properties") instanceof JsonObject && !o.containsKey("additionalProperties")) {
        o.put("additionalProperties", false);
      }
      for (String k : o.fieldNames()) {
        if (!k.equals("example") && !k.equals("examples") && !k.equals("default")) {
          walk(o.getValue(k), todo);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> walk(v, todo));
    }
  }
}
