"""An invalid household's 422 lists every problem; the date may be Jalali."""

from __future__ import annotations

from tests.service.conftest import DAY, Service, household


def test_every_problem_of_a_household_is_in_the_4xx_body(service: Service) -> None:
    body = household(assets=-1, housing="palace")
    del body["income"]
    body["members"][0]["age"] = 500
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=body, headers=service.auth())
    assert r.status_code == 422, r.text
    data = r.json()
    assert data["code"] == "invalid-input" and data["field"] == "income"
    assert [e["field"] for e in data["errors"]] == [
        "income",
        "assets",
        "housing",
        "members[0].age",
    ]
    assert data["errors"][0]["message"] == "required"
    assert data["error"].startswith("4 problems: income: required; assets: ")
    assert service.rows() == 0


def test_a_jalali_date_is_the_same_day_as_its_gregorian_one(service: Service) -> None:
    jalali = service.client.post(
        "/v1/eligibility?date=1404-03-11", json=household(), headers=service.auth()
    )
    assert jalali.status_code == 201, jalali.text
    assert jalali.json()["date"] == "2025-06-01" == DAY
    assert jalali.json()["date_jalali"] == "1404-03-11" and jalali.json()["fiscal_year"] == 1404
    forced = service.client.post(
        "/v1/eligibility?date=2025-06-01",
        json=household(),
        headers=service.auth(),
    )
    assert forced.json()["services"] == jalali.json()["services"]


def test_an_ambiguous_date_is_refused_naming_the_field(service: Service) -> None:
    r = service.client.post(
        "/v1/eligibility?date=04-03-11", json=household(), headers=service.auth()
    )
    assert r.status_code == 422 and r.json()["field"] == "date"
    assert "ambiguous" in r.json()["error"]
    assert service.rows() == 0


def test_the_rules_document_has_persian_explanations_sources_and_jalali_dates(
    service: Service,
) -> None:
    rules = service.client.get("/v1/rules", headers=service.auth()).json()
    food = next(s for s in rules["services"] if s["id"] == "food_package")
    assert all(c["explain_fa"] for c in food["conditions"])
    line = next(p for p in rules["parameters"] if p["name"] == "poverty_line.urban")
    assert line["assumption"] is True
    assert line["values"][0]["start"] == "2020-03-20"
    assert line["values"][0]["start_jalali"] == "1399-01-01"
    caseload = next(p for p in rules["parameters"] if p["name"] == "caseload.files_per_worker")
    assert caseload["assumption"] is False and caseload["source"].startswith("Seed 001")
