/// The worked examples of seed 001 (MySkoda MQTT protocol), verbatim, with their topics.
enum SkodaSeedExamples {
    static let user = "50f8b18c-d444-422c-998f-2b599f4f0ec7"
    static let vin = "TMBJB9NY6RF999999"

    static func topic(_ suffix: String) -> String { user + "/" + vin + "/" + suffix }

    static let chargingTopic = topic("service-event/charging")
    static let changeSoc: [String] = [
        """
        {"version": 1, "traceId": "cd2e3695-c136-4835-8e05-7e6fc305e0b2", "timestamp": "2024-09-11T21:06:26Z",
         "producer": "SKODA_MHUB", "name": "change-soc",
         "data": {"mode": "manual", "state": "charging", "soc": "74", "chargedRange": "207", "timeToFinish": "25",
                  "userId": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "vin": "TMBJB9NY6RF999999"}}
        """,
        """
        {"version": 1, "traceId": "2b76b461-89cd-4a95-ac88-26d66e413241", "timestamp": "2024-09-11T21:17:09Z",
         "producer": "SKODA_MHUB", "name": "change-soc",
         "data": {"mode": "manual", "state": "charging", "soc": "77", "chargedRange": "215", "timeToFinish": "15",
                  "userId": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "vin": "TMBJB9NY6RF999999"}}
        """,
        """
        {"version": 1, "traceId": "576f65fa-5c81-4b07-b6dd-8ef31957e79b", "timestamp": "2024-09-11T21:27:48Z",
         "producer": "SKODA_MHUB", "name": "change-soc",
         "data": {"mode": "manual", "state": "chargePurposeReachedAndNotConservationCharging", "soc": "80",
                  "chargedRange": "223", "timeToFinish": "0",
                  "userId": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "vin": "TMBJB9NY6RF999999"}}
        """,
    ]
    /// (soc, range, minutes, state) of the three, in order.
    static let changeSocValues: [(String, String, String, String)] = [
        ("74", "207", "25", "charging"), ("77", "215", "15", "charging"),
        ("80", "223", "0", "chargePurposeReachedAndNotConservationCharging"),
    ]

    static let honkTopic = topic("operation-request/vehicle-access/honk-and-flash")
    static let flashInProgress = """
        {"version": 1, "operation": "start-flash", "status": "IN_PROGRESS",
         "traceId": "7620dfdabcf14fc5a3c832dccfb2510a", "requestId": "531f8dc4-8c2e-44ca-ac43-3cf47003d8cc"}
        """
    static let honkCompleted = """
        {"version": 1, "operation": "start-honk", "status": "COMPLETED_SUCCESS",
         "traceId": "2f546702916813538dce19ace9f6dac4", "requestId": "48335d5d-7f82-482c-868a-3dc1bbf6e227"}
        """

    static let windowHeatingTopic = topic("operation-request/air-conditioning/start-stop-window-heating")
    static let windowHeatingInProgress = """
        {"version": 1, "operation": "start-window-heating", "status": "IN_PROGRESS",
         "traceId": "800a74737b5a4328862d958c35b71b74", "requestId": "5a16b265-85e7-4502-bd24-c92091c3df31"}
        """
    static let windowHeatingTimeout = """
        {"version": 1, "operation": "start-window-heating", "status": "ERROR", "errorCode": "timeout",
         "traceId": "800a74737b5a4328862d958c35b71b74", "requestId": "5a16b265-85e7-4502-bd24-c92091c3df31"}
        """

    static let accessTopic = topic("service-event/vehicle-status/access")
    static let changeAccess = """
        {"version": 1, "traceId": "f9de3b45-9802-470d-ab45-221f4cf8fd97", "timestamp": "2024-09-09T20:34:53.546Z",
         "producer": "SKODA_MHUB", "name": "change-access",
         "data": {"userId": "50f8b18c-d444-422c-998f-2b599f4f0ec7", "vin": "TMBJB9NY6RF999999"}}
        """
}
