extension CANBusSettings {
    /// The bus these settings describe, not yet opened.
    public func makeBus() throws(CANError) -> CANBus {
        if let problem { throw .invalidSettings(problem) }
        switch kind {
        case .socketcan:
            return SocketCANBus(interface: device, bitrate: bitrate)
        case .slcan:
            return try SLCANBus(path: device, bitrate: bitrate ?? CANBusSettings.defaultSLCANBitrate,
                                dataBitrate: dataBitrate, listenOnly: listenOnly)
        case .synthetic:
            return SyntheticCANBus(rate: syntheticRate, count: syntheticCount)
        }
    }
}
