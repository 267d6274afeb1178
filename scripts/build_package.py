"""Build and validate the Teams app package ``build/yhdessa-aika.zip``.

The package holds, at the zip root: ``manifest.json`` (rendered from
``manifest/manifest.template.json``), the two icons and the localization files the
manifest refers to (``sv.json``). Placeholders ``${{NAME}}`` in the template are filled
from environment variables of the same name:

* ``APP_ID``  - the Teams app id (GUID), default a fixed demo GUID;
* ``BOT_ID``  - the bot's Microsoft App ID (GUID), default a fixed demo GUID;
* ``APP_VERSION`` - the app version (MAJOR.MINOR.PATCH), default the version in pyproject.toml.

Before anything is written the package is checked, fully offline:

* ``manifest.json`` against the official Teams manifest schema (vendored in
  ``manifest/schema/``; only local ``$ref`` are resolved, nothing is ever fetched);
* this project's own contract, which the schema does not express (one bot in the
  personal, groupChat and team scopes, each offering its commands (uusi, tilanne, ohje in the personal
  chat; aloita and ohje in a group chat or team); no placeholder left; ...);
* the icons: 192x192 colour icon, 32x32 outline icon in pure white on transparent;
* the localization files: required keys, length limits, one translation per string.

Usage: ``.venv/bin/python scripts/build_package.py [--output ZIP] [--check ZIP]``.
Exit status 0 when the package is valid, 1 with a list of problems otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import sys
import tempfile
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft7Validator, validators
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.exceptions import Unresolvable

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_DIR = ROOT / "manifest"
TEMPLATE_NAME = "manifest.template.json"
SCHEMA_PATH = MANIFEST_DIR / "schema" / "v1.30" / "MicrosoftTeams.schema.json"
PYPROJECT_PATH = ROOT / "pyproject.toml"
DEFAULT_OUTPUT = ROOT / "build" / "yhdessa-aika.zip"

DEMO_APP_ID = "5f0c8a3e-2d71-4b9a-9c4e-7a1b3d5e9f20"
DEMO_BOT_ID = "9b2e4d6f-8a1c-4e3b-a7d5-1c9f0e2b4a68"

REQUIRED_SCOPES = ("personal", "groupChat", "team")
#: Per scope, the commands its list must offer: convening and one's own convenings only in the personal chat
#: (the bot refuses them where others read along); "aloita" shares the meeting's card in a group chat or team.
REQUIRED_COMMANDS: dict[str, tuple[str, ...]] = {
    "personal": ("uusi", "tilanne", "ohje"),
    "groupChat": ("aloita", "ohje"),
    "team": ("aloita", "ohje"),
}
COLOR_ICON_SIZE = (192, 192)
OUTLINE_ICON_SIZE = (32, 32)
# Limits from the Teams docs (command menu, localization schema); stricter than the v1.30 schema.
MAX_COMMANDS_PER_LIST = 10
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128

MANIFEST_SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA_URL = re.compile(
    r"https://developer\.microsoft\.com/(?:en-us/)?json-schemas/teams/"
    r"v(?P<version>[^/]+)/MicrosoftTeams\.Localization\.schema\.json"
)
_COMMAND_KEY = r"bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\."
REQUIRED_LOCALIZATION_KEYS = ("name.short", "name.full", "description.short", "description.full")
LOCALIZATION_KEYS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"name\.short"), 30),
    (re.compile(r"name\.full"), 100),
    (re.compile(r"description\.short"), 80),
    (re.compile(r"description\.full"), 4000),
    (re.compile(_COMMAND_KEY + "title"), MAX_COMMAND_TITLE),
    (re.compile(_COMMAND_KEY + "description"), MAX_COMMAND_DESCRIPTION),
)

PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

RGBA = tuple[int, int, int, int]
WHITE = (255, 255, 255)


class PackageError(Exception):
    """The package cannot be built or is not valid; ``problems`` says why."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --------------------------------------------------------------------------- inputs


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackageError([f"{path}: cannot read: {exc.strerror}"]) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError([f"{path}: not valid UTF-8 JSON: {exc}"]) from exc


def project_version(pyproject: Path = PYPROJECT_PATH) -> str:
    """The ``[project] version`` of pyproject.toml."""
    try:
        version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise PackageError([f"{pyproject}: cannot read [project] version: {exc}"]) from exc
    return str(version)


def placeholder_values(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Values for the template placeholders: environment variables, else the defaults.

    An empty variable counts as unset.
    """
    env = os.environ if env is None else env
    defaults = {"APP_ID": DEMO_APP_ID, "BOT_ID": DEMO_BOT_ID}
    values = {name: env.get(name) or default for name, default in defaults.items()}
    values["APP_VERSION"] = env.get("APP_VERSION") or project_version()
    problems = [
        f"environment variable {name}={values[name]!r} is not a GUID"
        for name in ("APP_ID", "BOT_ID")
        if not GUID.fullmatch(values[name])
    ]
    if not SEMVER.fullmatch(values["APP_VERSION"]):
        problems.append(f"APP_VERSION={values['APP_VERSION']!r} is not a MAJOR.MINOR.PATCH version")
    if problems:
        raise PackageError(problems)
    return values


def render(template: Any, values: Mapping[str, str]) -> Any:
    """A copy of the JSON value ``template`` with every ``${{NAME}}`` replaced by ``values[NAME]``."""
    unknown: set[str] = set()

    def substitute(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            unknown.add(match.group(1))
            return match.group(0)
        return values[match.group(1)]

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return PLACEHOLDER.sub(substitute, node)
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return node

    result = walk(template)
    if unknown:
        raise PackageError([f"the template uses unknown placeholder(s): {', '.join(sorted(unknown))}"])
    return result


# --------------------------------------------------------------------------- schema


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    """Load the official manifest schema, refusing any ``$ref`` that is not local."""
    schema = _read_json(path)
    if not isinstance(schema, dict):
        raise PackageError([f"{path}: not a JSON schema object"])
    remote = sorted({ref for ref in _refs(schema) if not ref.startswith("#")})
    if remote:
        refs = ", ".join(remote)
        raise PackageError([f"{path}: refers to other schemas ({refs}); only local $ref are resolved"])
    # Against the draft-04 meta-schema, without format checks: one pattern uses \p{L}, which is
    # valid ECMA 262 but not Python; it sits in the Office add-in part a bot manifest never uses.
    error = next(Draft4Validator(Draft4Validator.META_SCHEMA).iter_errors(schema), None)
    if error is not None:
        raise PackageError([f"{path}: not a valid draft-04 schema: {error.message}"])
    return schema


# The Teams schema declares draft-04 but uses two later keywords: "const" (manifestVersion)
# and "if"/"then". A plain Draft4Validator would silently ignore them, so add them.
# (The stubs leave extend() unannotated, hence the typed alias.)
_extend: Callable[..., type[Validator]] = validators.extend
ManifestValidator = _extend(
    Draft4Validator,
    {"const": Draft7Validator.VALIDATORS["const"], "if": Draft7Validator.VALIDATORS["if"]},
)


def _validator(schema: Mapping[str, Any]) -> Validator:
    # An empty Registry never retrieves anything: a non-local $ref fails instead of being fetched.
    registry: Registry[Any] = Registry()
    return ManifestValidator(schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_problems(manifest: Any, schema: Mapping[str, Any]) -> list[str]:
    """Violations of the official schema, as ``manifest.json: <json path>: <message>``."""
    try:
        errors = list(_validator(schema).iter_errors(manifest))
    except Unresolvable as exc:
        return [f"manifest schema: unresolvable reference: {exc}"]
    except re.error as exc:
        return [f"manifest schema: a pattern Python cannot evaluate was reached: {exc}"]
    errors.sort(key=lambda error: [str(part) for part in error.absolute_path])
    return [f"manifest.json: {error.json_path}: {_shorten(error.message)}" for error in errors]


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- project contract


def _strings(node: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}")


def _list(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _dicts(node: Any) -> list[dict[str, Any]]:
    return [item for item in _list(node) if isinstance(item, dict)]


def contract_problems(manifest: Any, schema: Mapping[str, Any]) -> list[str]:
    """What this project requires of the manifest beyond the official schema."""
    if not isinstance(manifest, dict):
        return ["manifest.json: not a JSON object"]
    problems = [
        f"manifest.json: {path}: placeholder left unsubstituted: {text!r}"
        for path, text in _strings(manifest)
        if "${{" in text
    ]
    version = schema.get("properties", {}).get("manifestVersion", {}).get("const")
    if version is not None and manifest.get("$schema") != MANIFEST_SCHEMA_URL.format(version=version):
        problems.append(f"manifest.json: $schema should be {MANIFEST_SCHEMA_URL.format(version=version)}")
    semver = schema.get("definitions", {}).get("semver", {}).get("pattern")
    if semver and not re.search(semver, str(manifest.get("version", ""))):
        problems.append(f"manifest.json: $.version {manifest.get('version')!r} is not MAJOR.MINOR.PATCH")

    bots = _dicts(manifest.get("bots"))
    if len(bots) != 1:
        return [*problems, "manifest.json: $.bots must declare exactly one bot (the Yhdessä aika bot)"]
    bot = bots[0]
    scopes = _list(bot.get("scopes"))
    problems += [f"manifest.json: $.bots[0].scopes lacks {s!r}" for s in REQUIRED_SCOPES if s not in scopes]
    for flag in ("supportsFiles", "isNotificationOnly"):
        if bot.get(flag) is not False:
            problems.append(f"manifest.json: $.bots[0].{flag} must be false")
    command_lists = _dicts(bot.get("commandLists"))
    for scope in REQUIRED_SCOPES:
        titles = {
            command.get("title")
            for command_list in command_lists
            if scope in _list(command_list.get("scopes"))
            for command in _dicts(command_list.get("commands"))
        }
        missing = [title for title in REQUIRED_COMMANDS[scope] if title not in titles]
        if missing:
            problems.append(f"manifest.json: no command list for scope {scope!r} offers {', '.join(missing)}")
    for i, command_list in enumerate(command_lists):
        commands = _dicts(command_list.get("commands"))
        where = f"manifest.json: $.bots[0].commandLists[{i}]"
        if len(commands) > MAX_COMMANDS_PER_LIST:
            problems.append(f"{where}: more than {MAX_COMMANDS_PER_LIST} commands")
        for j, command in enumerate(commands):
            for field, limit in (("title", MAX_COMMAND_TITLE), ("description", MAX_COMMAND_DESCRIPTION)):
                if len(str(command.get(field, ""))) > limit:
                    problems.append(f"{where}.commands[{j}].{field}: longer than {limit} characters")
    return problems


def validate_manifest(manifest: Any, schema: Mapping[str, Any]) -> list[str]:
    """All problems of a rendered manifest: official schema first, then the project contract."""
    return schema_problems(manifest, schema) + contract_problems(manifest, schema)


# --------------------------------------------------------------------------- icons


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    pixels: list[RGBA]  # row-major


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> list[bytes]:
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind > 4:
            raise ValueError(f"unknown PNG filter type {kind} in row {y}")
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return rows


def _samples(row: bytes, count: int, depth: int) -> list[int]:
    if depth == 8:
        return list(row[:count])
    mask = (1 << depth) - 1
    values = [(byte >> shift) & mask for byte in row for shift in range(8 - depth, -1, -depth)]
    return values[:count]


def read_png(data: bytes) -> Image:
    """Decode a non-interlaced 8-bit (or low-bit grey/palette) PNG into RGBA pixels."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks: dict[bytes, bytes] = {}
    idat = bytearray()
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if pos + 12 + length > len(data):
            raise ValueError(f"truncated {kind.decode('latin-1')} chunk")
        if zlib.crc32(kind + body) != struct.unpack_from(">I", data, pos + 8 + length)[0]:
            raise ValueError(f"CRC error in {kind.decode('latin-1')} chunk")
        pos += 12 + length
        if kind == b"IDAT":
            idat += body
        else:
            chunks.setdefault(kind, body)
        if kind == b"IEND":
            break
    if b"IHDR" not in chunks or len(chunks[b"IHDR"]) != 13:
        raise ValueError("missing IHDR chunk")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if colour not in _CHANNELS or interlace or not (depth == 8 or (colour in (0, 3) and depth in (1, 2, 4))):
        raise ValueError(
            f"unsupported PNG format (colour type {colour}, {depth}-bit, interlace {interlace}); "
            "save it as non-interlaced 8-bit RGBA"
        )
    channels = _CHANNELS[colour]
    stride = (width * channels * depth + 7) // 8
    try:
        raw = zlib.decompress(bytes(idat))
    except zlib.error as exc:
        raise ValueError(f"corrupt image data: {exc}") from exc
    if len(raw) < height * (stride + 1):
        raise ValueError("image data is shorter than the image")
    palette, trns = chunks.get(b"PLTE", b""), chunks.get(b"tRNS", b"")
    pixels: list[RGBA] = []
    for row in _unfilter(raw, height, stride, max(1, channels * depth // 8)):
        samples = _samples(row, width * channels, depth)
        for x in range(width):
            pixels.append(_rgba(colour, depth, samples[x * channels : (x + 1) * channels], palette, trns))
    return Image(width, height, pixels)


def _rgba(colour: int, depth: int, s: list[int], palette: bytes, trns: bytes) -> RGBA:
    """One pixel's samples as RGBA; ``trns`` is the PNG tRNS chunk (transparency key or alphas)."""
    if colour == 6:
        return (s[0], s[1], s[2], s[3])
    if colour == 4:
        return (s[0], s[0], s[0], s[1])
    if colour == 2:
        return (s[0], s[1], s[2], 0 if trns == struct.pack(">HHH", *s) else 255)
    if colour == 0:
        grey = s[0] * (255 // ((1 << depth) - 1))
        return (grey, grey, grey, 0 if trns == struct.pack(">H", s[0]) else 255)
    if 3 * s[0] + 3 > len(palette):
        raise ValueError(f"palette index {s[0]} out of range")
    r, g, b = palette[3 * s[0] : 3 * s[0] + 3]
    return (r, g, b, trns[s[0]] if s[0] < len(trns) else 255)


def icon_problems(name: str, data: bytes, kind: str) -> list[str]:
    """Problems of a colour (``kind="color"``) or outline (``kind="outline"``) icon."""
    try:
        image = read_png(data)
    except ValueError as exc:
        return [f"{name}: {exc}"]
    expected = COLOR_ICON_SIZE if kind == "color" else OUTLINE_ICON_SIZE
    if (image.width, image.height) != expected:
        size = f"{image.width}x{image.height}"
        return [f"{name}: the {kind} icon must be {expected[0]}x{expected[1]} px, not {size}"]
    visible = [p for p in image.pixels if p[3] > 0]
    if not visible:
        return [f"{name}: the icon is fully transparent"]
    if kind == "color":
        w, h = image.width, image.height
        corners = {image.pixels[i] for i in (0, w - 1, (h - 1) * w, h * w - 1)}
        if len(corners) != 1 or next(iter(corners))[3] not in (0, 255):
            return [f"{name}: the colour icon needs a solid or fully transparent square background"]
        return []
    problems = []
    coloured = [(i % image.width, i // image.width, p) for i, p in enumerate(image.pixels) if p[3] and p[:3] != WHITE]
    if coloured:
        x, y, p = coloured[0]
        problems.append(
            f"{name}: the outline icon may only use white (255,255,255); {len(coloured)} visible pixel(s) "
            f"are not white, e.g. ({x},{y}) = rgba{p}"
        )
    if len(visible) == len(image.pixels):
        problems.append(f"{name}: the outline icon needs a transparent background (alpha 0)")
    return problems


# --------------------------------------------------------------------------- localization


def localization_problems(name: str, strings: Any, manifest: Mapping[str, Any]) -> list[str]:
    """Check a localization file against the manifest (no offline schema exists for it).

    Known keys and their limits follow the Teams localization schema reference; every
    string the manifest localizes (names, descriptions, bot commands) must be translated.
    """
    if not isinstance(strings, dict):
        return [f"{name}: not a JSON object"]
    problems = [f"{name}: missing {key!r}" for key in REQUIRED_LOCALIZATION_KEYS if key not in strings]
    url = strings.get("$schema")
    match = LOCALIZATION_SCHEMA_URL.fullmatch(url) if isinstance(url, str) else None
    if url is not None and (not match or match["version"] != manifest.get("manifestVersion")):
        version = manifest.get("manifestVersion")
        problems.append(f"{name}: $schema should be the v{version} localization schema URL")
    for key, value in strings.items():
        if key == "$schema":
            continue
        limit = next((limit for pattern, limit in LOCALIZATION_KEYS if pattern.fullmatch(key)), None)
        if limit is None:
            problems.append(f"{name}: unknown or unsupported key {key!r}")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{name}: {key!r} must be a non-empty string")
        elif len(value) > limit:
            problems.append(f"{name}: {key!r} is longer than {limit} characters")
        elif "${{" in value:
            problems.append(f"{name}: {key!r} contains a placeholder")
    translatable: set[str] = set()
    for bot in _dicts(manifest.get("bots"))[:1]:
        for i, command_list in enumerate(_dicts(bot.get("commandLists"))):
            for j, command in enumerate(_dicts(command_list.get("commands"))):
                prefix = f"bots[0].commandLists[{i}].commands[{j}]."
                translatable |= {prefix + field for field in ("title", "description") if field in command}
    given = {key for key in strings if key.startswith("bots[")}
    problems += [f"{name}: no translation for {key}" for key in sorted(translatable - given)]
    problems += [f"{name}: {key} translates nothing in the manifest" for key in sorted(given - translatable)]
    return problems


# --------------------------------------------------------------------------- package


def referenced_files(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Files the manifest refers to, as {file name: role}; role is color, outline or localization."""
    files: dict[str, str] = {}
    icons = manifest.get("icons")
    if isinstance(icons, dict):
        files.update({path: role for role, path in icons.items() if isinstance(path, str)})
    info = manifest.get("localizationInfo")
    if isinstance(info, dict):
        if isinstance(info.get("defaultLanguageFile"), str):
            files[info["defaultLanguageFile"]] = "localization"
        for language in _dicts(info.get("additionalLanguages")):
            if isinstance(language.get("file"), str):
                files[language["file"]] = "localization"
    return files


def check_files(files: Mapping[str, bytes], schema: Mapping[str, Any]) -> list[str]:
    """Check the would-be contents of the package, given as {name in zip: bytes}."""
    if "manifest.json" not in files:
        return ["the package has no manifest.json"]
    try:
        manifest = json.loads(files["manifest.json"].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"manifest.json: not valid UTF-8 JSON: {exc}"]
    problems = validate_manifest(manifest, schema)
    if not isinstance(manifest, dict):
        return problems
    wanted = referenced_files(manifest)
    for name in files:
        if "/" in name or "\\" in name:
            problems.append(f"{name}: files must sit at the package root")
        elif name != "manifest.json" and name not in wanted:
            problems.append(f"{name}: in the package but not referenced by the manifest")
    for name, role in wanted.items():
        if name not in files:
            problems.append(f"{name}: referenced by the manifest but not in the package")
            continue
        if role in ("color", "outline"):
            problems += icon_problems(name, files[name], role)
        elif role == "localization":
            try:
                strings = json.loads(files[name].decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                problems.append(f"{name}: not valid UTF-8 JSON: {exc}")
                continue
            problems += localization_problems(name, strings, manifest)
    return problems


def check_package(path: Path, schema: Mapping[str, Any] | None = None) -> list[str]:
    """All problems of an existing package zip (empty when it is valid)."""
    try:
        with zipfile.ZipFile(path) as archive:
            files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path}: cannot read the zip: {exc}"]
    return check_files(files, load_schema() if schema is None else schema)


def assemble(values: Mapping[str, str], manifest_dir: Path = MANIFEST_DIR) -> dict[str, bytes]:
    """The package contents: the rendered manifest and the files it refers to."""
    manifest = render(_read_json(manifest_dir / TEMPLATE_NAME), values)
    files = {"manifest.json": (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
    missing = []
    for name in referenced_files(manifest if isinstance(manifest, dict) else {}):
        source = manifest_dir / name
        if "/" in name or "\\" in name or not source.is_file():
            missing.append(f"{name}: referenced by the manifest but not found in {manifest_dir}")
        else:
            files[name] = source.read_bytes()
    if missing:
        raise PackageError(missing)
    return files


def _write_zip(path: Path, files: Mapping[str, bytes]) -> None:
    """Write a reproducible zip (fixed timestamps, fixed order), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for name in sorted(files, key=lambda n: (n != "manifest.json", n)):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_package(
    output: Path = DEFAULT_OUTPUT,
    values: Mapping[str, str] | None = None,
    *,
    manifest_dir: Path = MANIFEST_DIR,
    schema_path: Path = SCHEMA_PATH,
) -> Path:
    """Render, check and write the package; raise PackageError (writing nothing) if invalid."""
    schema = load_schema(schema_path)
    files = assemble(placeholder_values() if values is None else values, manifest_dir)
    problems = check_files(files, schema)
    if problems:
        raise PackageError(problems)
    _write_zip(output, files)
    problems = check_package(output, schema)
    if problems:  # pragma: no cover - would mean the zip writer is broken
        raise PackageError(problems)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and validate the Yhdessä aika Teams app package.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="zip to write (default: build/)")
    parser.add_argument("--schema", type=Path, default=SCHEMA_PATH, help="Teams manifest JSON schema")
    parser.add_argument("--check", type=Path, metavar="ZIP", help="only validate an existing package")
    args = parser.parse_args(argv)
    try:
        if args.check is not None:
            problems = check_package(args.check, load_schema(args.schema))
            if problems:
                raise PackageError(problems)
            print(f"{args.check}: valid Teams app package")
            return 0
        values = placeholder_values()
        for name in ("APP_ID", "BOT_ID"):
            if not os.environ.get(name):
                print(f"build_package: note: {name} not set, using demo GUID {values[name]}", file=sys.stderr)
        path = build_package(args.output, values, schema_path=args.schema)
    except PackageError as exc:
        print("build_package: error: the Teams app package is not valid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"built {path} (app {values['APP_ID']}, bot {values['BOT_ID']}, version {values['APP_VERSION']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
