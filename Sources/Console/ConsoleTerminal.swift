import Contracts
import CSupport
import JSON
import Runtime

/// The command registry on a serial console: a UART or pty from `console.device` (opened
/// through `SerialPort`: raw mode, configured baud), or `-` for standard input and output.
/// Runs entirely inside the run loop: reads when the descriptor is readable, buffers output
/// and writes when writable.
///
/// A command that answers later (BLE pairing) holds the console: nothing more is read (keys
/// typed meanwhile wait in the terminal, bytes already read wait here) until its answer is
/// printed, then the prompt comes back. So the console waits for one answer at most.
///
/// On a terminal it is interactive (prompt, echo, line editing, history; see `LineEditor`).
/// When standard input is a pipe it reads plain lines with no prompt or echo, and at end of
/// input it stops reading while the gateway runs on. Output waits in a bounded buffer; if
/// the terminal stalls (flow control, nobody listening) the oldest output is dropped and
/// counted, never the loop blocked.
public final class ConsoleTerminal {
    private enum Source {
        case device(path: String, baud: Int)
        case descriptors(input: FileDescriptor, output: FileDescriptor)
    }

    /// Bytes per write on a descriptor we may not make non-blocking (standard output): poll
    /// reports a tty writable only while it has room for at least this much, and a pipe
    /// while it has a free page, so a write this size never blocks.
    private static let blockingWriteChunk = 256
    private static let nonBlockingWriteChunk = 4096

    private let source: Source
    private let registry: CommandRegistry
    private let loop: EventLoop
    private let log = Logger("console")
    private var editor: LineEditor
    private var assembler: LineAssembler
    private var output: OutputBuffer

    private var inputFD = FileDescriptor(-1)
    private var outputFD = FileDescriptor(-1)
    private var device: ConsoleDevice?
    private var outputIsNonBlocking = false
    private var readWatch: IOWatch?
    private var writeWatch: IOWatch?
    private var executing = false
    /// A command's answer is still to come: input waits, no prompt is shown.
    private var awaitingAnswer = false
    /// Input read before the waiting started, fed in once the answer is printed.
    private var heldInput: [UInt8] = []
    /// Counts stops, so an answer for a console stopped (and maybe started again) meanwhile
    /// is dropped instead of printed into the next session.
    private var session = 0
    private var reportedWriteFailure = false

    /// True on a terminal (line editor); false when reading plain lines from a pipe.
    public private(set) var isInteractive = false
    /// Whether input is still being read (false before `start`, after `stop`, after EOF).
    public private(set) var isReading = false
    /// Command lines run so far.
    public private(set) var commandsRun = 0
    /// Output dropped because the terminal did not take it fast enough.
    public var droppedOutputBytes: Int { output.droppedBytes }
    /// Lines refused for going over the length cap.
    public private(set) var overlongLines = 0

    /// A console on `device` (`-` for standard input/output) at `baud` (serial devices only).
    public convenience init(
        registry: CommandRegistry, loop: EventLoop, device: String, baud: Int = 115_200,
        prompt: String = "switchyard> ", maxLineLength: Int = 256, historyLimit: Int = 32,
        outputLimit: Int = 16 * 1024
    ) {
        let source: Source = device == "-"
            ? .descriptors(input: .standardInput, output: .standardOutput)
            : .device(path: device, baud: baud)
        self.init(source: source, registry: registry, loop: loop, prompt: prompt,
                  maxLineLength: maxLineLength, historyLimit: historyLimit, outputLimit: outputLimit)
    }

    /// A console on descriptors someone else opened and will close (tests use a pipe).
    public convenience init(
        registry: CommandRegistry, loop: EventLoop, input: FileDescriptor, output: FileDescriptor,
        prompt: String = "switchyard> ", maxLineLength: Int = 256, historyLimit: Int = 32,
        outputLimit: Int = 16 * 1024
    ) {
        self.init(source: .descriptors(input: input, output: output), registry: registry, loop: loop,
                  prompt: prompt, maxLineLength: maxLineLength, historyLimit: historyLimit,
                  outputLimit: outputLimit)
    }

    private init(
        source: Source, registry: CommandRegistry, loop: EventLoop, prompt: String,
        maxLineLength: Int, historyLimit: Int, outputLimit: Int
    ) {
        self.source = source
        self.registry = registry
        self.loop = loop
        editor = LineEditor(prompt: prompt, maxLength: maxLineLength, historyLimit: historyLimit)
        assembler = LineAssembler(maxLength: maxLineLength)
        output = OutputBuffer(capacity: outputLimit)
    }

    deinit { closeDevice() }

    // MARK: lifecycle

    /// Opens the device (or takes standard input/output), sets raw mode on a terminal,
    /// prints the first prompt and starts reading.
    public func start() throws(ConsoleError) {
        guard device == nil else { return }
        let device: ConsoleDevice
        switch source {
        case .descriptors(let input, let output): device = try ConsoleDevice.borrowing(input: input, output: output)
        case .device(let path, let baud): device = try ConsoleDevice.open(path: path, baud: baud)
        }
        self.device = device
        inputFD = device.input
        outputFD = device.output
        isInteractive = device.isTerminal
        outputIsNonBlocking = device.outputIsNonBlocking
        isReading = true
        readWatch = loop.watch(inputFD, interest: .read) { [self] events in self.inputReady(events) }
        if isInteractive { queue(editor.prompt) }
    }

    /// Stops reading and writing, restores the terminal's settings and closes the device.
    public func stop() {
        isReading = false
        session += 1
        awaitingAnswer = false
        heldInput = []
        readWatch?.cancel()
        readWatch = nil
        writeWatch?.cancel()
        writeWatch = nil
        closeDevice()
    }

    // MARK: output

    /// Prints `text` (a log line, an event) without mangling the line being typed: the input
    /// line is erased, the text printed, and the prompt and typed text drawn again.
    public func printAsync(_ text: String) {
        guard isInteractive, !executing, !awaitingAnswer else {
            queue(screenBytes(text) + lineEnd)
            return
        }
        queue([TerminalBytes.carriageReturn] + TerminalBytes.clearToEndOfLine + screenBytes(text) + lineEnd + editor.redrawBytes)
    }

    private var lineEnd: [UInt8] { isInteractive ? TerminalBytes.newline : [TerminalBytes.lineFeed] }

    /// `text` as bytes for the screen: a raw terminal needs CR LF for a new line.
    private func screenBytes(_ text: String) -> [UInt8] {
        isInteractive ? TerminalBytes.withCarriageReturns(text) : Array(text.utf8)
    }

    private func queue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, outputFD.rawValue >= 0 else { return }
        output.appendDroppingOldest(bytes)
        // A blocking descriptor is written only once poll says it is writable.
        if outputIsNonBlocking { flush() }
        updateWriteInterest()
    }

    private func flush() {
        guard let device else { return }
        let chunk = outputIsNonBlocking ? ConsoleTerminal.nonBlockingWriteChunk : ConsoleTerminal.blockingWriteChunk
        while !output.isEmpty {
            var failure: ConsoleError? = nil
            let written = output.drain(limit: chunk) { bytes in
                do throws(ConsoleError) {
                    if case .done(let count) = try device.write(bytes) { return count }
                } catch { failure = error }
                return nil
            }
            if let failure {
                // Nobody is listening (a pty closed, a pipe broken): output has nowhere to go.
                if !reportedWriteFailure {
                    reportedWriteFailure = true
                    log.warning("console output failed, dropping it: " + failure.description)
                }
                output.removeAll()
                return
            }
            if written == 0 || !outputIsNonBlocking { return }
        }
    }

    private func updateWriteInterest() {
        let wantsWrite = !output.isEmpty
        if inputFD == outputFD, let readWatch {
            var interest: IOInterest = isReading && !awaitingAnswer ? .read : .none
            if wantsWrite { interest.insert(.write) }
            readWatch.interest = interest
            return
        }
        if wantsWrite && writeWatch == nil {
            writeWatch = loop.watch(outputFD, interest: .write) { [self] events in self.outputReady(events) }
        } else if !wantsWrite, let writeWatch {
            writeWatch.cancel()
            self.writeWatch = nil
        }
    }

    private func outputReady(_ events: IOEvents) {
        if events.contains(.writable) {
            flush()
        } else if !events.intersection([.hangup, .error]).isEmpty {
            output.removeAll()
        }
        updateWriteInterest()
    }

    // MARK: input

    private func inputReady(_ events: IOEvents) {
        if inputFD == outputFD && events.contains(.writable) { flush() }
        if isReading && !awaitingAnswer && !events.intersection([.readable, .hangup, .error]).isEmpty { readInput() }
        updateReadInterest()
        updateWriteInterest()
    }

    private func readInput() {
        guard let device else { return }
        var chunk = [UInt8](repeating: 0, count: 512)
        let outcome = chunk.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, ConsoleError> in
            do throws(ConsoleError) { return .success(try device.read(into: raw)) } catch { return .failure(error) }
        }
        switch outcome {
        case .success(.wouldBlock):
            return
        case .success(.done(0)):
            inputEnded("end of input")
        case .success(.done(let count)):
            handleInput(Array(chunk[0..<count]))
        case .failure(let error):
            inputEnded(error.description)
        }
    }

    /// Feeds `bytes` to the editor (or line assembler) and runs the lines they complete. When
    /// a command's answer is still to come, the rest of `bytes` is held for later.
    private func handleInput(_ bytes: [UInt8]) {
        // Events are collected first and acted on after each feed: running a command while
        // the editor (or assembler) is being mutated would overlap the two accesses.
        var index = 0
        while index < bytes.count {
            if awaitingAnswer {
                heldInput.append(contentsOf: bytes[index...])
                return
            }
            let byte = bytes[index]
            index += 1
            guard isInteractive else {
                var lines: [LineAssembler.Event] = []
                withUnsafeBytes(of: byte) { assembler.feed($0) { lines.append($0) } }
                for event in lines {
                    switch event {
                    case .line(let line): run(String(decoding: line, as: UTF8.self))
                    case .overlong: refuseOverlongLine()
                    }
                }
                continue
            }
            var events: [LineEditor.Event] = []
            editor.feed(byte) { events.append($0) }
            for event in events {
                switch event {
                case .output(let bytes): queue(bytes)
                case .submit(let line):
                    // The prompt follows the answer, which may come later.
                    run(line)
                    if !awaitingAnswer { queue(editor.prompt) }
                case .tooLong:
                    refuseOverlongLine()
                    queue(editor.prompt)
                }
            }
        }
    }

    /// Input is over (a pipe at EOF, a device that hung up): stop reading but keep running,
    /// so the gateway goes on serving MQTT and RPC. A UART never ends, so this is rare.
    private func inputEnded(_ reason: String) {
        isReading = false
        // A device that hung up takes its output with it; standard output may live on.
        if inputFD == outputFD { output.removeAll() }
        readWatch?.cancel()
        readWatch = nil
        log.info("console input closed (" + reason + "); commands remain available over MQTT and RPC")
    }

    private func refuseOverlongLine() {
        overlongLines += 1
        queue(screenBytes("error: line too long (max " + String(editor.maxLength) + " characters)") + lineEnd)
    }

    /// Runs one command line through the registry and prints its reply, now or when it comes.
    private func run(_ line: String) {
        let words = CommandLineSplitter.split(line)
        guard let name = words.first else { return }
        commandsRun += 1
        log.debug("console: " + name)
        executing = true
        var answered = false
        let session = self.session
        registry.execute(name, CommandRequest(origin: .console, arguments: Array(words.dropFirst()))) { [self] reply in
            answered = true
            guard session == self.session else { return }
            if self.awaitingAnswer { self.answerArrived(reply) } else { self.show(reply) }
        }
        executing = false
        if !answered {
            awaitingAnswer = true
            updateReadInterest()
        }
    }

    /// A deferred answer: printed, then the prompt, then the input that waited is fed in.
    private func answerArrived(_ reply: CommandReply) {
        awaitingAnswer = false
        show(reply)
        guard device != nil else { return }
        if isInteractive { queue(editor.prompt) }
        let held = heldInput
        heldInput = []
        if !held.isEmpty { handleInput(held) }
        updateReadInterest()
        updateWriteInterest()
    }

    /// Reading pauses while an answer is awaited; the kernel keeps what is typed meanwhile.
    private func updateReadInterest() {
        guard inputFD != outputFD, let readWatch else { return }
        readWatch.interest = isReading && !awaitingAnswer ? .read : .none
    }

    private func show(_ reply: CommandReply) {
        var text: String
        switch reply.output {
        case .text(let value): text = value
        case .json(let value): text = value.prettyPrinted()
        }
        if !reply.ok { text = "error: " + text }
        guard !text.isEmpty else { return }
        queue(screenBytes(text) + lineEnd)
    }

    private func closeDevice() {
        device?.close()
        device = nil
        inputFD = FileDescriptor(-1)
        outputFD = FileDescriptor(-1)
    }
}
