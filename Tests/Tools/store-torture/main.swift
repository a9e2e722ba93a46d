// store-torture: saves the config store in a tight loop until it is killed, for the crash
// safety test (Tests/StoreTests/CrashSafetyTests.swift), which SIGKILLs it at random moments
// and checks that what is left on disk always loads complete and self-consistent.
//
//     store-torture <data dir>
//
// It prints `ready <N>` once it has loaded the data dir, then nothing more.
// Each round sets every key of `generationKeys` to `gen-<N>` and `longKey` to
// `longValue(N)` (just under the 8 KiB text limit, so a save spans pages), saves, and goes on with
// N + 1. N starts one past the generation found in the data dir, so generations keep
// growing across kills. The environment is ignored: only the saved settings matter here.
// The test spells out the same keys and values; keep the two in step.
import CSupport
import Runtime
import Store

let generationKeys = [
    StandardKeys.nodeName, StandardKeys.mqttClientID, StandardKeys.mqttUsername,
    StandardKeys.mqttPassword, StandardKeys.consoleDevice,
]
// Free text of the longest kind: path keys are checked against the file system at `set`.
let longKey = StandardKeys.mqttWebSocketPath

/// `/gen-<N>/` followed by `<N>;` repeated to just under 8 KiB, ending in `#end`.
func longValue(_ generation: Int) -> String {
    let piece = String(generation) + ";"
    var value = "/gen-" + String(generation) + "/"
    while value.utf8.count < 8 * 1024 - 64 { value += piece }
    return value + "#end"
}

/// The generation in the saved settings, or 0 before the first save.
func savedGeneration(_ store: ConfigStore) -> Int {
    let text = store.string(StandardKeys.nodeName)
    guard text.hasPrefix("gen-") else { return 0 }
    var value = 0
    for byte in text.utf8.dropFirst(4) {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return 0 }
        value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    print("usage: store-torture <data dir>")
    exit(2)
}
LogSettings.level = .warning
let store = ConfigStore(dataDirectory: arguments[1], environment: { _ in nil })
var generation = savedGeneration(store) + 1
// Tells the test the saves start now, so its random delay is not eaten by process start-up.
print("ready " + String(generation))
fflush(nil)  // all streams: naming glibc's `stdout` global is not concurrency-safe in Swift 6
while true {
    do throws(StoreError) {
        for key in generationKeys { try store.set(key.name, to: "gen-" + String(generation)) }
        try store.set(longKey.name, to: longValue(generation))
        try store.save()
    } catch {
        print("store-torture: " + error.description)
        exit(1)
    }
    generation += 1
}
