"""The benchmark's queries written by hand, as a person would without the project: DuckDB SQL
and PySpark over the same stored Parquet files and mapping rows the project reads. They are
the yardstick for the project's times and the independent check of its answers."""

from __future__ import annotations

from pathlib import Path

TZ = "Etc/GMT+5"
DATASETS = ("demo_comstock_like", "demo_resstock_like")


class Inputs:
    """The files and small tables the hand-written versions read (the same the project reads)."""

    def __init__(self, registry_path: Path):
        from dsgrid_core.registry.registry import Registry

        with Registry(registry_path, read_only=True) as reg:
            project = reg.show("project", "demo_us_buildings")
            status = project.extra["datasets"]
            self.tables = {
                d: str(reg.dataset_table_path(d, status[d]["version"])) for d in DATASETS
            }
            self.maps: dict[str, list] = {}
            for d in DATASETS:
                for m in status[d]["mappings"]:
                    rows = reg.store.mapping_records(m["mapping_id"], m["version"])
                    self.maps[f"{d}_{m['dimension_type']}"] = rows
            metric = project.extra["base_dimensions"]["metric"]
            # Q2-Q4 add end uses together: in kWh, as the project's queries ask (result.unit)
            to_kwh = {"kWh": 1.0, "MWh": 1e3, "GWh": 1e6, "therm": 29.307107, "MBtu": 293.07107}
            self.kwh = [
                (r["id"], "kWh", to_kwh[r["unit"]])
                for r in reg.records(metric["id"], metric["version"])
            ]
            for s in project.extra["supplemental_dimensions"]:
                if s["name"] in ("Demo States", "Demo Balancing Areas"):
                    key = "state" if s["name"] == "Demo States" else "ba"
                    self.maps[key] = reg.store.mapping_records(
                        s["mapping_id"], s["mapping_version"]
                    )
        states = sorted({t for _, t, _ in self.maps["state"]})
        self.state = states[len(states) // 2]


def hand_duckdb_sql(inputs: Inputs) -> dict[str, str]:
    parts = []
    for d in DATASETS:
        parts.append(f"""
        SELECT s.geography, m.to_id AS metric, y.to_id AS model_year, c.to_id AS scenario,
               s.timestamp, s.value * m.fraction * y.fraction * c.fraction AS value
        FROM read_parquet('{inputs.tables[d]}') s
        JOIN {d}_metric m ON s.metric = m.from_id
        JOIN {d}_model_year y ON s.model_year = y.from_id
        JOIN {d}_scenario c ON s.scenario = c.from_id""")
    base = " UNION ALL ".join(parts)
    kwh = f"""SELECT b.* REPLACE (b.value * k.fraction AS value)
              FROM ({base}) b JOIN kwh k ON b.metric = k.from_id"""
    return {
        "Q1": f"""SELECT st.to_id AS geography, b.metric,
                  date_trunc('month', timezone('{TZ}', b.timestamp)) AS timestamp,
                  sum(b.value * st.fraction) AS value
                  FROM ({base}) b JOIN state st ON b.geography = st.from_id GROUP BY ALL""",
        "Q2": f"""SELECT geography, timestamp, value FROM (
                  SELECT *, row_number() OVER (PARTITION BY geography
                                               ORDER BY value DESC, timestamp) AS r FROM (
                    SELECT st.to_id AS geography, b.timestamp, sum(b.value * st.fraction) AS value
                    FROM ({kwh}) b JOIN state st ON b.geography = st.from_id GROUP BY ALL))
                  WHERE r = 1""",
        "Q3": f"""SELECT b.timestamp, sum(b.value) AS value FROM ({kwh}) b
                  WHERE b.geography IN (SELECT from_id FROM state WHERE to_id = '{inputs.state}')
                  GROUP BY ALL""",
        "Q4": f"""SELECT ba.to_id AS geography, b.scenario, b.model_year,
                  sum(b.value * ba.fraction) AS value
                  FROM ({kwh}) b JOIN ba ON b.geography = ba.from_id GROUP BY ALL""",
    }


def duckdb_connection(inputs: Inputs):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name, rows in {**inputs.maps, "kwh": inputs.kwh}.items():
        con.execute(f"CREATE TABLE {name} (from_id VARCHAR, to_id VARCHAR, fraction DOUBLE)")
        con.executemany(
            f"INSERT INTO {name} VALUES (?, ?, ?)", [r for r in rows if r[1] is not None]
        )
    return con


def hand_pyspark(spark, inputs: Inputs) -> dict:
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    schema = StructType(
        [
            StructField("from_id", StringType()),
            StructField("to_id", StringType()),
            StructField("fraction", DoubleType()),
        ]
    )
    maps = {
        k: spark.createDataFrame([r for r in v if r[1] is not None], schema)
        for k, v in {**inputs.maps, "kwh": inputs.kwh}.items()
    }

    def base():
        frames = []
        for d in DATASETS:
            s = spark.read.parquet(inputs.tables[d])
            for dim in ("metric", "model_year", "scenario"):
                m = maps[f"{d}_{dim}"].withColumnRenamed("fraction", f"f_{dim}")
                s = (
                    s.join(m, s[dim] == m["from_id"])
                    .drop(dim, "from_id")
                    .withColumnRenamed("to_id", dim)
                )
            s = s.withColumn(
                "value",
                F.col("value") * F.col("f_metric") * F.col("f_model_year") * F.col("f_scenario"),
            )
            frames.append(
                s.select("geography", "metric", "model_year", "scenario", "timestamp", "value")
            )
        return frames[0].unionByName(frames[1])

    def base_kwh():
        k = maps["kwh"]
        b = base()
        return (
            b.join(k, b["metric"] == k["from_id"])
            .withColumn("value", F.col("value") * F.col("fraction"))
            .select("geography", "metric", "model_year", "scenario", "timestamp", "value")
        )

    def by(mapping: str, kwh: bool = False):
        m = maps[mapping]
        b = base_kwh() if kwh else base()
        return (
            b.join(m, b["geography"] == m["from_id"])
            .withColumn("value", F.col("value") * F.col("fraction"))
            .drop("geography", "from_id", "fraction")
            .withColumnRenamed("to_id", "geography")
        )

    from pyspark.sql.window import Window

    def q2():
        hourly = (
            by("state", kwh=True)
            .groupBy("geography", "timestamp")
            .agg(F.sum("value").alias("value"))
        )
        w = Window.partitionBy("geography").orderBy(F.col("value").desc(), F.col("timestamp"))
        return (
            hourly.withColumn("r", F.row_number().over(w))
            .where("r = 1")
            .select("geography", "timestamp", "value")
        )

    counties = [f for f, t, _ in inputs.maps["state"] if t == inputs.state]
    return {
        "Q1": lambda: (
            by("state")
            .groupBy(
                "geography",
                "metric",
                F.date_trunc("month", F.from_utc_timestamp("timestamp", TZ)).alias("timestamp"),
            )
            .agg(F.sum("value").alias("value"))
        ),
        "Q2": q2,
        "Q3": lambda: (
            base_kwh()
            .where(F.col("geography").isin(counties))
            .groupBy("timestamp")
            .agg(F.sum("value").alias("value"))
        ),
        "Q4": lambda: (
            by("ba", kwh=True)
            .groupBy("geography", "scenario", "model_year")
            .agg(F.sum("value").alias("value"))
        ),
    }
