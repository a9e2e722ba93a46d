/// The last frame of each of the most recently heard ids, for the dashboard: at most
/// `capacity` ids, the one heard longest ago making room. Recording is a copy into a fixed
/// array and a search of at most `capacity` ids, cheap at any frame rate.
public struct CANRecentFrames {
    public static let capacity = 6

    /// Most recent first.
    public private(set) var frames: [CANFrame] = []

    public init() { frames.reserveCapacity(CANRecentFrames.capacity) }

    public mutating func record(_ frame: CANFrame) {
        if let index = frames.firstIndex(where: { $0.id == frame.id && $0.isExtended == frame.isExtended }) {
            frames.remove(at: index)
        } else if frames.count == CANRecentFrames.capacity {
            frames.removeLast()
        }
        frames.insert(frame, at: 0)
    }
}
