"""Dock many ligands into named sites: :func:`dock_panel` (batch, ``n_jobs``, Dask) and its table.

Sites
-----
:func:`pore_box` puts the box on the literature rings of the channel
vestibule (Asn, hydrophobic and Thr rings: Chou et al. 2022,
doi:10.1038/s41594-022-00772-0; Zhang et al. 2021,
doi:10.1038/s41586-021-03769-9; the ring residues of
:data:`toolkit.catalog.ANCHORS`), so it needs no bound ligand and does not
know where the deposited drug sits. :func:`default_sites` adds the best
``n_lateral`` computed lateral candidates (:func:`toolkit.lateral_candidates`,
a :data:`~toolkit.docking.box.POCKET_EDGE` cube each): they are computed
candidates, not known sites.

No ligand is ever lost
----------------------
Every (ligand, site) pair gives one row of :data:`DOCK_COLUMNS` with a
``status`` (:data:`DOCK_STATUSES`) and a ``message``:

``ok``
    docked and analysed.
``preparation_failed``
    the ligand cannot be protonated, embedded or typed (e.g. xenon, one atom).
``invalid_box``
    the site's box is outside the receptor or too large.
``docking_failed``
    Vina or the pose read-back failed.
``error``
    anything else (the message gives the exception).

Scores are Vina scores (kcal/mol), which rank poses of one ligand; they are
not binding free energies and do not rank ligands across assays. The panel's
measured values come from different assays (:data:`toolkit.chem.panel.PANEL_NOTE`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import (
    DockingError,
    InvalidBox,
    InvalidMolecule,
    InvalidParameter,
    MissingExtra,
    ToolkitError,
)
from .box import Box, box_from_pocket, box_from_residues
from .engine import ENERGY_RANGE, EXHAUSTIVENESS, N_POSES, SEED, DockingResult

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure
    from .receptor import Receptor

__all__ = [
    "DOCK_COLUMNS", "DOCK_STATUSES", "SCORE_NOTE", "dock_panel", "pore_box", "default_sites", "analyse_result",
    "KEY_CONTACTS",
]  # fmt: skip

#: Column schema of :func:`dock_panel` (one row per ligand and site, in input order).
DOCK_COLUMNS = [
    "ligand", "state", "ph", "site", "best_score", "n_poses", "pose_spread", "key_contacts", "interactions",
    "posebusters_flags", "measured_nM", "value_type", "value_status", "protonation", "seed", "exhaustiveness",
    "status", "message", "seconds",
]  # fmt: skip
DOCK_STATUSES = ("ok", "preparation_failed", "invalid_box", "docking_failed", "error")
#: Site residues (labels) of the top pose listed in ``key_contacts``, nearest first.
KEY_CONTACTS = 6
SCORE_NOTE = (
    "Vina scores (kcal/mol) rank poses of one ligand, not ligands; measured values come from different "
    "assays (see value_type and the panel's sources) and must not be compared across assays."
)


def pore_box(structure: Structure, *, padding: float = 2.0) -> Box:
    """Box on the pore vestibule's literature ring residues present in the structure.

    Uses the Asn-, hydrophobic- and Thr-ring anchors of
    :data:`toolkit.catalog.ANCHORS` found in the structure (by subunit and
    UniProt number), plus ``padding`` Å.

    Raises
    ------
    InvalidParameter
        Fewer than three ring residues are present (not a channel structure).

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> pore_box(s).source  # doctest: +SKIP
    'pore rings GluN1 N616, GluN1 V644, GluN1 T648, GluN2B N615, GluN2B L643, GluN2B T647 + 2 Å'
    """
    from ..catalog import ANCHORS

    labels = []
    subs = set(structure.chain_subunits.values())
    for x in ANCHORS:
        if "ring" in x.role and x.subunit in subs:
            lab = f"{x.subunit} {x.residue}{x.uniprot_num}"
            with contextlib.suppress(InvalidParameter):
                box_from_residues(structure, [lab], padding=0.0)
                labels.append(lab)
    if len(labels) < 3:
        raise InvalidParameter(
            f"{structure.entry_id}: only {len(labels)} pore-ring residues found ({', '.join(labels) or 'none'}); "
            "give a box from residues or a ligand"
        )
    b = box_from_residues(structure, labels, padding=padding)
    return Box(b.center, b.size, f"pore rings {', '.join(labels)} + {padding:g} Å")


def default_sites(structure: Structure, *, n_lateral: int = 2) -> dict[str, Box]:
    """``{"pore": pore_box(...), "lateral 1": ..., ...}``: the pore and the best lateral candidates.

    Lateral candidates are :func:`toolkit.lateral_candidates` rows in rank
    order (computed candidates, see there); none is added when the
    structure has none (or no transmembrane domain).
    """
    sites = {"pore": pore_box(structure)}
    if n_lateral > 0:
        from ..sites import lateral_candidates

        try:
            cands = lateral_candidates(structure)
        except ToolkitError:
            cands = None
        if cands is not None and len(cands):
            for k, (_, row) in enumerate(cands.head(n_lateral).iterrows(), start=1):
                b = box_from_pocket(row)
                sites[f"lateral {k}"] = Box(b.center, b.size, f"lateral candidate {k}: {b.source}")
    return sites


def analyse_result(result: DockingResult, *, posebusters: bool = True, poses: int | None = None) -> dict[str, Any]:
    """Contacts, interactions and PoseBusters flags of every pose, or of the first ``poses``.

    Stored in ``result.extra`` (``"site"``, ``"interactions"`` with a
    ``pose`` column, ``"posebusters"``: one string of failed checks per
    pose) and returned.
    """
    from .analysis import pose_contacts, posebusters_flags

    site, inter = pose_contacts(result, poses=poses)
    result.extra["site"] = site
    result.extra["interactions"] = inter
    if posebusters:
        result.extra["posebusters"] = posebusters_flags(result, poses=poses)
    return result.extra


def _row_base(entry: Mapping[str, Any], site: str) -> dict[str, Any]:
    row = dict.fromkeys(DOCK_COLUMNS)
    row.update(ligand=entry["name"], site=site, measured_nM=entry.get("measured_nM", np.nan),
               value_type=entry.get("value_type"), value_status=entry.get("value_status"))  # fmt: skip
    return row


# ---------------------------------------------------------------- units of work
# A panel run is split into small units - prepare a ligand, dock one protonation state into one
# site, analyse the pooled poses of a (ligand, site) - so that n_jobs processes share the work
# evenly (a ligand with two states is two docking tasks). The serial run calls the same units in
# the same order, so serial and parallel tables are equal.


def _prepare_entry(entry: Mapping[str, Any], sites: dict[str, Box], opts: dict[str, Any]
                   ) -> tuple[list[Any] | None, list[dict[str, Any]]]:  # fmt: skip
    """The entry's prepared states, or ``None`` and one failure row per site; never raises (but MissingExtra)."""
    from .ligand import prepare_ligand_states

    t0 = time.perf_counter()
    try:
        states = prepare_ligand_states(entry["source"], name=entry["name"], ph=opts["ph"], pka=entry.get("pka"),
                                       seed=opts["embed_seed"], states=opts["states"])  # fmt: skip
    except MissingExtra:
        raise
    except (InvalidMolecule, ToolkitError) as exc:
        status, msg = "preparation_failed", str(exc)
    except Exception as exc:  # a failing ligand never stops the run
        status, msg = "error", f"{type(exc).__name__}: {exc}"
    else:
        return states, []
    rows = [{**_row_base(entry, site), "status": status, "message": msg, "seconds": time.perf_counter() - t0,
             "ph": opts["ph"]} for site in sites]  # fmt: skip
    return None, rows


def _failure(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, MissingExtra):
        raise exc
    if isinstance(exc, InvalidBox):
        return "invalid_box", str(exc)
    if isinstance(exc, DockingError):
        return "docking_failed", str(exc)
    return "error", f"{type(exc).__name__}: {exc}"


def _dock_state(receptor: Receptor, state: Any, site: str, box: Box, opts: dict[str, Any]) -> tuple[str, Any]:
    """Dock one prepared state: ``("ok", (mols, poses, settings, seconds))`` or ``(status, message)``."""
    from .engine import dock

    try:
        r = dock(receptor, state, box, site=site, seed=opts["seed"], exhaustiveness=opts["exhaustiveness"],
                 n_poses=opts["n_poses"], energy_range=opts["energy_range"], validate=False)  # fmt: skip
    except Exception as exc:  # a failing ligand never stops the run
        return _failure(exc)
    return "ok", (r.mols, r.poses, r.settings, r.seconds)


def _restore(receptor: Receptor, state: Any, site: str, box: Box, out: tuple[Any, ...]) -> DockingResult:
    """A :class:`DockingResult` from :func:`_dock_state` output (molecule properties survive pickling)."""
    mols, poses, settings, seconds = out
    for k, (m, sc) in enumerate(zip(mols, poses["score"]), start=1):
        m.SetDoubleProp("score", float(sc))
        m.SetProp("state", state.state)
        m.SetProp("_Name", f"{state.name} pose {k}")
    return DockingResult(state, receptor, box, site, list(mols), poses, settings, seconds)


def _analyse(receptor: Receptor, state: Any, site: str, box: Box, pooled: tuple[Any, ...], opts: dict[str, Any]
             ) -> tuple[str, Any]:  # fmt: skip
    """Contacts, interactions and PoseBusters of pooled poses: ``("ok", (site, interactions, pb, s))`` or a failure."""
    t = time.perf_counter()
    try:
        mols, poses, settings, seconds = pooled
        res = DockingResult(state, receptor, box, site, list(mols), poses, settings, seconds)
        analyse_result(res, posebusters=opts["posebusters"], poses=opts["analyse_poses"])
    except Exception as exc:  # a failing ligand never stops the run
        return _failure(exc)
    return "ok", (res.extra["site"], res.extra["interactions"], res.extra.get("posebusters"),
                  time.perf_counter() - t)  # fmt: skip


def _site_row(entry: Mapping[str, Any], site: str, states: list[Any], opts: dict[str, Any]) -> dict[str, Any]:
    row = _row_base(entry, site)
    row.update(state=states[0].state, ph=opts["ph"], protonation=states[0].protonation, seed=opts["seed"],
               exhaustiveness=opts["exhaustiveness"])  # fmt: skip
    return row


def _check_site(receptor: Receptor, box: Box) -> tuple[str, str] | None:
    from .box import validate_box

    try:
        validate_box(box, receptor)
    except Exception as exc:
        return _failure(exc)
    return None


def _pool(receptor: Receptor, states: list[Any], site: str, box: Box, docked: list[tuple[str, Any]]
          ) -> tuple[str, Any]:  # fmt: skip
    """Pool the states of one (ligand, site) (:func:`~toolkit.docking.engine.pool_states`), or the first failure."""
    from .engine import pool_states

    for status, out in docked:
        if status != "ok":
            return status, out
    try:
        res = pool_states([_restore(receptor, st, site, box, out) for st, (_, out) in zip(states, docked)], states)
    except Exception as exc:  # a failing ligand never stops the run
        return _failure(exc)
    return "ok", res


def _finish(entry: Mapping[str, Any], site: str, box: Box, states: list[Any], pooled: tuple[str, Any],
            analysed: tuple[str, Any] | None, opts: dict[str, Any], seconds: float
            ) -> tuple[dict[str, Any], tuple[Any, ...] | None]:  # fmt: skip
    """The table row of one (ligand, site) and its poses for ``return_results``."""
    row = _site_row(entry, site, states, opts)
    status, res = pooled
    if status == "ok" and analysed is not None and analysed[0] != "ok":
        status, res = analysed
    if status != "ok":
        row.update(status=status, message=res, seconds=seconds)
        return row, None
    site_df, inter, pb, t_an = analysed[1]  # type: ignore[index]
    st = site_df[site_df["pose"] == 1].sort_values("min_distance", kind="stable")
    labels = list(dict.fromkeys(st["label"].tolist()))
    it = inter[inter["pose"] == 1]
    kinds = sorted({f"{t} {lab}" for t, lab in zip(it["type"], it["label"]) if t != "hydrophobic"})
    row.update(state=res.ligand.state, protonation=res.ligand.protonation, best_score=res.best_score,
               n_poses=len(res.mols), pose_spread=res.pose_spread, key_contacts=";".join(labels[:KEY_CONTACTS]),
               interactions=";".join(kinds), posebusters_flags=(pb or [""])[0] if opts["posebusters"] else "not run",
               status="ok", message=f"{res.settings.get('states', res.ligand.state)}; {box}",
               seconds=res.seconds + t_an)  # fmt: skip
    return row, (res.mols, res.poses, site_df, inter, res.settings, res.extra.get("states"), pb)


def _lite(res: DockingResult) -> tuple[Any, ...]:
    return res.mols, res.poses, res.settings, res.seconds


def _dock_entry(entry: Mapping[str, Any], receptor: Receptor, sites: dict[str, Box], opts: dict[str, Any]
                ) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    """Prepare one ligand once and dock it into every site, unit by unit (serial); never raises."""
    states, rows = _prepare_entry(entry, sites, opts)
    if states is None:
        return rows, {}
    poses = {}
    for site, box in sites.items():
        t = time.perf_counter()
        bad = _check_site(receptor, box)
        if bad is not None:
            row, _ = _finish(entry, site, box, states, bad, None, opts, time.perf_counter() - t)
            rows.append(row)
            continue
        docked = []
        for st in states:
            docked.append(_dock_state(receptor, st, site, box, opts))
            if docked[-1][0] != "ok":
                break
        pooled = _pool(receptor, states, site, box, docked)
        analysed = None
        if pooled[0] == "ok":
            analysed = _analyse(receptor, pooled[1].ligand, site, box, _lite(pooled[1]), opts)
        row, p = _finish(entry, site, box, states, pooled, analysed, opts, time.perf_counter() - t)
        rows.append(row)
        if p is not None:
            poses[site] = p
    return rows, poses


# ---------------------------------------------------------------- workers
_WORKER: dict[str, Any] = {}


def _init_worker(main_pid: int, receptor: Receptor, opts: dict[str, Any]) -> None:
    from .._jobs import worker_init

    worker_init(main_pid)
    _WORKER.update(receptor=receptor, opts=opts)


def _w_prepare(entry: Mapping[str, Any], sites: dict[str, Box]) -> tuple[list[Any] | None, list[dict[str, Any]]]:
    return _prepare_entry(entry, sites, _WORKER["opts"])


def _w_dock(state: Any, site: str, box: Box) -> tuple[str, Any]:
    return _dock_state(_WORKER["receptor"], state, site, box, _WORKER["opts"])


def _w_analyse(state: Any, site: str, box: Box, pooled: tuple[Any, ...]) -> tuple[str, Any]:
    return _analyse(_WORKER["receptor"], state, site, box, pooled, _WORKER["opts"])


def _dask_task(entry: Mapping[str, Any], receptor: Receptor, sites: dict[str, Box], opts: dict[str, Any]
               ) -> tuple[list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    return _dock_entry(entry, receptor, sites, opts)


def _cost(state: Any) -> int:
    """Relative cost of docking a state (heavy atoms x (rotatable bonds + 1) x ring conformers) for longest-first
    scheduling."""
    from rdkit.Chem import rdMolDescriptors

    m = state.mol
    return int(m.GetNumHeavyAtoms() * (rdMolDescriptors.CalcNumRotatableBonds(m) + 1) * len(state.conformers))


def _run_processes(entries: list[dict[str, Any]], receptor: Receptor, sites: dict[str, Box], opts: dict[str, Any],
                   n_jobs: int) -> Iterator[tuple[int, Any]]:  # fmt: skip
    """The units of :func:`_dock_entry` on ``n_jobs`` processes: ligands prepared side by side, then every
    (ligand, state, site) docking task longest first, then the analyses; the receptor is sent once per worker."""
    import multiprocessing as mp
    import os
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from ..batch import _without_main_module

    ctx = mp.get_context("forkserver")
    # imported once in the fork server, not once per worker (what the tasks import)
    preload = ["toolkit.docking.panel", "toolkit.docking.ligand", "toolkit.docking.analysis", "toolkit.sites", "rdkit.Chem",
               "pandas", "vina", "meeko", "dimorphite_dl"]  # fmt: skip
    if opts["posebusters"]:
        preload.append("posebusters")
    ctx.set_forkserver_preload(preload)
    with _without_main_module():
        ex = ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(os.getpid(), receptor, opts))  # fmt: skip
    site_list = list(sites.items())
    with ex:
        with _without_main_module():
            prep = {ex.submit(_w_prepare, e, sites): k for k, e in enumerate(entries)}
        states: dict[int, list[Any]] = {}
        rows: dict[int, dict[str, Any]] = {}  # (k) -> {site: row}
        poses: dict[int, dict[str, Any]] = {}
        for f in wait(prep).done:
            k = prep[f]
            st, fail = f.result()
            if st is None:
                yield k, (fail, {})
            else:
                states[k] = st
                rows[k], poses[k] = {}, {}
        jobs, docked, t_site = [], {}, {}
        for k in sorted(states):
            for site, box in site_list:
                t_site[(k, site)] = time.perf_counter()
                bad = _check_site(receptor, box)
                if bad is not None:
                    rows[k][site], _ = _finish(entries[k], site, box, states[k], bad, None, opts, 0.0)
                    continue
                docked[(k, site)] = [None] * len(states[k])
                jobs += [(-_cost(st), k, site, j) for j, st in enumerate(states[k])]
        jobs.sort(key=lambda t: (t[0], t[1], [s for s, _ in site_list].index(t[2]), t[3]))
        with _without_main_module():
            pending = {ex.submit(_w_dock, states[k][j], site, sites[site]): ("dock", k, site, j)
                       for _, k, site, j in jobs}  # fmt: skip
        pooled_of: dict[tuple[int, str], tuple[str, Any]] = {}

        def emit_done(k: int) -> Iterator[tuple[int, Any]]:
            if len(rows[k]) == len(site_list):
                yield k, ([rows[k][s] for s, _ in site_list], poses[k])

        for k in list(rows):
            yield from emit_done(k)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                kind, k, site, j = pending.pop(f)
                box = sites[site]
                if kind == "dock":
                    docked[(k, site)][j] = f.result()
                    got = docked[(k, site)]
                    if any(x is None for x in got):
                        continue
                    # the serial run stops at the first failing state: keep the states up to it
                    first_bad = next((i for i, x in enumerate(got) if x[0] != "ok"), None)
                    used = got if first_bad is None else got[: first_bad + 1]
                    pooled = _pool(receptor, states[k], site, box, used)
                    if pooled[0] != "ok":
                        rows[k][site], _ = _finish(entries[k], site, box, states[k], pooled, None, opts,
                                                   time.perf_counter() - t_site[(k, site)])  # fmt: skip
                        yield from emit_done(k)
                        continue
                    pooled_of[(k, site)] = pooled
                    with _without_main_module():
                        pending[ex.submit(_w_analyse, pooled[1].ligand, site, box, _lite(pooled[1]))] = ("analyse", k, site, 0)
                else:
                    rows[k][site], p = _finish(entries[k], site, box, states[k], pooled_of.pop((k, site)), f.result(),
                                               opts, 0.0)  # fmt: skip
                    if p is not None:
                        poses[k][site] = p
                    yield from emit_done(k)


def _entries(ligands: Any) -> list[dict[str, Any]]:
    import pandas as pd

    from ..chem import load_panel

    if ligands is None:
        ligands = load_panel()
    if isinstance(ligands, str):
        ligands = [ligands]
    out = []
    if isinstance(ligands, pd.DataFrame):
        if "isomeric_smiles" not in ligands.columns and "smiles" not in ligands.columns:
            raise InvalidParameter(f"a ligand table needs an isomeric_smiles or smiles column; columns: {list(ligands.columns)}")
        for k, r in enumerate(ligands.to_dict("records")):
            smi = r.get("isomeric_smiles", r.get("smiles"))
            name = str(r.get("name") if r.get("name") is not None else f"ligand {k + 1}")
            pka = r.get("pka")
            out.append({
                "name": name, "source": str(smi) if smi is not None else "", "pka": pka if pka is not None and
                np.isfinite(float(pka)) else None, "measured_nM": r.get("value_nM", np.nan),
                "value_type": r.get("value_type"), "value_status": r.get("status"),
            })  # fmt: skip
        return out
    for k, x in enumerate(ligands):
        if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str):  # (name, smiles)
            out.append({"name": x[0], "source": x[1], "pka": None})
        elif isinstance(x, str):
            out.append({"name": x, "source": x, "pka": None})
        else:
            raise InvalidParameter(f"ligand {k + 1}: give SMILES strings, (name, SMILES) pairs or a panel table, got {x!r}")
    return out


def dock_panel(
    receptor: Receptor | Structure,
    ligands: Any = None,
    sites: Mapping[str, Box] | None = None,
    *,
    ph: float = 7.4,
    states: str = "populated",
    seed: int = SEED,
    exhaustiveness: int = EXHAUSTIVENESS,
    n_poses: int = N_POSES,
    energy_range: float = ENERGY_RANGE,
    embed_seed: int | None = None,
    posebusters: bool = True,
    analyse_poses: int | None = None,
    n_jobs: int = 1,
    progress: bool = False,
    engine: str = "processes",
    scheduler: Any = None,
    return_results: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[tuple[str, str], DockingResult]]:
    """Dock a ligand panel into named sites; one row per (ligand, site) with a status.

    Parameters
    ----------
    receptor
        A :class:`~toolkit.docking.Receptor`, or a loaded structure (then
        :func:`prepare_receptor` with its defaults: every chain, bound
        ligands removed).
    ligands
        ``None`` (the curated panel, :func:`toolkit.load_panel`, with its
        sourced pKa values and measured values), a panel-like DataFrame,
        SMILES strings, or ``(name, SMILES)`` pairs.
    sites
        ``{name: Box}``; default :func:`default_sites` (pore + best 2
        lateral candidates) of the receptor's structure.
    ph, states
        Protonation (:func:`prepare_ligand_states`).
    seed, exhaustiveness, n_poses, energy_range
        Vina settings (:func:`dock`); the same seed for every ligand.
    embed_seed
        ETKDG seed (default :data:`toolkit.docking.ligand.EMBED_SEED`).
    posebusters
        Run PoseBusters on the analysed poses (the table shows the top
        pose's failed checks; every pose's are in the results).
    analyse_poses
        Analyse (contacts, interactions, PoseBusters) the first
        ``analyse_poses`` poses of each pair; ``None`` (default) = every pose.
    n_jobs
        Worker processes (:func:`toolkit._jobs.resolve_n_jobs`). Ligands are
        prepared side by side, then every (ligand, protonation state, site)
        docking is one task (longest first, Vina ``cpu=1`` each), then the
        pose analyses; the receptor is sent once to each worker. The table
        equals the serial one.
    progress
        Show a progress bar (tqdm) over ligands.
    engine, scheduler
        ``"processes"`` (default) or ``"dask"``: dask.distributed, on a new
        local cluster of ``n_jobs`` workers or on ``scheduler`` (an address
        or a ``Client``), as :func:`toolkit.compare` does.
    return_results
        Also return ``{(ligand, site): DockingResult}`` of the docked pairs
        (poses, contacts, interactions; for views).

    Returns
    -------
    pandas.DataFrame
        :data:`DOCK_COLUMNS`, ligands in input order, sites in ``sites``
        order; ``attrs["note"]`` is :data:`SCORE_NOTE`. Serial and parallel
        runs give the same table apart from ``seconds``.

    Raises
    ------
    MissingExtra
        The ``docking`` extra is not installed.
    InvalidParameter
        Bad ``n_jobs``/``engine``/ligands; no sites.

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> table = dock_panel(s, [("esketamine", "CN[C@]1(c2ccccc2Cl)CCCCC1=O")], {"pore": pore_box(s)})  # doctest: +SKIP
    """
    import pandas as pd

    from .._checks import check_bool, check_int, check_number, check_optional, check_str, check_structure
    from .._jobs import resolve_n_jobs
    from ._extra import require
    from .ligand import EMBED_SEED, check_ligand_options
    from .receptor import Receptor, prepare_receptor

    if not isinstance(receptor, Receptor):
        check_structure(receptor, "receptor")
    check_ligand_options(ph=ph, seed=seed, states=states)
    check_int(exhaustiveness, "exhaustiveness", 1, 512)
    check_int(n_poses, "n_poses", 1, 100)
    check_number(energy_range, "energy_range (kcal/mol)", 0, 100)
    check_optional(check_int, embed_seed, "embed_seed", 0, 2**31 - 1)
    check_optional(check_int, analyse_poses, "analyse_poses", 1, 100)
    for flag, label in ((posebusters, "posebusters"), (progress, "progress"), (return_results, "return_results")):
        check_bool(flag, label)
    check_str(engine, "engine", ("processes", "dask"))
    require(what="dock_panel")
    n_jobs = resolve_n_jobs(n_jobs)
    if not isinstance(receptor, Receptor):
        receptor = prepare_receptor(receptor)
    if sites is None:
        sites = default_sites(receptor.structure)
    sites = dict(sites)
    if not sites:
        raise InvalidParameter("sites must name at least one box")
    entries = _entries(ligands)
    opts = {"ph": float(ph), "states": states, "seed": int(seed), "exhaustiveness": int(exhaustiveness),
            "n_poses": int(n_poses), "energy_range": float(energy_range), "posebusters": bool(posebusters),
            "embed_seed": int(EMBED_SEED if embed_seed is None else embed_seed),
            "analyse_poses": None if analyse_poses is None else int(analyse_poses)}  # fmt: skip
    outs: list[Any] = [None] * len(entries)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(entries), desc="docking", unit="ligand")
    try:
        for k, out in _run(entries, receptor, sites, opts, n_jobs, engine, scheduler):
            outs[k] = out
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    rows = [r for rows_, _ in outs for r in rows_]
    df = pd.DataFrame(rows, columns=DOCK_COLUMNS)
    for c in ("best_score", "pose_spread", "measured_nM", "ph", "seconds"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("n_poses", "seed", "exhaustiveness"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    df.attrs["note"] = SCORE_NOTE
    df.attrs["receptor"] = receptor.protonation
    df.attrs["sites"] = {k: str(v) for k, v in sites.items()}
    if not return_results:
        return df
    results = {}
    for entry, (_, poses) in zip(entries, outs):
        for site, (mols, table, site_df, inter, settings, st, pb) in poses.items():
            lig = st[0] if st else None
            top = next((x for x in (st or []) if x.state == table["state"].iloc[0]), lig)
            r = DockingResult(top, receptor, sites[site], site, mols, table, settings, float("nan"))
            r.extra.update(site=site_df, interactions=inter, states=st, posebusters=pb)
            results[(entry["name"], site)] = r
    return df, results


def _run(entries: list[dict[str, Any]], receptor: Receptor, sites: dict[str, Box], opts: dict[str, Any],
         n_jobs: int, engine: str, scheduler: Any) -> Iterator[tuple[int, Any]]:  # fmt: skip
    if engine == "dask":
        yield from _run_dask(entries, receptor, sites, opts, n_jobs, scheduler)
        return
    if n_jobs == 1:
        for k, e in enumerate(entries):
            yield k, _dock_entry(e, receptor, sites, opts)
        return
    yield from _run_processes(entries, receptor, sites, opts, n_jobs)


def _run_dask(entries: list[dict[str, Any]], receptor: Receptor, sites: dict[str, Box], opts: dict[str, Any],
              n_jobs: int, scheduler: Any) -> Iterator[tuple[int, Any]]:  # fmt: skip
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise MissingExtra("dask", "distributed", "engine='dask'") from exc
    from ..batch import _without_main_module

    cluster = None
    if scheduler is None:
        with _without_main_module():
            cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                   processes=True)  # fmt: skip
        client, own = Client(cluster), True
    elif isinstance(scheduler, str):
        client, own = Client(scheduler), True
    else:
        client, own = scheduler, False
    try:
        rec = client.scatter(receptor, broadcast=True)
        futs = {client.submit(_dask_task, e, rec, sites, opts, pure=False): k for k, e in enumerate(entries)}
        for f in as_completed(futs):
            yield futs[f], f.result()
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
