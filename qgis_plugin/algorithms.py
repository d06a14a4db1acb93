"""The landasset Processing algorithms.

Each algorithm gathers its parameters, runs one operation of the library in the
Python that has landasset (see :mod:`.environment`), passes progress and notes to
the Processing feedback, and returns the written layer. A refusal by the library
(an unknown profile, a bad date, an illegal lifecycle move...) is raised as a
``QgsProcessingException`` carrying the library's own message: no traceback.
"""

from __future__ import annotations

import getpass
from typing import Any, ClassVar

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication, QVariant

from . import environment

#: Lifecycle stages (landasset._vocab.STAGE_IDS; a test keeps the two equal).
STAGES = (
    "planned",
    "acquiring",
    "reserved",
    "supply_ready",
    "supplied",
    "permitted",
    "under_construction",
    "completed",
    "operating",
    "renewal",
    "retired",
)
#: Bundled industry profiles (landasset.suitability.list_profiles(); a test keeps them equal).
PROFILES = ("aerospace", "ai", "life_health", "smart_manufacturing")
LEVELS = ("enterprise", "parcel")

SITE_HELP = "The site: one GeoPackage with a layer per kind (parcels, buildings, ...)."
AS_OF_HELP = (
    "The date, YYYY-MM-DD (empty: no date): planned stations count once open, "
    "lifecycle stages as on that day."
)
PROFILE_HELP = (
    "A bundled profile (aerospace, ai, life_health, smart_manufacturing) "
    "or the path of a profile .yaml file."
)


def tr(text: str) -> str:
    return QCoreApplication.translate("landasset", text)


class LandassetAlgorithm(QgsProcessingAlgorithm):
    """What every landasset algorithm shares: running the library, errors, outputs."""

    NAME = ""
    LABEL = ""
    GROUP = ""
    GROUP_ID = ""
    HELP = ""
    OP = ""

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.LABEL)

    def group(self) -> str:
        return tr(self.GROUP)

    def groupId(self) -> str:
        return self.GROUP_ID

    def shortHelpString(self) -> str:
        return tr(self.HELP)

    def createInstance(self) -> LandassetAlgorithm:
        return type(self)()

    # -- helpers for subclasses -------------------------------------------------------

    def add_site(self) -> None:
        param = QgsProcessingParameterFile("SITE", tr("Site GeoPackage"), extension="gpkg")
        param.setHelp(tr(SITE_HELP))
        self.addParameter(param)

    def add_profile(self, *, optional: bool = False) -> None:
        param = QgsProcessingParameterString(
            "PROFILE",
            tr("Industry profile (name or .yaml file)"),
            defaultValue=None if optional else "aerospace",
            optional=optional,
        )
        param.setHelp(tr(PROFILE_HELP))
        self.addParameter(param)

    def add_as_of(self) -> None:
        param = QgsProcessingParameterString("AS_OF", tr("As of date (YYYY-MM-DD)"), optional=True)
        param.setHelp(tr(AS_OF_HELP))
        self.addParameter(param)

    def add_number(
        self,
        name: str,
        label: str,
        default: float,
        *,
        integer: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        optional: bool = False,
    ) -> None:
        kind = (
            QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double
        )
        param = QgsProcessingParameterNumber(
            name, tr(label), type=kind, defaultValue=default, optional=optional
        )
        if minimum is not None:
            param.setMinimum(minimum)
        if maximum is not None:
            param.setMaximum(maximum)
        self.addParameter(param)

    def add_output_layer(self, label: str, geometry: int = QgsProcessing.TypeVectorPolygon) -> None:
        self.addParameter(
            QgsProcessingParameterVectorDestination("OUTPUT", tr(label), type=geometry)
        )

    def text(self, parameters: dict[str, Any], name: str, context: Any) -> str:
        return (self.parameterAsString(parameters, name, context) or "").strip()

    def site(self, parameters: dict[str, Any], context: Any) -> str:
        path = self.parameterAsFile(parameters, "SITE", context)
        if not path:
            raise QgsProcessingException(tr("name the site GeoPackage (SITE)"))
        return path

    def output_path(self, parameters: dict[str, Any], context: Any) -> str:
        path = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
        if not path.lower().endswith(".gpkg"):
            raise QgsProcessingException(
                tr(f"{path} is not a GeoPackage; landasset writes its styled layers to .gpkg files")
            )
        return path

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        raise NotImplementedError

    def outputs(
        self, result: dict[str, Any], parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        return {"OUTPUT": result.get("output")}

    # -- the run ------------------------------------------------------------------------

    def processAlgorithm(
        self, parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        from .provider import configured_environment

        args = self.arguments(parameters, context)
        env = configured_environment()
        feedback.pushInfo(tr(f"landasset runs in {env.python} ({env.source})"))
        try:
            outcome = environment.run(
                self.OP,
                args,
                env,
                on_progress=lambda percent, label: _progress(feedback, percent, label),
                on_info=feedback.pushInfo,
                is_cancelled=feedback.isCanceled,
            )
        except environment.LandassetCancelled as exc:
            feedback.reportError(str(exc), fatalError=False)
            return {}
        except environment.LandassetRunError as exc:
            raise QgsProcessingException(str(exc)) from None
        results = self.outputs(outcome.result, parameters, context, feedback)
        layer = results.get("OUTPUT")
        styled = isinstance(
            self.parameterDefinition("OUTPUT"), QgsProcessingParameterVectorDestination
        )
        if styled and layer and context.willLoadLayerOnCompletion(layer):
            # Processing loads outputs without their default style: apply the file's own
            context.layerToLoadOnCompletionDetails(layer).setPostProcessor(DefaultStyle.create())
        return results


class DefaultStyle(QgsProcessingLayerPostProcessorInterface):
    """Gives a loaded output the default style of its GeoPackage (styles, Chinese aliases).

    Processing loads output layers without the style stored with them; this applies
    it once the layer is in the project, as opening the file in QGIS would.
    """

    #: Processing keeps only a pointer to a post-processor: the Python objects are kept
    #: here so they outlive every run that uses one (a few bytes each)
    instances: ClassVar[list[DefaultStyle]] = []

    def postProcessLayer(self, layer: Any, context: Any, feedback: Any) -> None:
        message, loaded = layer.loadDefaultStyle()
        if loaded:
            layer.triggerRepaint()
        else:
            feedback.pushInfo(tr(f"{layer.name()}: no default style loaded ({message})"))

    @staticmethod
    def create() -> DefaultStyle:
        processor = DefaultStyle()
        DefaultStyle.instances.append(processor)
        return processor


def _progress(feedback: Any, percent: int, label: str) -> None:
    feedback.setProgress(percent)
    if label:
        feedback.setProgressText(label)


def _table_sink(
    algorithm: LandassetAlgorithm,
    parameters: dict[str, Any],
    context: Any,
    rows: list[dict[str, Any]],
    columns: list[str],
) -> str | None:
    """Write rows to the algorithm's non-spatial SINK output (numbers as doubles)."""
    fields = QgsFields()
    numeric = {
        c: bool(rows)
        and all(
            (isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool))
            or r.get(c) is None
            for r in rows
        )
        and any(r.get(c) is not None for r in rows)
        for c in columns
    }
    for column in columns:
        fields.append(QgsField(column, QVariant.Double if numeric[column] else QVariant.String))
    sink, dest = algorithm.parameterAsSink(
        parameters, "OUTPUT", context, fields, QgsWkbTypes.NoGeometry
    )
    if sink is None:
        return None
    for row in rows:
        feature = QgsFeature(fields)
        feature.setAttributes(
            [row.get(c) if numeric[c] or row.get(c) is None else str(row.get(c)) for c in columns]
        )
        sink.addFeature(feature, QgsFeatureSink.FastInsert)
    return dest


class ValidateSite(LandassetAlgorithm):
    NAME, OP = "validate_site", "validate"
    LABEL, GROUP, GROUP_ID = "Validate a site", "Site", "site"
    HELP = (
        "Checks every layer of the site GeoPackage against the landasset schemas and lists "
        "each problem (severity, layer, id, column, problem, suggested fix) in a table. "
        "ERRORS counts the errors; OK is true when there are none. With a repaired site "
        "file, safe repairs are made (invalid geometry made valid, empty geometry, slivers "
        "and repeated parcels removed, each listed) and the site is written there when no "
        "error remains (the layers; the lifecycle ledger stays in the original file)."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_number("OVERLAP_TOLERANCE_M2", "Overlap tolerance (m²)", 1.0, minimum=0)
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "FIXED",
                tr("Repaired site"),
                fileFilter="GeoPackage files (*.gpkg)",
                optional=True,
                createByDefault=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "OUTPUT", tr("Validation problems"), type=QgsProcessing.TypeVector
            )
        )
        self.addOutput(QgsProcessingOutputNumber("ERRORS", tr("Errors")))
        self.addOutput(QgsProcessingOutputNumber("WARNINGS", tr("Warnings")))
        self.addOutput(QgsProcessingOutputBoolean("OK", tr("Valid")))

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        fixed = self.parameterAsFileOutput(parameters, "FIXED", context)
        return {
            "site": self.site(parameters, context),
            "fixed": fixed or None,
            "overlap_tolerance_m2": self.parameterAsDouble(
                parameters, "OVERLAP_TOLERANCE_M2", context
            ),
        }

    def outputs(
        self, result: dict[str, Any], parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        columns = ["severity", "kind", "id", "column", "problem", "fix"]
        dest = _table_sink(self, parameters, context, result.get("problems", []), columns)
        feedback.pushInfo(result.get("summary", ""))
        return {
            "OUTPUT": dest,
            "ERRORS": result.get("errors", 0),
            "WARNINGS": result.get("warnings", 0),
            "OK": bool(result.get("ok")),
            "FIXED": result.get("fixed"),
        }


class ScoreParcels(LandassetAlgorithm):
    NAME, OP = "score_parcels", "score"
    LABEL, GROUP, GROUP_ID = "Score parcels", "Suitability", "suitability"
    HELP = (
        "Scores every parcel of the site for an industry profile. The output holds score "
        "(0–1), rank, eligible, excluded_by and per criterion its measure (m_), transformed "
        "value (v_) and contribution (c_), styled by score with Chinese field aliases. "
        "With a lifecycle ledger in the site, stages are read as of the date."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_profile()
        self.add_as_of()
        self.add_output_layer("Scored parcels")
        self.addOutput(QgsProcessingOutputString("TOP", tr("Best parcels")))

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "profile": self.text(parameters, "PROFILE", context),
            "as_of": self.text(parameters, "AS_OF", context),
            "output": self.output_path(parameters, context),
            "layer": "parcels",
        }

    def outputs(
        self, result: dict[str, Any], parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        top = ", ".join(result.get("top", []))
        feedback.pushInfo(
            tr(f"{result.get('eligible')} of {result.get('rows')} parcels eligible; best: {top}")
        )
        return {"OUTPUT": result.get("output"), "TOP": top}


class ExplainParcel(LandassetAlgorithm):
    NAME, OP = "explain_parcel", "explain"
    LABEL, GROUP, GROUP_ID = "Explain a parcel's score", "Suitability", "suitability"
    HELP = (
        "Explains the score of one parcel: a table with one row per criterion (measure, raw "
        "value, transformed value, weight, contribution, share) and the parcel's score and rank."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_profile()
        self.addParameter(QgsProcessingParameterString("PARCEL_ID", tr("Parcel id")))
        self.add_as_of()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "OUTPUT", tr("Explanation"), type=QgsProcessing.TypeVector
            )
        )
        self.addOutput(QgsProcessingOutputNumber("SCORE", tr("Score")))
        self.addOutput(QgsProcessingOutputNumber("RANK", tr("Rank")))
        self.addOutput(QgsProcessingOutputString("EXCLUDED_BY", tr("Excluded by")))

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "profile": self.text(parameters, "PROFILE", context),
            "parcel_id": self.text(parameters, "PARCEL_ID", context),
            "as_of": self.text(parameters, "AS_OF", context),
        }

    def outputs(
        self, result: dict[str, Any], parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        rows = result.get("criteria", [])
        columns = list(rows[0]) if rows else ["criterion"]
        dest = _table_sink(self, parameters, context, rows, columns)
        rank = result.get("rank")
        feedback.pushInfo(
            tr(
                f"{result.get('parcel_id')}: score {result.get('score'):.3f}, "
                + ("not ranked" if rank is None else f"rank {rank}")
            )
        )
        return {
            "OUTPUT": dest,
            "SCORE": result.get("score"),
            "RANK": rank,
            "EXCLUDED_BY": result.get("excluded_by") or "",
        }


class BestFit(LandassetAlgorithm):
    NAME, OP = "best_fit", "best_fit"
    LABEL, GROUP, GROUP_ID = "Best-fitting industry", "Suitability", "suitability"
    HELP = (
        "Scores the site for several profiles and keeps the best one per parcel: best, score, "
        "runner_up, margin, conflict (closer than the margin), reason and score_<profile>."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.addParameter(
            QgsProcessingParameterString(
                "PROFILES", tr("Profiles (comma-separated)"), defaultValue=",".join(PROFILES)
            )
        )
        self.add_number("MARGIN", "Conflict margin", 0.05, minimum=0)
        self.add_number("MIN_SCORE", "Minimum score", 0.0, minimum=0, maximum=1)
        self.add_as_of()
        self.add_output_layer("Best fit")

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "profiles": self.text(parameters, "PROFILES", context),
            "margin": self.parameterAsDouble(parameters, "MARGIN", context),
            "min_score": self.parameterAsDouble(parameters, "MIN_SCORE", context),
            "as_of": self.text(parameters, "AS_OF", context),
            "output": self.output_path(parameters, context),
            "layer": "best_fit",
        }


class AssembleSites(LandassetAlgorithm):
    NAME, OP = "assemble_sites", "assemble"
    LABEL, GROUP, GROUP_ID = "Assemble candidate sites", "Suitability", "suitability"
    HELP = (
        "Land waits for projects (地等项目): scores the parcels with the profile, then grows "
        "groups of adjacent eligible parcels whose area meets the demand in mu, best first."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_profile()
        self.add_number("DEMAND_MU", "Land demand (mu)", 50.0, minimum=0.001)
        self.add_number("MAX_PARCELS", "Most parcels per site", 5, integer=True, minimum=1)
        self.add_number("MIN_SCORE", "Minimum parcel score", 0.0, minimum=0, maximum=1)
        self.add_number("TOLERANCE_M", "Adjacency tolerance (m)", 1.0, minimum=0)
        self.add_number("LIMIT", "Most candidate sites", 50, integer=True, minimum=1)
        self.addParameter(
            QgsProcessingParameterBoolean(
                "OVERLAPPING", tr("Allow a parcel in several sites"), False
            )
        )
        self.add_as_of()
        self.add_output_layer("Candidate sites")

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "profile": self.text(parameters, "PROFILE", context),
            "demand_mu": self.parameterAsDouble(parameters, "DEMAND_MU", context),
            "max_parcels": self.parameterAsInt(parameters, "MAX_PARCELS", context),
            "min_score": self.parameterAsDouble(parameters, "MIN_SCORE", context),
            "tolerance_m": self.parameterAsDouble(parameters, "TOLERANCE_M", context),
            "limit": self.parameterAsInt(parameters, "LIMIT", context),
            "overlapping": self.parameterAsBool(parameters, "OVERLAPPING", context),
            "as_of": self.text(parameters, "AS_OF", context),
            "output": self.output_path(parameters, context),
            "layer": "candidate_sites",
        }


class RecordEvent(LandassetAlgorithm):
    NAME, OP = "record_event", "record"
    LABEL, GROUP, GROUP_ID = "Record a lifecycle event", "Lifecycle", "lifecycle"
    HELP = (
        "Records in the site's ledger that a parcel entered a stage on a day. The move is "
        "checked against the table of allowed moves; an illegal move or a missing required "
        "field is refused and nothing is written. Fields: KEY=VALUE separated by ';', e.g. "
        "land_use=M0;far_min=1.5;far_max=3.0."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.addParameter(QgsProcessingParameterString("PARCEL_ID", tr("Parcel id")))
        self.addParameter(
            QgsProcessingParameterEnum("STAGE", tr("Stage entered"), options=list(STAGES))
        )
        self.addParameter(QgsProcessingParameterString("ON", tr("Day (YYYY-MM-DD)")))
        self.addParameter(
            QgsProcessingParameterString(
                "FIELDS", tr("Fields (KEY=VALUE;...)"), optional=True, multiLine=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "ACTOR", tr("Recorded by"), defaultValue=_user(), optional=True
            )
        )
        self.addOutput(QgsProcessingOutputNumber("EVENT_ID", tr("Event id")))
        self.addOutput(QgsProcessingOutputString("STAGE", tr("Stage")))

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "parcel_id": self.text(parameters, "PARCEL_ID", context),
            "stage": STAGES[self.parameterAsEnum(parameters, "STAGE", context)],
            "on": self.text(parameters, "ON", context),
            "fields": self.text(parameters, "FIELDS", context),
            "actor": self.text(parameters, "ACTOR", context) or _user(),
        }

    def outputs(
        self, result: dict[str, Any], parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        return {"EVENT_ID": result.get("event_id"), "STAGE": result.get("stage")}


class IdleLand(LandassetAlgorithm):
    NAME, OP = "idle_land", "idle_land"
    LABEL, GROUP, GROUP_ID = "Idle land (闲置土地)", "Lifecycle", "lifecycle"
    HELP = (
        "Parcels supplied but not started past the agreed start date: days past, the 20 % "
        "fee date and amount, the repossession date (2 years) and the status."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_as_of()
        self.add_output_layer("Idle land")

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "as_of": self.text(parameters, "AS_OF", context),
            "output": self.output_path(parameters, context),
            "layer": "idle_land",
        }


class LowEfficiency(LandassetAlgorithm):
    NAME, OP = "low_efficiency", "low_efficiency"
    LABEL, GROUP, GROUP_ID = "Low-efficiency land (低效用地)", "Lifecycle", "lifecycle"
    HELP = (
        "Parcels in one of the five low-efficiency categories: approved not supplied, "
        "supplied not used, used not fully built, built not operating, operating below "
        "standard (this last one needs the evaluation YEAR)."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_as_of()
        self.add_number("YEAR", "Evaluation year (0: none)", 0, integer=True, minimum=0)
        self.addParameter(
            QgsProcessingParameterString(
                "SCHEME", tr("Evaluation scheme"), defaultValue="zhejiang-2018"
            )
        )
        self.add_output_layer("Low-efficiency land")

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "as_of": self.text(parameters, "AS_OF", context),
            "year": self.parameterAsInt(parameters, "YEAR", context) or None,
            "scheme": self.text(parameters, "SCHEME", context),
            "output": self.output_path(parameters, context),
            "layer": "low_efficiency",
        }


class PerMuEvaluation(LandassetAlgorithm):
    NAME, OP = "per_mu_evaluation", "efficiency"
    LABEL, GROUP, GROUP_ID = "Per-mu evaluation (亩均效益)", "Efficiency", "efficiency"
    HELP = (
        "Grades the enterprises A–D by per-mu efficiency for a year: tax and value added per "
        "mu, labour productivity, value added per energy and emission, R&D intensity, their "
        "points, score, rank and grade. By parcel: the land-weighted figures per parcel."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_number("YEAR", "Year", 2025, integer=True, minimum=1900)
        self.addParameter(
            QgsProcessingParameterString(
                "SCHEME", tr("Evaluation scheme"), defaultValue="zhejiang-2018"
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum("BY", tr("Level"), options=list(LEVELS), defaultValue=0)
        )
        self.add_output_layer("Per-mu evaluation", QgsProcessing.TypeVectorAnyGeometry)

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "year": self.parameterAsInt(parameters, "YEAR", context),
            "scheme": self.text(parameters, "SCHEME", context),
            "by": LEVELS[self.parameterAsEnum(parameters, "BY", context)],
            "output": self.output_path(parameters, context),
            "layer": "efficiency",
        }


class Report(LandassetAlgorithm):
    NAME, OP = "report", "report"
    LABEL, GROUP, GROUP_ID = "Site report (HTML)", "Report", "report"
    HELP = (
        "One self-contained HTML page: the site summary, scores and explanations for a profile, "
        "the lifecycle pipeline and idle land, grades and renewal candidates."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_site()
        self.add_profile(optional=True)
        self.add_number("YEAR", "Evaluation year (0: none)", 0, integer=True, minimum=0)
        self.addParameter(
            QgsProcessingParameterString(
                "SCHEME", tr("Evaluation scheme"), defaultValue="zhejiang-2018"
            )
        )
        self.add_as_of()
        self.addParameter(QgsProcessingParameterString("TITLE", tr("Title"), optional=True))
        self.add_number("TOP", "Best parcels shown", 20, integer=True, minimum=1)
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT", tr("Report"), fileFilter="HTML files (*.html)"
            )
        )

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "site": self.site(parameters, context),
            "profile": self.text(parameters, "PROFILE", context),
            "year": self.parameterAsInt(parameters, "YEAR", context) or None,
            "scheme": self.text(parameters, "SCHEME", context),
            "as_of": self.text(parameters, "AS_OF", context),
            "title": self.text(parameters, "TITLE", context),
            "top": self.parameterAsInt(parameters, "TOP", context),
            "output": self.parameterAsFileOutput(parameters, "OUTPUT", context),
        }


class MatchProject(LandassetAlgorithm):
    NAME, OP = "match_project", "match"
    LABEL, GROUP, GROUP_ID = "Match a project", "Suitability", "suitability"
    HELP = (
        "Land waits for projects (地等项目): the parcels, assemblies of adjacent parcels and "
        "floor space that meet a project's demand on a date, ranked: the styled shortlist "
        "layer, and optionally a one-page HTML memo of the best candidates."
    )

    def initAlgorithm(self, config: Any = None) -> None:
        param = QgsProcessingParameterString(
            "PROJECT",
            tr("Project (bundled name or .yaml file)"),
            defaultValue="aerospace_plant",
        )
        param.setHelp(
            tr(
                "A project YAML file (demand, conditions, industry) or the name of a bundled "
                "sample project, such as aerospace_plant."
            )
        )
        self.addParameter(param)
        self.add_site()
        self.add_as_of()
        self.add_number("LIMIT", "Most candidates", 20, integer=True, minimum=1)
        self.add_output_layer("Shortlist")
        memo = QgsProcessingParameterFileDestination(
            "MEMO",
            tr("Memo (HTML)"),
            fileFilter="HTML files (*.html)",
            optional=True,
            createByDefault=False,
        )
        self.addParameter(memo)

    def arguments(self, parameters: dict[str, Any], context: Any) -> dict[str, Any]:
        memo = self.parameterAsFileOutput(parameters, "MEMO", context) or ""
        return {
            "project": self.text(parameters, "PROJECT", context),
            "site": self.site(parameters, context),
            "as_of": self.text(parameters, "AS_OF", context),
            "limit": self.parameterAsInt(parameters, "LIMIT", context),
            "output": self.output_path(parameters, context),
            "memo": memo,
        }

    def outputs(
        self, result: dict[str, Any], parameters: dict[str, Any], context: Any, feedback: Any
    ) -> dict[str, Any]:
        feedback.pushInfo(tr("candidates, best first: " + ", ".join(result.get("candidates", []))))
        return {"OUTPUT": result.get("output"), "MEMO": result.get("memo")}


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "landasset"


ALGORITHMS = (
    ValidateSite,
    ScoreParcels,
    ExplainParcel,
    BestFit,
    AssembleSites,
    RecordEvent,
    IdleLand,
    LowEfficiency,
    PerMuEvaluation,
    Report,
    MatchProject,
)
