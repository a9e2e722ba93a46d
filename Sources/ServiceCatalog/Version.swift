import OTA

/// The firmware's version, shown by `switchyard version`, the console and the state topic.
/// Beside the catalogue, below the executable: the OTA service's descriptor needs it.
public enum Version {
    /// The version, stamped so that `switchyard ota push` can read it out of a binary and a
    /// build can set it (`make firmware VERSION=0.2.0` rewrites the stamp in place, which
    /// the spaces after `;` leave room for): see `OTAVersionStamp`.
    public static let stamp = "switchyard-version:0.1.0;                        "
    public static var string: String { OTAVersionStamp.version(in: stamp) }
    /// The architecture this binary was built for (what `ota push` checks an image against).
    public static var architecture: String { ELFHeader.hostArchitecture }
}
