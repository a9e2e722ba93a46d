import CSupport

/// A POSIX thread running one closure. Used only where a source can outrun the run loop
/// (the CAN reader); everything else lives on the loop.
public final class WorkerThread {
    private var handle = pthread_t()
    private var joined = false

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread. It is `@Sendable`: whatever it captures is shared with
    /// the thread that started it, so the compiler checks it is made for that (a ring, an atomic).
    public init(_ body: @escaping @Sendable () -> Void) throws(RuntimeError) {
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(&handle, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        if result != 0 {
            Unmanaged<Box>.fromOpaque(context).release()
            throw .threadStart(Errno(result))
        }
    }

    /// Waits for the thread to finish.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    deinit {
        if !joined { pthread_detach(handle) }
    }
}
