package org.wahub.provider.cloudapi;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a send body against Meta's OpenAPI document (test resource {@code cloudapi/}, see its
 * README): the envelope against {@code BaseMessageProperties}, the type-specific part against the
 * second {@code allOf} member of the schema the {@code Message} discriminator names for its
 * {@code type}. Validating against the merged {@code allOf} instead would refuse every real body
 * (PROVIDERS.md §0: that member has {@code additionalProperties:false} and does not declare the
 * envelope's fields).
 */
final class CloudApiSpec {

  static final String DOCUMENT = "classpath:cloudapi/business-messaging-api_v23.0.yaml";
  /** The envelope's own fields (BaseMessageProperties), validated apart from the type's part. */
  private static final List<String> ENVELOPE = List.of("messaging_product", "recipient_type", "to", "context",
      "biz_opaque_callback_data");
  /** Message.discriminator.mapping of the document. */
  private static final Map<String, String> BY_TYPE = Map.ofEntries(
      Map.entry("text", "TextMessage"), Map.entry("audio", "AudioMessage"), Map.entry("document", "DocumentMessage"),
      Map.entry("image", "ImageMessage"), Map.entry("location", "LocationMessage"), Map.entry("video", "VideoMessage"),
      Map.entry("sticker", "StickerMessage"), Map.entry("reaction", "ReactionMessage"),
      Map.entry("interactive", "InteractiveMessage"), Map.entry("template", "TemplateMessage"),
      Map.entry("contacts", "ContactsMessage"));

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private CloudApiSpec() {
  }

  static Schema schema(String pointer) {
    return SCHEMAS.computeIfAbsent(pointer, p -> {
      Schema s = REGISTRY.getSchema(SchemaLocation.of(DOCUMENT + "#" + p));
      s.initializeValidators();
      return s;
    });
  }

  /** The problems of one send body; empty when it is what the document describes. */
  static List<String> problems(JsonObject body) {
    List<String> out = new ArrayList<>();
    add(out, "BaseMessageProperties", schema("/components/schemas/BaseMessageProperties").validate(body.encode(), InputFormat.JSON));
    String type = body.getString("type");
    String name = BY_TYPE.get(type);
    if (name == null) {
      out.add("type " + type + " is not a message type of the document");
      return out;
    }
    JsonObject part = body.copy();
    ENVELOPE.forEach(part::remove);
    add(out, name, schema("/components/schemas/" + name + "/allOf/1").validate(part.encode(), InputFormat.JSON));
    return out;
  }

  private static void add(List<String> out, String schema, List<Error> errors) {
    errors.forEach(e -> out.add(schema + ": " + e));
  }
}
