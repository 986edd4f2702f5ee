"""Every AQL text the ArangoDB store sends: constants only, so no user value is ever part of a
query; values travel as bind variables (``@name``). Collection names are constants too."""

from __future__ import annotations

MAX_HISTORY = 10000  # traversal depth: versions of one component

Q_GET_META = "FOR m IN meta FILTER m._key == @key RETURN m.value"
Q_SET_META = "UPSERT {_key: @key} INSERT {_key: @key, value: @value} UPDATE {value: @value} IN meta"
Q_INSERT_COMPONENT = "INSERT @doc INTO components"
Q_SET_LATEST = (
    "FOR c IN components FILTER c._key == @key "
    "UPDATE c WITH {latest_version: @version, name: @name, description: @description, "
    "updated_at: @updated_at} IN components"
)
Q_GET_COMPONENT = "FOR c IN components FILTER c._key == @key RETURN c"
Q_LIST_COMPONENTS = (
    "FOR c IN components "
    "FILTER @kind == null OR c.kind == @kind "
    "FILTER @type == null OR c.type == @type "
    "FILTER @name == null OR CONTAINS(LOWER(c.name), @name) "
    "FILTER @text == null OR CONTAINS(LOWER(c.id), @text) OR CONTAINS(LOWER(c.name), @text) "
    "OR CONTAINS(LOWER(c.description), @text) "
    "SORT c.kind, c.id RETURN c"
)
Q_REMOVE_DEPENDENCY_EDGES = (
    "FOR e IN depends_on FILTER e.kind == @kind AND e.id == @id REMOVE e IN depends_on"
)
Q_REMOVE_HISTORY_EDGES = (
    "FOR e IN next_version FILTER e.kind == @kind AND e.id == @id REMOVE e IN next_version"
)
Q_REMOVE_DIMENSION_RECORDS = (
    "FOR r IN dimension_records FILTER r.dimension_id == @id REMOVE r IN dimension_records"
)
Q_REMOVE_MAPPING_RECORDS = (
    "FOR r IN mapping_records FILTER r.mapping_id == @id REMOVE r IN mapping_records"
)
Q_REMOVE_VERSIONS = "FOR v IN versions FILTER v.kind == @kind AND v.id == @id REMOVE v IN versions"
Q_REMOVE_COMPONENT = "FOR c IN components FILTER c._key == @key REMOVE c IN components"
Q_INSERT_VERSION = "INSERT @doc INTO versions"
Q_VERSIONS_OF = "FOR v IN versions FILTER v.kind == @kind AND v.id == @id RETURN v.version"
Q_UNLINK_HISTORY = (
    "FOR e IN next_version FILTER e._from == @start AND e._to == @end REMOVE e IN next_version"
)
Q_LINK_HISTORY = "FOR e IN @edges INSERT e INTO next_version OPTIONS {overwriteMode: 'ignore'}"
Q_GET_VERSION = "FOR v IN versions FILTER v._key == @key RETURN v"
# History: from the component's first version (no inbound next_version edge) along the chain.
Q_HISTORY = (
    "WITH versions "
    "LET docs = (FOR v IN versions FILTER v.kind == @kind AND v.id == @id RETURN v) "
    "LET chain = ("
    "FOR head IN docs "
    "FILTER LENGTH(FOR p IN 1..1 INBOUND head next_version RETURN 1) == 0 "
    f"FOR v IN 0..{MAX_HISTORY} OUTBOUND head next_version RETURN v._key) "
    "RETURN {chain: chain, docs: docs}"
)
Q_ITER_VERSIONS = "FOR v IN versions SORT v.kind, v.id RETURN v"
Q_ADD_DEPENDENCIES = "FOR e IN @edges INSERT e INTO depends_on OPTIONS {overwriteMode: 'ignore'}"
Q_DEPENDENCIES = (
    "WITH versions "
    "FOR start IN versions FILTER start._key == @key "
    "FOR used, e IN 1..1 OUTBOUND start depends_on "
    "RETURN [e.dep_kind, e.dep_id, e.dep_version]"
)
Q_DEPENDENTS = (
    "WITH versions "
    "FOR used IN versions FILTER used.kind == @kind AND used.id == @id "
    "FOR user, e IN 1..1 INBOUND used depends_on "
    "RETURN [e.kind, e.id, e.version, e.dep_version]"
)
Q_ALL_DEPENDENCIES = (
    "FOR e IN depends_on RETURN [e.kind, e.id, e.version, e.dep_kind, e.dep_id, e.dep_version]"
)
Q_INSERT_DIMENSION_RECORDS = "FOR d IN @docs INSERT d INTO dimension_records"
Q_DIMENSION_RECORDS = (
    "FOR r IN dimension_records FILTER r.dimension_id == @id AND r.version == @version "
    "SORT r.position RETURN r.data_json"
)
Q_INSERT_MAPPING_RECORDS = "FOR d IN @docs INSERT d INTO mapping_records"
Q_MAPPING_RECORDS = (
    "FOR r IN mapping_records FILTER r.mapping_id == @id AND r.version == @version "
    "SORT r.position RETURN [r.from_id, r.to_id, r.from_fraction]"
)
Q_RECORD_COUNT = (
    "RETURN LENGTH(FOR r IN dimension_records "
    "FILTER r.dimension_id == @id AND r.version == @version RETURN 1)"
)
Q_STATE = (
    "RETURN [LENGTH(FOR v IN versions RETURN 1), "
    "FIRST(FOR v IN versions SORT v.registered_at DESC LIMIT 1 RETURN v.registered_at), "
    "LENGTH(FOR c IN components RETURN 1), "
    "FIRST(FOR c IN components SORT c.updated_at DESC LIMIT 1 RETURN c.updated_at)]"
)
Q_COUNTS_BY_KIND = "FOR c IN components COLLECT kind = c.kind WITH COUNT INTO n RETURN [kind, n]"
Q_LATEST_REGISTRATIONS = (
    "FOR v IN versions "
    "LET c = DOCUMENT(v.component) FILTER c != null "
    "SORT v.registered_at DESC, v.kind, v.id, v.version DESC "
    "LIMIT @limit "
    "RETURN [v.kind, v.id, v.version, v.registered_at, v.log_message, v.submitter, c.name]"
)
# Every one of @needles (lowercase) is inside the id, the name or the description; @needle (the
# lowered search text) being the whole id or name ranks first.
Q_SEARCH_COMPONENTS = (
    "FOR c IN components "
    "LET id = LOWER(c.id) LET name = LOWER(c.name) LET description = LOWER(c.description) "
    "FILTER LENGTH(FOR n IN @needles FILTER !CONTAINS(id, n) AND !CONTAINS(name, n) "
    "AND !CONTAINS(description, n) LIMIT 1 RETURN 1) == 0 "
    "LET id_or_name = LENGTH(FOR n IN @needles FILTER !CONTAINS(id, n) AND !CONTAINS(name, n) "
    "LIMIT 1 RETURN 1) == 0 "
    "LET exact = id == @needle OR name == @needle "
    "SORT exact DESC, id_or_name DESC, c.kind, c.id "
    "LIMIT @limit "
    "RETURN [exact, id_or_name, c.kind, c.id, c.name, c.type, c.latest_version, c.description]"
)
# Records of the latest version of each dimension only.
Q_SEARCH_RECORDS = (
    "FOR c IN components FILTER c.kind == 'dimension' "
    "FOR r IN dimension_records "
    "FILTER r.dimension_id == c.id AND r.version == c.latest_version "
    "LET id = LOWER(r.record_id) LET name = LOWER(r.name) "
    "FILTER LENGTH(FOR n IN @needles FILTER !CONTAINS(id, n) AND !CONTAINS(name, n) "
    "LIMIT 1 RETURN 1) == 0 "
    "LET exact = id == @needle OR name == @needle "
    "SORT exact DESC, r.dimension_id, r.position "
    "LIMIT @limit "
    "RETURN [exact, r.position, "
    "r.dimension_id, r.version, r.record_id, r.name, c.name, c.type]"
)
Q_INTEGRITY = (
    "WITH versions "
    "LET orphan_versions = (FOR v IN versions FILTER DOCUMENT(v.component) == null LIMIT 20 "
    "RETURN CONCAT_SEPARATOR(' ', v.kind, v.id, v.version)) "
    "LET broken_history = (FOR e IN next_version "
    "FILTER DOCUMENT(e._from) == null OR DOCUMENT(e._to) == null LIMIT 20 "
    "RETURN CONCAT_SEPARATOR(' ', e.kind, e.id)) "
    "LET split_history = (FOR v IN versions "
    "FILTER LENGTH(FOR p IN 1..1 INBOUND v next_version RETURN 1) == 0 "
    "COLLECT kind = v.kind, id = v.id WITH COUNT INTO heads FILTER heads > 1 LIMIT 20 "
    "RETURN CONCAT_SEPARATOR(' ', kind, id)) "
    "LET orphan_edges = (FOR e IN depends_on FILTER DOCUMENT(e._from) == null LIMIT 20 "
    "RETURN CONCAT_SEPARATOR(' ', e.kind, e.id, e.version)) "
    "LET orphan_records = (FOR r IN dimension_records "
    "COLLECT owner = r.owner, id = r.dimension_id, version = r.version "
    "FILTER DOCUMENT(owner) == null LIMIT 20 RETURN CONCAT_SEPARATOR(' ', id, version)) "
    "LET orphan_mappings = (FOR r IN mapping_records "
    "COLLECT owner = r.owner, id = r.mapping_id, version = r.version "
    "FILTER DOCUMENT(owner) == null LIMIT 20 RETURN CONCAT_SEPARATOR(' ', id, version)) "
    "RETURN {orphan_versions: orphan_versions, broken_history: broken_history, "
    "split_history: split_history, orphan_edges: orphan_edges, orphan_records: orphan_records, "
    "orphan_mappings: orphan_mappings}"
)
INTEGRITY_MESSAGES = {
    "orphan_versions": "version {} has no component document",
    "broken_history": "a next_version edge of {} points to a missing version",
    "split_history": "the versions of {} do not form one next_version chain",
    "orphan_edges": "a depends_on edge starts at {}, which is not stored",
    "orphan_records": "dimension records of {} belong to no stored version",
    "orphan_mappings": "mapping records of {} belong to no stored version",
}
