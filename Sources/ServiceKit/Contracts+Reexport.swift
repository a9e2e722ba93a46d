// A service sees the contracts (MessagePort, MQTTMessage, the Command types, StatusTopics)
// through its kit: every feature imports ServiceKit and gets them without a second import.
// Uplink and Console sit below ServiceKit and import Contracts directly (docs/architecture.md).
@_exported import Contracts
