package org.wahub.hub.event;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.message.MessageStatus;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which events a change emits: what the glue writes with the change, exactly once each. */
class EventRulesProperties {

  @Property
  void aStateChangeEmitsStateChangedFirstAndNeedsQrOrFailedOnlyWhenItEntersThem(@ForAll InstanceState from,
                                                                                @ForAll InstanceState to) {
    List<EventType> events = EventRules.forStateChange(from, to);
    if (from == to) {
      assertThat(events).isEmpty();
      return;
    }
    assertThat(events.get(0)).isEqualTo(EventType.INSTANCE_STATE_CHANGED);
    assertThat(events).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(2);
    assertThat(events.contains(EventType.INSTANCE_NEEDS_QR)).isEqualTo(to == InstanceState.NEEDS_QR);
    assertThat(events.contains(EventType.INSTANCE_FAILED)).isEqualTo(to == InstanceState.FAILED);
    assertThat(events).allMatch(t -> t.wire().startsWith("instance."));
  }

  @Property
  void everyMessageStatusButSendingHasItsOwnMessageEvent(@ForAll MessageStatus status) {
    var event = EventRules.forMessageStatus(status);
    assertThat(event.isEmpty()).isEqualTo(status == MessageStatus.SENDING);
    event.ifPresent(t -> assertThat(t.wire()).isEqualTo("message." + status.name().toLowerCase(java.util.Locale.ROOT)));
  }
}
