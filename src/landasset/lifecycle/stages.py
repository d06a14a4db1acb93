"""Lifecycle stages of a parcel and the one table of moves between them.

A parcel moves through the operator's chain reserve → develop → operate
(储备—开发—运营)::

    planned → acquiring → reserved → supply_ready → supplied → permitted
    → under_construction → completed → operating → renewal → …

From ``renewal`` a parcel goes back to ``permitted`` or ``under_construction``
(self-renewal), back to ``operating`` (tenants replaced without works, 腾笼换鸟) or
back to ``reserved`` (bought back or repossessed). Idle land is repossessed from
``supplied``, ``permitted`` or a stalled ``under_construction``. Every stage except
``retired`` can end in ``retired`` (split, merged, expired, cancelled).

:data:`TRANSITIONS` is the single table of allowed moves with the data each one
needs. The ledger checks events against it, its error messages quote it and the
documentation page renders it (:func:`transitions_markdown`). Rows whose source is
``None`` say what a parcel's *first* event must carry when it enters the ledger
directly in that stage (taking stock of land already in the pipeline).

Examples
--------
>>> from landasset.lifecycle import Stage, allowed_next, required_fields
>>> Stage.supplied.label_zh, Stage.supplied.label
('出让/划拨', 'supplied')
>>> [s.value for s in allowed_next("reserved")]
['supply_ready', 'retired']
>>> required_fields("supply_ready", "supplied")
('contract_id', 'mode', 'price_10k_cny', 'agreed_start', 'agreed_completion')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

import pandas as pd

from landasset import _vocab
from landasset._errors import TransitionError

__all__ = [
    "FIELDS",
    "IN_STAGE_EVENTS",
    "MODES",
    "PHASES",
    "TRANSITIONS",
    "FieldSpec",
    "Stage",
    "Transition",
    "allowed_next",
    "required_fields",
    "transitions_frame",
    "transitions_markdown",
]


class Stage(str, Enum):
    """The eleven lifecycle stages of a parcel.

    Members compare equal to their identifier string (``Stage.operating ==
    "operating"``), so plain strings work wherever a stage is expected.

    Attributes
    ----------
    label_zh : str
        The operator's Chinese name (``储备计划``, ``出让/划拨``, …).
    label : str
        A short English name.
    phase : str
        ``"reserve"`` (储备), ``"develop"`` (开发), ``"operate"`` (运营) or ``"retired"``.

    Examples
    --------
    >>> Stage("renewal").label_zh
    '更新改造(腾笼换鸟)'
    >>> Stage.parse("operating") is Stage.operating
    True
    >>> [s.value for s in Stage if s.phase == "reserve"]
    ['planned', 'acquiring', 'reserved', 'supply_ready']
    """

    planned = "planned"
    acquiring = "acquiring"
    reserved = "reserved"
    supply_ready = "supply_ready"
    supplied = "supplied"
    permitted = "permitted"
    under_construction = "under_construction"
    completed = "completed"
    operating = "operating"
    renewal = "renewal"
    retired = "retired"

    @property
    def label_zh(self) -> str:
        """The Chinese label."""
        return _TERMS[self.value].label_zh

    @property
    def label(self) -> str:
        """The English label."""
        return _TERMS[self.value].label

    @property
    def phase(self) -> str:
        """The phase of the reserve → develop → operate chain."""
        return _TERMS[self.value].phase

    @classmethod
    def parse(cls, value: object) -> Stage:
        """The stage named by ``value`` (a :class:`Stage` or its identifier).

        Raises
        ------
        TransitionError
            ``value`` names no stage; the message lists the stages.

        Examples
        --------
        >>> Stage.parse("completed").label_zh
        '竣工备案'
        >>> Stage.parse("built")
        Traceback (most recent call last):
        ...
        landasset.TransitionError: 'built' is not a lifecycle stage; use one of: 'planned', ...
        """
        if isinstance(value, Stage):
            return value
        try:
            return cls(value)
        except ValueError:
            raise TransitionError(
                f"{value!r} is not a lifecycle stage; use one of: "
                + ", ".join(repr(s.value) for s in cls)
            ) from None

    def __str__(self) -> str:
        return self.value


# The labels and phases are the vocabulary's (landasset._vocab.STAGES), shared with the
# styles and the maps; the enum above names the same ids in the same order (a test
# checks).
_TERMS: Mapping[str, _vocab.StageTerm] = MappingProxyType({t.id: t for t in _vocab.STAGES})

#: The phases of the chain with their Chinese names, in order.
PHASES: Mapping[str, str] = _vocab.PHASES

#: Supply modes (供地方式) and their Chinese names. Transfer (出让) is by auction,
#: tender, listing or agreement; commercial land by auction or tender (城市房地产管理法
#: §13); industrial land by auction, tender or listing since 2007 (国发〔2006〕31号).
#: Allocation (划拨) only for the uses of §24, with no term unless a law sets one
#: (§23). Which mode is allowed for which land and date is
#: :attr:`~landasset.lifecycle.Policy.supply_modes`.
MODES: Mapping[str, str] = MappingProxyType(
    {
        "auction": "拍卖出让",
        "tender": "招标出让",
        "listing": "挂牌出让",
        "agreement": "协议出让",
        "allocation": "划拨",
    }
)


@dataclass(frozen=True)
class FieldSpec:
    """An event data field the ledger knows and checks.

    Attributes
    ----------
    name : str
        The key in the event's data.
    kind : {"text", "number", "share", "count", "year", "date", "mode", "land_use", "penalty"}
        How the value is checked and stored: dates become ``YYYY-MM-DD`` strings,
        numbers floats (never negative), shares floats in [0, 1], counts and years
        whole numbers (years 1900–2200), ``mode`` one of :data:`MODES`, ``land_use``
        a code known to :mod:`landasset.landuse`, ``penalty`` a penalty clause (see
        :data:`~landasset.lifecycle.PENALTY_BASES`).
    label_zh : str
        The Chinese name.
    description : str
        What the value is.
    """

    name: str
    kind: str
    label_zh: str
    description: str


#: The data fields the ledger checks, by name. Other keys are stored as given (any
#: JSON value).
FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        f.name: f
        for f in (
            FieldSpec(
                "land_use",
                "land_use",
                "用地性质",
                "land-use code (GB 50137 or the 2020 classification)",
            ),
            FieldSpec(
                "far_min",
                "number",
                "容积率下限",
                "minimum floor area ratio of the planning conditions",
            ),
            FieldSpec(
                "far_max",
                "number",
                "容积率上限",
                "maximum floor area ratio of the planning conditions",
            ),
            FieldSpec(
                "contract_id", "text", "合同编号", "transfer contract or allocation decision number"
            ),
            FieldSpec(
                "mode", "mode", "供地方式", "auction, tender, listing, agreement or allocation"
            ),
            FieldSpec(
                "price_10k_cny", "number", "出让价款(万元)", "transfer price in 10k CNY (万元)"
            ),
            FieldSpec(
                "agreed_start",
                "date",
                "约定开工日期",
                "start of construction agreed in the contract",
            ),
            FieldSpec(
                "agreed_completion", "date", "约定竣工日期", "completion agreed in the contract"
            ),
            FieldSpec("started_on", "date", "实际开工日期", "the day construction started"),
            FieldSpec("accepted_on", "date", "竣工验收日期", "the day the works passed acceptance"),
            FieldSpec("filed_on", "date", "竣工备案日期", "the day the completion was filed"),
            FieldSpec(
                "reason", "text", "原因", "why a parcel went back to the reserve or was retired"
            ),
            FieldSpec(
                "supply_exception",
                "text",
                "供地方式例外",
                "why a supply mode the policy does not allow for the land and date is lawful here",
            ),
            FieldSpec(
                "region_class",
                "text",
                "地区分类",
                "region class of the investment minimum table (Policy.investment_minimums)",
            ),
            FieldSpec(
                "industry_code",
                "text",
                "行业代码",
                "national economic classification code of the contracted industry",
            ),
            FieldSpec(
                "investment_intensity_10k_cny_per_mu",
                "number",
                "投资强度(万元/亩)",
                "committed fixed-asset investment per mu (标准地)",
            ),
            FieldSpec(
                "below_minimum_reason",
                "text",
                "低于投资强度控制值原因",
                "why a committed investment intensity below the table's minimum is accepted",
            ),
            FieldSpec(
                "output_per_mu_10k_cny",
                "number",
                "亩均产出(万元)",
                "committed output per mu (标准地)",
            ),
            FieldSpec(
                "tax_per_mu_10k_cny", "number", "亩均税收(万元)", "committed tax per mu (标准地)"
            ),
            FieldSpec(
                "energy_tce_per_10k_cny",
                "number",
                "单位能耗(吨标煤/万元)",
                "committed maximum energy use per 10k CNY of value added (标准地)",
            ),
            FieldSpec(
                "production_year", "year", "达产年份", "year from which the commitments bind (达产)"
            ),
            FieldSpec("penalty", "penalty", "违约责任", "the contract's penalty clause"),
            FieldSpec(
                "developed_share",
                "share",
                "已开发面积比例",
                "share of the area to develop that is developed (0–1)",
            ),
            FieldSpec(
                "invested_share",
                "share",
                "已投资比例",
                "share of the total investment that is made (0–1)",
            ),
            FieldSpec(
                "permit_extensions",
                "count",
                "施工许可延期次数",
                "extensions of the construction permit's start window granted so far",
            ),
        )
    }
)


@dataclass(frozen=True)
class Transition:
    """One allowed move: from ``source`` to ``target`` with the data it needs.

    Attributes
    ----------
    source : Stage or None
        The stage left; ``None`` for a parcel's first event.
    target : Stage
        The stage entered.
    required : tuple of str
        Data fields the event must carry (non-null).
    note : str
        What happens, in English and Chinese.
    basis : str
        The rule behind the move, when there is one.
    """

    source: Stage | None
    target: Stage
    required: tuple[str, ...]
    note: str
    basis: str = ""


_S = Stage
_SUPPLY = ("contract_id", "mode", "price_10k_cny", "agreed_start", "agreed_completion")
_COMPLETION = ("accepted_on", "filed_on")

#: Every allowed move (source, target, required fields). Read by the ledger, its error
#: messages and the documentation; there is no other list.
TRANSITIONS: tuple[Transition, ...] = (
    # first events: taking stock of land already somewhere in the pipeline
    Transition(None, _S.planned, (), "enters the reserve plan 列入储备计划"),
    Transition(None, _S.acquiring, (), "recorded while being acquired 收储中建账"),
    Transition(None, _S.reserved, (), "recorded in the reserve 入库建账"),
    Transition(
        None,
        _S.supply_ready,
        ("land_use", "far_max"),
        "recorded with planning conditions 带规划条件建账",
        "城乡规划法 §38",
    ),
    Transition(
        None,
        _S.supplied,
        _SUPPLY,
        "recorded with its supply contract 带合同建账",
        "城市房地产管理法 §13, §23",
    ),
    Transition(None, _S.permitted, (), "recorded with permits 已取得许可建账"),
    Transition(
        None, _S.under_construction, ("started_on",), "recorded while under construction 在建建账"
    ),
    Transition(
        None,
        _S.completed,
        _COMPLETION,
        "recorded as completed 竣工建账",
        "建设工程质量管理条例 §49",
    ),
    Transition(None, _S.operating, (), "recorded as operating 运营建账"),
    Transition(None, _S.renewal, (), "recorded in renewal 更新改造中建账"),
    Transition(None, _S.retired, ("reason",), "recorded as retired 注销建账"),
    # the chain
    Transition(_S.planned, _S.acquiring, (), "acquisition starts 启动收储(征收/收回/收购)"),
    Transition(_S.planned, _S.reserved, (), "state land taken straight into the reserve 直接入库"),
    Transition(_S.acquiring, _S.reserved, (), "acquisition done, land in the reserve 收储入库"),
    Transition(
        _S.reserved,
        _S.supply_ready,
        ("land_use", "far_max"),
        "planning conditions set 出具规划条件",
        "城乡规划法 §38",
    ),
    Transition(
        _S.supply_ready, _S.reserved, ("reason",), "planning conditions withdrawn 规划条件调整"
    ),
    Transition(
        _S.supply_ready,
        _S.supplied,
        _SUPPLY,
        "transfer contract or allocation decision 签订出让合同/划拨决定书",
        "城市房地产管理法 §13, §23",
    ),
    Transition(
        _S.supplied,
        _S.permitted,
        (),
        "works planning and construction permits 取得规划/施工许可",
        "城乡规划法 §40; 建筑法 §7–9",
    ),
    Transition(
        _S.supplied,
        _S.reserved,
        ("reason",),
        "idle land repossessed or contract rescinded 闲置收回/解除合同",
        "城市房地产管理法 §26; 闲置土地处置办法 §14",
    ),
    Transition(
        _S.permitted,
        _S.under_construction,
        ("started_on",),
        "construction starts (within 3 months of the permit) 开工",
        "建筑法 §9",
    ),
    Transition(
        _S.permitted,
        _S.reserved,
        ("reason",),
        "idle land repossessed 闲置收回",
        "城市房地产管理法 §26; 闲置土地处置办法 §14",
    ),
    Transition(
        _S.under_construction,
        _S.completed,
        _COMPLETION,
        "acceptance passed and filed (within 15 days) 竣工验收备案",
        "建设工程质量管理条例 §49; 城乡规划法 §45",
    ),
    Transition(
        _S.under_construction,
        _S.reserved,
        ("reason",),
        "stalled works repossessed 停建收回",
        "闲置土地处置办法 §2, §14",
    ),
    Transition(_S.completed, _S.operating, (), "tenants in, production starts 投产运营"),
    Transition(_S.operating, _S.renewal, (), "renewal starts 纳入更新改造"),
    Transition(_S.renewal, _S.permitted, (), "self-renewal with new permits 自主更新取得许可"),
    Transition(
        _S.renewal, _S.under_construction, ("started_on",), "self-renewal works start 自主更新开工"
    ),
    Transition(_S.renewal, _S.operating, (), "new tenants without works 腾笼换鸟完成"),
    Transition(
        _S.renewal,
        _S.reserved,
        ("reason",),
        "bought back or repossessed 收购/收回入库",
        "浙江省土地管理条例 §40",
    ),
    # the end of a parcel record
    *(
        Transition(
            s, _S.retired, ("reason",), "split, merged, expired or cancelled 分割/合并/到期/注销"
        )
        for s in Stage
        if s is not Stage.retired
    ),
)


#: Events that record something about a stay without changing the stage: a parcel in
#: the stage may take another event *in the same stage* when it carries these fields.
#: ``under_construction``: works progress (闲置土地处置办法 §2: the share of the area
#: developed and of the investment made); ``permitted``: an extension of the
#: construction permit's start window (建筑法 §9), the number granted so far.
IN_STAGE_EVENTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "under_construction": ("developed_share", "invested_share"),
        "permitted": ("permit_extensions",),
    }
)


def _build_index() -> dict[tuple[Stage | None, Stage], Transition]:
    index: dict[tuple[Stage | None, Stage], Transition] = {}
    for t in TRANSITIONS:
        key = (t.source, t.target)
        if key in index:  # pragma: no cover - guards edits of the table
            raise AssertionError(f"TRANSITIONS lists {key} twice")
        index[key] = t
    return index


_INDEX = _build_index()


def allowed_next(stage: Stage | str | None) -> tuple[Stage, ...]:
    """The stages a parcel may move to from ``stage`` (``None``: a first event).

    Examples
    --------
    >>> [s.value for s in allowed_next(Stage.renewal)]
    ['permitted', 'under_construction', 'operating', 'reserved', 'retired']
    >>> allowed_next("retired")
    ()
    """
    source = None if stage is None else Stage.parse(stage)
    return tuple(t.target for t in TRANSITIONS if t.source is source)


def required_fields(source: Stage | str | None, target: Stage | str) -> tuple[str, ...]:
    """The data fields the move from ``source`` to ``target`` requires.

    Raises
    ------
    TransitionError
        The move is not in :data:`TRANSITIONS`; the message names the allowed moves.

    Examples
    --------
    >>> required_fields(None, "completed")
    ('accepted_on', 'filed_on')
    >>> required_fields("reserved", "operating")
    Traceback (most recent call last):
    ...
    landasset.TransitionError: cannot go from 'reserved' to 'operating'; ...
    """
    src = None if source is None else Stage.parse(source)
    tgt = Stage.parse(target)
    found = _INDEX.get((src, tgt))
    if found is None:
        raise TransitionError(f"{describe_move(src, tgt)}; {describe_allowed(src)}")
    return found.required


def describe_move(source: Stage | None, target: Stage) -> str:
    """``"cannot go from 'a' to 'b'"`` (for error messages)."""
    if source is None:
        return f"a parcel's first event cannot be {target.value!r}"
    return f"cannot go from {source.value!r} to {target.value!r}"


def describe_allowed(source: Stage | None) -> str:
    """The allowed next stages from ``source`` with their required fields."""
    if source is Stage.retired:
        return "'retired' is final: a retired parcel takes no more events"
    moves = [t for t in TRANSITIONS if t.source is source]
    parts = [
        t.target.value + (f" (needs {', '.join(t.required)})" if t.required else "") for t in moves
    ]
    where = "as a first event" if source is None else f"from {source.value!r}"
    if source is not None and source.value in IN_STAGE_EVENTS:
        parts.append(
            f"{source.value} again as an in-stage event "
            f"(needs {', '.join(IN_STAGE_EVENTS[source.value])})"
        )
    return f"allowed {where}: " + ", ".join(parts)


def transitions_frame() -> pd.DataFrame:
    """:data:`TRANSITIONS` as a table: one row per allowed move.

    Columns ``source`` (empty string for a first event), ``target``,
    ``source_zh``, ``target_zh``, ``required`` (comma-separated), ``note``, ``basis``.

    Examples
    --------
    >>> table = transitions_frame()
    >>> len(table) == len(TRANSITIONS)
    True
    >>> table.loc[table.target == "supplied", "required"].iloc[-1]
    'contract_id, mode, price_10k_cny, agreed_start, agreed_completion'
    """
    rows = [
        {
            "source": "" if t.source is None else t.source.value,
            "target": t.target.value,
            "source_zh": "(建账)" if t.source is None else t.source.label_zh,
            "target_zh": t.target.label_zh,
            "required": ", ".join(t.required),
            "note": t.note,
            "basis": t.basis,
        }
        for t in TRANSITIONS
    ]
    return pd.DataFrame(
        rows, columns=["source", "target", "source_zh", "target_zh", "required", "note", "basis"]
    )


def transitions_markdown() -> str:
    """:data:`TRANSITIONS` as a Markdown table (the one in ``docs/lifecycle.md``).

    Moves into ``retired`` (allowed from every other stage) are summarised in one row.

    Examples
    --------
    >>> print(transitions_markdown().splitlines()[0])
    | from | to | required data | what happens | basis |
    """
    lines = [
        "| from | to | required data | what happens | basis |",
        "|---|---|---|---|---|",
    ]
    retire_fields: tuple[str, ...] = ()
    retire_note = ""
    for t in TRANSITIONS:
        if t.target is Stage.retired and t.source is not None:
            retire_fields, retire_note = t.required, t.note
            continue
        source = (
            "*(first event)*" if t.source is None else f"`{t.source.value}` {t.source.label_zh}"
        )
        required = ", ".join(f"`{f}`" for f in t.required) or "—"
        lines.append(
            f"| {source} | `{t.target.value}` {t.target.label_zh} | {required} | {t.note} | {t.basis} |"
        )
    if retire_note:
        required = ", ".join(f"`{f}`" for f in retire_fields)
        lines.append(
            f"| any other stage | `retired` {Stage.retired.label_zh} | {required} | {retire_note} | |"
        )
    return "\n".join(lines) + "\n"
