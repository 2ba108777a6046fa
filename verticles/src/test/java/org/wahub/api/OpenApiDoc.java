package org.wahub.api;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's OpenAPI document ({@code openapi.json} on the class path) as the tests read it: its
 * operations keyed by method and path, and validation of real answers against its response schemas.
 */
final class OpenApiDoc {

  static final String RESOURCE = "classpath:openapi.json";
  static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** An operation of the document: upper-case method, the OpenAPI path, and the operation object. */
  record Operation(String method, String path, JsonObject op) {
    String key() {
      return method + " " + path;
    }
  }

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private OpenApiDoc() {
  }

  static String text() {
    try (InputStream in = OpenApiDoc.class.getClassLoader().getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonObject json() {
    return new JsonObject(text());
  }

  /** Every operation, in document order. */
  static List<Operation> operations(JsonObject doc) {
    List<Operation> out = new ArrayList<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String m : item.fieldNames()) {
        if (METHODS.contains(m)) {
          out.add(new Operation(m.toUpperCase(java.util.Locale.ROOT), path, item.getJsonObject(m)));
        }
      }
    }
    return out;
  }

  static Map<String, Operation> byKey(JsonObject doc) {
    Map<String, Operation> out = new LinkedHashMap<>();
    operations(doc).forEach(o -> out.put(o.key(), o));
    return out;
  }

  /**
   * A Vert.x route path in the document's form: {@code :name} becomes {@code {name}}, a trailing
   * {@code *} (the dashboard's files) becomes {@code {path}}.
   */
  static String openApiPath(String vertxPath) {
    String p = vertxPath.replaceAll(":([A-Za-z][A-Za-z0-9_]*)", "{$1}");
    if (p.endsWith("/*")) {
      p = p.substring(0, p.length() - 1) + "{path}";
    } else if (p.endsWith("*")) {
      throw new IllegalArgumentException("a wildcard route not of the form /prefix/*: " + vertxPath);
    }
    return p;
  }

  /** JSON pointer of the document to {@code node} by a local {@code $ref} ("#/components/…"). */
  static JsonObject resolve(JsonObject doc, JsonObject node) {
    int hops = 0;
    while (node.containsKey("$ref")) {
      String ref = node.getString("$ref");
      if (!ref.startsWith("#/") || hops++ > 10) {
        throw new IllegalArgumentException("not a local reference: " + ref);
      }
      Object target = doc;
      for (String part : ref.substring(2).split("/")) {
        String name = part.replace("~1", "/").replace("~0", "~");
        target = target instanceof JsonObject o ? o.getValue(name) : null;
      }
      if (!(target instanceof JsonObject o)) {
        throw new IllegalArgumentException("unresolved reference " + ref);
      }
      node = o;
    }
    return node;
  }

  /**
   * The problems of one real answer against the document: the operation must list the status, the
   * answer's content type must be one the response declares, and its body must validate against
   * that media type's schema (a {@code $ref} to a component schema, by this document's convention).
   */
  static List<String> check(JsonObject doc, String method, String vertxPath, int status, String contentType, String body) {
    List<String> out = new ArrayList<>();
    String path = openApiPath(vertxPath);
    Operation op = byKey(doc).get(method + " " + path);
    if (op == null) {
      return List.of("the document has no operation " + method + " " + path);
    }
    JsonObject responses = op.op().getJsonObject("responses");
    JsonObject response = responses.getJsonObject(Integer.toString(status));
    if (response == null) {
      return List.of(method + " " + path + " does not document status " + status);
    }
    response = resolve(doc, response);
    JsonObject content = response.getJsonObject("content");
    String media = contentType == null ? null : contentType.split(";")[0].trim();
    if (content == null) {
      return body == null || body.isEmpty() ? List.of() : List.of(status + " declares no content, got a body");
    }
    JsonObject mediaType = content.getJsonObject(media);
    if (mediaType == null) {
      return List.of(method + " " + path + " " + status + " does not declare content type " + contentType
          + " (declared: " + content.fieldNames() + ")");
    }
    String ref = mediaType.getJsonObject("schema").getString("$ref");
    if (ref == null || !ref.startsWith("#/components/schemas/")) {
      return List.of(method + " " + path + " " + status + ": sampled answers need a component schema, got "
          + mediaType.getJsonObject("schema"));
    }
    Schema schema = SCHEMAS.computeIfAbsent(ref, r -> {
      Schema s = REGISTRY.getSchema(SchemaLocation.of(RESOURCE + r));
      s.initializeValidators();
      return s;
    });
    for (Error e : schema.validate(body, InputFormat.JSON)) {
      out.add(method + " " + path + " " + status + " (" + ref + "): " + e);
    }
    return out;
  }
}
