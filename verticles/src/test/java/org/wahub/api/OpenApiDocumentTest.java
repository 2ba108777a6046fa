package org.wahub.api;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code openapi.json} is a valid OpenAPI 3.1 document: it validates against the official 3.1
 * meta-schema (test resource {@code openapi/}, see its README), every Schema Object in it is a valid
 * JSON Schema 2020-12, every local {@code $ref} resolves, and each operation's {@code security}
 * says what its {@code x-wahub-access} (the hub's {@link Access}) means. That the document matches
 * the routes a hub serves is {@link OpenApiHubTest}'s part.
 */
class OpenApiDocumentTest {

  static final String META_SCHEMA = "classpath:openapi/oas-3.1-schema-2022-10-07.json";

  /** What each access kind requires, as OpenAPI security requirements ({@code {}}: none needed). */
  static final Map<Access, JsonArray> SECURITY = Map.of(
      Access.PUBLIC, new JsonArray(),
      Access.ADMIN, new JsonArray().add(req("adminKey")),
      Access.TENANT, new JsonArray().add(req("tenantKey")),
      Access.ANY_KEY, new JsonArray().add(req("adminKey")).add(req("tenantKey")),
      Access.ADAPTER_TOKEN, new JsonArray().add(req("adapterToken")),
      // optional: no credentials at all while HUB_METRICS_KEY is not configured
      Access.METRICS_KEY, new JsonArray().add(req("metricsKey")).add(new JsonObject()));
  /** Provider signatures are each provider's own scheme. */
  static final Set<String> PROVIDER_SCHEMES = Set.of("wahaSignature", "cloudApiSignature", "cloudApiVerifyToken");

  private static JsonObject req(String scheme) {
    return new JsonObject().put(scheme, new JsonArray());
  }

  @Test
  void validatesAgainstTheOpenApi31MetaSchema() {
    Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(SchemaLocation.of(META_SCHEMA));
    List<Error> errors = meta.validate(OpenApiDoc.text(), InputFormat.JSON);
    assertThat(errors).as("openapi.json against the OpenAPI 3.1 schema").isEmpty();
    assertThat(OpenApiDoc.json().getString("openapi")).startsWith("3.1.");
  }

  /** The meta-schema must not be a pushover: each of these slips alone fails it. */
  @Test
  void theMetaSchemaBites() {
    Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(SchemaLocation.of(META_SCHEMA));
    List<java.util.function.Consumer<JsonObject>> slips = List.of(
        doc -> live(doc).put("responses", "none"),
        doc -> live(doc).put("summry", "a typo of summary"),
        doc -> live(doc).getJsonObject("responses").getJsonObject("200").remove("description"),
        doc -> live(doc).put("parameters", new JsonArray().add(new JsonObject().put("name", "x").put("in", "path")
            .put("schema", new JsonObject().put("type", "string")))),
        doc -> doc.getJsonObject("info").remove("version"),
        doc -> doc.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("adminKey").remove("scheme"));
    for (int i = 0; i < slips.size(); i++) {
      JsonObject broken = OpenApiDoc.json();
      slips.get(i).accept(broken);
      assertThat(meta.validate(broken.encode(), InputFormat.JSON)).as("slip " + i).isNotEmpty();
    }
  }

  private static JsonObject live(JsonObject doc) {
    return doc.getJsonObject("paths").getJsonObject("/health/live").getJsonObject("get");
  }

  @Test
  void everySchemaIsAValidJsonSchema202012() {
    Schema draft = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    List<String> problems = new ArrayList<>();
    schemas(OpenApiDoc.json(), "", problems, draft);
    assertThat(problems).isEmpty();
  }

  /** Walks the document and validates every value of a {@code schema} member and of {@code components.schemas}. */
  private static void schemas(Object node, String pointer, List<String> problems, Schema draft) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        Object v = o.getValue(k);
        String p = pointer + "/" + k.replace("~", "~0").replace("/", "~1");
        boolean isSchema = k.equals("schema") && !pointer.endsWith("/properties")
            || pointer.equals("/components/schemas");
        if (isSchema) {
          draft.validate(v instanceof JsonObject j ? j.encode() : String.valueOf(v), InputFormat.JSON)
              .forEach(e -> problems.add(p + ": " + e));
        }
        schemas(v, p, problems, draft);
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        schemas(a.getValue(i), pointer + "/" + i, problems, draft);
      }
    }
  }

  @Test
  void everyReferenceResolves() {
    JsonObject doc = OpenApiDoc.json();
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    List<String> broken = new ArrayList<>();
    for (String ref : refs) {
      try {
        OpenApiDoc.resolve(doc, new JsonObject().put("$ref", ref));
      } catch (IllegalArgumentException e) {
        broken.add(e.getMessage());
      }
    }
    assertThat(broken).isEmpty();
  }

  private static void collectRefs(Object node, List<String> out) {
    if (node instanceof JsonObject o) {
      if (o.getValue("$ref") instanceof String s) {
        out.add(s);
      }
      o.forEach(e -> collectRefs(e.getValue(), out));
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectRefs(v, out));
    }
  }

  @Test
  void operationsHaveUniqueIdsAndTheSecurityTheirAccessMeans() {
    JsonObject doc = OpenApiDoc.json();
    Set<String> schemes = doc.getJsonObject("components").getJsonObject("securitySchemes").fieldNames();
    Set<String> ids = new HashSet<>();
    List<OpenApiDoc.Operation> ops = OpenApiDoc.operations(doc);
    assertThat(ops).isNotEmpty();
    for (OpenApiDoc.Operation o : ops) {
      String what = o.key();
      assertThat(ids.add(o.op().getString("operationId"))).as(what + " operationId unique").isTrue();
      Access access = Access.valueOf(o.op().getString("x-wahub-access"));
      JsonArray security = o.op().getJsonArray("security");
      assertThat(security).as(what + " declares its security").isNotNull();
      if (access == Access.PROVIDER_SIGNATURE) {
        assertThat(security).as(what).hasSize(1);
        assertThat(security.getJsonObject(0).fieldNames()).as(what).hasSize(1).isSubsetOf(PROVIDER_SCHEMES);
      } else {
        assertThat(security).as(what).isEqualTo(SECURITY.get(access));
      }
      for (Object r : security) {
        assertThat(schemes).as(what).containsAll(((JsonObject) r).fieldNames());
      }
      // every route but the public ones answers 401 without its credentials, and says so
      if (access != Access.PUBLIC) {
        assertThat(o.op().getJsonObject("responses").fieldNames()).as(what + " documents 401").contains("401");
      }
    }
  }
}
