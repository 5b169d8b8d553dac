"""The cheat sheet's data: content/limits.yaml, the single source for every Lambda limit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from studyapp.content.files import ContentError, Problem, cached_content, content_path, load_yaml

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Limit:
    id: str
    name: str
    value: int | float | str
    unit: str
    adjustable: bool
    source: str
    note: str = ""
    default: int | float | str | None = None
    minimum: int | float | str | None = None


@dataclass(frozen=True)
class LimitGroup:
    name: str
    limits: tuple[Limit, ...]


@dataclass(frozen=True)
class LimitSheet:
    last_verified: dt.date
    groups: tuple[LimitGroup, ...]

    def __getitem__(self, limit_id: str) -> Limit:
        for group in self.groups:
            for limit in group.limits:
                if limit.id == limit_id:
                    return limit
        raise KeyError(limit_id)

    def __len__(self) -> int:
        return sum(len(group.limits) for group in self.groups)


def limits_path() -> Path:
    return content_path("limits.yaml")


def _parse_limit(raw: object, path: Path, seen: set[str]) -> Limit:
    if not isinstance(raw, dict):
        raise ContentError(Problem(path, f"a limit must be a mapping: {raw!r}"))
    missing = [k for k in ("id", "name", "value", "unit", "adjustable", "source") if k not in raw]
    if missing:
        raise ContentError(Problem(path, f"limit {raw.get('id', '?')}: missing {', '.join(missing)}"))
    limit_id = str(raw["id"])
    if not ID_PATTERN.match(limit_id):
        raise ContentError(Problem(path, f"limit id '{limit_id}' must be snake_case"))
    if limit_id in seen:
        raise ContentError(Problem(path, f"duplicate limit id '{limit_id}'"))
    if not str(raw["source"]).startswith("https://"):
        raise ContentError(Problem(path, f"limit {limit_id}: source must be an https URL"))
    if not isinstance(raw["adjustable"], bool):
        raise ContentError(Problem(path, f"limit {limit_id}: 'adjustable' must be true or false"))
    seen.add(limit_id)
    known = {f for f in Limit.__dataclass_fields__}
    unknown = set(raw) - known
    if unknown:
        raise ContentError(Problem(path, f"limit {limit_id}: unknown key(s) {', '.join(sorted(unknown))}"))
    return Limit(
        **{
            **raw,
            "id": limit_id,
            "unit": str(raw["unit"] or ""),
            "note": str(raw.get("note") or ""),
        }
    )


def parse_limits(path: Path) -> LimitSheet:
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise ContentError(Problem(path, "expected a mapping with 'last_verified' and 'groups'"))
    verified = data.get("last_verified")
    if not isinstance(verified, dt.date):
        raise ContentError(Problem(path, "'last_verified' must be a date YYYY-MM-DD"))
    seen: set[str] = set()
    groups = []
    for raw_group in data["groups"]:
        if not isinstance(raw_group, dict) or not isinstance(raw_group.get("limits"), list):
            raise ContentError(Problem(path, "each group needs a 'name' and a list of 'limits'"))
        limits = tuple(_parse_limit(raw, path, seen) for raw in raw_group["limits"])
        groups.append(LimitGroup(name=str(raw_group.get("name", "")), limits=limits))
    return LimitSheet(last_verified=verified, groups=tuple(groups))


@cached_content(lambda: [limits_path()])
def limit_sheet() -> LimitSheet:
    return parse_limits(limits_path())


# AWS writes "MB" and means MiB (see the header of limits.yaml); so do we.
UNIT_BYTES = {"KB": 1024, "MB": 1024**2, "GB": 1024**3}


def limit_bytes(limit_id: str) -> int:
    """A size limit in bytes, e.g. env_vars_total (4 KB) -> 4096."""
    limit = limit_sheet()[limit_id]
    return int(limit.value) * UNIT_BYTES[limit.unit]


@dataclass(frozen=True)
class FunctionBounds:
    """The settings a function may have, as limits.yaml gives them: for forms and their help."""

    memory_min_mb: int
    memory_max_mb: int
    memory_step_mb: int
    timeout_min_s: int
    timeout_max_s: int
    ephemeral_storage_min_mb: int
    ephemeral_storage_max_mb: int


def function_bounds(sheet: LimitSheet | None = None) -> FunctionBounds:
    """Raises KeyError, TypeError or ValueError when limits.yaml lacks a number (check_content)."""
    sheet = sheet or limit_sheet()
    return FunctionBounds(
        memory_min_mb=int(sheet["memory_min"].value),
        memory_max_mb=int(sheet["memory_max"].value),
        memory_step_mb=int(sheet["memory_increment"].value),
        timeout_min_s=int(sheet["timeout"].minimum),
        timeout_max_s=int(sheet["timeout"].value),
        ephemeral_storage_min_mb=int(sheet["ephemeral_storage_default"].value),
        ephemeral_storage_max_mb=int(sheet["ephemeral_storage_max"].value),
    )
