// modules: Console
// Any bytes typed on the UART console, through a real pty: the line editor, escape
// sequences, history and the commands they run must never crash or stop the console.
import CSupport
import Console
import Runtime
import Contracts
import Store

private final class Harness {
    let loop: EventLoop
    let console: ConsoleTerminal
    var master: Int32 = -1
    var slave: Int32 = -1
    var screen = [UInt8](repeating: 0, count: 65536)

    init() {
        LogSettings.level = .critical
        if let devNull = try? FileDescriptor.open("/dev/null", flags: O_WRONLY) { LogSettings.output = devNull }
        precondition(openpty(&master, &slave, nil, nil, nil) == 0, "openpty failed")
        _ = sy_fcntl_setfl(master, sy_fcntl_getfl(master) | O_NONBLOCK)
        let registry = CommandRegistry()
        let store = ConfigStore(dataDirectory: "/nonexistent/switchyard-fuzz", environment: { _ in nil })
        ConfigCommands.register(in: registry, store: store)
        HelpCommand.register(in: registry)
        loop = try! EventLoop()
        console = ConsoleTerminal(registry: registry, loop: loop, device: String(cString: ttyname(slave)),
                                  maxLineLength: 64, historyLimit: 4, outputLimit: 2048)
        try! console.start()
    }

    /// Types `bytes` and runs the loop until the console has read them all.
    func type(_ bytes: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        while offset < bytes.count {
            let n = write(master, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n }
            settle()
        }
    }

    private func settle() {
        var pending: Int32 = 1
        while pending > 0 {
            try! loop.runOnce(maxWait: .zero)
            while read(master, &screen, screen.count) > 0 {}
            if sy_ioctl_int(slave, UInt(FIONREAD), &pending) != 0 { pending = 0 }
        }
    }
}

private let harness = Harness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    harness.type(UnsafeBufferPointer(start: data, count: size))
    precondition(harness.console.isReading, "the console stopped reading")
    return 0
}
