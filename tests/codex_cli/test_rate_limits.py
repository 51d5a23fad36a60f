"""Mapping of the app-server answers (shapes from rpc_transcripts/ of the real 0.169.0) and error recovery."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from codexbar_core import errors
from codexbar_core.model import from_epoch
from codexbar_core.sources import rate_limits as rl

GROUP = {"limitId": "codex", "limitName": None, "normalModelSlug": None,
         "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1795479195},
         "secondary": {"usedPercent": 17, "windowDurationMins": 10080, "resetsAt": 1795751415},
         "credits": {"hasCredits": True, "unlimited": False, "balance": "12.5"},
         "individualLimit": None, "spendControlReached": None, "planType": "pro", "rateLimitReachedType": None}
RESULT = {"ordinaryUsageAllowed": True, "rateLimits": GROUP, "rateLimitsByLimitId": {"codex": GROUP},
          "rateLimitResetCredits": {"availableCount": 0, "credits": []},
          "accountId": "11111111-2222-4333-8444-555555555555", "rateLimitUpsell": None}
ACCOUNT = {"account": {"type": "chatgpt", "email": "tester@example.com", "planType": "pro", "workspaceName": None},
           "userId": "user-1", "requiresOpenaiAuth": True,
           "workspaceRouting": {"chatgptAccountId": "11111111-2222-4333-8444-555555555555"}}


def result(**group_changes) -> dict:
    group = dict(copy.deepcopy(GROUP), **group_changes)
    return dict(copy.deepcopy(RESULT), rateLimits=group, rateLimitsByLimitId={"codex": group})


def test_default_answer():
    snap = rl.snapshot_from_rpc(RESULT, ACCOUNT, cli_version="0.169.0")
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (42, 300)
    assert snap.primary.resets_at == from_epoch(1795479195)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (17, 10080)
    assert snap.credits.balance == 12.5 and snap.credits.has_credits and not snap.credits.unlimited
    assert (snap.identity.email, snap.identity.plan, snap.identity.login_method) == ("tester@example.com", "pro",
                                                                                     "chatgpt")
    assert snap.identity.account_id == "11111111-2222-4333-8444-555555555555"
    assert snap.extra_windows == [] and snap.source == "codex-cli" and snap.cli_version == "0.169.0"


def test_snake_case_keys_are_accepted():
    raw = {"rate_limits": {"limit_id": "codex", "primary": {"used_percent": 5, "window_duration_mins": 300,
                                                            "resets_at": 1795479195},
                           "plan_type": "plus", "individual_limit": {"limit": 1000, "used": 250,
                                                                     "remaining_percent": 75}}}
    snap = rl.snapshot_from_rpc(raw)
    assert snap.primary.used_percent == 5 and snap.identity.plan == "plus"
    assert snap.credits.limit.remaining == 750


def test_session_window_in_a_per_model_group_is_folded_in():
    weekly_only = {"limitId": "codex", "primary": {"usedPercent": 30, "windowDurationMins": 10080}, "planType": "pro"}
    per_model = {"limitId": "codex-gpt-5", "limitName": "GPT-5", "primary": {"usedPercent": 12,
                                                                            "windowDurationMins": 300}}
    spark = {"limitId": "codex-spark", "limitName": "GPT-5.3-Codex-Spark",
             "primary": {"usedPercent": 20, "windowDurationMins": 300},
             "secondary": {"usedPercent": 80, "windowDurationMins": 10080}}
    raw = {"rateLimits": weekly_only, "rateLimitsByLimitId": {"codex": weekly_only, "codex-gpt-5": per_model,
                                                              "codex-spark": spark}}
    snap = rl.snapshot_from_rpc(raw)
    lanes = {w.window_minutes: w.used_percent for w in (snap.primary, snap.secondary)}
    assert lanes == {10080: 30, 300: 12}
    assert [(w.id, w.used_percent) for w in snap.extra_windows] == [("codex-spark", 20), ("codex-spark-weekly", 80)]


def test_groups_only_answer():
    snap = rl.snapshot_from_rpc({"rateLimits": None, "rateLimitsByLimitId": {"codex": GROUP}})
    assert snap.primary.used_percent == 42 and snap.secondary.used_percent == 17


def test_individual_limit_from_a_group():
    group = dict(GROUP, individualLimit={"limit": 100000, "used": 7761, "remainingPercent": 92.239,
                                         "resetsAt": 1782864000}, limitName="Monthly credit limit")
    snap = rl.snapshot_from_rpc(dict(RESULT, rateLimits=GROUP, rateLimitsByLimitId={"codex": group}))
    assert snap.credits.limit.remaining == 92239 and snap.credits.limit.remaining_percent == 92.239
    assert snap.credits.remaining == 92239


def test_unlimited_and_missing_credits():
    assert rl.snapshot_from_rpc(result(credits={"hasCredits": True, "unlimited": True, "balance": None})
                                ).credits.unlimited
    assert rl.snapshot_from_rpc(result(credits=None)).credits is None
    assert rl.snapshot_from_rpc(result(credits={"hasCredits": True, "unlimited": False, "balance": "junk"})
                                ).credits.balance == 0


def test_plan_only_answer_is_identity_only():
    snap = rl.snapshot_from_rpc({"rateLimits": {"planType": "pro"}},
                                {"account": {"type": "chatgpt", "email": "stub@example.com", "planType": "pro"}})
    assert not snap.has_windows and snap.identity.email == "stub@example.com" and snap.identity.plan == "pro"


def test_credits_only_answer_keeps_the_credits():
    snap = rl.snapshot_from_rpc({"rateLimits": {"credits": {"hasCredits": True, "unlimited": False,
                                                            "balance": "21"}}})
    assert not snap.has_windows and snap.credits.balance == 21


def test_nothing_at_all_is_no_rate_limits():
    with pytest.raises(errors.NoRateLimits):
        rl.snapshot_from_rpc({"rateLimits": {}})


# -- body recovery (docs/reference/usage-sources.md, "The app-server (cli source)") --------------------------------------------------

PROLITE_BODY = {"email": "prolite-test@example.com", "plan_type": "prolite",
                "rate_limit": {"primary_window": {"used_percent": 4, "limit_window_seconds": 18000,
                                                  "reset_at": 1776216359},
                               "secondary_window": {"used_percent": 19, "limit_window_seconds": 604800,
                                                    "reset_at": 1776395384}},
                "credits": {"has_credits": False, "unlimited": False, "balance": "0E-10"}}


def decode_error(body: dict) -> str:
    return ("failed to fetch codex rate limits: Decode error for https://chatgpt.com/backend-api/wham/usage: "
            "unknown variant `prolite`, expected one of `free`, `plus`; content-type=application/json; body="
            + json.dumps(body, indent=2))


def test_usage_is_recovered_from_the_error_body():
    snap = rl.recover_from_error(decode_error(PROLITE_BODY))
    assert (snap.primary.used_percent, snap.primary.window_minutes) == (4, 300)
    assert (snap.secondary.used_percent, snap.secondary.window_minutes) == (19, 10080)
    assert snap.identity.email == "prolite-test@example.com" and snap.identity.plan == "prolite"
    assert snap.credits.balance == 0


def test_no_recovery_when_the_session_lane_does_not_decode():
    body = copy.deepcopy(PROLITE_BODY)
    body["rate_limit"]["primary_window"]["used_percent"] = "oops"
    assert rl.recover_from_error(decode_error(body)) is None


def test_body_extraction_is_string_aware():
    message = 'x; body={"detail": "a } brace and a \\" quote", "n": {"k": 1}} trailing }'
    assert rl.extract_body(message) == {"detail": 'a } brace and a " quote', "n": {"k": 1}}
    assert rl.extract_body("no body here") is None
    assert rl.extract_body("body={unterminated") is None


def test_real_float_percent_error_is_recovered():
    """codex 0.169.0 fails the whole read on used_percent 97.4 but embeds the body (rpc_transcripts)."""
    message = ("failed to fetch codex rate limits: Decode error for https://127.0.0.1:18080/backend-api/wham/usage: "
               "invalid type: map, expected i32 at line 42 column 1; content-type=application/json; body="
               + json.dumps({"plan_type": "pro", "email": "tester@example.com",
                             "rate_limit": {"primary_window": {"used_percent": 97.4, "limit_window_seconds": 18000,
                                                               "reset_at": 1795479211},
                                            "secondary_window": None}}, indent=2))
    snap = rl.recover_from_error(message)
    assert snap.primary.used_percent == 97.4 and snap.secondary is None


# -- error messages ------------------------------------------------------------------------------

def home_with(tmp_path: Path, config: str) -> Path:
    (tmp_path / "config.toml").write_text(config)
    return tmp_path


def test_not_signed_in(tmp_path: Path):
    err = rl.classify_error("codex account authentication required to read rate limits",
                            home_with(tmp_path, 'model_provider = "openai"\n'))
    assert isinstance(err, errors.NotSignedIn) and "codex login" in err.message


def test_bedrock_provider(tmp_path: Path):
    err = rl.classify_error("codex account authentication required to read rate limits",
                            home_with(tmp_path, 'model_provider = "amazon-bedrock"\n'))
    assert isinstance(err, errors.NotConfigured) and "Amazon Bedrock" in err.message
    assert "codex login" not in err.message


def test_custom_provider(tmp_path: Path):
    config = 'model_provider = "fake"\n[model_providers.fake]\nbase_url = "https://x/v1"\n'
    err = rl.classify_error("account authentication required to read rate limits", home_with(tmp_path, config))
    assert isinstance(err, errors.NotConfigured) and "a custom provider" in err.message


def test_custom_provider_that_uses_chatgpt_login(tmp_path: Path):
    config = 'model_provider = "proxy"\n[model_providers.proxy]\nrequires_openai_auth = true\n'
    err = rl.classify_error("codex account authentication required to read rate limits", home_with(tmp_path, config))
    assert isinstance(err, errors.NotSignedIn)


def test_api_key_login(tmp_path: Path):
    err = rl.classify_error("chatgpt authentication required to read rate limits", tmp_path)
    assert isinstance(err, errors.NotConfigured) and "API key" in err.message


def test_backend_errors(tmp_path: Path):
    five = rl.classify_error("failed to fetch codex rate limits: GET https://h/backend-api/wham/usage failed: "
                             '500 Internal Server Error; content-type=application/json; body={"detail": "x"}', tmp_path)
    assert isinstance(five, errors.Unavailable) and "500" in five.message and "detail" not in five.message
    auth = rl.classify_error("failed to fetch codex rate limits: GET https://h/wham/usage failed: 401 Unauthorized",
                             tmp_path)
    assert isinstance(auth, errors.AuthError)
    other = rl.classify_error('something odd; body={"email": "secret@example.com"}', tmp_path)
    assert other.message == "Codex connection failed: something odd"
