"""Fixtures of the binding's tests: an index of fixtures/releases plus releases in other scripts,
built once per session through the binding itself."""
import os
import pathlib
import shutil

import pytest

import pressindex

HERE = pathlib.Path(__file__).resolve().parent
TOP = pathlib.Path(os.environ.get("TOP_SRCDIR", HERE.parent.parent))
FIXTURES = pathlib.Path(os.environ.get("FIXTURES", TOP / "fixtures"))

# Text in several scripts: the highlights must be code-point offsets whatever precedes the word.
WORLD = [
    pressindex.Release("world/tr", ["Türkiye ile Kazakistan arasında işbirliği güçleniyor.",
                                    "İstanbul'da 🎉🎉 kutlama: Türkiye ve Kazakistan dostluğu."],
                       date="2025-08-01", title="Türkiye haberi", source="Anadolu", lang="tr",
                       url="https://example.org/tr"),
    pressindex.Release("world/emoji", ["🇰🇿🤝🇹🇷 Presidents of Türkiye and Kazakhstan met 👋 in Astana."],
                       date=None, title="Emoji first", source="Akorda"),
    pressindex.Release("world/zh", ["哈萨克斯坦总统在阿斯塔纳会见土耳其总统。",
                                    "两国元首讨论了突厥国家组织的合作。",
                                    "会议在东京 Tokyo 举行。"],
                       date="2025-07-31", title="中文新闻", source="Xinhua", lang="zh"),
]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    """A read-only index of the good fixtures and WORLD (do not write to it: use writer_dir)."""
    d = tmp_path_factory.mktemp("ix") / "archive"
    with pressindex.Index(d, writable=True) as w:
        summary = w.index_path(FIXTURES / "releases")
        assert summary.ok, summary.problems
        for r in WORLD:
            w.add(r)
        w.commit()
    return d


@pytest.fixture
def idx(index_dir):
    with pressindex.Index(index_dir) as i:
        yield i


@pytest.fixture
def writer_dir(index_dir, tmp_path):
    """A private copy of the session index, to write to."""
    d = tmp_path / "copy"
    shutil.copytree(index_dir, d, symlinks=True)
    return d
