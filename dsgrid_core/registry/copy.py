"""Copying a whole registry to another store and data location: folder -> folder, folder ->
ArangoDB, local data -> s3:// (any RegistryStore to any other, any data store to any other).

Everything is copied: every component with all its versions in their order (configs, log
messages, submitters, registration times), dependencies, dimension and mapping records, and
every dataset version's data files. Not copied: a registry's local jobs table and result cache.

The target must be empty; a target that is not is refused before anything is written. With
``rewrite_summaries`` each dataset version's summaries are written again from its staged table
(`registry.resummarize`) instead of copied, and its record in the target lists those.

Order: the data first, then all the metadata in ONE transaction of the target store.

1. Each dataset version's files are read from the source's data store into a staging folder of
   the target's, checked against the recorded size and SHA-256 (so a damaged source is never
   copied), published to the target's data store, and read back there and checked again.
2. Every component version is then written in dependency order (what a version uses before
   it, and each component's versions in their history order) in a single transaction, which
   commits last.

A failure part-way rolls the transaction back and removes the published data, so the target
is left as it was. A process killed part-way leaves published data that no database row
knows: `dsgrid registry check` reports it and the next writable open removes it, as after a
killed registration. (One transaction holds the whole registry's metadata: ArangoDB's stream
transactions have a size limit, --transaction.streaming-max-transaction-size, that a very
large registry may need raised.)
"""

from __future__ import annotations

import heapq
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from dsgrid_core.data.base_store import MISSING_FILE, TABLE_FILE, BaseDataStore
from dsgrid_core.data.storage import file_digest
from dsgrid_core.data.summaries import recorded
from dsgrid_core.errors import InputError
from dsgrid_core.registry.location import DB_FILE, HOME_MARKER, is_url
from dsgrid_core.registry.registry import Registry
from dsgrid_core.registry.store import Dependency, RegistryStore, VersionRecord

KIND_ORDER = {"dimension": 0, "dimension_mapping": 1, "dataset": 2, "project": 3}
Key = tuple[str, str, str]  # kind, id, version


@dataclass
class CopyReport:
    components: int = 0
    versions: int = 0
    dataset_versions: int = 0
    data_bytes: int = 0
    records: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def copy_order(store: RegistryStore) -> list[VersionRecord]:
    """Every version of ``store``, each after the versions it uses and after the previous
    version of its component; otherwise in the order they were registered."""
    versions = {(v.kind, v.id, v.version): v for v in store.iter_versions()}
    newest_first = store.latest_registrations(max(len(versions), 1))
    rank = {(r["kind"], r["id"], r["version"]): i for i, r in enumerate(reversed(newest_first))}
    before: dict[Key, set[Key]] = {k: set() for k in versions}
    for user, used in store.all_dependencies():
        u, d = _key(user), _key(used)
        if u in versions and d in versions and u != d:
            before[u].add(d)
    for kind, id_ in {(k, i) for k, i, _ in versions}:
        chain = [(kind, id_, r.version) for r in store.history(kind, id_)]
        for previous, following in zip(chain, chain[1:], strict=False):
            if previous in versions and following in versions:
                before[following].add(previous)
    after: dict[Key, set[Key]] = {k: set() for k in versions}
    for k, needs in before.items():
        for n in needs:
            after[n].add(k)

    def priority(k: Key) -> tuple:
        v = versions[k]
        return (rank.get(k, len(rank)), v.registered_at, KIND_ORDER.get(k[0], 9), k)

    waiting = {k: len(needs) for k, needs in before.items()}
    ready = [(priority(k), k) for k, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[VersionRecord] = []
    while ready:
        _, k = heapq.heappop(ready)
        order.append(versions[k])
        for nxt in after[k]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, (priority(nxt), nxt))
    if len(order) != len(versions):
        stuck = sorted(k for k, n in waiting.items() if n > 0)[:5]
        raise InputError(
            "the source registry's dependencies form a cycle, so it cannot be copied in "
            f"order: {', '.join(' '.join(k) for k in stuck)}. Run `dsgrid registry check`."
        )
    return order


def _key(d: Dependency) -> Key:
    return (d.kind, d.id, d.version)


def is_empty(registry) -> bool:
    return (
        not registry.store.counts_by_kind()
        and next(iter(registry.store.iter_versions()), None) is None
        and registry.data.is_empty()
    )


def copy_registry(
    source,
    target,
    *,
    rewrite_summaries: bool = False,
    progress: Callable[[str], None] | None = None,
) -> CopyReport:
    """Copy every component, version, dependency, record and data file of ``source`` (a
    Registry, may be read-only) into ``target`` (an empty Registry open for writing).
    ``rewrite_summaries``: each dataset version's summaries written again in the copy, as a
    registration writes them today (`registry.resummarize`), instead of copied."""
    say = progress or (lambda _message: None)
    target._require_writable()
    # (a repeated query goes through the service this module is part of: it loads neither)
    from dsgrid_core.data.summary_writer import summary_share  # late: sqlglot
    from dsgrid_core.registry.resummarize import rewrite_summaries as resummarize  # late: duckdb

    share = summary_share() if rewrite_summaries else None  # a bad setting: refused first
    if not is_empty(target):
        raise InputError(
            f"{target.location} is not empty: a registry is copied only into a new or empty "
            "registry. Nothing was changed."
        )
    order = copy_order(source.store)
    report = CopyReport(versions=len(order))
    datasets = [v for v in order if v.kind == "dataset"]
    published: list[tuple[str, str]] = []
    summarized: dict[Key, dict[str, Any]] = {}
    try:
        for i, record in enumerate(datasets, 1):
            say(f"data of dataset {record.id} {record.version} ({i}/{len(datasets)})")
            rewrite = (
                None if share is None else partial(resummarize, source.store, record, share=share)
            )
            size, summaries = _copy_data(source.data, target.data, record, rewrite)
            report.data_bytes += size
            if summaries is not None:
                summarized[(record.kind, record.id, record.version)] = summaries
            published.append((record.id, record.version))
        order = [_with_summaries(v, summarized) for v in order]
        report.dataset_versions = len(published)
        say(f"metadata: {len(order)} versions")
        with target.store.transaction():
            report.components, report.records = _copy_metadata(source.store, target.store, order)
    except BaseException:
        for dataset_id, version in published:
            target.data.unpublish(dataset_id, version)
        raise
    for dataset_id, version in published:
        target.data.release(dataset_id, version)
    return report


def _with_summaries(record: VersionRecord, summarized: dict[Key, dict[str, Any]]):
    """The record as the copy keeps it: with the summaries written again, if they were."""
    summaries = summarized.get((record.kind, record.id, record.version))
    if summaries is None:
        return record
    return replace(record, extra={**(record.extra or {}), "summaries": summaries})


def _copy_data(
    source: BaseDataStore,
    target: BaseDataStore,
    record: VersionRecord,
    rewrite: Callable[[Path], dict[str, Any]] | None = None,
) -> tuple[int, dict[str, Any] | None]:
    """One dataset version's files: read, checked, published, read back and checked; returns
    the bytes copied and, with ``rewrite``, the summaries it wrote in place of the copied ones
    (``rewrite(staging folder)``, which holds no summary files: the old ones are not read;
    what the version's record keeps of them)."""
    where = f"dataset {record.id} {record.version}"
    expected_path = BaseDataStore.version_path(record.id, record.version)
    if record.data_path != expected_path:
        raise InputError(
            f"{where}: its data path {record.data_path!r} is not {expected_path!r}; this "
            "registry's data layout cannot be copied."
        )
    files = [TABLE_FILE]
    if source.exists(source.sibling(record.data_path, MISSING_FILE)):
        files.append(MISSING_FILE)
    kept = {} if rewrite else recorded(record.extra)  # summaries written again: not read
    files += [entry["file"] for entry in kept.values()]
    staging = target.new_staging_dir()
    digests: dict[str, tuple[int, str]] = {}
    try:
        for name in files:
            path = source.sibling(record.data_path, name)
            source.download(path, staging / name)
            digests[name] = file_digest(staging / name)
        expected = {TABLE_FILE: (record.size_bytes, record.sha256)}
        expected |= {e["file"]: (e.get("size_bytes"), e.get("sha256")) for e in kept.values()}
        for name, (size, sha256) in expected.items():
            if (size is not None and digests[name][0] != size) or (
                sha256 and digests[name][1] != sha256
            ):
                raise InputError(
                    f"{where}: the source's data file {source.sibling(record.data_path, name)} "
                    "does not have its recorded size and SHA-256; run `dsgrid registry check` "
                    "on the source. Nothing was copied."
                )
        summaries = None
        if rewrite is not None:
            summaries = rewrite(staging)
            digests |= {e["file"]: file_digest(staging / e["file"]) for e in summaries.values()}
        target.prepare_publish(staging, record.id, record.version)
        target.publish(staging, record.id, record.version)
    except BaseException:
        target.discard(staging)
        raise
    try:
        for name, digest in digests.items():
            copied = target.digest(target.sibling(record.data_path, name))
            if copied != digest:
                raise InputError(
                    f"{where}: {name} differs after copying ({copied[0]:,} bytes, SHA-256 "
                    f"{copied[1][:12]}...; expected {digest[0]:,} bytes, {digest[1][:12]}...)."
                )
    except BaseException:
        target.unpublish(record.id, record.version)
        raise
    return sum(d[0] for d in digests.values()), summaries


def _copy_metadata(
    source: RegistryStore, target: RegistryStore, order: list[VersionRecord]
) -> tuple[int, int]:
    """Every version in ``order`` (inside the caller's transaction); returns the counts of
    components and records written."""
    uses: dict[Key, list[Dependency]] = {}
    for user, used in source.all_dependencies():
        uses.setdefault(_key(user), []).append(used)
    added: set[tuple[str, str]] = set()
    records = 0
    for record in order:
        component = (record.kind, record.id)
        if component not in added:
            summary = source.get_component(record.kind, record.id)
            if summary is None:
                raise InputError(
                    f"{record.kind} {record.id} has versions but no component row in the "
                    "source; run `dsgrid registry check` on it."
                )
            target.add_component(summary)  # its final state: name, latest version, times
            added.add(component)
        target.add_version(record)
        deps = sorted(uses.get((record.kind, record.id, record.version), []), key=_key)
        if deps:
            target.add_dependencies(record.kind, record.id, record.version, deps)
        if record.kind == "dimension":
            rows = source.dimension_records(record.id, record.version)
            if rows:
                target.put_dimension_records(record.id, record.version, rows)
            records += len(rows)
        elif record.kind == "dimension_mapping":
            pairs = source.mapping_records(record.id, record.version)
            if pairs:
                target.put_mapping_records(record.id, record.version, pairs)
            records += len(pairs)
    return len(added), records


# --- locations: what `dsgrid registry copy --from --to [--data-root]` does ---------------------


def copy_between(
    source_location: str,
    target_location: str,
    *,
    data_root: str | None = None,
    rewrite_summaries: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[CopyReport, str, str]:
    """Copy the registry at ``source_location`` into ``target_location``: an existing empty
    registry, or a new one (a folder that does not exist or is empty; with ``data_root``, a
    new registry with its data there). A registry folder created here is removed again when
    the copy fails (an ArangoDB database created here stays, as an empty registry). Returns
    (report, target as shown, its data root). ``rewrite_summaries``: see copy_registry."""
    if _same(source_location, target_location):
        raise InputError("--from and --to name the same registry.")
    created: Path | None = None  # a registry folder made here: emptied again on failure
    existed = False
    if data_root is None and _is_registry(target_location):
        with Registry(target_location, read_only=True) as peek:  # refuse before any write
            if not is_empty(peek):
                raise InputError(
                    f"{peek.location} is not empty: a registry is copied only into a new or "
                    "empty registry. Nothing was changed."
                )
        target = Registry(target_location)
    else:
        created = None if is_url(target_location) else Path(target_location)
        existed = created is not None and created.exists()
        target = Registry.create(target_location, data_root=data_root)
    try:
        with Registry(source_location, read_only=True) as source:
            report = copy_registry(
                source, target, rewrite_summaries=rewrite_summaries, progress=progress
            )
    except BaseException:
        target.close()
        if created is not None:  # it was new or empty: leave it empty
            for child in created.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
            if not existed:
                created.rmdir()
        raise
    shown, root = target.location, str(target.data.root)
    target.close()
    return report, shown, root


def _is_registry(location: str) -> bool:
    """Whether the target is an existing registry to copy into (else one is created)."""
    if is_url(location):
        return True  # an ArangoDB target must exist, unless --data-root asks to create it
    folder = Path(location)
    return (folder / DB_FILE).exists() or (folder / HOME_MARKER).is_file()


def _same(a: str, b: str) -> bool:
    if a.strip() == b.strip():
        return True
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False
