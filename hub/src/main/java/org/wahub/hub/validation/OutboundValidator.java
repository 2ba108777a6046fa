package org.wahub.hub.validation;

import static org.wahub.hub.validation.FieldError.CONFLICT;
import static org.wahub.hub.validation.FieldError.DUPLICATE;
import static org.wahub.hub.validation.FieldError.INVALID_FORMAT;
import static org.wahub.hub.validation.FieldError.INVALID_TYPE;
import static org.wahub.hub.validation.FieldError.INVALID_VALUE;
import static org.wahub.hub.validation.FieldError.OUT_OF_RANGE;
import static org.wahub.hub.validation.FieldError.REQUIRED;
import static org.wahub.hub.validation.FieldError.TOO_LONG;
import static org.wahub.hub.validation.FieldError.TOO_SHORT;
import static org.wahub.hub.validation.FieldError.UNKNOWN_FIELD;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.wahub.hub.idempotency.CanonicalJson;
import org.wahub.hub.idempotency.IdempotencyKey;

/**
 * Validates the parsed JSON body of {@code POST /instances/:id/messages} and
 * {@code POST /instances/:id/polls} plus the optional {@code Idempotency-Key} header, and
 * normalizes a valid one into an {@link OutboundRequest}.
 *
 * <p>The body is a JSON tree as a parser produces it (String, Number, Boolean, Map, List,
 * null). Whatever it holds, the validator answers {@link ValidationResult.Valid} or
 * {@link ValidationResult.Invalid} with every problem it found; it does not throw.
 *
 * <h2>Conventions</h2>
 * <ul>
 * <li>A member whose value is JSON {@code null} counts as absent (clients serialize unset
 * optional fields as null).</li>
 * <li>Lengths are Unicode code points (an emoji is one). "Blank" means empty after stripping
 * Unicode whitespace. Message text is kept as written; poll questions and options are labels
 * and are stored stripped.</li>
 * <li>Unknown members, at the top level and inside {@code media}, {@code location} and
 * {@code contact}, are errors ({@code unknown_field}): a typo like {@code "txt"} must not turn
 * into a silently different message.</li>
 * <li>Errors come in the contract's field order, unknown fields last (sorted by name).</li>
 * </ul>
 */
public final class OutboundValidator {

  /** The size and range limits of the contract. */
  public record Limits(int maxTextLength, int maxQuestionLength, int maxOptionLength, int minOptions,
      int maxOptions, int maxMetadataBytes, Duration maxScheduleAhead) {

    public Limits {
      if (maxTextLength < 1 || maxQuestionLength < 1 || maxOptionLength < 1 || maxMetadataBytes < 2) {
        throw new IllegalArgumentException("length limits must be positive");
      }
      if (minOptions < 1 || maxOptions < minOptions) {
        throw new IllegalArgumentException("need 1 <= minOptions <= maxOptions, got " + minOptions + ".." + maxOptions);
      }
      Objects.requireNonNull(maxScheduleAhead, "maxScheduleAhead");
      if (maxScheduleAhead.isNegative()) {
        throw new IllegalArgumentException("maxScheduleAhead must not be negative");
      }
    }

    /** Text 4096, question 255, option 100, 2-12 options, metadata 8192 bytes, 365 days ahead. */
    public static Limits defaults() {
      return new Limits(4096, 255, 100, 2, 12, 8192, Duration.ofDays(365));
    }
  }

  /** Metadata nested deeper than this is refused; it also bounds the work on hostile input. */
  public static final int MAX_METADATA_DEPTH = 32;
  public static final int MAX_URL_LENGTH = 2048;
  public static final int MAX_FILENAME_LENGTH = 255;
  public static final int MAX_CAPTION_LENGTH = 1024;
  public static final int MAX_PLACE_TEXT_LENGTH = 255;
  public static final int MAX_CONTACT_NAME_LENGTH = 255;
  public static final int MAX_MIMETYPE_LENGTH = 255;
  /** Longer than any ISO-8601 instant with offset. */
  private static final int MAX_DATE_TIME_LENGTH = 64;

  private static final List<String> CONTENT_FIELDS = List.of("text", "media", "location", "contact", "template");
  private static final Set<String> COMMON_FIELDS = Set.of("to", "idempotencyKey", "sendAt", "expiresAt", "metadata");
  private static final Set<String> MESSAGE_FIELDS = union(COMMON_FIELDS, CONTENT_FIELDS);
  private static final Set<String> POLL_FIELDS = union(COMMON_FIELDS, List.of("question", "options", "multipleAnswers"));
  private static final Set<String> MEDIA_FIELDS = Set.of("url", "mimetype", "filename", "caption");
  private static final Set<String> LOCATION_FIELDS = Set.of("latitude", "longitude", "name", "address");
  private static final Set<String> CONTACT_FIELDS = Set.of("name", "phone");
  private static final Set<String> TEMPLATE_FIELDS = Set.of("name", "language", "components");
  /** Meta's template names: lowercase letters, digits and underscores. */
  private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9_]{1,512}");
  /** A language or locale code as WhatsApp templates name them: {@code en}, {@code en_US}, {@code pt_BR}. */
  private static final Pattern TEMPLATE_LANGUAGE = Pattern.compile("[a-z]{2,3}(_[A-Za-z0-9]{2,8})?");
  public static final int MAX_TEMPLATE_COMPONENTS = 20;
  /** The components as canonical JSON; a template's parameters are short texts, media links and codes. */
  public static final int MAX_TEMPLATE_COMPONENTS_BYTES = 16_384;

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("(image|video|audio|application|text)/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
  private static final Pattern MEDIA_TYPE_PARAMETER =
      Pattern.compile("[a-z0-9!#$&^_.+-]{1,127}=([A-Za-z0-9!#$&^_.+-]{1,127}|\"[^\"\\\\\\p{Cntrl}]*\")");

  private final Limits limits;

  public OutboundValidator(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public Limits limits() {
    return limits;
  }

  /** {@code POST /instances/:id/messages}: text, media, location, contact or template. */
  public ValidationResult validateMessage(Map<String, ?> body, String headerKey, Instant now) {
    Objects.requireNonNull(now, "now");
    if (body == null) {
      return missingBody();
    }
    Errors errors = new Errors();
    Recipient recipient = recipient(body, errors);

    List<String> present = new ArrayList<>();
    for (String field : CONTENT_FIELDS) {
      if (body.get(field) != null) {
        present.add(field);
      }
    }
    if (present.isEmpty()) {
      errors.add("", REQUIRED, "one of text, media, location, contact or template is required");
    }
    OutboundRequest.Kind kind = null;
    Map<String, Object> content = null;
    for (int i = 0; i < present.size(); i++) {
      String field = present.get(i);
      if (i > 0) {
        errors.add(FieldError.pointer(field), CONFLICT,
            "only one of text, media, location, contact or template may be given; " + present.get(0) + " is present too");
      }
      Map<String, Object> c = switch (field) {
        case "text" -> text(body.get(field), errors);
        case "media" -> media(body.get(field), errors);
        case "location" -> location(body.get(field), errors);
        case "template" -> template(body.get(field), errors);
        default -> contact(body.get(field), errors);
      };
      if (i == 0) {
        content = c;
        kind = OutboundRequest.Kind.valueOf(field.toUpperCase(Locale.ROOT));
      }
    }
    return finish(body, headerKey, now, errors, recipient, kind, content, MESSAGE_FIELDS);
  }

  /** {@code POST /instances/:id/polls}. */
  public ValidationResult validatePoll(Map<String, ?> body, String headerKey, Instant now) {
    Objects.requireNonNull(now, "now");
    if (body == null) {
      return missingBody();
    }
    Errors errors = new Errors();
    Recipient recipient = recipient(body, errors);

    String question = label(body.get("question"), "/question", limits.maxQuestionLength(), errors);
    List<String> options = options(body.get("options"), errors);
    Object multiple = body.get("multipleAnswers");
    boolean multipleAnswers = false;
    if (multiple instanceof Boolean b) {
      multipleAnswers = b;
    } else if (multiple != null) {
      errors.add("/multipleAnswers", INVALID_TYPE, "must be true or false");
    }
    Map<String, Object> content = null;
    if (question != null && options != null) {
      content = new LinkedHashMap<>();
      content.put("question", question);
      content.put("options", List.copyOf(options));
      content.put("multipleAnswers", multipleAnswers);
    }
    return finish(body, headerKey, now, errors, recipient, OutboundRequest.Kind.POLL, content, POLL_FIELDS);
  }

  private ValidationResult finish(Map<String, ?> body, String headerKey, Instant now, Errors errors,
      Recipient recipient, OutboundRequest.Kind kind, Map<String, Object> content, Set<String> allowed) {
    String explicitKey = keys(body.get("idempotencyKey"), headerKey, errors);
    Instant sendAt = instant(body.get("sendAt"), "/sendAt", errors);
    Instant expiresAt = instant(body.get("expiresAt"), "/expiresAt", errors);
    if (sendAt != null && sendAt.isAfter(plus(now, limits.maxScheduleAhead()))) {
      errors.add("/sendAt", OUT_OF_RANGE, "must be at most " + limits.maxScheduleAhead().toDays() + " days ahead");
      sendAt = null;
    }
    if (expiresAt != null) {
      if (!expiresAt.isAfter(now)) {
        errors.add("/expiresAt", OUT_OF_RANGE, "must be in the future");
      } else if (sendAt != null && !expiresAt.isAfter(sendAt)) {
        errors.add("/expiresAt", OUT_OF_RANGE, "must be after sendAt");
      }
    }
    Map<String, Object> metadata = metadata(body.get("metadata"), errors);
    unknownFields(body, allowed, "", errors);

    if (!errors.isEmpty()) {
      return new ValidationResult.Invalid(errors.list);
    }
    return new ValidationResult.Valid(new OutboundRequest(kind, recipient,
        Collections.unmodifiableMap(content), explicitKey, sendAt, expiresAt, metadata));
  }

  private static ValidationResult missingBody() {
    return new ValidationResult.Invalid(List.of(new FieldError("", REQUIRED, "the body must be a JSON object")));
  }

  // ---- fields shared by messages and polls ----

  private static Recipient recipient(Map<String, ?> body, Errors errors) {
    Object to = body.get("to");
    if (to == null) {
      errors.add("/to", REQUIRED, "is required");
      return null;
    }
    if (!(to instanceof String s)) {
      errors.add("/to", INVALID_TYPE, "must be a string");
      return null;
    }
    RecipientParser.Result result = RecipientParser.parse(s);
    if (result instanceof RecipientParser.Rejected r) {
      errors.add("/to", r.code(), r.message());
      return null;
    }
    return ((RecipientParser.Parsed) result).recipient();
  }

  /** The explicit key (header wins when both are given and equal), or null. */
  private static String keys(Object bodyKey, String headerKey, Errors errors) {
    String body = null;
    if (bodyKey instanceof String s) {
      body = checkKey(s, "/idempotencyKey", errors) ? s : null;
    } else if (bodyKey != null) {
      errors.add("/idempotencyKey", INVALID_TYPE, "must be a string");
    }
    String header = null;
    if (headerKey != null) {
      header = checkKey(headerKey, FieldError.HEADER_IDEMPOTENCY_KEY, errors) ? headerKey : null;
    }
    if (body != null && header != null && !body.equals(header)) {
      errors.add("/idempotencyKey", CONFLICT, "differs from the Idempotency-Key header");
      return null;
    }
    return header != null ? header : body;
  }

  private static boolean checkKey(String key, String pointer, Errors errors) {
    Optional<String> problem = IdempotencyKey.validateExplicit(key);
    if (problem.isEmpty()) {
      return true;
    }
    String code;
    if (key.isEmpty()) {
      code = TOO_SHORT;
    } else if (key.length() > IdempotencyKey.MAX_LENGTH) {
      code = TOO_LONG;
    } else if (key.regionMatches(true, 0, IdempotencyKey.AUTO_PREFIX, 0, IdempotencyKey.AUTO_PREFIX.length())
        && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
      code = INVALID_VALUE;
    } else {
      code = INVALID_FORMAT;
    }
    errors.add(pointer, code, problem.get());
    return false;
  }

  private static Instant instant(Object value, String pointer, Errors errors) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add(pointer, INVALID_TYPE, "must be a string with an ISO-8601 date-time");
      return null;
    }
    if (s.length() <= MAX_DATE_TIME_LENGTH) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    errors.add(pointer, INVALID_FORMAT, "must be an ISO-8601 date-time with offset, e.g. 2026-01-31T09:00:00Z");
    return null;
  }

  private Map<String, Object> metadata(Object value, Errors errors) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?> map)) {
      errors.add("/metadata", INVALID_TYPE, "must be an object");
      return null;
    }
    return metadataTree(map, errors);
  }

  private Map<String, Object> metadataTree(Map<?, ?> map, Errors errors) {
    // before the canonical writer, which would only say "somewhere in /metadata"
    Optional<FieldError> badNumber = StorableNumber.firstUnstorable(map, "/metadata", MAX_METADATA_DEPTH);
    if (badNumber.isPresent()) {
      errors.list.add(badNumber.get());
      return null;
    }
    Optional<String> canonical;
    try {
      canonical = CanonicalJson.writeBounded(map, limits.maxMetadataBytes(), MAX_METADATA_DEPTH);
    } catch (IllegalArgumentException notJson) {
      errors.add("/metadata", INVALID_VALUE,
          "must hold only JSON values (finite numbers, strings, booleans, null, arrays, objects)");
      return null;
    }
    if (canonical.isEmpty()) {
      // a node costs at least one byte of output, so this budget never cuts a real answer short
      if (depthExceeds(map, MAX_METADATA_DEPTH, new int[] {limits.maxMetadataBytes() + 1})) {
        errors.add("/metadata", INVALID_VALUE, "must not nest deeper than " + MAX_METADATA_DEPTH + " levels");
      } else {
        errors.add("/metadata", TOO_LONG, "must be at most " + limits.maxMetadataBytes() + " bytes as canonical JSON");
      }
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) deepCopy(map);
    return copy;
  }

  // ---- message content ----

  private Map<String, Object> text(Object value, Errors errors) {
    if (!(value instanceof String s)) {
      errors.add("/text", INVALID_TYPE, "must be a string");
      return null;
    }
    if (s.isBlank()) {
      errors.add("/text", TOO_SHORT, "must not be blank");
      return null;
    }
    if (codePoints(s) > limits.maxTextLength()) {
      errors.add("/text", TOO_LONG, "must be at most " + limits.maxTextLength() + " characters");
      return null;
    }
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("text", s);
    return content;
  }

  private static Map<String, Object> media(Object value, Errors errors) {
    if (!(value instanceof Map<?, ?> media)) {
      errors.add("/media", INVALID_TYPE, "must be an object");
      return null;
    }
    int before = errors.size();
    String url = mediaUrl(media.get("url"), errors);
    String mimetype = mimetype(media.get("mimetype"), errors);

    String filename = optionalString(media.get("filename"), "/media/filename", MAX_FILENAME_LENGTH, errors);
    if (filename != null) {
      if (filename.isBlank()) {
        errors.add("/media/filename", TOO_SHORT, "must not be blank");
      } else if (filename.indexOf('/') >= 0 || filename.indexOf('\\') >= 0 || hasControl(filename)) {
        errors.add("/media/filename", INVALID_FORMAT, "must be a plain file name without / or \\");
      }
    }
    String caption = optionalString(media.get("caption"), "/media/caption", MAX_CAPTION_LENGTH, errors);
    unknownFields(media, MEDIA_FIELDS, "/media", errors);
    if (errors.size() > before) {
      return null;
    }
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("url", url);
    content.put("mimetype", mimetype);
    if (filename != null) {
      content.put("filename", filename);
    }
    if (caption != null) {
      content.put("caption", caption);
    }
    return content;
  }

  private static String mediaUrl(Object value, Errors errors) {
    if (value == null) {
      errors.add("/media/url", REQUIRED, "is required");
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add("/media/url", INVALID_TYPE, "must be a string");
      return null;
    }
    if (s.length() > MAX_URL_LENGTH) {
      errors.add("/media/url", TOO_LONG, "must be at most " + MAX_URL_LENGTH + " characters");
      return null;
    }
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      errors.add("/media/url", INVALID_FORMAT, "must be an absolute http or https URL");
      return null;
    }
    String scheme = uri.getScheme();
    if (!uri.isAbsolute() || scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null || uri.getHost().isEmpty()) {
      errors.add("/media/url", INVALID_FORMAT, "must be an absolute http or https URL with a host");
      return null;
    }
    return s;
  }

  /** {@code type/subtype} with an optional {@code ; name=value} list; returned lowercased where case-insensitive. */
  private static String mimetype(Object value, Errors errors) {
    if (value == null) {
      errors.add("/media/mimetype", REQUIRED, "is required");
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add("/media/mimetype", INVALID_TYPE, "must be a string");
      return null;
    }
    if (s.length() > MAX_MIMETYPE_LENGTH) {
      errors.add("/media/mimetype", TOO_LONG, "must be at most " + MAX_MIMETYPE_LENGTH + " characters");
      return null;
    }
    String[] parts = s.split(";", -1);
    String type = parts[0].strip().toLowerCase(Locale.ROOT);
    StringBuilder normalized = new StringBuilder(type);
    boolean ok = MEDIA_TYPE.matcher(type).matches();
    for (int i = 1; ok && i < parts.length; i++) {
      String parameter = parts[i].strip();
      int eq = parameter.indexOf('=');
      String name = eq < 0 ? parameter : parameter.substring(0, eq).toLowerCase(Locale.ROOT);
      String normalizedParameter = eq < 0 ? parameter : name + parameter.substring(eq);
      ok = MEDIA_TYPE_PARAMETER.matcher(normalizedParameter).matches();
      normalized.append("; ").append(normalizedParameter);
    }
    if (!ok) {
      errors.add("/media/mimetype", INVALID_FORMAT,
          "must be type/subtype with type image, video, audio, application or text, e.g. image/jpeg");
      return null;
    }
    return normalized.toString();
  }

  private static Map<String, Object> location(Object value, Errors errors) {
    if (!(value instanceof Map<?, ?> location)) {
      errors.add("/location", INVALID_TYPE, "must be an object");
      return null;
    }
    int before = errors.size();
    Number latitude = coordinate(location.get("latitude"), "/location/latitude", 90, errors);
    Number longitude = coordinate(location.get("longitude"), "/location/longitude", 180, errors);
    String name = optionalString(location.get("name"), "/location/name", MAX_PLACE_TEXT_LENGTH, errors);
    String address = optionalString(location.get("address"), "/location/address", MAX_PLACE_TEXT_LENGTH, errors);
    unknownFields(location, LOCATION_FIELDS, "/location", errors);
    if (errors.size() > before) {
      return null;
    }
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("latitude", latitude);
    content.put("longitude", longitude);
    if (name != null) {
      content.put("name", name);
    }
    if (address != null) {
      content.put("address", address);
    }
    return content;
  }

  private static Number coordinate(Object value, String pointer, int bound, Errors errors) {
    if (value == null) {
      errors.add(pointer, REQUIRED, "is required");
      return null;
    }
    if (!(value instanceof Number n)) {
      errors.add(pointer, INVALID_TYPE, "must be a number");
      return null;
    }
    BigDecimal d = CanonicalJson.exactValue(n);
    if (d == null) {
      errors.add(pointer, INVALID_VALUE, "must be a finite number");
      return null;
    }
    if (d.abs().compareTo(BigDecimal.valueOf(bound)) > 0) {
      errors.add(pointer, OUT_OF_RANGE, "must be between -" + bound + " and " + bound);
      return null;
    }
    Optional<String> unstorable = StorableNumber.problem(n);
    if (unstorable.isPresent()) {
      errors.add(pointer, OUT_OF_RANGE, unstorable.get());
      return null;
    }
    return n;
  }

  private static Map<String, Object> contact(Object value, Errors errors) {
    if (!(value instanceof Map<?, ?> contact)) {
      errors.add("/contact", INVALID_TYPE, "must be an object");
      return null;
    }
    int before = errors.size();
    Object nameValue = contact.get("name");
    String name = null;
    if (nameValue == null) {
      errors.add("/contact/name", REQUIRED, "is required");
    } else {
      name = optionalString(nameValue, "/contact/name", MAX_CONTACT_NAME_LENGTH, errors);
      if (name != null && name.isBlank()) {
        errors.add("/contact/name", TOO_SHORT, "must not be blank");
      }
    }
    Object phoneValue = contact.get("phone");
    String phone = null;
    if (phoneValue == null) {
      errors.add("/contact/phone", REQUIRED, "is required");
    } else if (!(phoneValue instanceof String p)) {
      errors.add("/contact/phone", INVALID_TYPE, "must be a string");
    } else {
      RecipientParser.Result result = RecipientParser.parse(p);
      if (result instanceof RecipientParser.Parsed parsed && parsed.recipient().kind() == Recipient.Kind.PHONE) {
        phone = parsed.recipient().e164();
      } else if (result instanceof RecipientParser.Rejected r) {
        errors.add("/contact/phone", r.code(), r.message());
      } else {
        errors.add("/contact/phone", INVALID_FORMAT, "must be a phone number in E.164 format, e.g. +4915112345678");
      }
    }
    unknownFields(contact, CONTACT_FIELDS, "/contact", errors);
    if (errors.size() > before) {
      return null;
    }
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("name", name);
    content.put("phone", phone);
    return content;
  }

  /**
   * A pre-approved WhatsApp Business template (only providers with templates can send it; the
   * intake refuses it for the others): its name, its language and, optionally, the components that
   * fill its parameters, kept as given (their shape is the provider's; they are bounded here).
   */
  private Map<String, Object> template(Object value, Errors errors) {
    if (!(value instanceof Map<?, ?> template)) {
      errors.add("/template", INVALID_TYPE, "must be an object");
      return null;
    }
    int before = errors.size();
    String name = requiredMatching(template.get("name"), "/template/name", TEMPLATE_NAME,
        "must be the template's name: lowercase letters, digits and underscores, at most 512", errors);
    String language = requiredMatching(template.get("language"), "/template/language", TEMPLATE_LANGUAGE,
        "must be the template's language code, e.g. en or en_US", errors);
    List<Object> components = null;
    Object raw = template.get("components");
    if (raw != null) {
      if (!(raw instanceof List<?> list)) {
        errors.add("/template/components", INVALID_TYPE, "must be an array of objects");
      } else if (list.size() > MAX_TEMPLATE_COMPONENTS) {
        errors.add("/template/components", TOO_LONG, "must have at most " + MAX_TEMPLATE_COMPONENTS + " components");
      } else {
        components = templateComponents(list, errors);
      }
    }
    unknownFields(template, TEMPLATE_FIELDS, "/template", errors);
    if (errors.size() > before) {
      return null;
    }
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("name", name);
    content.put("language", language);
    if (components != null) {
      content.put("components", components);
    }
    return content;
  }

  private List<Object> templateComponents(List<?> list, Errors errors) {
    int before = errors.size();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> component) || !(component.get("type") instanceof String)) {
        errors.add(FieldError.pointer("template", "components", i), INVALID_TYPE, "must be an object with a string type");
      }
    }
    if (errors.size() > before) {
      return null;
    }
    Optional<FieldError> badNumber = StorableNumber.firstUnstorable(list, "/template/components", MAX_METADATA_DEPTH);
    if (badNumber.isPresent()) {
      errors.list.add(badNumber.get());
      return null;
    }
    Optional<String> canonical;
    try {
      canonical = CanonicalJson.writeBounded(list, MAX_TEMPLATE_COMPONENTS_BYTES, MAX_METADATA_DEPTH);
    } catch (IllegalArgumentException notJson) {
      errors.add("/template/components", INVALID_VALUE, "must hold only JSON values");
      return null;
    }
    if (canonical.isEmpty()) {
      errors.add("/template/components", TOO_LONG, "must be at most " + MAX_TEMPLATE_COMPONENTS_BYTES
          + " bytes as JSON and nest at most " + MAX_METADATA_DEPTH + " levels");
      return null;
    }
    @SuppressWarnings("unchecked")
    List<Object> copy = (List<Object>) deepCopy(list);
    return copy;
  }

  private static String requiredMatching(Object value, String pointer, Pattern pattern, String hint, Errors errors) {
    if (value == null) {
      errors.add(pointer, REQUIRED, "is required");
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add(pointer, INVALID_TYPE, "must be a string");
      return null;
    }
    if (!pattern.matcher(s).matches()) {
      errors.add(pointer, INVALID_FORMAT, hint);
      return null;
    }
    return s;
  }

  // ---- poll content ----

  /** A required label: non-blank, at most {@code max} code points, returned stripped. */
  private static String label(Object value, String pointer, int max, Errors errors) {
    if (value == null) {
      errors.add(pointer, REQUIRED, "is required");
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add(pointer, INVALID_TYPE, "must be a string");
      return null;
    }
    String stripped = s.strip();
    if (stripped.isEmpty()) {
      errors.add(pointer, TOO_SHORT, "must not be blank");
      return null;
    }
    if (codePoints(stripped) > max) {
      errors.add(pointer, TOO_LONG, "must be at most " + max + " characters");
      return null;
    }
    return stripped;
  }

  private List<String> options(Object value, Errors errors) {
    if (value == null) {
      errors.add("/options", REQUIRED, "is required");
      return null;
    }
    if (!(value instanceof List<?> list)) {
      errors.add("/options", INVALID_TYPE, "must be an array of strings");
      return null;
    }
    int before = errors.size();
    if (list.size() < limits.minOptions()) {
      errors.add("/options", TOO_SHORT, "must have at least " + limits.minOptions() + " options");
    } else if (list.size() > limits.maxOptions()) {
      errors.add("/options", TOO_LONG, "must have at most " + limits.maxOptions() + " options");
    }
    List<String> options = new ArrayList<>(Math.min(list.size(), limits.maxOptions()));
    Map<String, Integer> seen = new HashMap<>();
    int index = 0;
    for (Object item : list) {
      String pointer = FieldError.pointer("options", index);
      String option = null;
      if (item == null) {
        errors.add(pointer, INVALID_TYPE, "must be a string");
      } else {
        option = label(item, pointer, limits.maxOptionLength(), errors);
      }
      if (option != null) {
        Integer first = seen.putIfAbsent(option.toLowerCase(Locale.ROOT), index);
        if (first != null) {
          errors.add(pointer, DUPLICATE, "repeats option " + first + " (options are compared ignoring case)");
        } else {
          options.add(option);
        }
      }
      index++;
    }
    return errors.size() > before ? null : options;
  }

  // ---- helpers ----

  private static String optionalString(Object value, String pointer, int max, Errors errors) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      errors.add(pointer, INVALID_TYPE, "must be a string");
      return null;
    }
    if (codePoints(s) > max) {
      errors.add(pointer, TOO_LONG, "must be at most " + max + " characters");
      return null;
    }
    return s;
  }

  private static void unknownFields(Map<?, ?> map, Set<String> allowed, String base, Errors errors) {
    TreeMap<String, String> unknown = new TreeMap<>();
    for (Object key : map.keySet()) {
      String name = String.valueOf(key);
      if (!(key instanceof String) || !allowed.contains(name)) {
        unknown.put(name, base + FieldError.pointer(name));
      }
    }
    for (String pointer : unknown.values()) {
      errors.add(pointer, UNKNOWN_FIELD, "is not a known field");
    }
  }

  private static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** Whether containers nest deeper than {@code remaining}; gives up (false) when the node budget runs out. */
  private static boolean depthExceeds(Object value, int remaining, int[] budget) {
    if (--budget[0] < 0) {
      return false;
    }
    Iterable<?> children;
    if (value instanceof Map<?, ?> map) {
      children = map.values();
    } else if (value instanceof List<?> list) {
      children = list;
    } else {
      return false;
    }
    if (remaining == 0) {
      return true;
    }
    for (Object child : children) {
      if (depthExceeds(child, remaining - 1, budget)) {
        return true;
      }
    }
    return false;
  }

  /** An unmodifiable copy of a validated JSON tree (null values kept, unlike Map.copyOf). */
  private static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put((String) e.getKey(), deepCopy(e.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(deepCopy(item));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }

  private static Instant plus(Instant now, Duration d) {
    try {
      return now.plus(d);
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  private static Set<String> union(Set<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  private static final class Errors {
    final List<FieldError> list = new ArrayList<>();

    void add(String pointer, String code, String message) {
      list.add(new FieldError(pointer, code, message));
    }

    int size() {
      return list.size();
    }

    boolean isEmpty() {
      return list.isEmpty();
    }
  }
}
