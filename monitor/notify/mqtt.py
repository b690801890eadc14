"""The MQTT channel: notifications on ``<prefix>/alarms/notifications``, alarm states retained.

A notification counts as delivered once the broker has acknowledged it (QoS 1). Beside the
channel, ``RetainedAlarmStates`` keeps ``<prefix>/alarms/state/<key>`` retained after every
change of an alarm (back to normal and shelved too): a late subscriber takes that for the
truth, so it must never lag.
"""

from __future__ import annotations

from drivers.mqtt_publish import MqttPublisher
from monitor.alarms import Alarm, AlarmTransition
from monitor.notify.channel import Delivery

NOTIFICATIONS_TOPIC = "alarms/notifications"


class MqttChannel:
    """Notifications to the broker the unit already publishes to."""

    name = "mqtt"
    per_person = False

    def __init__(self, publisher: MqttPublisher) -> None:
        self.publisher = publisher

    async def deliver(self, delivery: Delivery) -> str:
        await self.publisher.deliver(NOTIFICATIONS_TOPIC, delivery.message.as_json())
        return "acknowledged by the broker"


class RetainedAlarmStates:
    """A desk listener: every transition updates the alarm's retained state."""

    def __init__(self, publisher: MqttPublisher, site: str = "", device: str = "") -> None:
        self.publisher = publisher
        self.site, self.device = site, device

    def __call__(self, alarm: Alarm, transition: AlarmTransition) -> None:
        state = {"key": alarm.key, "state": alarm.state.value, "message": alarm.message,
                 "priority": int(alarm.priority), "ts": transition.ts, "site": self.site,
                 "device": self.device}  # fmt: skip
        self.publisher.publish(f"alarms/state/{alarm.key}", state, retain=True)
