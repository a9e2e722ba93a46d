import Store

extension MQTTSettings {
    /// The local uplink's settings from the config store (`mqtt.*`), for node `node`.
    public static func local(from store: ConfigStore, node: String) throws(UplinkError) -> MQTTSettings {
        var clientID = store.string(StandardKeys.mqttClientID)
        if clientID.isEmpty { clientID = "switchyard-" + node }
        var settings = MQTTSettings(host: store.string(StandardKeys.mqttHost),
                                    port: Int32(store.integer(StandardKeys.mqttPort)), clientID: clientID)
        let username = store.string(StandardKeys.mqttUsername)
        if !username.isEmpty {
            settings.username = username
            let password = store.secretValue(StandardKeys.mqttPassword)
            settings.password = password.isEmpty ? nil : password
        }
        settings.protocolVersion = store.value(StandardKeys.mqttProtocol)
        settings.keepaliveSeconds = Int32(store.integer(StandardKeys.mqttKeepAliveSeconds))
        settings.outboxMaxMessages = store.integer(StandardKeys.mqttOutboxMaxMessages)
        settings.outboxMaxBytes = store.integer(StandardKeys.mqttOutboxMaxBytes)
        if store.boolean(StandardKeys.mqttOutboxSpool) {
            settings.spoolPath = store.dataDirectory + "/outbox.spool"
            settings.spoolInterval = store.value(StandardKeys.mqttOutboxSpoolInterval)
        }
        settings.debug = store.boolean(StandardKeys.mqttDebug)

        let caFile = store.string(StandardKeys.mqttTLSCAFile)
        let caDirectory = store.string(StandardKeys.mqttTLSCADirectory)
        let certificate = store.string(StandardKeys.mqttTLSCertificateFile)
        let key = store.string(StandardKeys.mqttTLSKeyFile)
        if !caFile.isEmpty || !caDirectory.isEmpty || !certificate.isEmpty || MQTTSettings.isTLSPort(settings.port) {
            if certificate.isEmpty != key.isEmpty {
                throw .invalidSettings("mqtt.tls.cert_file and mqtt.tls.key_file go together: set both or neither")
            }
            settings.tls = MQTTTLSSettings(
                caFile: caFile.isEmpty ? nil : caFile,
                caDirectory: caDirectory.isEmpty ? (caFile.isEmpty ? MQTTTLSSettings.systemCADirectory : nil) : caDirectory,
                certificateFile: certificate.isEmpty ? nil : certificate,
                keyFile: key.isEmpty ? nil : key,
                insecure: store.boolean(StandardKeys.mqttTLSInsecure))
        }
        return settings
    }

    /// The one "TLS by default" rule: the seeds turn TLS on for the well-known TLS ports
    /// (with the system CAs), and so does every client of ours.
    public static func isTLSPort(_ port: Int32) -> Bool {
        port == 8883 || port == 8884 || port == 443
    }
}
