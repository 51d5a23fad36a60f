"""WebSource against a fake chatgpt.com over TLS: JSON endpoints, dashboard pages, account match, errors."""

from __future__ import annotations

import pytest

from codexbar_core import errors
from codexbar_core.normalize import plan_display_name
from codexbar_core.sources.web import CLOUDFLARE_MESSAGE, LOGIN_MESSAGE, WORKSPACE_MESSAGE, WebSource
from tests.web.conftest import cookie_header
from tests.web.fake_chatgpt import DASHBOARD, SESSION_VALUE


def fetch(ctx):
    return WebSource().fetch(ctx)


def env_cookie(value: str = SESSION_VALUE) -> dict[str, str]:
    return {"CODEXBAR_OPENAI_COOKIE": cookie_header(value)}


def test_json_endpoints_give_windows_credits_identity_and_the_page_gives_the_plan(chatgpt, make_ctx):
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert snap.source == "openai-web"
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (12, 300)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (34, 10080)
    assert snap.credits.balance == 12.5
    assert snap.identity.email == "tester@example.com"
    assert snap.identity.plan == "prolite"  # the page's planType wins over the API's plan_type
    assert snap.web.plan == "Pro 5x"
    assert snap.web.email == "tester@example.com"
    assert snap.web.renewal == "renews at 2026-12-24"
    # every request carried the session cookie and asked like the dashboard does
    usage_req = chatgpt.backend.requests_to("/backend-api/wham/usage")[0]
    assert SESSION_VALUE in usage_req["headers"]["cookie"]
    assert usage_req["headers"]["accept-language"].startswith("en-US")
    assert "authorization" not in usage_req["headers"]
    assert chatgpt.backend.requests_to(DASHBOARD)
    # wham/usage named the account, so no identity round trip was needed
    assert not chatgpt.backend.requests_to("/backend-api/me")


def test_identity_comes_from_me_then_session_when_usage_has_no_email(chatgpt, make_ctx):
    chatgpt.usage_has_email = False
    chatgpt.me_email = None
    chatgpt.page_name = "workspace"
    chatgpt.email = "tester@example.com"
    snap = fetch(make_ctx(**env_cookie(), mode="off"))
    assert snap.identity.email == "tester@example.com"
    assert len(chatgpt.backend.requests_to("/backend-api/me")) == 1
    assert len(chatgpt.backend.requests_to("/api/auth/session")) == 1


def test_signed_out_cookie_is_a_login_wall(chatgpt, make_ctx):
    with pytest.raises(errors.LoginRequired) as info:
        fetch(make_ctx(mode="off", **env_cookie("sess-expired")))
    assert info.value.message.startswith(LOGIN_MESSAGE)
    assert "paste a fresh one" in info.value.message
    assert "sess-expired" not in str(info.value)


def test_cookies_are_never_sent_to_a_plain_http_origin(make_ctx):
    with pytest.raises(errors.NotConfigured) as info:
        fetch(make_ctx(mode="off", CODEXBAR_WEB_BASE_URL="http://chatgpt.example", **env_cookie()))
    assert "https" in info.value.message


def test_cloudflare_interstitial_is_reported(chatgpt, make_ctx):
    chatgpt.mode = "cloudflare"
    with pytest.raises(errors.LoginRequired) as info:
        fetch(make_ctx(mode="off", **env_cookie()))
    assert info.value.message == CLOUDFLARE_MESSAGE
    assert "Cloudflare" in info.value.message


def test_workspace_picker_without_json_usage_says_what_to_do(chatgpt, make_ctx):
    chatgpt.usage = None
    chatgpt.page_name = "workspace"
    with pytest.raises(errors.LoginRequired) as info:
        fetch(make_ctx(mode="off", **env_cookie()))
    assert info.value.message == WORKSPACE_MESSAGE


def test_workspace_picker_does_not_hide_json_usage(chatgpt, make_ctx):
    chatgpt.page_name = "workspace"
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert snap.primary.used_percent == 12
    assert snap.identity.plan == "prolite"  # no plan on the picker page: the API's plan_type


def test_other_accounts_dashboard_is_not_attached(chatgpt, make_ctx):
    chatgpt.email = "someone.else@example.org"
    with pytest.raises(errors.AccountMismatch) as info:
        fetch(make_ctx(mode="off", **env_cookie()))
    message = info.value.message
    assert "tester@example.com" in message and "someone.else@example.org" in message
    assert SESSION_VALUE not in message


def test_account_match_ignores_case_and_unknown_target_accepts_any(chatgpt, make_ctx):
    chatgpt.email = "Tester@Example.com"
    assert fetch(make_ctx(mode="off", **env_cookie())).identity.email == "Tester@Example.com"
    chatgpt.email = "anyone@example.net"
    assert fetch(make_ctx(mode="off", expected=None, **env_cookie())).identity.email == "anyone@example.net"


def test_sample_page_alone_gives_pro_5x_and_28_59(chatgpt, make_ctx):
    chatgpt.usage = None  # JSON endpoint gone: everything from the dashboard HTML
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert plan_display_name(snap.identity.plan) == "Pro 5x"
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (28, 300)
    assert "resets" in snap.primary.reset_description.lower()
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (59, 10080)


def test_page_extras_code_review_credits_history_and_purchase_link(chatgpt, make_ctx):
    chatgpt.usage = None
    chatgpt.page_name = "extras"
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert snap.primary.used_percent == 10 and snap.secondary.used_percent == 25
    assert snap.web.code_review_left_percent == 42
    assert snap.credits.balance == pytest.approx(1234.56)
    assert snap.web.credits_remaining == pytest.approx(1234.56)
    assert [(e.date, e.service, e.amount) for e in snap.web.credit_history] == [
        ("2025-12-18", "CLI", 397.205), ("2025-12-17", "GitHub Code Review", 506.235)]
    assert snap.web.purchase_url == "https://chatgpt.com/codex/settings/usage"
    assert snap.web.plan == "Plus"


def test_api_credits_win_over_page_credits(chatgpt, make_ctx):
    chatgpt.page_name = "extras"
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert snap.credits.balance == 12.5
    assert snap.primary.used_percent == 12  # API windows win over page-parsed ones
    assert snap.web.code_review_left_percent == 42


def test_server_error_is_transient_not_a_login_problem(chatgpt, make_ctx):
    from tests.rig.fake_backend import Reply

    chatgpt.backend.route("GET", "/backend-api/wham/usage", lambda req: Reply(503, {"detail": "down"}))
    chatgpt.backend.route("GET", DASHBOARD, lambda req: Reply(502, "<html>Bad gateway</html>"))
    with pytest.raises(errors.Unavailable) as info:
        fetch(make_ctx(mode="off", **env_cookie()))
    assert "503" in info.value.message


def test_cookies_off_makes_the_source_unavailable(make_ctx):
    avail = WebSource().availability(make_ctx(mode="off"))
    assert not avail.usable and "cookies mode auto" in avail.reason


def test_manual_mode_without_a_header_says_how_to_set_one(make_ctx):
    with pytest.raises(errors.NotConfigured) as info:
        fetch(make_ctx(mode="manual"))
    assert "codexbar cookies set" in info.value.message


def test_env_header_without_session_cookie_is_rejected_plainly(make_ctx):
    with pytest.raises(errors.NotConfigured) as info:
        fetch(make_ctx(mode="off", CODEXBAR_OPENAI_COOKIE="oai-did=abc; theme=dark"))
    assert "session cookie" in info.value.message
    assert "abc" not in info.value.message


def test_workspace_monthly_limit_from_spend_controls(chatgpt, make_ctx):
    from tests.rig.fake_backend import ACCOUNT_ID, Reply, usage_body

    chatgpt.usage = dict(usage_body(plan="business", credits_balance="0"), spend_control={"reached": False})
    chatgpt.page_name = "workspace"
    path = f"/backend-api/accounts/{ACCOUNT_ID}/spend-controls/current-user/monthly-usage"
    chatgpt.backend.route("GET", path, lambda req: Reply(body={
        "current_month_usage": 3046.45,
        "effective_monthly_limit": {"limit": 7000, "enforcement_mode": "HARD_CAP", "limit_mode": "amount_credits"}}))
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert snap.credits.limit.limit == 7000
    assert snap.credits.remaining == pytest.approx(7000 - 3046.45)
    assert SESSION_VALUE in chatgpt.backend.requests_to("/monthly-usage")[0]["headers"]["cookie"]


def test_personal_plans_do_not_ask_for_a_workspace_limit(chatgpt, make_ctx):
    chatgpt.usage = dict(chatgpt.usage, plan_type="plus", spend_control={})
    fetch(make_ctx(mode="off", **env_cookie()))
    assert not chatgpt.backend.requests_to("/monthly-usage")


def test_backend_that_wants_the_session_access_token_gets_it(chatgpt, make_ctx):
    import json

    from tests.web.fake_chatgpt import access_token

    chatgpt.bearer_only = True
    chatgpt.page_name = "workspace"  # no usage text on the page: the numbers must come from the JSON
    snap = fetch(make_ctx(mode="off", **env_cookie()))
    assert snap.primary.used_percent == 12 and snap.web.renewal == "renews at 2026-12-24"
    token = access_token("tester@example.com")
    last = chatgpt.backend.requests_to("/backend-api/wham/usage")[-1]["headers"]
    assert last["authorization"] == f"Bearer {token}"
    assert token not in json.dumps(snap.to_dict())


def test_no_access_token_for_a_signed_out_session(chatgpt, make_ctx):
    chatgpt.bearer_only = True
    with pytest.raises(errors.LoginRequired):
        fetch(make_ctx(mode="off", **env_cookie("sess-nobody")))
    assert all("authorization" not in r["headers"] for r in chatgpt.backend.requests)
