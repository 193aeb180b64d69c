"""The ``reportpipe`` command: a thin layer that parses options, calls the library and turns its
errors into one line each. Exit codes: 0 all reports succeeded, 1 some failed (the rest are still
written), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from . import __version__
from .errors import GoldFileError, ReportpipeError, UsageError
from .names import VANISHED_CHOICES
from .terminal import clean_text, output_rows

DEFAULT_RAW = "raw"
DEFAULT_OUT = "extracted"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportpipe",
        description="Chinese statistical and industry reports into validated, citable tables.",
    )
    parser.add_argument("--version", action="version", version=f"reportpipe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="process reports into tables",
                         description="Process reports (text, Markdown or PDF; files or folders) into per-report "
                         "tables. "
                         "Only new or changed reports are processed unless --force.")
    run.add_argument("inputs", nargs="*", metavar="INPUT", help=f"files or folders (default: {DEFAULT_RAW}/)")
    run.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    run.add_argument("--force", action="store_true", help="process every report even if unchanged")
    run.add_argument("--runner", type=_runner, default="prefect", metavar="{prefect,inline,dask[=ADDRESS]}",
                     help="prefect: a Prefect flow run (default); inline: this process, no Prefect; "
                     "dask: a Prefect flow run on a local Dask cluster of --workers processes, or on "
                     "the cluster at ADDRESS (tcp://host:8786)")
    run.add_argument("--max-bytes", type=int, default=None, metavar="N",
                     help="largest report accepted, in bytes (default 32 MiB)")
    run.add_argument("--max-pages", type=int, default=None, metavar="N",
                     help="largest PDF accepted, in pages (default 2000)")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="wall-clock limit per report, plus 2 s per PDF page and 15 s per page with an image (default 60)")
    run.add_argument("--memory-mb", type=int, default=None, metavar="MIB",
                     help="memory cap of the worker process (default 2048)")
    run.add_argument("--workers", type=int, default=None, metavar="N",
                     help="reports processed at a time by the Prefect and Dask runners, each in a worker "
                     "process of its own (default: one per core, at most 4)")
    run.add_argument("--no-isolation", action="store_true",
                     help="process reports in this process (faster start, no limits)")
    run.add_argument("--vanished", choices=VANISHED_CHOICES, default="keep",
                     help="what to do with the output of a report whose input file no longer exists: keep it "
                     "(default) or remove its folder and manifest entry")
    _add_verbosity(run)

    status = sub.add_parser("status", help="list reports and whether they need processing",
                            description="For each input report: new, changed, up to date or failed, and why.")
    status.add_argument("inputs", nargs="*", metavar="INPUT", help=f"files or folders (default: {DEFAULT_RAW}/)")
    status.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    status.add_argument("--format", choices=["tsv", "table", "csv", "json"], default="tsv",
                        help="how to print (default: tsv, one tab-separated line per report)")

    df = sub.add_parser("diff", help="what changed between two extractions of a report",
                        description="Added, removed and changed claims (field by field, values compared "
                        "after scale folding), sections and case boxes between two extraction folders: two "
                        "runs of one report, or two editions of a report series.")
    df.add_argument("old", metavar="OLD", help="an extraction folder (extracted/<report_id>)")
    df.add_argument("new", metavar="NEW", help="another extraction folder")
    df.add_argument("--format", choices=["table", "md", "csv"], default="table", help="how to print (default: table)")
    df.add_argument("--out", metavar="FILE.csv", help="also write the rows to this CSV file")
    df.add_argument("--html", metavar="FILE.html", help="also write the diff as a page")
    df.add_argument("--by", choices=["claim", "indicator"], default="claim",
                    help="claim: every claim, section and case box (default); indicator: one row per "
                    "indicator with its old and new level and growth, rates compared in points")

    pn = sub.add_parser("panel", help="every indicator of every report, by region and period",
                        description="The catalog's panel: indicators (a clean name, level and growth, "
                        "each with its claim) by region and period across every report of DIR.")
    pn.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    pn.add_argument("--format", choices=["table", "csv", "json", "parquet", "xlsx"], default="table",
                    help="table, csv or json on standard output; parquet or xlsx to the file --to names")
    pn.add_argument("--wide", action="store_true", help="one row per region and period, a column per indicator")
    pn.add_argument("--to", metavar="FILE", help="the file for --format parquet or xlsx")
    pn.add_argument("--bom", action="store_true",
                    help="start CSV with a byte-order mark (Excel on a Chinese-locale Windows needs it)")
    pn.add_argument("--html", metavar="FILE.html", help="also write a page of small charts, one per indicator")

    ex = sub.add_parser("export", help="a report's tables as one Excel workbook",
                        description="Writes every table of one extraction folder as a sheet of an .xlsx "
                        "workbook: numbers as numbers, a frozen header row.")
    ex.add_argument("folder", metavar="EXTRACTION_DIR", help="an extraction folder (extracted/<report_id>)")
    ex.add_argument("--to", metavar="FILE.xlsx", help="the workbook (default: EXTRACTION_DIR/tables.xlsx)")

    rv = sub.add_parser("review", help="write a review page for an extraction",
                        description="Writes review.html into EXTRACTION_DIR: the report text with every claim "
                        "highlighted, an outline, filters, a details panel and, for PDFs, the pages with their "
                        "claims' boxes. One self-contained file that opens from disk.")
    rv.add_argument("extraction", metavar="EXTRACTION_DIR", help="one report's output folder")
    rv.add_argument("--open", action="store_true", help="open the page in the default browser")

    qu = sub.add_parser("query", help="run SQL on the catalog of an output folder",
                        description="Runs SQL on DIR/catalog.duckdb, whose views (sections, cases, blocks, "
                        "claims, tables, indicators, checks, quarantine, documents, failures, panel, editions, "
                        "edition_checks) span every report.")
    qu.add_argument("sql", metavar="SQL")
    qu.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    qu.add_argument("--format", choices=["table", "csv", "json"], default="table",
                    help="how to print (default: table); report text is printed as text, without "
                    "terminal escape sequences")

    sv = sub.add_parser("serve", help="keep processing new or changed reports (a Prefect deployment)",
                        description="Serves a Prefect deployment that processes new or changed reports in "
                        "INPUT (default raw/) into DIR every --interval seconds, one run at a time, until "
                        "interrupted. Its runs go to PREFECT_API_URL when set, else to reportpipe's "
                        "background Prefect server (see `reportpipe server`).")
    sv.add_argument("inputs", nargs="*", metavar="INPUT", help=f"files or folders (default: {DEFAULT_RAW}/)")
    sv.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    sv.add_argument("--interval", type=float, default=60.0, metavar="SECONDS", help="poll interval (default 60)")
    sv.add_argument("--vanished", choices=VANISHED_CHOICES, default="keep",
                    help="what to do with the output of a report whose input file no longer exists: keep it "
                    "(default) or remove its folder and manifest entry")

    se = sub.add_parser("server", help="the background Prefect server: start, stop, status",
                        description="Flow runs of `run` and `serve` report to a Prefect server. Without "
                        "PREFECT_API_URL, reportpipe starts one in the background on first use (its state in "
                        "$REPORTPIPE_STATE_DIR or ~/.local/state/reportpipe), reuses it, and it stops itself "
                        "after REPORTPIPE_SERVER_IDLE_S seconds (default 1800) with no run using it.")
    se.add_argument("action", choices=["start", "stop", "status"])

    ev = sub.add_parser("eval", help="score an extraction against a gold annotation",
                        description="Precision, recall and F1 of the claims in EXTRACTION_DIR against "
                        "GOLD (JSON Lines, fields of docs/claims.md plus line and surface), then the "
                        "accuracy of kind, qualifier, change, basis and period on the matches. A GOLD "
                        "named *.headings.jsonl scores the sections instead (level, number, title), "
                        "with the accuracy of the level on the matches.")
    ev.add_argument("gold", metavar="GOLD.jsonl")
    ev.add_argument("extraction", metavar="EXTRACTION_DIR", help="one report's output folder")
    ev.add_argument("--json", action="store_true", help="print the full result as JSON")
    ev.add_argument("--limit", type=int, default=50, help="misses and false alarms to list (default 50)")
    return parser


def _runner(value: str) -> str:
    if value in ("prefect", "inline", "dask") or value.startswith("dask="):
        return value
    raise argparse.ArgumentTypeError(f"{value!r} is not a runner: use prefect, inline, dask or dask=ADDRESS")


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quiet", "-q", action="store_true", help="print only failures and the exit status")
    g.add_argument("--verbose", "-v", action="store_true", help="print details, and tracebacks of failures")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    if args.command in ("run", "serve"):
        # SIGTERM (a service manager, `kill`) stops a run as Ctrl-C does: what finished is kept,
        # the worker is killed, Prefect records the flow run as ended, and nothing is left running.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "status":
            return cmd_status(args)
        if args.command == "eval":
            return cmd_eval(args)
        if args.command == "diff":
            return cmd_diff(args)
        if args.command == "panel":
            return cmd_panel(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command == "query":
            return cmd_query(args)
        if args.command == "review":
            return cmd_review(args)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "server":
            return cmd_server(args)
    except (UsageError, GoldFileError) as exc:
        print(f"reportpipe: {clean_text(exc)}", file=sys.stderr)
        return 2
    except ReportpipeError as exc:
        print(f"reportpipe: {clean_text(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug of ours: one line, the traceback only on request
        if getattr(args, "verbose", False):
            raise
        print(f"reportpipe: internal error ({type(exc).__name__}: {clean_text(exc)}); rerun with --verbose "
              "for details and please report it.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _stop_worker_now()
        print("reportpipe: interrupted; finished reports are kept, the next run completes the rest.",
              file=sys.stderr)
        return 130
    return 2


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop_worker_now() -> None:
    """Kill the report worker at once: its report is not finished, and waiting for it (as the
    exit handler would) could take until its time limit."""
    isolation = sys.modules.get("pipeline.isolation")
    if isolation is not None:
        isolation.abandon()


def _inputs(args) -> list[str]:
    if args.inputs:
        return args.inputs
    if not Path(DEFAULT_RAW).is_dir():
        raise UsageError(f"no inputs given and there is no {DEFAULT_RAW}/ folder here; name files or folders.")
    return [DEFAULT_RAW]


def cmd_run(args) -> int:
    from .batch import Settings, begin, collect_inputs, needs_work, plan, run_batch
    from .catalog import refresh_if_stale
    from .process import INPUT_SUFFIXES

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}.")
    chosen = {"max_bytes": args.max_bytes, "max_pages": args.max_pages, "timeout_s": args.timeout,
              "memory_mb": args.memory_mb, "workers": args.workers}
    settings = Settings(**{k: v for k, v in chosen.items() if v is not None}, isolate=not args.no_isolation)
    inputs = _inputs(args)
    files = collect_inputs(inputs)
    if not files:
        raise UsageError(f"no report files ({', '.join(sorted(INPUT_SUFFIXES))}) in {', '.join(inputs)}.")
    begin(args.out)  # the output folder checked and its write lock taken before Prefect starts
    t0 = time.perf_counter()
    out = Path(args.out)
    nothing_to_do = not args.force and not any(needs_work(i, False) for i in plan(files, out, settings))
    if nothing_to_do:
        refresh_if_stale(args.out)  # a catalog a previous run could not refresh
    if args.runner == "inline" or nothing_to_do:
        # Nothing new or changed needs no flow run, so no Prefect start-up cost at all.
        batch = _with_progress(len(files), args, lambda on_result: run_batch(
            files, args.out, settings, args.force, on_result=on_result, vanished=args.vanished))
        results, gone = list(batch.results), list(batch.vanished)
    else:
        results, gone = _run_prefect(files, args, settings)
    _print_summary(results, gone, time.perf_counter() - t0, args)
    return 1 if any(r.status == "failed" for r in results) else 0


def _with_progress(total: int, args, run):
    """A rich progress bar on a terminal; one plain line per report with --verbose."""
    if sys.stdout.isatty() and not args.quiet:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("processing reports", total=total)
            return run(lambda r: progress.advance(task))

    def plain(r) -> None:
        if args.verbose:
            print(f"{clean_text(r.report_id)}: {r.status}", flush=True)

    return run(plain)


def _run_prefect(files, args, settings) -> tuple[list, list]:
    """The batch as one Prefect flow run; Prefect's own failures become one actionable line."""
    if not args.quiet:
        print(f"processing {len(files)} report(s) in one Prefect flow run…", flush=True)
    if not args.runner.startswith("dask"):  # Dask's workers are the reports' processes there
        from .batch import prestart_workers

        prestart_workers(settings, len(files))
    try:
        import flows

        paths = [str(f) for f in files]
        if args.runner.startswith("dask"):
            address = args.runner.split("=", 1)[1] if "=" in args.runner else None
            out = flows.process_folder_on_dask(paths, args.out, args.force, settings.as_dict(), address,
                                               args.vanished)
        else:
            with flows.prefect_api(announce=None if args.quiet else _announce_server):
                out = flows.process_folder(paths, args.out, args.force, settings.as_dict(), args.vanished)
        return out["results"], out["vanished"]
    except (ReportpipeError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if args.verbose:
            import traceback

            traceback.print_exc()
        raise ReportpipeError(
            f"the Prefect flow could not run ({type(exc).__name__}: {exc}). Reports finished so far "
            "are kept. Check PREFECT_API_URL / PREFECT_HOME, or run without Prefect: "
            "reportpipe run --runner inline"
        ) from exc
    except BaseException as exc:
        # Prefect's own form of our SIGTERM, raised once it has recorded the flow run as crashed
        if type(exc).__name__ == "TerminationSignal":
            raise KeyboardInterrupt from None
        raise


def _print_summary(results: list, gone: list, elapsed: float, args) -> None:
    rows = []
    for r in results:
        if r.status == "ok":
            c = r.record["row_counts"]
            rows.append((r.report_id, "ok", f"{c['sections']} sections, {c['cases']} cases, "
                         f"{c['claims']} claims, {c['quarantine']} quarantined"))
        elif r.status == "skipped":
            rows.append((r.report_id, "up to date", "unchanged; not processed"))
        else:
            rows.append((r.report_id, f"failed: {r.failure.reason}", r.failure.message))
    for v in gone:
        rows.append((v.report_id, f"input vanished: {v.action}", _vanished_why(v.source_path, v.action)))
    if args.quiet:
        rows = [row for row in rows if row[1].startswith("failed")]
    fmt = "table" if sys.stdout.isatty() and not args.quiet else "tsv"
    output_rows(("report", "status", "details"), rows, fmt, title=f"reportpipe run → {args.out}/",
                header=fmt != "tsv")
    counts = Counter(r.status for r in results)
    if args.verbose and counts["failed"]:
        print("failure details are in", os.path.join(args.out, "_failures.csv"))
    removed = sum(v.action == "removed" for v in gone)
    vanished = f", {removed} removed (input vanished)" if removed else ""
    print(f"{counts['ok']} processed, {counts['skipped']} up to date, {counts['failed']} failed{vanished} in "
          f"{elapsed:.1f}s → {args.out}/")


def _vanished_why(source: str, action: str) -> str:
    if action == "removed":
        return f"{source} no longer exists; its output was removed (--vanished remove)"
    return f"{source} no longer exists; its output is kept (`--vanished remove` deletes it)"


def cmd_status(args) -> int:
    from .batch import Settings, collect_inputs, plan, vanished_reports

    items = plan(collect_inputs(_inputs(args)), args.out, Settings())
    rows = [(i.report_id, i.state, i.why) for i in items]
    rows += [(rid, "vanished", _vanished_why(source, "kept")) for rid, source in vanished_reports(args.out)]
    output_rows(("report", "state", "why"), rows, args.format)
    return 0


def _announce_server(url: str) -> None:
    print(f"started the background Prefect server at {url[:-4]} (it stops after an idle period; "
          "`reportpipe server stop` stops it now)", flush=True)


def cmd_serve(args) -> int:
    """Serve the watching deployment against PREFECT_API_URL or the background server (an
    ephemeral server cannot schedule runs); Ctrl-C or SIGTERM stop it and its flow runs."""
    import flows

    from .batch import Settings

    inputs = _inputs(args)
    with flows.prefect_api(announce=_announce_server) as url:
        print(f"serving: runs at {url[:-4]}", flush=True)
        return flows.serve_under_signals(
            lambda: flows.serve(inputs, args.out, args.interval, Settings().as_dict(), args.vanished))


def cmd_server(args) -> int:
    from . import background_server as bg

    if args.action == "start":
        state = bg.server_status()
        if state is None:
            state = bg.start_server()
            print(f"started: {state.url[:-4]} (pid {state.pid})")
        else:
            print(f"already running: {state.url[:-4]} (pid {state.pid})")
        return 0
    if args.action == "stop":
        stopped = bg.stop_server()
        print(f"stopped the server of pid {stopped.pid}" if stopped else "no background server is running")
        return 0
    state = bg.server_status()
    if state is None:
        print("not running (the next `reportpipe run` starts it)")
        return 3
    since = bg.last_use()
    idle = "" if since is None else f", idle for {time.time() - since:.0f} s"
    print(f"running: {state.url[:-4]} (pid {state.pid}, up {time.time() - state.started:.0f} s{idle}; "
          f"stops after {bg.idle_limit():.0f} s idle)")
    return 0


def cmd_review(args) -> int:
    from .review import build_review

    folder = Path(args.extraction)
    if not (folder / "document.json").exists():
        raise UsageError(f"{folder}: not an extraction folder (no document.json); give extracted/<report_id>.")
    page = build_review(folder)
    print(f"{page} ({page.stat().st_size / 1024:.0f} KiB)")
    if args.open:
        import webbrowser

        webbrowser.open(page.resolve().as_uri())
    return 0


def cmd_diff(args) -> int:
    from .diff import COLUMNS, INDICATOR_COLUMNS, diff_extractions, diff_indicators, write_csv

    if args.by == "indicator":
        changes = diff_indicators(args.old, args.new)
        output_rows(INDICATOR_COLUMNS, [[getattr(r, c) for c in INDICATOR_COLUMNS] for r in changes],
                    "csv" if args.format == "csv" else args.format, title=f"{args.old} → {args.new}")
        return 0
    rows = diff_extractions(args.old, args.new)
    if args.out:
        write_csv(rows, args.out)
    if args.html:
        from .review import build_diff_page

        build_diff_page(rows, args.old, args.new, args.html)
    if args.format == "csv":
        output_rows(COLUMNS, [[getattr(r, c) for c in COLUMNS] for r in rows], "csv")
    else:
        shown = ("status", "kind", "section", "subject", "field", "old", "new", "change")
        output_rows(shown, [(r.status, r.kind, r.where, r.subject, r.field, r.old, r.new, r.percent)
                            for r in rows], args.format, title=f"{args.old} → {args.new}: {len(rows)} change(s)")
    return 0


def cmd_panel(args) -> int:
    import sys

    from .panel import panel_page, panel_rows, to_csv, wide, write_parquet, write_xlsx

    if not Path(args.out).is_dir():
        raise UsageError(f"{args.out}: no such output folder; run `reportpipe run` first or give --out DIR.")
    columns, rows = panel_rows(args.out)
    if args.html:
        links = {p.parent.name: f"{p.parent.name}/review.html" for p in Path(args.out).glob("*/document.json")}
        Path(args.html).write_text(panel_page(columns, rows, links, f"reportpipe panel: {args.out}"),
                                   encoding="utf-8")
    if args.wide:
        columns, rows = wide(columns, rows)
    if args.format in ("parquet", "xlsx"):
        if not args.to:
            raise UsageError(f"--format {args.format} writes a file: give --to FILE.{args.format}.")
        if args.format == "parquet":
            write_parquet(columns, rows, args.to)
        else:
            write_xlsx({"panel": (columns, rows)}, args.to)
        return 0
    if args.format == "csv":
        sys.stdout.write(to_csv(columns, rows, bom=args.bom))
        return 0
    output_rows(columns, rows, args.format)
    return 0


def cmd_export(args) -> int:
    from .panel import write_report_xlsx

    folder = Path(args.folder)
    if not (folder / "claims.csv").is_file():
        raise UsageError(f"{folder}: not an extraction folder (no claims.csv); give extracted/<report_id>.")
    write_report_xlsx(folder, args.to or folder / "tables.xlsx")
    return 0


def cmd_query(args) -> int:
    from .catalog import query

    if not Path(args.out).is_dir():
        raise UsageError(f"{args.out}: no such output folder; run `reportpipe run` first or give --out DIR.")
    try:
        names, rows = query(args.out, args.sql)
    except Exception as exc:  # duckdb's errors say what is wrong with the SQL
        if exc.__class__.__module__.startswith("duckdb") or exc.__class__.__module__.startswith("_duckdb"):
            raise UsageError(f"the query failed: {exc}") from exc
        raise
    output_rows(names, rows, args.format)
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate

    s, text = evaluate(args.gold, args.extraction, limit=args.limit)
    print(json.dumps(s.as_dict(), ensure_ascii=False, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
