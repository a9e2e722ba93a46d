import Store

/// An environment the test owns: `lookup` reads `values` at call time.
final class FakeEnvironment: @unchecked Sendable {
    var values: [String: String]
    init(_ values: [String: String] = [:]) { self.values = values }
    var lookup: ConfigStore.EnvironmentLookup { { [self] name in values[name] } }
}
