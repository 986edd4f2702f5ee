"""Vendor the map files the query builder's choropleths need, so that maps draw offline.

    cd /tmp && npm pack plotly.js@<version bundled with plotly.py> us-atlas@3
    python scripts/vendor_maps.py --plotly /tmp/plotly.js-4.1.1.tgz \
        --us-atlas /tmp/us-atlas-3.0.1.tgz

Writes into app/assets/maps/:

- ``usa_110m.json`` and ``north-america_110m.json``: the topojson plotly.js fetches for a geo
  subplot of ``scope: usa`` (state maps, ``locationmode: USA-states``) and of ``scope: north
  america`` (county maps zoomed to their counties: ``fitbounds`` does not work with the
  ``albers usa`` projection of scope usa). plotly.js 3+ no longer ships the topojson files as
  such: they are object literals inside ``dist/plotly-geo-assets.js``; this script reads the
  literal out (JSON5 syntax) and writes it as JSON.
- ``us_counties_10m.json``: US counties as GeoJSON, each feature's ``id`` the 5-digit county
  FIPS code and ``properties.name`` its name, converted from us-atlas's ``counties-10m.json``
  (TopoJSON) by decoding its arcs, with coordinates rounded to ``--decimals`` places.
- the two licenses (plotly.js MIT, us-atlas ISC); no file name may end in "js" or "css":
  Dash loads those as scripts and stylesheets on every page.

The version of plotly.js to take is the one the installed plotly.py bundles:
``python -c "from plotly.offline import get_plotlyjs_version as v; print(v())"``.
"""

from __future__ import annotations

import argparse
import io
import json
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "app" / "assets" / "maps"
# file name plotly.js asks for (scope with "-" for spaces, resolution) -> name in geo assets
TOPOJSON_NAMES = {"usa_110m": "usa_110m", "north-america_110m": "north_america_110m"}


def _member(tarball: Path, name: str) -> bytes:
    with tarfile.open(tarball) as archive:
        handle = archive.extractfile(f"package/{name}")
        if handle is None:
            raise SystemExit(f"{tarball} holds no package/{name}")
        return handle.read()


def plotly_topojson(geo_assets_js: str, name: str) -> dict:
    """The topojson ``name`` (e.g. usa_110m) out of plotly.js's dist/plotly-geo-assets.js."""
    import json5

    marker = f"require_{name} = __commonJS"
    start = geo_assets_js.find(marker)
    if start < 0:
        raise SystemExit(f"no {name} in plotly-geo-assets.js")
    start = geo_assets_js.index("module.exports = ", start) + len("module.exports = ")
    end = geo_assets_js.index("};\n", start) + 1
    topology = json5.loads(geo_assets_js[start:end])
    if topology.get("type") != "Topology":
        raise SystemExit(f"{name}: not a topojson Topology")
    return topology


# --- TopoJSON -> GeoJSON ------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute coordinates (quantized arcs are delta-encoded)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """A closed ring from arc indexes (``~i`` = arc i reversed); shared end points once."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _round(points, decimals: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        point = [round(x, decimals), round(y, decimals)]
        if not out or point != out[-1]:
            out.append(point)
    if len(out) > 1 and out[0] != out[-1]:
        out.append(out[0])
    return out


def geometry(geom: dict, arcs, decimals: int) -> dict | None:
    kind = geom.get("type")
    if kind == "Polygon":
        rings = [_round(ring(r, arcs), decimals) for r in geom["arcs"]]
        rings = [r for r in rings if len(r) >= 4]
        return {"type": "Polygon", "coordinates": rings} if rings else None
    if kind == "MultiPolygon":
        polygons = []
        for polygon in geom["arcs"]:
            rings = [_round(ring(r, arcs), decimals) for r in polygon]
            rings = [r for r in rings if len(r) >= 4]
            if rings:
                polygons.append(rings)
        return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None
    return None


def to_geojson(topology: dict, object_name: str, decimals: int) -> dict:
    """One GeometryCollection of a topology as a GeoJSON FeatureCollection."""
    arcs = decode_arcs(topology)
    features = []
    for geom in topology["objects"][object_name]["geometries"]:
        shape = geometry(geom, arcs, decimals)
        if shape is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(geom.get("id")),
                "properties": {"name": (geom.get("properties") or {}).get("name", "")},
                "geometry": shape,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plotly", type=Path, required=True, help="plotly.js npm tarball")
    parser.add_argument("--us-atlas", type=Path, required=True, help="us-atlas npm tarball")
    parser.add_argument("--decimals", type=int, default=3, help="coordinate decimals (3: ~100 m)")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    geo_assets = _member(args.plotly, "dist/plotly-geo-assets.js").decode()
    for name, asset in TOPOJSON_NAMES.items():
        topology = plotly_topojson(geo_assets, asset)
        (args.out / f"{name}.json").write_text(json.dumps(topology, separators=(",", ":")))
    (args.out / "LICENSE-plotly.txt").write_bytes(_member(args.plotly, "LICENSE"))

    counties = json.load(io.BytesIO(_member(args.us_atlas, "counties-10m.json")))
    geojson = to_geojson(counties, "counties", args.decimals)
    text = json.dumps(geojson, separators=(",", ":"))
    (args.out / "us_counties_10m.json").write_text(text)
    (args.out / "LICENSE-us-atlas").write_bytes(_member(args.us_atlas, "LICENSE"))
    print(
        f"wrote {args.out}: {', '.join(f'{n}.json' for n in TOPOJSON_NAMES)}, "
        f"us_counties_10m.json ({len(geojson['features'])} counties, {len(text) / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
