import pytest

from analyzer.detect import Detector
from analyzer.detect.shapes import check, is_imei, luhn_ok

from .helpers import fields, json_fields, kinds, run

AAID = "60e5d787-7b10-4341-8289-a784280e7f1f"


@pytest.fixture(scope="module")
def det():
    return Detector()


@pytest.mark.parametrize("key", ["gps_adid", "gaid", "advertiser_id", "adid", "advertising_id", "GPID", "idfa",
                                 "advertisingId", "aifa", "ifa", "google_aid", "aaid", "rdid", "userAdvertisingId"])
def test_aaid_key_names(det, key):
    assert kinds(run(json_fields({key: AAID}), detector=det)) == {("device_ids", "advertising_id")}


def test_uuid_without_identifying_key_is_not_an_advertising_id(det):
    assert run(json_fields({"session_uuid": AAID, "message_id": AAID, "uuid": AAID}), detector=det) == []


def test_zeroed_aaid_is_not_an_identifier(det):
    # limit-ad-tracking devices send all zeros
    assert run(json_fields({"gps_adid": "00000000-0000-0000-0000-000000000000"}), detector=det) == []


def test_device_ids(det):
    dets = run(json_fields({"android_id": "9774d56d682e549c", "app_set_id": "166d7fbf-d665-4962-8b51-d6633d7608ff",
                            "fid": "cZ3pLrT5Q0yXb1n2m3o4p5", "appInstanceId": "5f1c0e2a9b8d7c6e5f4a3b2c1d0e9f8a",
                            "imei": "490154203237518", "appsflyer_id": "1700000000000-1234567890123456789",
                            "customer_user_id": "user-8812"}), detector=det)
    assert kinds(dets) == {("device_ids", "android_id"), ("device_ids", "app_set_id"),
                           ("device_ids", "firebase_installation_id"), ("device_ids", "app_instance_id"),
                           ("device_ids", "imei"), ("device_ids", "vendor_id"), ("personal_info.user_ids", "user_id")}


def test_imei_must_pass_luhn(det):
    assert luhn_ok("490154203237518") and not luhn_ok("490154203237519")
    assert is_imei("490154203237518") and not is_imei("490154203237519")
    assert run(json_fields({"imei": "490154203237519"}), detector=det) == []


@pytest.mark.parametrize("shape, value, ok", [
    ("uuid", AAID, True), ("uuid", AAID.upper(), True), ("uuid", AAID[:-1], False),
    ("hex16", "9774d56d682e549c", True), ("hex16", "1234567890123456", False), ("hex16", "0000000000000000", False),
    ("fid", "cZ3pLrT5Q0yXb1n2m3o4p5", True), ("fid", "aZ3pLrT5Q0yXb1n2m3o4p5", False),
    ("id", "true", False), ("id", "null", False), ("id", "12345", False), ("id", "user-8812", True),
])
def test_shapes(shape, value, ok):
    assert check(shape, value) is ok


def test_custom_header_names(det):
    dets = run(fields(("header.x-device-id", "x-device-id", "9774d56d682e549c"),
                      ("header.x-advertising-id", "x-advertising-id", AAID)), detector=det)
    assert kinds(dets) == {("device_ids", "android_id"), ("device_ids", "advertising_id")}


def test_null_user_ids_are_skipped(det):
    assert run(json_fields({"user_id": "null", "userId": None, "customer_user_id": ""}), detector=det) == []
