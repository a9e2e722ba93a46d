/// The few fields of an ELF header that say whether a file can run here: magic, class,
/// byte order, type and machine. An OTA image whose header names another machine is refused
/// before anything switches.
public struct ELFHeader: Equatable {
    /// Bytes needed to read the fields below (`e_machine` ends at offset 20).
    public static let minimumCount = 20

    public let is64Bit: Bool
    public let isLittleEndian: Bool
    /// `e_type`: 2 executable, 3 shared object (static-pie firmware is 3).
    public let type: UInt16
    /// `e_machine`: 62 x86-64, 183 AArch64, ...
    public let machine: UInt16

    /// Reads the header at the start of `bytes`; nil when it is not an ELF executable.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= ELFHeader.minimumCount,
              bytes[0] == 0x7F, bytes[1] == UInt8(ascii: "E"), bytes[2] == UInt8(ascii: "L"), bytes[3] == UInt8(ascii: "F"),
              bytes[4] == 1 || bytes[4] == 2, bytes[5] == 1 || bytes[5] == 2
        else { return nil }
        let little = bytes[5] == 1
        func half(_ offset: Int) -> UInt16 {
            little ? UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
                   : UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }
        let type = half(16)
        guard type == 2 || type == 3 else { return nil }
        is64Bit = bytes[4] == 2
        isLittleEndian = little
        self.type = type
        machine = half(18)
    }

    /// The architecture name Switchyard uses for this machine (`x86_64`, `aarch64`), or
    /// `machine <n>` for one it does not build for.
    public var architecture: String {
        switch (machine, is64Bit) {
        case (62, true): return "x86_64"
        case (183, true): return "aarch64"
        case (40, false): return "arm"
        case (3, false): return "i386"
        case (243, true): return "riscv64"
        default: return "machine " + String(machine)
        }
    }

    /// The architecture this firmware was built for, and so runs on.
    public static var hostArchitecture: String {
        #if arch(aarch64) || arch(arm64)
        return "aarch64"
        #elseif arch(x86_64)
        return "x86_64"
        #else
        return "unknown"
        #endif
    }
}
