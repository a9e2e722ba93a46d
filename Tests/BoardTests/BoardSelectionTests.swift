import Board
import Foundation
import TestSupport
import Testing

/// Board selection against device-tree files written the way the kernel exposes them
/// (NUL-terminated strings), in a directory the environment points at.
@Suite("Board selection from settings and the device tree")
struct BoardSelectionTests {
    /// A stand-in /proc/device-tree with `model` and/or `compatible`, and a boards directory.
    private func tree(model: String?, compatible: [String] = []) -> TemporaryDirectory {
        let directory = TemporaryDirectory(prefix: "dt")
        if let model {
            _ = FileManager.default.createFile(atPath: directory.file("model"), contents: Data((model + "\0").utf8))
        }
        if !compatible.isEmpty {
            let text = compatible.map { $0 + "\0" }.joined()
            _ = FileManager.default.createFile(atPath: directory.file("compatible"), contents: Data(text.utf8))
        }
        return directory
    }

    private func environment(_ tree: TemporaryDirectory, boards: String = "/boards") -> BoardSelection.Environment {
        { name in
            switch name {
            case "SWITCHYARD_DEVICE_TREE": return tree.path
            case "SWITCHYARD_BOARDS": return boards
            default: return nil
            }
        }
    }

    @Test("each Raspberry Pi model string picks its profile", arguments: [
        ("Raspberry Pi 4 Model B Rev 1.4", "rpi4"), ("Raspberry Pi 400 Rev 1.0", "rpi4"),
        ("Raspberry Pi Compute Module 4 Rev 1.0", "rpi4"), ("Raspberry Pi 3 Model B Plus Rev 1.3", "rpi3"),
        ("Raspberry Pi 3 Model A Plus Rev 1.0", "rpi3"), ("Raspberry Pi Zero 2 W Rev 1.0", "zero2w"),
        ("Raspberry Pi 5 Model B Rev 1.0", "rpi5"),
    ])
    func detectsModel(model: String, board: String) {
        let dt = tree(model: model)
        let choice = BoardSelection.choose(configFile: nil, configuredBoard: nil, environment: environment(dt))
        #expect(choice.board == board)
        #expect(choice.defaultsPath == "/boards/\(board).conf")
        #expect(choice.reason.contains(model))
    }

    @Test("qemu's virt machine has no model: its compatible entry identifies it")
    func detectsCompatible() {
        let dt = tree(model: nil, compatible: ["linux,dummy-virt"])
        let choice = BoardSelection.choose(configFile: nil, configuredBoard: nil, environment: environment(dt))
        #expect(choice.board == "qemu-virt")
        #expect(choice.reason.contains("compatible"))
    }

    @Test("an unknown board and a missing device tree both leave the keys' defaults")
    func unknownBoard() {
        let dt = tree(model: "Acme Frobnicator 9000", compatible: ["acme,frob"])
        let unknown = BoardSelection.choose(configFile: nil, configuredBoard: nil, environment: environment(dt))
        #expect(unknown.board == nil)
        #expect(unknown.defaultsPath == nil)
        #expect(unknown.reason.contains("Acme Frobnicator 9000"))
        let empty = tree(model: nil)
        let none = BoardSelection.choose(configFile: nil, configuredBoard: nil, environment: environment(empty))
        #expect(none.board == nil)
        #expect(none.reason.contains("no model"))
    }

    @Test("--config beats a configured board, which beats the device tree")
    func precedence() {
        let dt = tree(model: "Raspberry Pi 4 Model B Rev 1.4")
        let file = BoardSelection.choose(configFile: "/etc/site.conf", configuredBoard: "rpi3", environment: environment(dt))
        #expect(file.defaultsPath == "/etc/site.conf")
        let named = BoardSelection.choose(configFile: nil, configuredBoard: "rpi3", environment: environment(dt))
        #expect(named.board == "rpi3")
        #expect(named.defaultsPath == "/boards/rpi3.conf")
        #expect(named.reason.contains("board.name"))
    }

    @Test("a configured name that could leave the boards directory is refused")
    func refusesPathNames() {
        let dt = tree(model: nil)
        for name in ["../etc/shadow", "rpi4/../../x", ".hidden", "RPI4 "] {
            let choice = BoardSelection.choose(configFile: nil, configuredBoard: name, environment: environment(dt))
            #expect(choice.defaultsPath == nil, "\(name)")
        }
    }

    @Test("every profile in board/ is one detection can pick, and each names itself")
    func profilesMatchTheBoardFolder() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("board")
        for profile in BoardProfile.known {
            let text = try String(contentsOf: root.appendingPathComponent(profile.name + "/defaults.conf"), encoding: .utf8)
            #expect(text.contains("board.name = \(profile.name)\n"), "\(profile.name)")
        }
    }
}
