/// A board the firmware recognises from its device tree, and the name of its profile
/// (`board/<name>/defaults.conf`, installed in the image as `/etc/switchyard/boards/<name>.conf`).
public struct BoardProfile: Equatable, Sendable {
    public let name: String
    /// Beginnings of `/proc/device-tree/model`, e.g. "Raspberry Pi 4 Model B Rev 1.4".
    public let modelPrefixes: [String]
    /// Entries of `/proc/device-tree/compatible` that identify the board when the model
    /// says nothing (qemu's virt machine has no model at all).
    public let compatibles: [String]

    public init(name: String, modelPrefixes: [String], compatibles: [String] = []) {
        self.name = name
        self.modelPrefixes = modelPrefixes
        self.compatibles = compatibles
    }

    /// Every board with a profile in board/, most specific first ("Raspberry Pi Zero 2 W"
    /// before any shorter prefix could claim it). Model strings are the mainline device
    /// trees' (Debian's kernel) and the Raspberry Pi OS ones, which start the same way.
    public static let known: [BoardProfile] = [
        BoardProfile(name: "zero2w", modelPrefixes: ["Raspberry Pi Zero 2"], compatibles: ["raspberrypi,model-zero-2-w"]),
        BoardProfile(name: "rpi5", modelPrefixes: ["Raspberry Pi 5", "Raspberry Pi Compute Module 5"],
                     compatibles: ["raspberrypi,5-model-b", "brcm,bcm2712"]),
        BoardProfile(name: "rpi4", modelPrefixes: ["Raspberry Pi 4", "Raspberry Pi 400", "Raspberry Pi Compute Module 4"],
                     compatibles: ["raspberrypi,4-model-b", "raspberrypi,400", "raspberrypi,4-compute-module", "brcm,bcm2711"]),
        BoardProfile(name: "rpi3", modelPrefixes: ["Raspberry Pi 3", "Raspberry Pi Compute Module 3"],
                     compatibles: ["raspberrypi,3-model-b", "raspberrypi,3-model-b-plus", "raspberrypi,3-model-a-plus",
                                   "raspberrypi,3-compute-module"]),
        BoardProfile(name: "qemu-virt", modelPrefixes: ["linux,dummy-virt"], compatibles: ["linux,dummy-virt"]),
    ]

    /// The profile for this model and compatible list: a model prefix match first (the
    /// model names the exact board), then the first compatible entry any profile claims.
    public static func identify(model: String?, compatible: [String]) -> BoardProfile? {
        if let model, !model.isEmpty {
            for profile in known where profile.modelPrefixes.contains(where: { model.hasPrefix($0) }) {
                return profile
            }
        }
        for entry in compatible {
            for profile in known where profile.compatibles.contains(entry) {
                return profile
            }
        }
        return nil
    }
}
