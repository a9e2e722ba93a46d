import Console
import Foundation
import Runtime
import Store
import Testing

/// `console.device = -` with standard input a pipe (a service manager, a script): plain
/// lines in, replies out, no prompt or echo, and the gateway survives the end of input.
@Suite("Console on pipes")
struct ConsolePipeTests {
    private final class Pipe {
        let read: Int32
        let write: Int32
        init(nonBlocking: Bool = false) {
            var fds: [Int32] = [-1, -1]
            precondition(pipe(&fds) == 0)
            read = fds[0]
            write = fds[1]
            if nonBlocking { _ = fcntl(write, F_SETFL, fcntl(write, F_GETFL) | O_NONBLOCK) }
        }
        func closeWriter() { close(write) }
        deinit { close(read); close(write) }
    }

    private func readAvailable(_ fd: Int32, into text: inout String) {
        var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while poll(&pollfd, 1, 0) > 0, pollfd.revents & Int16(POLLIN) != 0 {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n <= 0 { return }
            text += String(decoding: chunk[0..<n], as: UTF8.self)
        }
    }

    @Test("commands from a pipe are answered plainly, and end of input stops only the reading")
    func plainLinesUntilEndOfInput() throws {
        let fixture = try ConsoleFixture()
        let input = Pipe(), output = Pipe()
        let console = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop,
                                      input: FileDescriptor(input.read), output: FileDescriptor(output.write))
        try console.start()
        defer { console.stop() }
        #expect(!console.isInteractive)
        let script = "set mqtt.port 1885\nget mqtt.port\r\n\nnope\n" + String(repeating: "q", count: 400) + "\nget mqtt.qos\n"
        _ = script.withCString { Glibc.write(input.write, $0, strlen($0)) }
        input.closeWriter()

        var text = ""
        #expect(fixture.loop.run(timeout: 5) {
            readAvailable(output.read, into: &text)
            return !console.isReading && text.contains("mqtt.qos = 0")
        })
        #expect(text == """
            mqtt.port = 1885  (user)
            (not saved yet: "save" keeps it)
            mqtt.port = 1885  (user)
            error: unknown command "nope"; try "help" for the list
            error: line too long (max 256 characters)
            mqtt.qos = 0  (default)

            """)
        #expect(console.commandsRun == 4)
        #expect(console.overlongLines == 1)

        // The loop (and so the gateway) keeps running after the console's input ended.
        var ticks = 0
        fixture.loop.addTask("tick", every: .milliseconds(5)) { ticks += 1 }
        #expect(fixture.loop.run(timeout: 2) { ticks >= 3 })
    }

    @Test("a terminal that stops taking output loses the oldest output, counted, and the console keeps working")
    func stalledOutputDropsOldest() throws {
        let fixture = try ConsoleFixture()
        let input = Pipe(), output = Pipe(nonBlocking: true)
        let console = ConsoleTerminal(registry: fixture.registry, loop: fixture.loop,
                                      input: FileDescriptor(input.read), output: FileDescriptor(output.write),
                                      outputLimit: 4096)
        try console.start()
        defer { console.stop() }
        // Nobody reads the output pipe: 100 answers of 8 KB overflow it and the buffer behind it.
        for _ in 0..<100 {
            _ = "blob 8000\n".withCString { Glibc.write(input.write, $0, strlen($0)) }
        }
        #expect(fixture.loop.run(timeout: 10) { console.commandsRun == 100 })
        #expect(console.droppedOutputBytes > 0)
        #expect(console.droppedOutputBytes <= 100 * 8001)

        // Reading again drains what was kept; the newest answer arrives whole.
        var text = ""
        _ = "get mqtt.port\n".withCString { Glibc.write(input.write, $0, strlen($0)) }
        #expect(fixture.loop.run(timeout: 5) {
            readAvailable(output.read, into: &text)
            return text.hasSuffix("mqtt.port = 1883  (default)\n")
        })
    }
}
