package org.wahub.api;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.buffer.Buffer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The strict reader of request bodies. Stricter than Vert.x's shared codec on purpose, because a
 * request body is untrusted and becomes stored data:
 * <ul>
 *   <li>UTF-8 is decoded with a reporting decoder first: overlong forms such as {@code C0 AF}
 *   (a disguised '/') and other malformed bytes are refused; Jackson alone lets them through;</li>
 *   <li>a member name twice in one object is an error, not "the last one wins" — two readers of
 *   the same body must never see two different requests;</li>
 *   <li>decimals are read as BigDecimal, so the canonical payload (and the derived idempotency key)
 *   does not depend on how a JDK prints a double;</li>
 *   <li>trailing content after the value is an error.</li>
 * </ul>
 */
final class RequestJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private RequestJson() {
  }

  /** Parses to plain Java values (Map, List, String, Number, Boolean, null); throws on anything malformed. */
  static Object parse(Buffer body) throws Exception {
    String text = strictUtf8(body.getBytes());
    return MAPPER.readValue(text, Object.class);
  }

  static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }
}
