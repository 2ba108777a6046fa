package org.wahub.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.hub.validation.FieldError;

import java.util.List;
import java.util.Map;

/**
 * The one error type of the HTTP API. Its {@code code} is stable and becomes the problem type
 * {@code urn:wa-hub:problem:<code>}; clients branch on it, never on the title or detail.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String code;
  private final String title;
  private final List<FieldError> fieldErrors;
  private final Map<String, String> headers;
  private final Map<String, Object> extensions;

  public ApiError(int status, String code, String title, String detail) {
    this(status, code, title, detail, List.of(), Map.of());
  }

  public ApiError(int status, String code, String title, String detail, List<FieldError> fieldErrors,
                  Map<String, String> headers) {
    this(status, code, title, detail, fieldErrors, headers, Map.of());
  }

  /** With RFC 9457 extension members (e.g. {@code "quota": "instances"}) that clients may branch on. */
  public ApiError(int status, String code, String title, String detail, List<FieldError> fieldErrors,
                  Map<String, String> headers, Map<String, Object> extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.title = title;
    this.fieldErrors = List.copyOf(fieldErrors);
    this.headers = Map.copyOf(headers);
    this.extensions = Map.copyOf(extensions);
  }

  public int status() { return status; }
  public String code() { return code; }
  public String title() { return title; }
  public String detail() { return getMessage(); }
  public List<FieldError> fieldErrors() { return fieldErrors; }
  public Map<String, String> headers() { return headers; }

  public JsonObject toJson(String instancePath, String requestId) {
    JsonObject json = new JsonObject()
        .put("type", "urn:wa-hub:problem:" + code)
        .put("title", title)
        .put("status", status)
        .put("code", code);
    if (detail() != null) {
      json.put("detail", detail());
    }
    if (instancePath != null) {
      json.put("instance", instancePath);
    }
    if (requestId != null) {
      json.put("requestId", requestId);
    }
    extensions.forEach(json::put);
    if (!fieldErrors.isEmpty()) {
      JsonArray errors = new JsonArray();
      for (FieldError e : fieldErrors) {
        errors.add(new JsonObject().put("pointer", e.pointer()).put("code", e.code()).put("message", e.message()));
      }
      json.put("errors", errors);
    }
    return json;
  }

  // ---- the catalogue: one factory per stable code

  public static ApiError validation(List<FieldError> errors) {
    return new ApiError(400, "validation_failed", "Request validation failed",
        errors.size() + " field error(s); see errors", errors, Map.of());
  }

  public static ApiError badRequest(String code, String detail) {
    return new ApiError(400, code, "Bad request", detail);
  }

  public static ApiError malformedJson(String detail) {
    return new ApiError(400, "malformed_json", "Malformed JSON body", detail);
  }

  public static ApiError unauthorized(String detail) {
    return new ApiError(401, "unauthorized", "Missing or invalid API key", detail, List.of(),
        Map.of("WWW-Authenticate", "Bearer realm=\"wa-hub\""));
  }

  public static ApiError forbidden(String detail) {
    return new ApiError(403, "forbidden", "Not allowed for this key", detail);
  }

  public static ApiError notFound(String what) {
    return new ApiError(404, "not_found", "Not found", what);
  }

  public static ApiError methodNotAllowed(String detail) {
    return new ApiError(405, "method_not_allowed", "Method not allowed", detail);
  }

  public static ApiError conflict(String code, String detail) {
    return new ApiError(409, code, "Conflict", detail);
  }

  public static ApiError payloadTooLarge(int limit) {
    return new ApiError(413, "payload_too_large", "Request body too large",
        "the body must not exceed " + limit + " bytes");
  }

  public static ApiError unsupportedMediaType(String got) {
    return new ApiError(415, "unsupported_media_type", "Unsupported media type",
        "send Content-Type: application/json" + (got == null ? "" : " (got " + got + ")"));
  }

  public static ApiError idempotencyKeyReused(String key) {
    return new ApiError(422, "idempotency_key_reused", "Idempotency key reused with a different payload",
        "the key '" + key + "' was already used for a different request; use a new key for a new message");
  }

  public static ApiError queueFull(String instanceId, int cap, long retryAfterSeconds) {
    return new ApiError(429, "queue_full", "Instance queue is full",
        "instance " + instanceId + " already holds " + cap + " messages waiting to be sent",
        List.of(), Map.of("Retry-After", Long.toString(retryAfterSeconds)));
  }

  public static ApiError unavailable(String detail) {
    return new ApiError(503, "unavailable", "Service temporarily unavailable", detail, List.of(),
        Map.of("Retry-After", "5"));
  }

  public static ApiError internal() {
    return new ApiError(500, "internal", "Internal error", "an unexpected error occurred; see the hub log with this requestId");
  }
}
