import Foundation
import Runtime
import Testing
import TestSupport

@Suite("FileSystem.replaceAtomically")
struct FileSystemReplaceTests {
    private func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue
    }

    @Test("replaces the whole file, shorter or longer, and sets the mode")
    func replacesWholeFileWithMode() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("record")
        try FileSystem.replaceAtomically(path: path, bytes: Array("a long first version".utf8), mode: 0o644)
        #expect(contents(path) == "a long first version")
        #expect(try mode(path) == 0o644)
        try FileSystem.replaceAtomically(path: path, bytes: Array("short".utf8), mode: 0o600)
        #expect(contents(path) == "short")
        #expect(try mode(path) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test("a stale temp file (a killed save) is replaced, not followed")
    func staleTemporaryIsReplaced() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("token")
        try FileManager.default.createSymbolicLink(atPath: path + ".tmp", withDestinationPath: directory.file("elsewhere"))
        try FileSystem.replaceAtomically(path: path, bytes: Array("new".utf8), mode: 0o600)
        #expect(contents(path) == "new")
        #expect(!FileManager.default.fileExists(atPath: directory.file("elsewhere")))
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test("a failed rename (the path is a directory) throws, and leaves no temp file behind")
    func failedRenameLeavesNoTemporary() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("occupied")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: false)
        #expect(throws: RuntimeError.self) {
            try FileSystem.replaceAtomically(path: path, bytes: Array("x".utf8), mode: 0o600)
        }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path + "/inside", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test("a failure before the rename leaves the old file intact and no temp file")
    func failureBeforeRenameKeepsOldFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("config")
        try FileSystem.replaceAtomically(path: path, bytes: Array("old".utf8), mode: 0o600)
        #expect(throws: RuntimeError.self) {
            try FileSystem.replaceAtomically(path: path, bytes: Array("new".utf8), mode: 0o600) { () throws(RuntimeError) in
                throw .system(call: "link(test)", errno: Errno(EIO))
            }
        }
        #expect(contents(path) == "old")
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test("a directory that does not exist throws and creates nothing")
    func missingDirectoryThrows() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("missing/record")
        #expect(throws: RuntimeError.self) {
            try FileSystem.replaceAtomically(path: path, bytes: Array("x".utf8), mode: 0o600)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("missing")))
    }

    @Test("the directory of a path")
    func directoryOfPath() {
        #expect(FileSystem.directory(of: "/data/config") == "/data")
        #expect(FileSystem.directory(of: "/config") == "/")
        #expect(FileSystem.directory(of: "config") == ".")
    }
}
