package org.wahub.hub.inbound;

import java.util.Objects;
import org.wahub.hub.message.MessageStatus;

/**
 * How a receipt moves the message it is about: only ever forward along
 * {@code sent → delivered → read} (DESIGN §8a). Providers do not keep receipts in order (Meta: "order
 * is not guaranteed", a {@code read} may come without a {@code delivered}, retries replay old ones),
 * so the rule looks only at the message's current status, never at arrival order or timestamps:
 *
 * <ul>
 * <li>{@code delivered}/{@code read} apply when they are further along than the message
 *     ({@code read} after {@code sent} skips {@code delivered}); an in-doubt message they prove was
 *     sent. A {@code sent} receipt moves only an in-doubt message.
 * <li>{@code failed} applies only to a {@code sent} message: the provider gave up after accepting it.
 *     After {@code delivered} or {@code read} it contradicts what the phone already said, so it is
 *     recorded in the message's history and not applied.
 * <li>A receipt that would move the message backwards, or that concerns a message the hub no longer
 *     treats as out (failed, cancelled, expired, or back in the queue after an operator's retry) is
 *     {@link Late}: recorded, not applied. One that repeats the current status is {@link Redundant}.
 * </ul>
 */
public final class ReceiptRule {

  /** What to do with a receipt. */
  public sealed interface Decision permits Apply, Late, Redundant {
  }

  /** Move the message to {@code to} (always an allowed transition of {@code from}). */
  public record Apply(MessageStatus from, MessageStatus to) implements Decision {
  }

  /** Leave the message as it is and record the receipt in its history, saying why. */
  public record Late(MessageStatus current, String reason) implements Decision {
  }

  /** The message already is where the receipt says: nothing to apply or to explain. */
  public record Redundant(MessageStatus current) implements Decision {
  }

  private ReceiptRule() {
  }

  /** The decision for a receipt about a message whose status is {@code current}. */
  public static Decision decide(MessageStatus current, ReceiptStatus receipt) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(receipt, "receipt");
    if (receipt == ReceiptStatus.FAILED) {
      return switch (current) {
        case SENT -> new Apply(current, MessageStatus.FAILED);
        case FAILED -> new Redundant(current);
        case DELIVERED, READ -> new Late(current, "failed receipt after " + current.wire() + ": not applied");
        default -> new Late(current, "failed receipt for a " + current.wire() + " message: not applied");
      };
    }
    MessageStatus target = switch (receipt) {
      case SENT -> MessageStatus.SENT;
      case DELIVERED -> MessageStatus.DELIVERED;
      default -> MessageStatus.READ;
    };
    int have = rank(current);
    if (have < 0) {
      return new Late(current, receipt.wire() + " receipt for a " + current.wire() + " message: not applied");
    }
    int want = rank(target);
    if (want > have) {
      return new Apply(current, target);
    }
    if (want == have) {
      return new Redundant(current);
    }
    return new Late(current, receipt.wire() + " receipt after " + current.wire() + ": not applied");
  }

  /**
   * How far along the way out a status is; -1 for statuses receipts do not move. IN_DOUBT is the
   * lowest: any receipt proves the message went out.
   */
  static int rank(MessageStatus s) {
    return switch (s) {
      case IN_DOUBT -> 0;
      case SENT -> 1;
      case DELIVERED -> 2;
      case READ -> 3;
      default -> -1;
    };
  }
}
