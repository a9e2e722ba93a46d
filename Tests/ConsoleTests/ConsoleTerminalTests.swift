import Console
import Contracts
import Foundation
import Runtime
import Store
import Testing

@Suite("UART console on a real pseudo-terminal", .serialized)
struct ConsoleTerminalTests {
    private static let prompt = "switchyard> "

    /// A started console on a fresh pty, with the first prompt already on the screen.
    private func startConsole(
        _ fixture: ConsoleFixture, maxLineLength: Int = 256
    ) throws -> (ConsoleTerminal, PseudoTerminal) {
        let pty = PseudoTerminal()
        let console = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop, device: pty.slavePath,
                                      baud: 115_200, maxLineLength: maxLineLength)
        try console.start()
        #expect(console.isInteractive)
        #expect(pty.waitFor(ConsoleTerminalTests.prompt, loop: fixture.loop))
        return (console, pty)
    }

    @Test("set and get round-trip through the registry and the store")
    func setThenGet() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("set mqtt.port 1884\r")
        #expect(pty.waitFor("mqtt.port = 1884  (user)", loop: fixture.loop))
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1884)
        pty.clear()
        pty.type("get mqtt.port\r")
        #expect(pty.waitFor("mqtt.port = 1884  (user)\r\n" + ConsoleTerminalTests.prompt, loop: fixture.loop))
        // Typed characters are echoed, and a raw terminal gets CR LF line ends.
        #expect(pty.text.hasPrefix("get mqtt.port\r\n"))
        #expect(console.commandsRun == 2)
    }

    @Test("backspace and DEL erase the last character before Enter")
    func backspaceEditing() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("get mqtt.porx")
        pty.type([0x7F])
        pty.type("tt")
        pty.type([0x08])
        pty.type("\r")
        #expect(pty.waitFor("mqtt.port = 1883  (default)", loop: fixture.loop))
        #expect(pty.text.contains("\u{8} \u{8}"), "erasing shows as backspace, space, backspace")
        #expect(!pty.text.contains("unknown key"))
    }

    @Test("Ctrl-C abandons the line: ^C, a fresh prompt, nothing run")
    func controlCClearsLine() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("set mqtt.port 9999")
        pty.type([0x03])
        #expect(pty.waitFor("^C\r\n" + ConsoleTerminalTests.prompt, loop: fixture.loop))
        pty.type("get mqtt.port\r")
        #expect(pty.waitFor("mqtt.port = 1883  (default)", loop: fixture.loop))
        #expect(fixture.store.integer(StandardKeys.mqttPort) == 1883)
        #expect(console.commandsRun == 1)
    }

    @Test("up and down arrows walk the history and Enter runs the recalled line")
    func historyRecall() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("get mqtt.port\r")
        #expect(pty.waitFor("mqtt.port = 1883", loop: fixture.loop))
        pty.type("get mqtt.host\r")
        #expect(pty.waitFor("mqtt.host = localhost", loop: fixture.loop))

        pty.clear()
        pty.type("\u{1B}[A\u{1B}[A") // two back: the port query
        #expect(pty.waitFor(ConsoleTerminalTests.prompt + "get mqtt.port", loop: fixture.loop))
        pty.type("\r")
        #expect(pty.waitFor("mqtt.port = 1883  (default)", loop: fixture.loop))

        // History is now port, host, port: three back is the first port query, one forward
        // the host query.
        pty.clear()
        pty.type("\u{1B}[A\u{1B}[A\u{1B}[A\u{1B}[B")
        pty.type("\r")
        #expect(pty.waitFor("mqtt.host = localhost  (default)", loop: fixture.loop))
        #expect(pty.occurrences(of: "mqtt.port = ") == 0, "the port query did not run again")
        #expect(console.commandsRun == 4)

        // Down past the newest entry gives back what was being typed.
        pty.clear()
        pty.type("get mqtt.q")
        pty.type("\u{1B}[A\u{1B}[B")
        pty.type("os\r")
        #expect(pty.waitFor("mqtt.qos = 0  (default)", loop: fixture.loop))
    }

    @Test("an over-long line is refused with a bell and an error; the console stays usable")
    func overlongLine() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type(String(repeating: "z", count: 300))
        pty.type("\r")
        #expect(pty.waitFor("error: line too long (max 256 characters)", loop: fixture.loop))
        #expect(pty.screen.contains(0x07), "refused keys ring the bell")
        #expect(pty.occurrences(of: "z") == 256, "only the first 256 characters were echoed")
        #expect(console.overlongLines == 1)
        #expect(console.commandsRun == 0)
        pty.type("get mqtt.port\r")
        #expect(pty.waitFor("mqtt.port = 1883", loop: fixture.loop))
    }

    @Test("an unknown command is answered with an error")
    func unknownCommand() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("frobnicate now\r")
        #expect(pty.waitFor("error: unknown command \"frobnicate\"", loop: fixture.loop))
        pty.type("help get\r")
        #expect(pty.waitFor("get KEY\r\n  Show one setting", loop: fixture.loop))
    }

    @Test("config shows secrets as *** and never their value")
    func secretsMasked() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("set mqtt.password hunter2\r")
        #expect(pty.waitFor("mqtt.password = ***  (user)", loop: fixture.loop))
        pty.clear()
        pty.type("config\r")
        #expect(pty.waitFor("(unsaved changes", loop: fixture.loop))
        #expect(pty.text.contains("mqtt.password = ***  (user)"))
        #expect(pty.text.contains("mqtt.port = 1883  (default)"))
        #expect(!pty.text.contains("hunter2"))
        #expect(fixture.store.secretValue(StandardKeys.mqttPassword) == "hunter2")
    }

    @Test("Ctrl-D, Tab and unknown escape sequences are ignored; the console keeps reading")
    func ignoredKeys() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type([0x04, 0x09])
        pty.type("\u{1B}[1;5C\u{1B}[3~\u{1B}x\u{1B}OP") // Ctrl-Right, Delete, Alt-x, F1
        pty.type("get mqtt.port\r")
        #expect(pty.waitFor("mqtt.port = 1883  (default)", loop: fixture.loop))
        #expect(pty.text.contains(ConsoleTerminalTests.prompt + "get mqtt.port\r\n"), "nothing stray echoed")
        #expect(console.isReading)
    }

    @Test("printAsync prints above the line being typed and redraws it")
    func asyncOutputKeepsTypedLine() throws {
        let fixture = try ConsoleFixture()
        let (console, pty) = try startConsole(fixture)
        defer { console.stop() }
        pty.type("get mqtt.po")
        #expect(pty.waitFor("get mqtt.po", loop: fixture.loop))
        console.printAsync("2024-01-01T00:00:00Z INFO can: bus up")
        #expect(pty.waitFor("bus up\r\n\r" + ConsoleTerminalTests.prompt + "get mqtt.po", loop: fixture.loop))
        pty.type("rt\r")
        #expect(pty.waitFor("mqtt.port = 1883", loop: fixture.loop))
    }

    @Test("stop restores the terminal settings found at start")
    func restoresTerminal() throws {
        let fixture = try ConsoleFixture()
        let pty = PseudoTerminal()
        var before = termios()
        tcgetattr(pty.slave, &before)
        #expect(before.c_lflag & tcflag_t(ICANON) != 0, "a fresh pty starts in canonical mode")
        let console = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop, device: pty.slavePath, baud: 9_600)
        try console.start()
        var raw = termios()
        tcgetattr(pty.slave, &raw)
        #expect(raw.c_lflag & tcflag_t(ICANON | ECHO) == 0, "raw while running")
        #expect(cfgetospeed(&raw) == speed_t(B9600))
        console.stop()
        var after = termios()
        tcgetattr(pty.slave, &after)
        #expect(after.c_lflag == before.c_lflag)
        #expect(after.c_iflag == before.c_iflag)
        #expect(after.c_oflag == before.c_oflag)
    }

    @Test("a missing device or an unsupported baud rate fails start with a clear error")
    func startErrors() throws {
        let fixture = try ConsoleFixture()
        let missing = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop, device: "/dev/does-not-exist")
        #expect(throws: ConsoleError.serialDevice(.notFound(path: "/dev/does-not-exist"))) { try missing.start() }
        let pty = PseudoTerminal()
        let odd = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop, device: pty.slavePath, baud: 12_345)
        do {
            try odd.start()
            Issue.record("an unsupported baud rate was accepted")
        } catch {
            #expect(error == .unsupportedBaud(12_345))
            #expect(error.description.contains("115200"))
        }
    }
}
