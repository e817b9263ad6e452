"""Behaviour of the schedules: validation, rounding, dates, each instrument, the Hong Kong calendar."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ValidationFailed
from financing.calendars import adjust, hk_holidays, is_business_day
from financing.schedules import (
    Schedule,
    ScheduleTerms,
    build_schedule,
    implicit_rate,
    level_payment,
    terms_from_mapping,
    to_minor,
)
from financing.schedules.terms import UNKNOWN_DAY_COUNT

PROPERTIES = settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def loan(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "instrument": "loan",
        "currency": "HKD",
        "principal": "100000.00",
        "annual_rate": "0.05",
        "start_date": "2025-01-15",
        "term_months": "12",
        "frequency": "monthly",
    }
    data.update(overrides)
    return data


def bond(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "instrument": "bond",
        "currency": "USD",
        "principal": "1000000.00",
        "annual_rate": "0.065",
        "start_date": "2025-03-15",
        "maturity_date": "2027-12-31",
        "frequency": "semiannual",
    }
    data.update(overrides)
    return data


def lease(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "instrument": "lease",
        "currency": "HKD",
        "principal": "500000.00",
        "annual_rate": "0.08",
        "start_date": "2025-01-15",
        "term_months": "36",
        "frequency": "quarterly",
        "residual_value": "50000.00",
    }
    data.update(overrides)
    return data


def schedule_of(data: dict[str, object]) -> Schedule:
    return build_schedule(terms_from_mapping(data))


def refusal(data: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        terms_from_mapping(data)
    return refused.value.fields


def column(schedule: Schedule, name: str) -> list[Any]:
    return [getattr(row, name) for row in schedule.rows]


# --- validation ------------------------------------------------------------------------------------


def test_bad_terms_are_refused_with_every_field_error_at_once() -> None:
    fields = refusal(
        {
            "instrument": "loan",
            "currency": "XXX",
            "principal": "-5",
            "annual_rate": "5",
            "start_date": "2025-02-30",
            "frequency": "weekly",
            "grace_periods": "two",
            "day_count": "act_act",
        }
    )

    assert fields == {
        "currency": ["Choose one of: HKD, CNY, MOP, USD."],
        "principal": ["Must be more than zero."],
        "annual_rate": ["Give the annual rate as a fraction from 0 up to (not including) 1: 0.05 is 5%."],
        "start_date": ["Enter a date as YYYY-MM-DD."],
        "frequency": ["Choose one of: monthly, quarterly, semiannual, annual."],
        "grace_periods": ["Enter a whole number."],
        "day_count": [UNKNOWN_DAY_COUNT],
        "maturity_date": ["Give maturity_date or term_months."],
        "term_months": ["Give maturity_date or term_months."],
    }


def test_the_refusal_maps_to_an_http_400_body_with_field_messages() -> None:
    with pytest.raises(ValidationFailed) as refused:
        terms_from_mapping(loan(principal="0"))

    assert refused.value.status_code == 400
    assert refused.value.as_dict() == {
        "detail": "The financing terms are not valid.",
        "code": "ValidationFailed",
        "principal": ["Must be more than zero."],
    }


def test_missing_instrument_currency_and_principal_are_required() -> None:
    fields = refusal({"instrument": "", "currency": None})

    assert {name: fields[name] for name in ("instrument", "currency", "principal")} == {
        "instrument": ["This field is required."],
        "currency": ["This field is required."],
        "principal": ["This field is required."],
    }


def test_a_debt_instrument_requires_its_rate_start_and_frequency() -> None:
    fields = refusal({"instrument": "bond", "currency": "HKD", "principal": "1000.00", "term_months": 12})

    assert fields == {
        name: ["This field is required."] for name in ("annual_rate", "start_date", "frequency")
    }


def test_a_principal_finer_than_the_currency_cent_is_refused() -> None:
    assert refusal(loan(principal="100.005")) == {"principal": ["Use at most 2 decimal places for HKD."]}


def test_a_float_amount_is_refused_so_no_binary_rounding_slips_in() -> None:
    assert refusal(loan(principal=100.10)) == {
        "principal": ['Send the number as a string, e.g. "1000.00", not as a float.'],
    }


@pytest.mark.parametrize("rate", ["-0.01", "1", "5"])
def test_a_rate_outside_zero_to_one_is_refused_with_the_fraction_hint(rate: str) -> None:
    assert refusal(loan(annual_rate=rate)) == {
        "annual_rate": ["Give the annual rate as a fraction from 0 up to (not including) 1: 0.05 is 5%."],
    }


def test_both_maturity_date_and_term_months_are_refused() -> None:
    message = ["Give either maturity_date or term_months, not both."]

    assert refusal(loan(maturity_date="2026-01-15")) == {"maturity_date": message, "term_months": message}


def test_a_maturity_not_after_the_start_is_refused() -> None:
    assert refusal(bond(maturity_date="2025-03-15")) == {"maturity_date": ["Must be after start_date."]}


def test_a_loan_maturity_off_the_payment_grid_is_refused_with_the_next_grid_date() -> None:
    fields = refusal(loan(term_months=None, maturity_date="2026-02-01", frequency="quarterly"))

    assert fields == {
        "maturity_date": ["Must fall a whole number of quarterly periods after start_date, e.g. 2026-04-15."],
    }


def test_a_loan_term_that_is_not_whole_periods_is_refused() -> None:
    assert refusal(loan(term_months="10", frequency="quarterly")) == {
        "term_months": ["Must be a whole number of quarterly periods (a multiple of 3)."],
    }


def test_grace_periods_must_leave_a_repayment() -> None:
    assert refusal(loan(grace_periods="12")) == {
        "grace_periods": ["Must leave at least one repayment: at most 11 for this term."],
    }


def test_a_lease_residual_must_be_below_the_asset_value() -> None:
    assert refusal(lease(residual_value="500000.00")) == {
        "residual_value": ["Must be less than principal (the asset value)."],
    }


def test_terms_that_belong_to_other_instruments_are_refused_on_a_loan() -> None:
    fields = refusal(loan(day_count="act_360", payment_timing="advance", residual_value="1.00"))

    assert set(fields) == {"day_count", "payment_timing", "residual_value"}


def test_a_bond_must_be_bullet_and_a_lease_must_be_level() -> None:
    assert refusal(bond(amortization="annuity")) == {
        "amortization": ["A bond repays its face value at maturity: use bullet."],
    }
    assert refusal(lease(amortization="equal_principal")) == {
        "amortization": ["Lease rentals are level: use annuity."],
    }


def test_a_bond_whose_dates_adjust_onto_one_business_day_is_refused() -> None:
    # Good Friday 2030 to the Saturday after it: both settle on Tuesday 23 April.
    assert refusal(bond(start_date="2030-04-19", maturity_date="2030-04-20", frequency="monthly")) == {
        "maturity_date": ["The term must end on a later business day than start_date."],
    }


def test_terms_built_in_code_are_validated_too() -> None:
    terms = ScheduleTerms(
        instrument="loan",
        currency="HKD",
        principal=Decimal("-1"),
        annual_rate=Decimal("0.05"),
        start_date=dt.date(2025, 1, 1),
        term_months=12,
        frequency="monthly",
    )

    with pytest.raises(ValidationFailed) as refused:
        build_schedule(terms)

    assert refused.value.fields == {"principal": ["Must be more than zero."]}


def test_dates_must_be_iso_and_not_datetimes() -> None:
    fields = refusal(loan(start_date="15/01/2025", term_months=None, maturity_date=dt.datetime(2026, 1, 15)))

    assert fields == {
        "start_date": ["Enter a date as YYYY-MM-DD."],
        "maturity_date": ["Enter a date as YYYY-MM-DD."],
    }


def test_parsed_terms_keep_decimals_exact_and_apply_the_defaults() -> None:
    terms = terms_from_mapping(loan(annual_rate=" 0.0525 "))

    assert terms == ScheduleTerms(
        instrument="loan",
        currency="HKD",
        principal=Decimal("100000.00"),
        annual_rate=Decimal("0.0525"),
        start_date=dt.date(2025, 1, 15),
        term_months=12,
        frequency="monthly",
    )
    assert (terms.day_count, terms.business_day_convention, terms.calendar) == (
        "act_365f",
        "modified_following",
        "HK",
    )
    assert terms.resolved_amortization == "annuity"


# --- equity ----------------------------------------------------------------------------------------


def test_equity_has_no_scheduled_cash_flows() -> None:
    schedule = schedule_of({"instrument": "equity", "currency": "HKD", "principal": "5000000.00"})

    assert schedule.as_dict() == {
        "rows": [],
        "totals": {"principal": "0.00", "interest": "0.00", "payment": "0.00"},
    }


# --- loans -----------------------------------------------------------------------------------------


def test_annuity_loan_pays_a_level_payment_and_the_last_row_settles_the_cents() -> None:
    schedule = schedule_of(loan())

    # numpy_financial.pmt(0.05 / 12, 12, -100000) = 8560.7481...
    assert column(schedule, "payment")[:-1] == [Decimal("8560.75")] * 11
    assert schedule.rows[-1].payment == Decimal("8560.73")
    assert schedule.rows[0].interest == Decimal("416.67")  # 100000 x 0.05 / 12
    assert schedule.as_dict()["totals"] == {
        "principal": "100000.00",
        "interest": "2728.98",
        "payment": "102728.98",
    }


def test_annuity_loan_principal_sums_exactly_to_the_principal() -> None:
    schedule = schedule_of(loan(principal="123456.78", annual_rate="0.0799", term_months="360"))

    assert schedule.totals.principal == Decimal("123456.78")
    assert schedule.rows[-1].outstanding == Decimal("0.00")


def test_equal_principal_loan_settles_the_residual_cent_in_the_last_period() -> None:
    schedule = schedule_of(loan(principal="100.00", term_months="3", amortization="equal_principal"))

    assert column(schedule, "principal") == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert column(schedule, "outstanding") == [Decimal("66.67"), Decimal("33.34"), Decimal("0.00")]


def test_grace_periods_pay_interest_only_then_the_loan_amortizes_over_the_rest() -> None:
    schedule = schedule_of(loan(principal="120000.00", annual_rate="0.06", grace_periods="3"))

    assert column(schedule, "principal")[:3] == [Decimal("0.00")] * 3
    assert column(schedule, "interest")[:3] == [Decimal("600.00")] * 3
    expected = to_minor(
        level_payment(Decimal("0.005"), 9, Decimal("120000.00"), Decimal(0), "arrears"), "HKD"
    )
    assert (
        schedule.rows[3].payment == expected == Decimal("13668.88")
    )  # numpy_financial.pmt(0.005, 9, -120000)
    assert schedule.totals.principal == Decimal("120000.00")


def test_bullet_loan_pays_interest_until_the_principal_at_maturity() -> None:
    schedule = schedule_of(loan(amortization="bullet", frequency="quarterly"))

    assert column(schedule, "interest") == [Decimal("1250.00")] * 4
    assert column(schedule, "principal") == [Decimal("0.00")] * 3 + [Decimal("100000.00")]


def test_a_zero_rate_loan_repays_only_principal() -> None:
    schedule = schedule_of(loan(principal="1000.00", annual_rate="0", term_months="3"))

    assert column(schedule, "payment") == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert schedule.totals.interest == Decimal("0.00")


def test_half_a_cent_of_interest_rounds_up() -> None:
    # 100.50 x 0.05 = 5.025 exactly: half up gives 5.03 (half even would give 5.02).
    schedule = schedule_of(
        loan(
            principal="100.50",
            annual_rate="0.05",
            term_months="12",
            frequency="annual",
            amortization="bullet",
        )
    )

    assert schedule.rows[0].interest == Decimal("5.03")


def test_payment_dates_from_a_month_end_start_stay_on_month_ends() -> None:
    schedule = schedule_of(loan(start_date="2025-01-31", term_months="4", calendar="none"))

    assert column(schedule, "date") == [
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
        dt.date(2025, 5, 31),
    ]


def test_payment_dates_keep_the_start_day_clamped_to_short_months() -> None:
    schedule = schedule_of(loan(start_date="2024-01-30", term_months="3", calendar="none"))

    assert column(schedule, "date") == [dt.date(2024, 2, 29), dt.date(2024, 3, 30), dt.date(2024, 4, 30)]


def test_modified_following_steps_back_rather_than_cross_a_month_end() -> None:
    # 31 May 2025 is a Saturday: following would pay on Monday 2 June, modified following on Friday 30 May.
    modified = schedule_of(loan(start_date="2025-01-31", term_months="4"))
    following = schedule_of(
        loan(start_date="2025-01-31", term_months="4", business_day_convention="following")
    )

    assert modified.rows[-1].date == dt.date(2025, 5, 30)
    assert following.rows[-1].date == dt.date(2025, 6, 2)


def test_a_payment_due_on_lunar_new_year_2027_moves_past_the_holidays() -> None:
    # 8 and 9 February 2027 are the third and fourth days of Lunar New Year (the first fell on a Saturday).
    schedule = schedule_of(loan(start_date="2026-12-08", term_months="3"))

    assert column(schedule, "date") == [dt.date(2027, 1, 8), dt.date(2027, 2, 10), dt.date(2027, 3, 8)]


def test_adjusted_dates_do_not_change_a_loan_amount() -> None:
    hk = schedule_of(loan(start_date="2026-12-08", term_months="3"))
    unadjusted = schedule_of(
        loan(start_date="2026-12-08", term_months="3", business_day_convention="unadjusted")
    )

    assert column(hk, "payment") == column(unadjusted, "payment")
    assert unadjusted.rows[1].date == dt.date(2027, 2, 8)


# --- bonds -----------------------------------------------------------------------------------------


def test_a_bond_has_a_short_first_stub_and_coupons_rolled_back_from_maturity() -> None:
    schedule = schedule_of(bond())

    assert column(schedule, "date") == [
        dt.date(2025, 6, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 12, 31),
        dt.date(2027, 6, 30),
        dt.date(2027, 12, 31),
    ]
    # Issued on Saturday 15 March, the stub accrues from Monday 17 March: 1000000 x 0.065 x 105 / 365.
    assert schedule.rows[0].interest == Decimal("18698.63")
    assert schedule.rows[1].interest == Decimal("32767.12")  # 184 days
    assert column(schedule, "principal") == [Decimal("0.00")] * 5 + [Decimal("1000000.00")]
    assert column(schedule, "outstanding") == [Decimal("1000000.00")] * 5 + [Decimal("0.00")]


def test_bond_interest_accrues_between_adjusted_coupon_dates() -> None:
    # 15 Feb 2026 is a Sunday: the coupon is paid on Monday 16 Feb and the next period starts there.
    schedule = schedule_of(
        bond(
            start_date="2025-08-15",
            maturity_date="2026-08-15",
            frequency="semiannual",
            principal="365000.00",
            annual_rate="0.1",
        )
    )

    assert column(schedule, "date") == [dt.date(2026, 2, 16), dt.date(2026, 8, 17)]
    assert column(schedule, "interest") == [
        Decimal("18500.00"),
        Decimal("18200.00"),
    ]  # 185 and 182 days x 100


def test_a_bond_without_a_stub_has_whole_periods() -> None:
    schedule = schedule_of(
        bond(
            start_date="2025-01-15", maturity_date=None, term_months="24", frequency="annual", calendar="none"
        )
    )

    assert column(schedule, "date") == [dt.date(2026, 1, 15), dt.date(2027, 1, 15)]
    assert column(schedule, "interest") == [Decimal("65000.00"), Decimal("65000.00")]


def test_bond_day_counts() -> None:
    common = {
        "start_date": "2025-01-31",
        "maturity_date": "2025-07-31",
        "frequency": "semiannual",
        "principal": "360000.00",
        "annual_rate": "0.1",
        "calendar": "none",
    }

    assert schedule_of(bond(**common, day_count="thirty_360")).rows[0].interest == Decimal("18000.00")
    assert schedule_of(bond(**common, day_count="act_360")).rows[0].interest == Decimal(
        "18100.00"
    )  # 181 days
    assert schedule_of(bond(**common)).rows[0].interest == Decimal("17852.05")  # 36000 x 181 / 365


# --- leases ----------------------------------------------------------------------------------------


def test_a_lease_in_arrears_pays_the_residual_with_the_last_rental() -> None:
    schedule = schedule_of(lease())

    rental = Decimal("43551.82")  # numpy_financial.pmt(0.02, 12, -500000, 50000, when="end")
    assert column(schedule, "payment")[:-1] == [rental] * 11
    assert schedule.rows[-1].principal > Decimal("50000.00")
    assert schedule.rows[-1].payment - rental - Decimal("50000.00") == Decimal("-0.01")  # the settled cent
    assert schedule.totals.principal == Decimal("500000.00")


def test_a_lease_in_advance_pays_on_the_start_date_and_the_residual_a_period_after_the_last_rental() -> None:
    schedule = schedule_of(lease(payment_timing="advance"))

    assert len(schedule.rows) == 13
    assert schedule.rows[0].date == dt.date(2025, 1, 15)
    assert schedule.rows[0].interest == Decimal("0.00")
    assert schedule.rows[0].principal == schedule.rows[0].payment == Decimal("42697.86")
    assert schedule.rows[11].date == dt.date(2027, 10, 15)
    residual = schedule.rows[12]
    assert (residual.period, residual.date, residual.payment) == (
        13,
        dt.date(2028, 1, 17),
        Decimal("50000.00"),
    )
    assert schedule.totals.principal == Decimal("500000.00")


def test_a_full_payout_lease_in_advance_has_no_residual_row() -> None:
    schedule = schedule_of(lease(payment_timing="advance", residual_value=None))

    assert len(schedule.rows) == 12
    assert schedule.rows[-1].outstanding == Decimal("0.00")


def test_the_outstanding_balance_of_a_lease_falls_towards_the_residual() -> None:
    schedule = schedule_of(lease())

    outstanding = column(schedule, "outstanding")
    assert outstanding == sorted(outstanding, reverse=True)
    assert outstanding[-2] > Decimal("50000.00") > outstanding[-1]


def test_the_implicit_rate_of_a_lease_rebuilds_the_entered_rental() -> None:
    rate = implicit_rate(Decimal("500000.00"), Decimal("43551.82"), 12, Decimal("50000.00"), "arrears", 4)

    assert abs(rate - Decimal("0.08")) < Decimal("1e-6")
    assert schedule_of(lease(annual_rate=str(rate))).rows[0].payment == Decimal("43551.82")


def test_rentals_that_do_not_repay_the_asset_have_no_implicit_rate() -> None:
    with pytest.raises(ValidationFailed) as refused:
        implicit_rate(Decimal("1000.00"), Decimal("80.00"), 12, Decimal("0.00"), "arrears", 12)

    assert refused.value.fields == {
        "rental": ["The rentals and the residual value add up to less than the asset value."]
    }


def test_rentals_implying_more_than_100_percent_a_year_are_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        implicit_rate(Decimal("1000.00"), Decimal("500.00"), 12, Decimal("0.00"), "arrears", 12)

    assert refused.value.fields == {"rental": ["The rentals imply an annual rate above 100%."]}


# --- the API shape ---------------------------------------------------------------------------------


def test_as_dict_gives_json_ready_strings_in_the_api_shape() -> None:
    body = schedule_of(loan(principal="1000", term_months="1")).as_dict()

    assert json.loads(json.dumps(body)) == {
        "rows": [
            {
                "period": 1,
                "date": "2025-02-17",
                "principal": "1000.00",
                "interest": "4.17",
                "payment": "1004.17",
                "outstanding": "0.00",
            }
        ],
        "totals": {"principal": "1000.00", "interest": "4.17", "payment": "1004.17"},
    }


# --- the Hong Kong calendar ------------------------------------------------------------------------


def test_lunar_new_year_2027_closes_monday_and_tuesday_after_a_saturday_new_year() -> None:
    assert [is_business_day(dt.date(2027, 2, day), "HK") for day in range(5, 11)] == [
        True,
        False,
        False,
        False,
        False,
        True,  # Fri 5, Sat 6 (new year), Sun 7, Mon 8, Tue 9, Wed 10
    ]


def test_the_hk_calendar_uses_general_holidays_with_their_substitute_days() -> None:
    assert dt.date(2025, 4, 18) in hk_holidays(2025)  # Good Friday: a bank holiday, not yet a statutory one
    assert dt.date(2026, 5, 25) in hk_holidays(2026)  # the day following the Buddha's Birthday on a Sunday
    assert dt.date(2021, 12, 27) in hk_holidays(2021)  # the first weekday after a Saturday Christmas
    assert not is_business_day(dt.date(2025, 7, 5), "HK")  # a Saturday
    assert is_business_day(dt.date(2025, 7, 5), "none")


def test_adjust_by_each_convention() -> None:
    saturday_31_may = dt.date(2025, 5, 31)

    assert adjust(saturday_31_may, "following", "HK") == dt.date(2025, 6, 2)
    assert adjust(saturday_31_may, "modified_following", "HK") == dt.date(2025, 5, 30)
    assert adjust(saturday_31_may, "unadjusted", "HK") == saturday_31_may
    assert adjust(saturday_31_may, "following", "none") == saturday_31_may


def test_an_unknown_calendar_or_convention_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="calendar"):
        is_business_day(dt.date(2025, 1, 1), "SG")
    with pytest.raises(ValueError, match="convention"):
        adjust(dt.date(2025, 1, 1), "preceding", "HK")


# --- properties over generated terms ---------------------------------------------------------------


@st.composite
def any_terms(draw: st.DrawFn) -> dict[str, object]:
    instrument = draw(st.sampled_from(("loan", "bond", "lease")))
    frequency = draw(st.sampled_from(("monthly", "quarterly", "semiannual", "annual")))
    months = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}[frequency]
    periods = draw(st.integers(1, 240 // months))
    principal = Decimal(draw(st.integers(1, 10**12))) / 100
    data: dict[str, object] = {
        "instrument": instrument,
        "currency": draw(st.sampled_from(("HKD", "CNY", "MOP", "USD"))),
        "principal": str(principal),
        "annual_rate": str(Decimal(draw(st.integers(0, 999_999))) / 10**6),
        "start_date": draw(st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31))).isoformat(),
        "term_months": periods * months,
        "frequency": frequency,
        "business_day_convention": draw(st.sampled_from(("following", "modified_following", "unadjusted"))),
    }
    if instrument == "loan":
        data["amortization"] = draw(st.sampled_from(("annuity", "equal_principal", "bullet")))
        if data["amortization"] != "bullet":
            data["grace_periods"] = draw(st.integers(0, periods - 1))
    if instrument == "lease":
        data["residual_value"] = str(Decimal(draw(st.integers(0, int(principal * 100) - 1))) / 100)
        data["payment_timing"] = draw(st.sampled_from(("advance", "arrears")))
    if instrument == "bond" and draw(st.booleans()):
        data["term_months"] = draw(st.integers(1, 240))
    return data


@PROPERTIES
@given(any_terms())
def test_every_schedule_reconciles_to_the_cent(data: dict[str, object]) -> None:
    refused: list[str] = []
    try:
        terms = terms_from_mapping(data)
    except ValidationFailed as refusal:
        refused = list(refusal.fields)
    if refused:
        # Only a term whose dates all adjust onto one business day may be refused here.
        assert refused in (["term_months"], ["maturity_date"])
        return
    schedule = build_schedule(terms)
    cent = Decimal("0.01")

    assert schedule.totals.principal == terms.principal
    assert schedule.rows[-1].outstanding == 0
    balance = terms.principal
    previous = None
    for row in schedule.rows:
        for amount in (row.principal, row.interest, row.payment, row.outstanding):
            assert amount >= 0
            assert amount == amount.quantize(cent)
        assert row.payment == row.principal + row.interest
        balance -= row.principal
        assert row.outstanding == balance
        assert previous is None or row.date > previous
        previous = row.date
    if terms.business_day_convention != "unadjusted":
        assert all(is_business_day(row.date, "HK") for row in schedule.rows)


@PROPERTIES
@given(
    st.integers(1, 10**9).map(lambda c: Decimal(c) / 100),
    st.integers(1, 500_000).map(lambda r: Decimal(r) / 10**6),
    st.integers(1, 120),
    st.sampled_from(("advance", "arrears")),
    st.sampled_from((1, 2, 4, 12)),
)
def test_the_implicit_rate_rebuilds_the_rental_it_was_solved_from(
    asset: Decimal, rate: Decimal, periods: int, timing: str, per_year: int
) -> None:
    rental = to_minor(level_payment(rate / per_year, periods, asset, Decimal(0), timing), "HKD")
    if rental * periods < asset or (timing == "advance" and periods == 1):
        return  # rounded to zero interest, or all paid on day one: no rate to solve for

    solved = implicit_rate(asset, rental, periods, Decimal(0), timing, per_year)

    rebuilt = to_minor(level_payment(solved / per_year, periods, asset, Decimal(0), timing), "HKD")
    assert rebuilt == rental
