/**
 * Request validation for outbound messages and polls: recipients
 * ({@link org.wahub.hub.validation.RecipientParser}), bodies
 * ({@link org.wahub.hub.validation.OutboundValidator}) and the field errors they report
 * ({@link org.wahub.hub.validation.FieldError}). Validation never throws on user input: every
 * problem becomes a field error, all of them are reported at once.
 */
package org.wahub.hub.validation;
