"""Every feature search reads from listings and queries has words in the agent's replies and labels in the web client,
in both languages: a feature added to search and forgotten elsewhere would be said as its bare name ("north_facing")."""

from __future__ import annotations

import re

import pytest

from devstack.config import REPO_ROOT
from osool_agent.brains.replies import FEATURE_WORDS
from osool_search.gazetteer import FEATURES


def _web_features(language: str) -> dict[str, str]:
    source = (REPO_ROOT / "web" / "src" / "i18n" / f"{language}.ts").read_text(encoding="utf-8")
    block = re.search(r"\n    features: \{\n(.*?)\n    \}", source, re.DOTALL)
    assert block, f"{language}.ts: no listingFields.features"
    return dict(re.findall(r"^\s+(\w+): '([^']+)',$", block.group(1), re.MULTILINE))


def test_the_agent_says_every_feature_in_english_and_arabic() -> None:
    assert set(FEATURE_WORDS) == set(FEATURES)
    for feature, (english, arabic) in FEATURE_WORDS.items():
        assert english.isascii() and re.search("[\u0600-\u06ff]", arabic), feature


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_web_client_labels_every_feature(language: str) -> None:
    labels = _web_features(language)
    assert set(labels) == set(FEATURES)
    assert all(label.strip() and "_" not in label for label in labels.values())
