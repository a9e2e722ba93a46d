#!/usr/bin/env python3
"""A fake MySkoda push broker's traffic: the seed 001 worked examples, published in a loop.

Publishes (with mosquitto_pub) to {user}/{vin}/... on a local broker that stands in for
mqtt.messagehub.de: change-soc 74 -> 77 -> 80 % (the last one twice, as Skoda sometimes
repeats an event with the same traceId), honk-and-flash, a window-heating request that ends in
a timeout error, a change-access event, then charging-completed, charging-error,
departure-error-plug and climatisation-completed in the shapes the maintained client models.
For `make demo` and manual tries:

  tools/skoda-feed.py --port 1883 [--interval 20] [--once]
"""
import argparse
import json
import subprocess
import time

USER = "50f8b18c-d444-422c-998f-2b599f4f0ec7"
VIN = "TMBJB9NY6RF999999"


def soc(trace, stamp, state, soc, rng, minutes):
    return {"version": 1, "traceId": trace, "timestamp": stamp, "producer": "SKODA_MHUB", "name": "change-soc",
            "data": {"mode": "manual", "state": state, "soc": soc, "chargedRange": rng, "timeToFinish": minutes,
                     "userId": USER, "vin": VIN}}


def service_event(name, trace, stamp, **data):
    data.update({"userId": USER, "vin": VIN})
    return {"version": 1, "traceId": trace, "timestamp": stamp, "producer": "SKODA_MHUB", "name": name, "data": data}


def operation(name, status, trace, request, error=None):
    doc = {"version": 1, "operation": name, "status": status, "traceId": trace, "requestId": request}
    if error:
        doc["errorCode"] = error
    return doc


EXAMPLES = [
    ("service-event/charging", soc("cd2e3695-c136-4835-8e05-7e6fc305e0b2", "2024-09-11T21:06:26Z", "charging", "74", "207", "25")),
    ("operation-request/vehicle-access/honk-and-flash",
     operation("start-flash", "IN_PROGRESS", "7620dfdabcf14fc5a3c832dccfb2510a", "531f8dc4-8c2e-44ca-ac43-3cf47003d8cc")),
    ("operation-request/vehicle-access/honk-and-flash",
     operation("start-flash", "COMPLETED_SUCCESS", "7620dfdabcf14fc5a3c832dccfb2510a", "531f8dc4-8c2e-44ca-ac43-3cf47003d8cc")),
    ("service-event/charging", soc("2b76b461-89cd-4a95-ac88-26d66e413241", "2024-09-11T21:17:09Z", "charging", "77", "215", "15")),
    ("operation-request/air-conditioning/start-stop-window-heating",
     operation("start-window-heating", "IN_PROGRESS", "800a74737b5a4328862d958c35b71b74", "5a16b265-85e7-4502-bd24-c92091c3df31")),
    ("operation-request/air-conditioning/start-stop-window-heating",
     operation("start-window-heating", "ERROR", "800a74737b5a4328862d958c35b71b74", "5a16b265-85e7-4502-bd24-c92091c3df31",
               "timeout")),
    ("service-event/vehicle-status/access",
     {"version": 1, "traceId": "f9de3b45-9802-470d-ab45-221f4cf8fd97", "timestamp": "2024-09-09T20:34:53.546Z",
      "producer": "SKODA_MHUB", "name": "change-access", "data": {"userId": USER, "vin": VIN}}),
    ("service-event/charging", soc("576f65fa-5c81-4b07-b6dd-8ef31957e79b", "2024-09-11T21:27:48Z",
                                   "chargePurposeReachedAndNotConservationCharging", "80", "223", "0")),
    ("service-event/charging", soc("576f65fa-5c81-4b07-b6dd-8ef31957e79b", "2024-09-11T21:27:48Z",
                                   "chargePurposeReachedAndNotConservationCharging", "80", "223", "0")),
    ("service-event/charging", service_event("charging-completed", "0c3f5a4e-61c2-4b0e-9d7e-4f1f3c2b1a01",
                                             "2024-09-11T21:28:02Z", mode="manual",
                                             state="chargePurposeReachedAndConservation", soc="80",
                                             chargedRange="223", timeToFinish="null")),
    ("service-event/charging", service_event("charging-error", "81b50439-af83-44e1-9515-5b3925d4c34a",
                                             "2024-11-09T13:30:34Z", errorCode="STOPPED_DEVICE")),
    ("service-event/departure", service_event("departure-error-plug", "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
                                              "2024-11-15T13:14:41Z", errorCode="CLIMA")),
    ("service-event/air-conditioning", service_event("climatisation-completed", "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
                                                     "2024-11-15T13:20:00Z", state="HEATING", timeToFinish="0")),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--interval", type=float, default=20, help="seconds between rounds")
    parser.add_argument("--gap", type=float, default=1, help="seconds between messages")
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    while True:
        for suffix, doc in EXAMPLES:
            topic = "%s/%s/%s" % (USER, VIN, suffix)
            subprocess.run(["mosquitto_pub", "-h", args.host, "-p", str(args.port), "-q", "1", "-t", topic,
                            "-m", json.dumps(doc)], check=False)
            time.sleep(args.gap)
        if args.once:
            return
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
