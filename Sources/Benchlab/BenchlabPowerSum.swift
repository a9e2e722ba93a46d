/// The sums of rails people read first (the telemetry's `SYS_Power`, `CPU_Power`,
/// `GPU_Power`, `MB_Power`), for readings and metrics.
enum BenchlabPowerSum: CaseIterable {
    case system, cpu, gpu, motherboard

    /// The rail indices summed: all 11, EPS1+EPS2, PCIe and HPWR (6-10), ATX (2-5).
    var rails: Range<Int> {
        switch self {
        case .system: return 0..<11
        case .cpu: return 0..<2
        case .gpu: return 6..<11
        case .motherboard: return 2..<6
        }
    }

    var name: String {
        switch self {
        case .system: return "system"
        case .cpu: return "cpu"
        case .gpu: return "gpu"
        case .motherboard: return "motherboard"
        }
    }

    /// The sum in watts.
    func watts(_ frame: BenchlabSensorFrame) -> Double {
        var total: Int64 = 0
        for index in rails where index < frame.power.count { total += Int64(frame.power[index].milliwatts) }
        return Double(total) / 1000
    }
}

extension BenchlabSensorFrame {
    /// The chip's temperature in °C, nil when the firmware marks it invalid.
    var chipCelsius: Double? {
        guard chipTemperatureRaw != BenchlabSensorFrame.invalidReading else { return nil }
        return Double(chipTemperatureRaw) / model.chipTemperatureDivisor(firmware: firmware)
    }

    /// The ambient temperature in °C, nil when the sensor failed (it reports 0 and 0).
    var ambientCelsius: Double? {
        guard !(ambientTenths == 0 && humidityTenths == 0) else { return nil }
        return Double(ambientTenths) / 10
    }
}
