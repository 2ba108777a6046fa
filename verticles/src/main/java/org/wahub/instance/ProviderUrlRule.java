package org.wahub.instance;

import io.vertx.core.json.JsonObject;
import org.wahub.api.ApiError;
import org.wahub.hub.validation.FieldError;
import org.wahub.outbound.OutboundGuard;
import org.wahub.outbound.OutboundRefused;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A provider's stored secrets go to its URL on every call, so whoever may change the URL's origin
 * could have them sent anywhere. The rule: a change of origin (scheme, host or port) of any URL
 * field must bring again every secret that is stored and would travel to it; the path may change
 * freely. Provider URLs are also refused with user info, a query or a fragment (DESIGN §12).
 * Pure: no I/O, no Vert.x context.
 */
public final class ProviderUrlRule {

  /** Field-error code of a secret that must be given again; the problem is then a 422. */
  public static final String SECRET_REQUIRED = FieldError.REQUIRED;

  private ProviderUrlRule() {
  }

  /** Why {@code url} is not acceptable as a provider URL, or empty; never repeats the URL. */
  public static Optional<String> urlProblem(String url) {
    try {
      OutboundGuard.validateBaseUrl(url);
      return Optional.empty();
    } catch (OutboundRefused e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The field errors of a provider block against the stored config, pointers under
   * {@code /provider}: {@code invalid_format} for a URL field that is malformed (a 400), then
   * {@value #SECRET_REQUIRED} for each secret that is stored but not given again although a URL
   * field's origin changes (a 422). A secret given as null (removed) counts as given.
   *
   * @param stored       the stored provider config, null on create (then only the form is checked)
   * @param patch        the provider block of the request, null when the request has none
   * @param urlFields    the fields of the type that hold URLs the hub calls
   * @param secretFields the fields of the type whose values are sent to those URLs
   */
  public static List<FieldError> check(JsonObject stored, JsonObject patch, Set<String> urlFields, Set<String> secretFields) {
    List<FieldError> errors = new ArrayList<>();
    if (patch == null || urlFields.isEmpty()) {
      return errors;
    }
    List<String> moved = new ArrayList<>();
    for (String field : new TreeSet<>(urlFields)) {
      if (!patch.containsKey(field) || patch.getValue(field) == null) {
        continue;
      }
      if (!(patch.getValue(field) instanceof String url)) {
        continue; // the type's own validation reports the wrong type
      }
      Optional<String> problem = urlProblem(url);
      if (problem.isPresent()) {
        errors.add(new FieldError(FieldError.pointer("provider", field), FieldError.INVALID_FORMAT, problem.get()));
        continue;
      }
      if (stored != null && !sameOrigin(stored.getValue(field), url)) {
        moved.add(field);
      }
    }
    if (moved.isEmpty() || !errors.isEmpty()) {
      return errors;
    }
    for (String secret : new TreeSet<>(secretFields)) {
      if (stored.getValue(secret) != null && !patch.containsKey(secret)) {
        errors.add(new FieldError(FieldError.pointer("provider", secret), SECRET_REQUIRED,
            "must be given again (or set to null) because " + String.join(", ", moved)
                + " now points to another origin (scheme, host or port)"));
      }
    }
    return errors;
  }

  /** The problem for {@link #check}'s errors: 400 when a URL is malformed, else 422. */
  public static ApiError problem(List<FieldError> errors) {
    boolean malformed = errors.stream().anyMatch(e -> e.code().equals(FieldError.INVALID_FORMAT));
    if (malformed) {
      return ApiError.validation(errors);
    }
    return new ApiError(422, "provider_secrets_required", "Provider secrets required",
        "changing where a provider URL points requires its secrets again; see errors", errors, Map.of());
  }

  /** Throws {@link #problem} when {@link #check} finds anything. */
  public static void enforce(JsonObject stored, JsonObject patch, Set<String> urlFields, Set<String> secretFields) {
    List<FieldError> errors = check(stored, patch, urlFields, secretFields);
    if (!errors.isEmpty()) {
      throw problem(errors);
    }
  }

  /** A stored value that is absent or unreadable counts as another origin: the secrets then come again. */
  private static boolean sameOrigin(Object storedUrl, String url) {
    if (!(storedUrl instanceof String s)) {
      return false;
    }
    try {
      return OutboundGuard.origin(s).equals(OutboundGuard.origin(url));
    } catch (OutboundRefused e) {
      return false;
    }
  }
}
