"""Contract tests for the Teams app package (scripts/build_package.py, manifest/)."""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft4Validator

ROOT = Path(__file__).resolve().parents[2]
SHARED_SCHEMA = ROOT.parent / "shared" / "schemas" / "teams-manifest" / "v1.30" / "MicrosoftTeams.schema.json"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


bp = _load("yhdessa_build_package", ROOT / "scripts" / "build_package.py")
icons = _load("yhdessa_make_icons", ROOT / "manifest" / "make_icons.py")

EXPECTED_COMMANDS = {
    "uusi": "Kutsu koolle uusi Yhdessä aika",
    "tilanne": "Omat tulevat ja vireillä olevat kutsut",
    "ohje": "Ohje ja komennot",
    "kieli": "Vaihda kieli: kieli fi, kieli sv tai kieli en",
    "tilastot": "Koordinaattoreille: tiimin tilastot",
    "valmius": "Koordinaattoreille: mitä botti voi tehdä kussakin organisaatiossa",
}
#: In a group chat or team: the meeting's shared card, help and language (convening is refused there).
GROUP_COMMANDS = {
    "aloita": "Jaa Yhdessä ajan rakenne tähän keskusteluun, kun tapaaminen alkaa",
    "ohje": "Ohje ja komennot",
    "kieli": "Vaihda kieli: kieli fi, kieli sv tai kieli en",
}
BOT_SCOPES = {"personal", "groupChat", "team"}
DEFAULTS = {"APP_ID": bp.DEMO_APP_ID, "BOT_ID": bp.DEMO_BOT_ID, "APP_VERSION": "0.1.0"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return bp.load_schema()


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bp.build_package(tmp_path_factory.mktemp("package") / "yhdessa-aika.zip", DEFAULTS)


@pytest.fixture(scope="module")
def files(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def manifest(files: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(files["manifest.json"])


def _blank_png(width: int, height: int, rgba: tuple[int, int, int, int]) -> bytes:
    return icons.encode_png(width, height, bytes(rgba) * (width * height))


# --------------------------------------------------------------------------- the package


def test_package_holds_manifest_icons_and_localization_at_root(files: dict[str, bytes]) -> None:
    assert sorted(files) == ["color.png", "manifest.json", "outline.png", "sv.json"]


def test_built_package_passes_every_check(package: Path, schema: dict[str, Any]) -> None:
    assert bp.check_package(package, schema) == []


def test_manifest_is_valid_against_the_official_schema(manifest: dict[str, Any], schema: dict[str, Any]) -> None:
    assert bp.schema_problems(manifest, schema) == []
    # Independently of the builder's validator: plain draft-04 plus the "const" it ignores.
    assert list(Draft4Validator(schema).iter_errors(manifest)) == []
    version = schema["properties"]["manifestVersion"]["const"]
    assert manifest["manifestVersion"] == version == "1.30"
    assert (
        manifest["$schema"]
        == f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    )


def test_vendored_schema_is_the_official_file() -> None:
    if not SHARED_SCHEMA.is_file():
        pytest.skip("the shared schema folder is not present here")
    assert bp.SCHEMA_PATH.read_bytes() == SHARED_SCHEMA.read_bytes()


def _offered(manifest: dict[str, Any], scope: str) -> dict[str, str]:
    """The commands the manifest offers in ``scope``: title → description."""
    return {
        command["title"]: command["description"]
        for command_list in manifest["bots"][0]["commandLists"]
        if scope in command_list["scopes"]
        for command in command_list["commands"]
    }


def test_every_bot_scope_offers_the_commands(manifest: dict[str, Any]) -> None:
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == BOT_SCOPES
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    for scope in bot["scopes"]:
        assert _offered(manifest, scope) == (EXPECTED_COMMANDS if scope == "personal" else GROUP_COMMANDS), scope


@pytest.mark.parametrize("scope", sorted(BOT_SCOPES))
def test_each_scope_offers_only_what_the_bot_does_there_in_finnish_and_swedish(
        manifest: dict[str, Any], files: dict[str, bytes], scope: str) -> None:
    """A command in the menu is one the bot acts on in that kind of chat (its own command table decides)."""
    from bot.teams_app import accepted_commands  # noqa: PLC0415 - the bot's table, not a copy of it

    accepted = accepted_commands(in_group=scope != "personal")
    strings = json.loads(files["sv.json"])
    index = next(i for i, cl in enumerate(manifest["bots"][0]["commandLists"]) if scope in cl["scopes"])
    swedish = {value for key, value in strings.items()
               if key.startswith(f"bots[0].commandLists[{index}].") and key.endswith(".title")}
    offered = set(_offered(manifest, scope))
    assert offered <= accepted and swedish <= accepted, (offered - accepted, swedish - accepted)
    finnish_accepted = accepted & {"uusi", "tilanne", "ohje", "kieli", "tilastot", "valmius", "aloita"}
    assert offered == finnish_accepted, "every Finnish command the bot acts on here is offered"
    assert len(swedish) == len(offered)
    if scope != "personal":
        assert {"aloita", "börja"} <= offered | swedish, "the one command that works in a meeting chat"
        assert not {"uusi", "tilanne", "ny", "status"} & (offered | swedish), "refused there: not offered"


def test_names_and_language(manifest: dict[str, Any]) -> None:
    assert manifest["name"] == {"short": "Yhdessä aika", "full": "Yhdessä aika – perhekeskustiimin kutsuminen"}
    assert len(manifest["description"]["short"]) <= 80
    assert manifest["developer"]["name"] == "Esimerkkilän hyvinvointialue"
    urls = [manifest["developer"][key] for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")]
    assert all(url.startswith("https://") for url in urls)
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "fi-FI",
        "additionalLanguages": [{"languageTag": "sv", "file": "sv.json"}],
    }


def test_icons_have_the_right_sizes_and_colours(files: dict[str, bytes]) -> None:
    color, outline = bp.read_png(files["color.png"]), bp.read_png(files["outline.png"])
    assert (color.width, color.height) == (192, 192)
    assert (outline.width, outline.height) == (32, 32)
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in outline.pixels)
    assert any(p[3] == 0 for p in outline.pixels) and any(p[3] == 255 for p in outline.pixels)
    assert {(0x1F, 0x3A, 0x93, 255), (0x5B, 0x9B, 0xD5, 255)} <= set(color.pixels)
    assert bp.icon_problems("color.png", files["color.png"], "color") == []
    assert bp.icon_problems("outline.png", files["outline.png"], "outline") == []


def test_no_placeholder_remains(files: dict[str, bytes], manifest: dict[str, Any]) -> None:
    for name in ("manifest.json", "sv.json"):
        assert "${{" not in files[name].decode("utf-8"), name
    assert manifest["id"] == bp.DEMO_APP_ID
    assert manifest["bots"][0]["botId"] == bp.DEMO_BOT_ID
    assert manifest["version"] == "0.1.0"


def test_localization_is_complete_and_swedish(files: dict[str, bytes], manifest: dict[str, Any]) -> None:
    strings = json.loads(files["sv.json"])
    assert bp.localization_problems("sv.json", strings, manifest) == []
    titles = {value for key, value in strings.items() if key.endswith(".title")}
    assert titles == {"ny", "status", "hjälp", "språk", "statistik", "beredskap", "börja"}
    del strings["bots[0].commandLists[2].commands[1].description"]
    strings["name.short"] = "x" * 31
    assert bp.localization_problems("sv.json", strings, manifest) == [
        "sv.json: 'name.short' is longer than 30 characters",
        "sv.json: no translation for bots[0].commandLists[2].commands[1].description",
    ]


def test_icons_are_generated_by_make_icons() -> None:
    assert (ROOT / "manifest" / "color.png").read_bytes() == icons.render_color()
    assert (ROOT / "manifest" / "outline.png").read_bytes() == icons.render_outline()


def test_build_is_reproducible(package: Path, tmp_path: Path) -> None:
    again = bp.build_package(tmp_path / "again.zip", DEFAULTS)
    assert again.read_bytes() == package.read_bytes()


# --------------------------------------------------------------------------- placeholders and env


def test_environment_fills_the_placeholders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("APP_ID", "11111111-2222-4333-8444-555555555555")
    monkeypatch.setenv("BOT_ID", "66666666-7777-4888-9999-000000000000")
    monkeypatch.setenv("APP_VERSION", "1.2.3")
    with zipfile.ZipFile(bp.build_package(tmp_path / "env.zip")) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == "11111111-2222-4333-8444-555555555555"
    assert manifest["bots"][0]["botId"] == "66666666-7777-4888-9999-000000000000"
    assert manifest["version"] == "1.2.3"


def test_defaults_are_demo_guids_and_project_version(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APP_ID", "BOT_ID", "APP_VERSION"):
        monkeypatch.setenv(name, "")  # empty counts as unset
    assert bp.placeholder_values() == {**DEFAULTS, "APP_VERSION": bp.project_version()}


@pytest.mark.parametrize(("name", "value"), [("BOT_ID", "not-a-guid"), ("APP_ID", "123"), ("APP_VERSION", "1.0")])
def test_bad_environment_values_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(bp.PackageError, match=name):
        bp.placeholder_values()


def test_unknown_placeholder_is_rejected() -> None:
    with pytest.raises(bp.PackageError, match="TENANT_ID"):
        bp.render({"a": ["${{TENANT_ID}}"]}, DEFAULTS)


# --------------------------------------------------------------------------- broken inputs fail


def _without_bots(m: dict[str, Any]) -> None:
    del m["bots"]  # NB: the official schema alone accepts this; the project contract does not


def _without_developer(m: dict[str, Any]) -> None:
    del m["developer"]


def _old_manifest_version(m: dict[str, Any]) -> None:
    m["manifestVersion"] = "1.29"  # "const" in a draft-04 schema: must still be enforced


def _bad_bot_id(m: dict[str, Any]) -> None:
    m["bots"][0]["botId"] = "not-a-guid"


def _team_scope_lacks_ohje(m: dict[str, Any]) -> None:
    team = next(cl for cl in m["bots"][0]["commandLists"] if cl["scopes"] == ["team"])
    team["commands"] = [c for c in team["commands"] if c["title"] != "ohje"]


def _notification_only(m: dict[str, Any]) -> None:
    m["bots"][0]["isNotificationOnly"] = True


def _placeholder_left(m: dict[str, Any]) -> None:
    m["id"] = "${{APP_ID}}"


@pytest.mark.parametrize(
    "breakage",
    [
        _without_bots,
        _without_developer,
        _old_manifest_version,
        _bad_bot_id,
        _team_scope_lacks_ohje,
        _notification_only,
        _placeholder_left,
    ],
)
def test_broken_manifest_fails_validation(manifest: dict[str, Any], schema: dict[str, Any], breakage: Any) -> None:
    broken = copy.deepcopy(manifest)
    breakage(broken)
    assert bp.validate_manifest(broken, schema) != []


def test_broken_template_fails_the_build_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "manifest"
    shutil.copytree(ROOT / "manifest", source, ignore=shutil.ignore_patterns("schema", "*.py"))
    template = json.loads((source / "manifest.template.json").read_text(encoding="utf-8"))
    del template["bots"]
    (source / "manifest.template.json").write_text(json.dumps(template), encoding="utf-8")
    output = tmp_path / "out" / "yhdessa-aika.zip"
    with pytest.raises(bp.PackageError) as excinfo:
        bp.build_package(output, DEFAULTS, manifest_dir=source)
    assert any("bots" in problem for problem in excinfo.value.problems)
    # the localization file now translates commands the manifest no longer has
    assert any(problem.startswith("sv.json:") for problem in excinfo.value.problems)
    assert not output.exists()


def test_main_reports_problems_and_exits_nonzero(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bp.main(["--check", str(package)]) == 0
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "outline.png":
                data = _blank_png(32, 32, (0, 0, 255, 255))
            dst.writestr(name, data)
    capsys.readouterr()
    assert bp.main(["--check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "outline.png: the outline icon may only use white" in err
    assert "outline.png: the outline icon needs a transparent background" in err


def test_main_builds_with_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("APP_ID", "BOT_ID", "APP_VERSION"):
        monkeypatch.delenv(name, raising=False)
    output = tmp_path / "yhdessa-aika.zip"
    assert bp.main(["--output", str(output)]) == 0
    assert output.is_file()
    assert "demo GUID" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (_blank_png(32, 32, (255, 255, 255, 0)), "outline", "fully transparent"),
        (_blank_png(16, 16, (255, 255, 255, 255)), "outline", "must be 32x32"),
        (_blank_png(192, 192, (255, 0, 0, 128)), "color", "solid or fully transparent"),
        (b"GIF89a", "color", "not a PNG file"),
    ],
)
def test_bad_icons_are_rejected(data: bytes, kind: str, message: str) -> None:
    problems = bp.icon_problems("icon.png", data, kind)
    assert len(problems) == 1 and message in problems[0]


def test_schema_with_remote_ref_is_refused(tmp_path: Path) -> None:
    remote = tmp_path / "schema.json"
    remote.write_text(json.dumps({"$ref": "https://example.com/other.schema.json"}), encoding="utf-8")
    with pytest.raises(bp.PackageError, match="only local"):
        bp.load_schema(remote)


# --------------------------------------------------------------------------- the PNG reader


def _png_with_filter(kind: int, width: int, height: int, pixels: bytes) -> bytes:
    """An RGBA PNG whose rows all use the given PNG filter type (1..4 exercise the reader)."""
    stride, bpp = width * 4, 4
    raw, prev = bytearray(), bytes(stride)
    for y in range(height):
        row = pixels[y * stride : (y + 1) * stride]
        out = bytearray([kind])
        for i, value in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = a + b - c
            paeth = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c
            predictor = [0, a, b, (a + b) // 2, paeth][kind]
            out.append((value - predictor) & 0xFF)
        raw += out
        prev = row

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("kind", [0, 1, 2, 3, 4])
def test_png_reader_undoes_every_filter(kind: int) -> None:
    width, height = 5, 4
    pixels = bytes((x * 37 + y * 91 + c * 53) % 256 for y in range(height) for x in range(width) for c in range(4))
    image = bp.read_png(_png_with_filter(kind, width, height, pixels))
    assert [v for p in image.pixels for v in p] == list(pixels)
