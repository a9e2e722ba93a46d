/// The `rpc.capnp` layouts this server reads and writes, by the schema's numbering: the
/// `Message` union's members, and the data/pointer positions of each struct we touch.
enum CapnpRPC {
    /// `Message` union discriminants.
    enum Which: UInt16 {
        case unimplemented = 0, abort = 1, call = 2, `return` = 3, finish = 4, resolve = 5, release = 6
        case obsoleteSave = 7, bootstrap = 8, obsoleteDelete = 9, provide = 10, accept = 11, join = 12
        case disembargo = 13
    }

    // Message: 1 data word (union tag at u16 0), 1 pointer (the member).
    static let messageData = 1, messagePointers = 1
    // Return: answerId u32 0, releaseParamCaps bit 32 (default true), union tag u16 3,
    // results/exception pointer 0.
    static let returnData = 2, returnPointers = 1, returnTag = 3
    static let returnResults: UInt16 = 0, returnException: UInt16 = 1
    // Payload: content pointer 0, capTable pointer 1.
    static let payloadData = 0, payloadPointers = 2
    // CapDescriptor: union tag u16 0 (senderHosted = 1), id u32 1, attachedFd u8 2 (default 255).
    static let capDescriptorData = 1, capDescriptorPointers = 1, senderHosted: UInt16 = 1
    // Exception: reason pointer 0, trace pointer 1, type u16 2.
    static let exceptionData = 1, exceptionPointers = 2, exceptionType = 2
    // MessageTarget: union tag u16 2: importedCap u32 0 (tag 0) or promisedAnswer pointer 0 (tag 1).
    static let targetTag = 2
    // Call: questionId u32 0, methodId u16 2, sendResultsTo tag u16 3, interfaceId u64 1,
    // target pointer 0, params pointer 1.

    /// Builds a message with member `which` and returns the member's struct.
    static func message(_ which: Which, dataWords: Int, pointerCount: Int) -> (CapnpBuilder, CapnpStructBuilder) {
        let builder = CapnpBuilder()
        let root = builder.initRoot(dataWords: messageData, pointerCount: messagePointers)
        root.setUInt16(at: 0, which.rawValue)
        return (builder, root.initStruct(0, dataWords: dataWords, pointerCount: pointerCount))
    }

    /// Fills an `Exception` struct behind pointer `index` of `parent`.
    static func setException(_ parent: CapnpStructBuilder, _ index: Int, _ type: CapnpExceptionType, _ reason: String) {
        let exception = parent.initStruct(index, dataWords: exceptionData, pointerCount: exceptionPointers)
        exception.setText(0, reason)
        exception.setUInt16(at: exceptionType, type.rawValue)
    }

    /// `Abort`: the reason this side is closing the connection.
    static func abort(_ reason: String) -> [UInt8] {
        let builder = CapnpBuilder()
        let root = builder.initRoot(dataWords: messageData, pointerCount: messagePointers)
        root.setUInt16(at: 0, Which.abort.rawValue)
        setException(root, 0, .failed, reason)
        return builder.framed()
    }

    /// `Unimplemented` echoing a message we do not handle. The echo carries the member's tag
    /// only, not a copy of its content: enough for a peer to see which message it was.
    static func unimplemented(_ which: UInt16) -> [UInt8] {
        let builder = CapnpBuilder()
        let root = builder.initRoot(dataWords: messageData, pointerCount: messagePointers)
        root.setUInt16(at: 0, Which.unimplemented.rawValue)
        let echo = root.initStruct(0, dataWords: messageData, pointerCount: messagePointers)
        echo.setUInt16(at: 0, which)
        return builder.framed()
    }

    /// `Return` with results: the payload's content is the results struct `fill` writes.
    static func returnResults(answerID: UInt32, dataWords: Int, pointerCount: Int,
                              fill: (CapnpStructBuilder) -> Void) -> [UInt8] {
        let (builder, ret) = message(.return, dataWords: returnData, pointerCount: returnPointers)
        ret.setUInt32(at: 0, answerID)
        ret.setUInt16(at: returnTag, returnResults)
        let payload = ret.initStruct(0, dataWords: payloadData, pointerCount: payloadPointers)
        fill(payload.initStruct(0, dataWords: dataWords, pointerCount: pointerCount))
        _ = payload.initStructList(1, count: 0, dataWords: capDescriptorData, pointerCount: capDescriptorPointers)
        return builder.framed()
    }

    /// `Return` of a bootstrap: the payload's content is capability 0 of its cap table, our
    /// export `exportID`.
    static func returnCapability(answerID: UInt32, exportID: UInt32) -> [UInt8] {
        let (builder, ret) = message(.return, dataWords: returnData, pointerCount: returnPointers)
        ret.setUInt32(at: 0, answerID)
        ret.setUInt16(at: returnTag, returnResults)
        let payload = ret.initStruct(0, dataWords: payloadData, pointerCount: payloadPointers)
        payload.setCapability(0, capIndex: 0)
        let table = payload.initStructList(1, count: 1, dataWords: capDescriptorData, pointerCount: capDescriptorPointers)
        table[0].setUInt16(at: 0, senderHosted)
        table[0].setUInt32(at: 1, exportID)
        return builder.framed()
    }

    /// `Return` with an exception.
    static func returnException(answerID: UInt32, _ type: CapnpExceptionType, _ reason: String) -> [UInt8] {
        let (builder, ret) = message(.return, dataWords: returnData, pointerCount: returnPointers)
        ret.setUInt32(at: 0, answerID)
        ret.setUInt16(at: returnTag, returnException)
        setException(ret, 0, type, reason)
        return builder.framed()
    }
}
