"""Transports to the probes: Modbus RTU/TCP, serial ASCII lines and MQTT; the only hardware I/O."""
