/// The fixed-layout formats, as data (sources: each vendor's published layout, the pvvx and
/// atc1441 READMEs, ruuvi-sensor-protocols, Theengs decoder's device documents). Offsets
/// of manufacturer data count the company id's two bytes; see docs/ble-sensors.md.
enum SensorFamilies {
    typealias F = SensorField
    typealias M = SensorFamily.Marker

    /// Every fixed-layout family, tried in this order.
    static let all: [SensorFamily] = xiaomiCustom + ruuvi + govee + inkbird + switchBot + others

    /// atc1441 (13 bytes, big-endian) and pvvx (15 bytes, little-endian; 14 when built
    /// without the trigger flags byte) on 0x181A, and
    /// b-parasite (16 or 18 bytes, protocol version in the high nibble of byte 0).
    static let xiaomiCustom: [SensorFamily] = [
        SensorFamily(.atc1441, .service(0x181A), length: 13...13, fields: [
            F(.temperature, 6, .s16be, divisor: 10), F(.humidity, 8, .u8), F(.battery, 9, .u8),
            F(.voltage, 10, .u16be, divisor: 1000), F(.packetID, 12, .u8),
        ]),
        SensorFamily(.pvvx, .service(0x181A), length: 14...15, fields: [
            F(.temperature, 6, .s16le, divisor: 100), F(.humidity, 8, .u16le, divisor: 100),
            F(.voltage, 10, .u16le, divisor: 1000), F(.battery, 12, .u8), F(.packetID, 13, .u8),
        ]),
        SensorFamily(.bParasite, .service(0x181A), length: 16...18, markers: [M(0, 0x10, mask: 0xF0)],
                     fields: bParasite(temperatureDivisor: 1000)),
        SensorFamily(.bParasite, .service(0x181A), length: 16...18, markers: [M(0, 0x20, mask: 0xF0)],
                     fields: bParasite(temperatureDivisor: 100)),
    ]

    static func bParasite(temperatureDivisor: Double) -> [SensorField] {
        [F(.voltage, 2, .u16be, divisor: 1000), F(.temperature, 4, .s16be, divisor: temperatureDivisor),
         F(.humidity, 6, .u16be, divisor: 655.35), F(.moisture, 8, .u16be, divisor: 655.35),
         F(.illuminance, 16, .u16be, when: (0, 0x01, 0x01))]
    }

    /// RuuviTag data formats 3 ("RAWv1", 14 bytes) and 5 ("RAWv2", 24 bytes), big-endian.
    static let ruuvi: [SensorFamily] = [
        SensorFamily(.ruuvi3, .manufacturer(0x0499), length: 16...16, markers: [M(2, 3)], fields: [
            F(.humidity, 3, .u8, divisor: 2),
            F(.temperature, 4, .u8, transform: .signMagnitude(fractionOffset: 5, fractionMask: 0xFF,
                                                              fractionDivisor: 100, negativeWhenSet: true)),
            F(.pressure, 6, .u16be, divisor: 100, bias: 50_000),
            F(.accelerationX, 8, .s16be), F(.accelerationY, 10, .s16be), F(.accelerationZ, 12, .s16be),
            F(.voltage, 14, .u16be, divisor: 1000),
        ]),
        SensorFamily(.ruuvi5, .manufacturer(0x0499), length: 26...26, markers: [M(2, 5)], fields: [
            F(.temperature, 3, .s16be, divisor: 200, invalid: 0x8000),
            F(.humidity, 5, .u16be, divisor: 400, invalid: 0xFFFF),
            F(.pressure, 7, .u16be, divisor: 100, bias: 50_000, invalid: 0xFFFF),
            F(.accelerationX, 9, .s16be, invalid: 0x8000), F(.accelerationY, 11, .s16be, invalid: 0x8000),
            F(.accelerationZ, 13, .s16be, invalid: 0x8000),
            F(.voltage, 15, .u16be, divisor: 1000, bias: 1600, shift: 5, mask: 0x7FF, invalid: 0x7FF),
            F(.txPower, 15, .u16be, divisor: 0.5, bias: -20, mask: 0x1F, invalid: 0x1F),
            F(.movementCounter, 17, .u8, invalid: 0xFF), F(.sequence, 18, .u16be, invalid: 0xFFFF),
        ]),
    ]

    /// Govee thermo-hygrometers and the H5106 air monitor.
    static let govee: [SensorFamily] = [
        // H5072 / H5075: temperature and humidity packed in 24 bits big-endian, sign in bit 23.
        SensorFamily(.govee, .manufacturer(0xEC88), length: 8...8, fields: [
            F(.temperature, 3, .u24be, transform: .goveeTemperature(split: 1000, signBit: 0x80_0000)),
            F(.humidity, 3, .u24be, transform: .goveeHumidity(split: 1000, signBit: 0x80_0000)),
            F(.battery, 6, .u8),
        ]),
        // H5074: s16 / u16 little-endian hundredths.
        SensorFamily(.govee, .manufacturer(0xEC88), length: 9...9, fields: [
            F(.temperature, 3, .s16le, divisor: 100), F(.humidity, 5, .u16le, divisor: 100), F(.battery, 7, .u8),
        ]),
        // H5100/01/02/04/05/74/77: the packed 24 bits at byte 4 (company 0x0001 is shared: the name decides).
        SensorFamily(.govee, .manufacturer(0x0001), length: 8...8,
                     names: ["GVH5100", "GVH5101", "GVH5102", "GVH5104", "GVH5105", "GVH5174", "GVH5177"], fields: [
            F(.temperature, 4, .u24be, transform: .goveeTemperature(split: 1000, signBit: 0x80_0000)),
            F(.humidity, 4, .u24be, transform: .goveeHumidity(split: 1000, signBit: 0x80_0000)),
            F(.battery, 7, .u8),
        ]),
        // H5106: temperature, humidity and PM2.5 packed in 32 bits big-endian, sign in bit 31.
        SensorFamily(.govee, .manufacturer(0x0001), length: 8...8, names: ["GVH5106"], fields: [
            F(.temperature, 4, .u32be, transform: .goveeTemperature(split: 1_000_000, signBit: 0x8000_0000)),
            F(.humidity, 4, .u32be, transform: .goveeHumidity(split: 1_000_000, signBit: 0x8000_0000)),
            F(.pm25, 4, .u32be, transform: .modulo(1000, signBit: 0x8000_0000)),
        ]),
        // H5179: company 0x8801, then 0xEC; s16 / u16 little-endian hundredths.
        SensorFamily(.govee, .manufacturer(0x8801), length: 11...11, markers: [M(2, 0xEC)], fields: [
            F(.temperature, 6, .s16le, divisor: 100), F(.humidity, 8, .u16le, divisor: 100), F(.battery, 10, .u8),
        ]),
    ]

    /// Inkbird IBS-TH1/TH2 (temperature where the company id would be; named sps or tps) and
    /// the IBT-2X(S) barbecue probes (0xFF in a probe's high byte: no probe).
    static let inkbird: [SensorFamily] = [
        SensorFamily(.inkbird, .manufacturer(nil), length: 9...9, names: ["sps", "tps"], fields: [
            F(.temperature, 0, .s16le, divisor: 100),
            F(.humidity, 2, .u16le, divisor: 100, invalid: 0xFFFF),
            F(.battery, 7, .u8),
        ]),
        SensorFamily(.inkbird, .manufacturer(0x0000), length: 14...14, markers: [M(2, 0), M(3, 0)], fields: [
            F(.temperature, 10, .u16le, divisor: 10, invalid: 0xFF00, invalidMask: 0xFF00),
            F(.temperature, 12, .u16le, divisor: 10, invalid: 0xFF00, invalidMask: 0xFF00),
        ]),
    ]

    /// SwitchBot: Meter / Meter Plus ('T' 0x54, 'i' 0x69), Contact (0x64), Motion (0x73) on
    /// service data 0xFD3D (older firmware 0x0D00); Outdoor Meter's values in company 0x0969's
    /// data, its battery in a 3-byte service data (0x77).
    static let switchBot: [SensorFamily] = [0xFD3D, 0x0D00].flatMap { (uuid: UInt16) -> [SensorFamily] in
        let meter: [SensorField] = [
            F(.battery, 2, .u8, mask: 0x7F),
            F(.temperature, 4, .u8, transform: .signMagnitude(fractionOffset: 3, fractionMask: 0x0F,
                                                              fractionDivisor: 10, negativeWhenSet: false)),
            F(.humidity, 5, .u8, mask: 0x7F),
        ]
        return [
            SensorFamily(.switchBot, .service(uuid), length: 6...6, markers: [M(0, 0x54, mask: 0x7F)], fields: meter),
            SensorFamily(.switchBot, .service(uuid), length: 6...6, markers: [M(0, 0x69, mask: 0x7F)], fields: meter),
            SensorFamily(.switchBot, .service(uuid), length: 9...9, markers: [M(0, 0x64, mask: 0x7F)], fields: [
                F.bit(.motion, 1, 6), F(.battery, 2, .u8, mask: 0x7F), F.bit(.opening, 3, 1), F.bit(.light, 3, 0),
            ]),
            SensorFamily(.switchBot, .service(uuid), length: 6...6, markers: [M(0, 0x73, mask: 0x7F)], fields: [
                F.bit(.motion, 1, 6), F(.battery, 2, .u8, mask: 0x7F), F.bit(.light, 5, 1),
            ]),
            SensorFamily(.switchBot, .service(uuid), length: 3...3, markers: [M(0, 0x77, mask: 0x7F)], fields: [
                F(.battery, 2, .u8, mask: 0x7F),
            ]),
        ]
    } + [
        SensorFamily(.switchBot, .manufacturer(0x0969), length: 14...14, fields: [
            F(.temperature, 11, .u8, transform: .signMagnitude(fractionOffset: 10, fractionMask: 0x0F,
                                                               fractionDivisor: 10, negativeWhenSet: false)),
            F(.humidity, 12, .u8, mask: 0x7F),
        ]),
    ]

    /// Tilt hydrometers: an iBeacon (Apple 0x004C, 02 15) whose UUID is A495BBx0-C5B1-4B44-B512-1370F02D74DE
    /// (x: the colour), major the temperature in °F (published in °C), minor the specific gravity x 1000.
    static let tilt = SensorFamily(.tilt, .manufacturer(0x004C), length: 25...25, markers: [
        M(2, 0x02), M(3, 0x15), M(4, 0xA4), M(5, 0x95), M(6, 0xBB), M(7, 0x00, mask: 0x0F), M(8, 0xC5), M(9, 0xB1),
        M(10, 0x4B), M(11, 0x44), M(12, 0xB5), M(13, 0x12), M(14, 0x13), M(15, 0x70), M(16, 0xF0), M(17, 0x2D),
        M(18, 0x74), M(19, 0xDE),
    ], fields: [F(.temperature, 20, .s16be, divisor: 1.8, bias: -32), F(.specificGravity, 22, .u16be, divisor: 1000)])

    /// Aranet4, Mopeka Pro Check, ThermoPro, ThermoBeacon, Tilt.
    static let others: [SensorFamily] = [
        SensorFamily(.aranet, .manufacturer(0x0702), length: 24...24, fields: [
            F(.co2, 10, .u16le), F(.temperature, 12, .s16le, divisor: 20), F(.pressure, 14, .u16le, divisor: 10),
            F(.humidity, 16, .u8), F(.battery, 17, .u8, mask: 0x7F),
        ]),
        SensorFamily(.mopeka, .manufacturer(0x0059), length: 12...12, markers: [M(2, 0x03)], fields: mopeka),
        SensorFamily(.mopeka, .manufacturer(0x0059), length: 12...12, markers: [M(2, 0x06)], fields: mopeka),
        SensorFamily(.mopeka, .manufacturer(0x0059), length: 12...12, markers: [M(2, 0x0C)], fields: mopeka),
        // ThermoPro TP357/358/359/393: 0xC2 first, temperature across the company id's second byte.
        SensorFamily(.thermoPro, .manufacturer(nil), length: 6...32, markers: [M(0, 0xC2)],
                     names: ["TP357", "TP358", "TP359", "TP393"], fields: [
            F(.temperature, 1, .s16le, divisor: 10), F(.humidity, 3, .u8),
        ]),
        tilt,
    ] + [0x0010, 0x0011, 0x0015, 0x0018, 0x001B].map { (company: UInt16) in
        SensorFamily(.thermoBeacon, .manufacturer(company), length: 20...20, fields: [
            F(.voltage, 10, .u16le, divisor: 1000), F(.temperature, 12, .s16le, divisor: 16),
            F(.humidity, 14, .u16le, divisor: 16),
        ])
    }

    static let mopeka: [SensorField] = [
        F(.voltage, 3, .u8, divisor: 32, mask: 0x7F),
        F(.battery, 3, .u8, mask: 0x7F, transform: .mopekaBattery),
        F(.temperature, 4, .u8, bias: -40, mask: 0x7F),
        F(.tankLevel, 5, .u16le, mask: 0x3FFF, transform: .mopekaLevel(temperatureOffset: 4)),
        F(.readingQuality, 6, .u8, shift: 6, mask: 0x03),
    ]
}
