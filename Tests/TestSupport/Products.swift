import Foundation

/// Where SwiftPM put the executables this package builds (`switchyard`, `store-torture`),
/// so tests can run them as real child processes.
public enum Products {
    /// The build products directory: the directory holding the running test bundle.
    public static var directory: URL {
        // The test runner is `<products>/SwitchyardPackageTests.xctest` (Linux).
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            if url.pathExtension == "xctest" { return url.deletingLastPathComponent() }
            url = url.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    /// The path of the executable product `name`.
    public static func executable(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }
}
