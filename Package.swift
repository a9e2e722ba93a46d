// swift-tools-version:6.0
// The host build of Switchyard: `swift build`, `swift test`.
// The firmware build compiles the same Sources/ as Embedded Swift (see Makefile and
// toolchain/firmware.mk); this file is its single description of modules and dependencies.
import PackageDescription

/// C libraries: one system-library target each, wrapped once in Swift above them.
let cModules: [Target] = [
    .systemLibrary(name: "CSupport", path: "Sources/CSupport"),
    .systemLibrary(name: "CMosquitto", path: "Sources/CMosquitto"),
    .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
    .systemLibrary(name: "CJSON", path: "Sources/CJSON"),
    .systemLibrary(name: "CBluetooth", path: "Sources/CBluetooth"),
    .systemLibrary(name: "CSocketCAN", path: "Sources/CSocketCAN"),
    .systemLibrary(name: "CSerialPort", path: "Sources/CSerialPort"),
    .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
    .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD"),
    .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
]

/// A service: its module `Sources/<name>` and its tests `Tests/<name>Tests`. Its one line in
/// `services` below makes its target (the kit's modules plus what it `uses`), its test
/// target (the test kit plus `testsUse`) and the catalogue's dependency on it.
struct Feature {
    let name: String
    let uses: [Target.Dependency]
    let testsUse: [Target.Dependency]
    /// Files in its folder that are not sources (a schema the tests load).
    let exclude: [String]
    /// Files in its tests' folder that are not sources (read by path, not bundled).
    let testsExclude: [String]

    init(_ name: String, uses: [Target.Dependency] = [], testsUse: [Target.Dependency] = [], exclude: [String] = [],
         testsExclude: [String] = []) {
        self.name = name
        self.uses = uses
        self.testsUse = testsUse
        self.exclude = exclude
        self.testsExclude = testsExclude
    }

    /// What every service imports: the run loop, JSON, settings, the kit, the CLI types.
    static let kit: [Target.Dependency] = ["CSupport", "Runtime", "JSON", "Store", "ServiceKit", "CLI"]
    /// What every service's tests use: a real broker, a client, `ServiceRig`.
    static let testKit: [Target.Dependency] = ["Runtime", "JSON", "Store", "ServiceKit", "Uplink", "TestSupport", "ServiceTestSupport"]

    var target: Target { .target(name: name, dependencies: Feature.kit + uses, exclude: exclude) }
    var testTarget: Target {
        .testTarget(name: name + "Tests", dependencies: [.target(name: name)] + Feature.testKit + testsUse,
                    exclude: testsExclude)
    }
}

/// The services, one line each (their start order is the catalogue's, not this one).
let services: [Feature] = [
    Feature("Benchlab", uses: ["SerialPort"], testsUse: ["SerialPort"]),
    // `can-tunnel` is a tunnel of its own: its broker connection (Uplink) and client id (Crypto).
    Feature("CAN", uses: ["CSocketCAN", "SerialPort", "Uplink", "Crypto"], testsUse: ["SerialPort"]),
    // The car clouds: a cloud MQTTClient of their own (Uplink) besides the local port they publish to.
    Feature("Skoda", uses: ["Crypto", "Uplink", "HTTPClient"], testsUse: ["Crypto", "HTTPClient"]),
    Feature("CarData", uses: ["Crypto", "Uplink", "HTTPClient"], testsUse: ["Crypto", "HTTPClient"]),
    // `bcms` is a client of the gateway's JSON-RPC door (Console: its token).
    Feature("BLE", uses: ["CBluetooth", "Crypto", "SerialPort", "HTTPClient", "Console", "CapnProto"],
            testsUse: ["Crypto", "HTTPClient"], exclude: ["bcms.capnp"], testsExclude: ["Resources"]),
    // `ota push` sends over its own broker connection (Uplink); its tests run the built binary.
    Feature("OTA", uses: ["Crypto", "Uplink", "CZstd"], testsUse: ["Crypto", "switchyard"]),
    // The dashboard's tests show a CAN tunnel's state, and set settings with the console's `set`.
    Feature("Web", uses: ["CMicroHTTPD", "Crypto"], testsUse: ["CAN", "Console"]),
    // Time sync before TLS (issue 27): SNTP over a UDP socket in the run loop.
    Feature("Network", uses: []),
]

let package = Package(
    name: "Switchyard",
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
    ],
    targets: cModules + [
        .target(name: "Runtime", dependencies: ["CSupport"]),
        // What a subcommand and a selftest check are (and the argument parser, the output),
        // so each module declares its own and the executable only lists them.
        .target(name: "CLI", dependencies: ["Runtime", "CSupport"]),
        .target(name: "JSON", dependencies: ["CJSON", "CSupport", "Runtime", "CLI"]),
        .target(name: "Crypto", dependencies: ["CCrypto", "Runtime", "CLI"]),
        .target(name: "Store", dependencies: ["Runtime", "Crypto", "CSupport", "CLI"]),
        // What a service and the gateway's doors (Uplink, Console) agree on: the message port,
        // MQTT messages, commands, status topics. Below both, so neither imports ServiceKit.
        .target(name: "Contracts", dependencies: ["Runtime", "JSON"]),
        .target(name: "ServiceKit", dependencies: ["CSupport", "Runtime", "JSON", "Store", "HTTPClient", "Contracts", "CLI"]),
        .target(name: "Uplink", dependencies: ["CMosquitto", "CSupport", "Runtime", "JSON", "Store", "Contracts", "CLI"]),
        .target(name: "HTTPClient", dependencies: ["CCurl", "Runtime", "CLI"]),
        .target(name: "SerialPort", dependencies: ["CSerialPort", "CSupport", "Runtime", "CLI"]),
        .target(name: "Console", dependencies: ["CSupport", "Runtime", "JSON", "Crypto", "Store", "SerialPort", "Contracts"]),
        .target(name: "Board", dependencies: ["CSupport", "Runtime", "Store"]),
        // Cap'n Proto serialization and the two-party RPC server side (the BCMS door).
        .target(name: "CapnProto", dependencies: ["CSupport", "Runtime"]),
        // Every service the firmware has (a new one is one line there) and the version the OTA
        // descriptor announces: the one module above the features, below the executable.
        .target(name: "ServiceCatalog", dependencies: ["Store", "ServiceKit", "Board"] + services.map { .target(name: $0.name) }),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                // Composition only: the features come through the catalogue.
                "Runtime", "Store", "JSON", "Crypto", "Uplink", "HTTPClient", "CSupport", "CLI",
                "SerialPort", "Console", "Board", "ServiceKit", "ServiceCatalog",
            ]
        ),

        // A child process for the config store's crash-safety test: saves in a loop until killed.
        .executableTarget(
            name: "store-torture",
            dependencies: ["Store", "Runtime"],
            path: "Tests/Tools/store-torture"
        ),

        // Benchmarks (bench/run): print ratios against a baseline measured in the same process.
        .executableTarget(name: "bench-runtime", dependencies: ["Runtime"], path: "bench/runtime"),
        .executableTarget(name: "bench-ble", dependencies: ["BLE", "Uplink", "ServiceKit", "Store", "Runtime", "JSON", "CSupport"],
                         path: "bench/ble", exclude: ["run.sh", "python_decoder.py"]),
        .executableTarget(name: "bench-uplink", dependencies: ["Uplink", "Runtime"], path: "bench/uplink",
                         exclude: ["compare.sh", "paho_publisher.py"]),

        // Shared test fixtures (full Swift with Foundation): temp dirs, child processes,
        // locating built products. Never linked into the firmware.
        .target(name: "TestSupport", dependencies: ["Runtime"], path: "Tests/TestSupport"),
        // One service under a host with a real broker, store, loop and client (ServiceRig).
        .target(name: "ServiceTestSupport", dependencies: ["TestSupport", "Runtime", "JSON", "Store", "ServiceKit", "Uplink"],
                path: "Tests/ServiceTestSupport"),

        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "CSupport", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Runtime", "TestSupport", "store-torture"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "Runtime", "TestSupport"]),
        .testTarget(name: "SerialPortTests", dependencies: ["SerialPort", "Runtime", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Runtime", "JSON", "Store", "Contracts", "Uplink", "TestSupport"]),
        .testTarget(name: "BoardTests", dependencies: ["Board", "Runtime", "Store", "TestSupport"]),
        .testTarget(name: "UplinkTests", dependencies: ["Uplink", "Runtime", "Contracts", "ServiceKit", "Store", "JSON", "TestSupport"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "Contracts", "Uplink", "Runtime", "JSON", "Store", "TestSupport"]),
        // Checks over the whole catalogue: every service leak-free over 1,000 start/stop cycles,
        // every key closed to MQTT unless its module declares it remote-safe.
        .testTarget(name: "ServiceCatalogTests", dependencies: ["ServiceCatalog", "ServiceKit", "CAN", "Skoda", "CarData",
                                                                "Uplink", "Store", "Runtime", "TestSupport"]),
        .testTarget(name: "FirmwareTests", dependencies: ["switchyard", "ServiceCatalog", "TestSupport"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "Runtime", "TestSupport"]),
        .testTarget(name: "CapnProtoTests", dependencies: ["CapnProto", "Runtime", "TestSupport"]),
    ] + services.map(\.target) + services.map(\.testTarget),
    swiftLanguageModes: [.v6]
)
