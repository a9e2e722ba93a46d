/// The console's line editor: turns key bytes from a raw terminal into echo output and
/// finished lines. No I/O of its own, so `ConsoleTerminal` decides where bytes go.
///
/// Keys: printable bytes (and UTF-8) insert and echo; Backspace/DEL erase one character;
/// Ctrl-C abandons the line (`^C`, fresh prompt); Ctrl-U clears it; Ctrl-D and other
/// controls are ignored (a UART must never "close"); ESC [ A / ESC [ B (and ESC O A/B) walk
/// the history; other escape sequences are swallowed whole. A line longer than `maxLength`
/// bytes refuses further input with a bell and is rejected on Enter.
struct LineEditor {
    /// What the terminal should do after a byte.
    enum Event {
        /// Bytes to write to the screen (echo, erase, redraw).
        case output([UInt8])
        /// Enter on a line within the cap: run it. The newline is already output.
        case submit(String)
        /// Enter on a line that went over the cap. The newline is already output.
        case tooLong
    }

    private enum EscapeState {
        case none
        /// After ESC.
        case escape
        /// After ESC [ (CSI) with this many parameter bytes so far.
        case controlSequence(Int)
        /// After ESC O (SS3): the next byte is the final one.
        case singleShift
    }

    let prompt: [UInt8]
    let maxLength: Int
    private(set) var line: [UInt8] = []
    private(set) var history: CommandHistory
    /// Bytes refused because the line was full.
    private(set) var refusedBytes = 0
    /// Control bytes and escape sequences that mean nothing here (dropped, counted).
    private(set) var ignoredBytes = 0
    private var overflowed = false
    private var escape = EscapeState.none
    private var lastWasCarriageReturn = false

    /// Longest escape sequence we wait for; a longer one is noise and editing resumes.
    private static let maxSequenceLength = 16

    init(prompt: String, maxLength: Int, historyLimit: Int) {
        precondition(maxLength > 0, "line length cap must be positive")
        self.prompt = Array(prompt.utf8)
        self.maxLength = maxLength
        history = CommandHistory(limit: historyLimit)
    }

    /// Carriage return, prompt, the line so far, clear to end of line: repaints the input
    /// line after something else was printed over it.
    var redrawBytes: [UInt8] {
        [TerminalBytes.carriageReturn] + prompt + line + TerminalBytes.clearToEndOfLine
    }

    /// Handles one byte from the terminal.
    mutating func feed(_ byte: UInt8, _ emit: (Event) -> Void) {
        let afterCarriageReturn = lastWasCarriageReturn
        lastWasCarriageReturn = byte == TerminalBytes.carriageReturn
        switch escape {
        case .none:
            break
        case .escape:
            switch byte {
            case UInt8(ascii: "["): escape = .controlSequence(0)
            case UInt8(ascii: "O"): escape = .singleShift
            default:
                // ESC plus a key (Alt+key): drop both.
                escape = .none
                ignoredBytes += 2
            }
            return
        case .controlSequence(let length):
            if byte >= 0x40 && byte <= 0x7E {
                escape = .none
                finishSequence(byte, emit)
                return
            }
            if byte >= 0x20 && byte <= 0x3F && length < LineEditor.maxSequenceLength {
                escape = .controlSequence(length + 1)
                return
            }
            // Not part of a sequence (or far too long): give up on it and edit as usual.
            escape = .none
            ignoredBytes += 2 + length
        case .singleShift:
            escape = .none
            finishSequence(byte, emit)
            return
        }

        switch byte {
        case TerminalBytes.carriageReturn:
            enter(emit)
        case TerminalBytes.lineFeed:
            // CR LF from a terminal that sends both is one Enter.
            if !afterCarriageReturn { enter(emit) }
        case TerminalBytes.backspace, TerminalBytes.delete:
            eraseCharacter(emit)
        case TerminalBytes.endOfText: // Ctrl-C
            line = []
            overflowed = false
            history.resetWalk()
            emit(.output(Array("^C".utf8) + TerminalBytes.newline + prompt))
        case TerminalBytes.negativeAcknowledge: // Ctrl-U
            line = []
            overflowed = false
            emit(.output(redrawBytes))
        case TerminalBytes.escape:
            escape = .escape
        case 0x20...0x7E, 0x80...0xFF:
            insert(byte, emit)
        default:
            // Ctrl-D (a UART must not close), Tab, and the other controls.
            ignoredBytes += 1
        }
    }

    private mutating func insert(_ byte: UInt8, _ emit: (Event) -> Void) {
        guard line.count < maxLength else {
            overflowed = true
            refusedBytes += 1
            emit(.output([TerminalBytes.bell]))
            return
        }
        line.append(byte)
        emit(.output([byte]))
    }

    private mutating func eraseCharacter(_ emit: (Event) -> Void) {
        guard !line.isEmpty else { return }
        // Remove a whole UTF-8 character: its continuation bytes, then its lead byte.
        while let last = line.last, last & 0xC0 == 0x80 { line.removeLast() }
        if !line.isEmpty { line.removeLast() }
        emit(.output([TerminalBytes.backspace, UInt8(ascii: " "), TerminalBytes.backspace]))
    }

    private mutating func enter(_ emit: (Event) -> Void) {
        let submitted = line
        let tooLong = overflowed
        line = []
        overflowed = false
        emit(.output(TerminalBytes.newline))
        if tooLong {
            history.resetWalk()
            emit(.tooLong)
            return
        }
        history.add(submitted)
        emit(.submit(String(decoding: submitted, as: UTF8.self)))
    }

    private mutating func finishSequence(_ final: UInt8, _ emit: (Event) -> Void) {
        let recalled: [UInt8]?
        switch final {
        case UInt8(ascii: "A"): recalled = history.older(current: line)
        case UInt8(ascii: "B"): recalled = history.newer()
        default:
            ignoredBytes += 1
            return
        }
        guard let recalled else { return }
        line = recalled.count > maxLength ? Array(recalled[0..<maxLength]) : recalled
        overflowed = false
        emit(.output(redrawBytes))
    }
}
