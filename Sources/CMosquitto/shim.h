#include <mosquitto.h>
// MQTT 5 property identifiers (MQTT_PROP_USER_PROPERTY, ...) for CONNECT properties.
#include <mqtt_protocol.h>
