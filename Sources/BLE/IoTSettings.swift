import Runtime
import Store

/// The IoT submission's settings, read once with the rest of BLE's.
public struct IoTSettings {
    public var url = ""
    public var submitInterval: Interval = .seconds(30)
    public var cacheClearInterval: Interval = .seconds(180)
    /// Never logged or published; `state` says only whether it is set.
    public var token = ""
    public var useDeviceIdentity = false
    public var certificateFile = ""
    public var keyFile = ""
    public var caFile = ""
    public var applicationIdentifier = ""
    public var username = ""
    public var capacity = 10_000
    public var timeout: Interval = .seconds(20)
    /// Samples per POST.
    public var batchLimit = 1000

    public init() {}

    public init(store: ConfigStore) throws(BLEError) {
        url = store.value(IoTConfigKeys.url)
        submitInterval = store.value(IoTConfigKeys.submitInterval)
        cacheClearInterval = store.value(IoTConfigKeys.cacheClearInterval)
        token = store.secretValue(IoTConfigKeys.token)
        useDeviceIdentity = store.value(IoTConfigKeys.useDeviceIdentity)
        certificateFile = store.value(IoTConfigKeys.certificateFile)
        keyFile = store.value(IoTConfigKeys.keyFile)
        caFile = store.value(IoTConfigKeys.caFile)
        applicationIdentifier = store.value(IoTConfigKeys.applicationIdentifier)
        username = store.value(IoTConfigKeys.username)
        capacity = store.value(IoTConfigKeys.capacity)
        timeout = .seconds(Int64(store.value(IoTConfigKeys.timeout)))
        if !url.isEmpty && !url.hasPrefix("http://") && !url.hasPrefix("https://") {
            throw .invalidSetting(key: "iot.url", reason: "must start with http:// or https://")
        }
        if useDeviceIdentity && (certificateFile.isEmpty || keyFile.isEmpty) {
            throw .invalidSetting(key: "iot.use_device_identity", reason: "needs iot.cert_file and iot.key_file")
        }
    }

    /// Whether samples are collected and submitted at all.
    public var isEnabled: Bool { !url.isEmpty }
}
