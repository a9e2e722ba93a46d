import Foundation
import Runtime

extension EventLoop {
    /// Runs the loop until `condition` holds or `timeout` seconds pass; returns `condition`.
    @discardableResult
    public func run(timeout: TimeInterval, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline {
            try? runOnce(maxWait: .milliseconds(20))
        }
        return condition()
    }
}
