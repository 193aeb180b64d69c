"""The ``reportpipe`` command: a thin layer that parses options, calls the library and turns its
errors into one line each. Exit codes: 0 all reports succeeded, 1 some failed (the rest are still
written), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import GoldFileError, ReportpipeError, UsageError

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
                         description="Process text reports (files or folders) into per-report tables. "
                         "Only new or changed reports are processed unless --force.")
    run.add_argument("inputs", nargs="*", metavar="INPUT", help=f"files or folders (default: {DEFAULT_RAW}/)")
    run.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    run.add_argument("--force", action="store_true", help="process every report even if unchanged")
    run.add_argument("--runner", type=_runner, default="prefect", metavar="{prefect,inline,dask[=ADDRESS]}",
                     help="prefect: a Prefect flow run (default); inline: this process, no Prefect; "
                     "dask: a Prefect flow run on a local Dask cluster of two worker processes, or on "
                     "the cluster at ADDRESS (tcp://host:8786)")
    run.add_argument("--max-bytes", type=int, default=None, metavar="N",
                     help="largest report accepted, in bytes (default 32 MiB)")
    run.add_argument("--max-pages", type=int, default=None, metavar="N",
                     help="largest PDF accepted, in pages (default 2000)")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="wall-clock limit per report, plus 2 s per PDF page and 15 s per page with an image (default 60)")
    run.add_argument("--memory-mb", type=int, default=None, metavar="MIB",
                     help="memory cap of the worker process (default 2048)")
    run.add_argument("--no-isolation", action="store_true",
                     help="process reports in this process (faster start, no limits)")
    _add_verbosity(run)

    status = sub.add_parser("status", help="list reports and whether they need processing",
                            description="For each input report: new, changed, up to date or failed, and why.")
    status.add_argument("inputs", nargs="*", metavar="INPUT", help=f"files or folders (default: {DEFAULT_RAW}/)")
    status.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")

    df = sub.add_parser("diff", help="what changed between two extractions of a report",
                        description="Added, removed and changed claims (field by field, values compared "
                        "after scale folding), sections and case boxes between two extraction folders: two "
                        "runs of one report, or two editions of a report series.")
    df.add_argument("old", metavar="OLD", help="an extraction folder (extracted/<report_id>)")
    df.add_argument("new", metavar="NEW", help="another extraction folder")
    df.add_argument("--format", choices=["table", "md", "csv"], default="table", help="how to print (default: table)")
    df.add_argument("--out", metavar="FILE.csv", help="also write the rows to this CSV file")
    df.add_argument("--html", metavar="FILE.html", help="also write the diff as a page")

    rv = sub.add_parser("review", help="write a review page for an extraction",
                        description="Writes review.html into EXTRACTION_DIR: the report text with every claim "
                        "highlighted, an outline, filters, a details panel and, for PDFs, the pages with their "
                        "claims' boxes. One self-contained file that opens from disk.")
    rv.add_argument("extraction", metavar="EXTRACTION_DIR", help="one report's output folder")
    rv.add_argument("--open", action="store_true", help="open the page in the default browser")

    qu = sub.add_parser("query", help="run SQL on the catalog of an output folder",
                        description="Runs SQL on DIR/catalog.duckdb, whose views (sections, cases, blocks, "
                        "claims, tables, quarantine, documents, failures, indicators) span every report.")
    qu.add_argument("sql", metavar="SQL")
    qu.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    qu.add_argument("--format", choices=["table", "csv", "json"], default="table", help="how to print")

    sv = sub.add_parser("serve", help="keep processing new or changed reports (a Prefect deployment)",
                        description="Serves a Prefect deployment that processes new or changed reports in "
                        "INPUT (default raw/) into DIR every --interval seconds, until interrupted. Start a "
                        "Prefect server and set PREFECT_API_URL to watch the runs in its UI.")
    sv.add_argument("inputs", nargs="*", metavar="INPUT", help=f"files or folders (default: {DEFAULT_RAW}/)")
    sv.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    sv.add_argument("--interval", type=float, default=60.0, metavar="SECONDS", help="poll interval (default 60)")

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
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "status":
            return cmd_status(args)
        if args.command == "eval":
            return cmd_eval(args)
        if args.command == "diff":
            return cmd_diff(args)
        if args.command == "query":
            return cmd_query(args)
        if args.command == "review":
            return cmd_review(args)
        if args.command == "serve":
            return cmd_serve(args, argv if argv is not None else sys.argv[1:])
    except (UsageError, GoldFileError) as exc:
        print(f"reportpipe: {exc}", file=sys.stderr)
        return 2
    except ReportpipeError as exc:
        print(f"reportpipe: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug of ours: one line, the traceback only on request
        if getattr(args, "verbose", False):
            raise
        print(f"reportpipe: internal error ({type(exc).__name__}: {exc}); rerun with --verbose "
              "for details and please report it.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reportpipe: interrupted; finished reports are kept, the next run completes the rest.",
              file=sys.stderr)
        return 130
    return 2


def _inputs(args) -> list[str]:
    if args.inputs:
        return args.inputs
    if not Path(DEFAULT_RAW).is_dir():
        raise UsageError(f"no inputs given and there is no {DEFAULT_RAW}/ folder here; name files or folders.")
    return [DEFAULT_RAW]


def cmd_run(args) -> int:
    from .batch import Settings, begin, collect_inputs, needs_work, plan, run_inline

    chosen = {"max_bytes": args.max_bytes, "max_pages": args.max_pages, "timeout_s": args.timeout,
              "memory_mb": args.memory_mb}
    settings = Settings(**{k: v for k, v in chosen.items() if v is not None}, isolate=not args.no_isolation)
    inputs = _inputs(args)
    files = collect_inputs(inputs)
    if not files:
        raise UsageError(f"no report files (.txt, .md) in {', '.join(inputs)}.")
    t0 = time.perf_counter()
    if args.runner == "inline":
        items, results = _run_inline_with_progress(files, args, settings, run_inline)
    elif not args.force and not any(needs_work(i, False) for i in (begin(args.out) or plan(files, args.out, settings))):
        # Nothing new or changed: no flow run, so no Prefect start-up cost at all.
        results = [{"report_id": i.report_id, "path": i.path, "status": "skipped"}
                   for i in plan(files, args.out, settings)]
    else:
        out = _run_prefect(files, args, settings)
        results = out["results"]
    elapsed = time.perf_counter() - t0
    _print_summary(results, elapsed, args)
    return 1 if any(r["status"] == "failed" for r in results) else 0


def _run_inline_with_progress(files, args, settings, run_inline):
    """A rich progress bar on a terminal; one plain line per report otherwise (unless --quiet)."""
    if sys.stdout.isatty() and not args.quiet:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("processing reports", total=len(files))
            return run_inline(files, args.out, settings, args.force,
                              on_result=lambda r: progress.advance(task))

    def plain(r):
        if args.verbose:
            print(f"{r['report_id']}: {r['status']}", flush=True)

    return run_inline(files, args.out, settings, args.force, on_result=plain)


def _run_prefect(files, args, settings) -> dict:
    """The batch as one Prefect flow run; Prefect's own failures become one actionable line."""
    if not args.quiet:
        print(f"processing {len(files)} report(s) in one Prefect flow run…", flush=True)
    try:
        import flows

        if args.runner.startswith("dask"):
            address = args.runner.split("=", 1)[1] if "=" in args.runner else None
            return flows.process_folder_on_dask([str(f) for f in files], args.out, args.force,
                                                settings.__dict__, address)
        return flows.process_folder([str(f) for f in files], args.out, args.force, settings.__dict__)
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


def _print_summary(results: list[dict], elapsed: float, args) -> None:
    failed = [r for r in results if r["status"] == "failed"]
    ok = [r for r in results if r["status"] == "ok"]
    skipped = [r for r in results if r["status"] == "skipped"]
    rows = []
    for r in results:
        if r["status"] == "ok":
            c = r["record"]["row_counts"]
            detail = (f"{c['sections']} sections, {c['cases']} cases, {c['claims']} claims, "
                      f"{c['quarantine']} quarantined")
            rows.append((r["report_id"], "ok", detail))
        elif r["status"] == "skipped":
            rows.append((r["report_id"], "up to date", "unchanged; not processed"))
        else:
            f = r["failure"]
            rows.append((r["report_id"], f"failed: {f['reason']}", f"{f['report_path']}: {f['message']}"))
    if sys.stdout.isatty() and not args.quiet:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"reportpipe run → {args.out}/")
        for col in ("report", "status", "details"):
            table.add_column(col)
        for rid, st, detail in rows:
            style = "red" if st.startswith("failed") else None
            table.add_row(rid, st, detail, style=style)
        Console().print(table)
    else:
        for rid, st, detail in rows:
            if args.quiet and not st.startswith("failed"):
                continue
            print(f"{rid}\t{st}\t{detail}")
    if args.verbose and failed:
        print("failure details are in", os.path.join(args.out, "_failures.csv"))
    print(f"{len(ok)} processed, {len(skipped)} up to date, {len(failed)} failed in {elapsed:.1f}s "
          f"→ {args.out}/")


def cmd_status(args) -> int:
    from .batch import Settings, collect_inputs, plan

    items = plan(collect_inputs(_inputs(args)), args.out, Settings())
    for it in items:
        print(f"{it.report_id}\t{it.state}\t{it.why}")
    return 0


def cmd_serve(args, argv: list[str]) -> int:
    """Serve the watching deployment; without a configured Prefect API, start a local Prefect
    server for it first (an ephemeral one cannot schedule runs) and stop it on exit."""
    if not os.environ.get("PREFECT_API_URL"):
        import subprocess

        import signal

        # SIGTERM (a service manager stopping us) must stop the server too, like Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        server, url = _start_prefect_server()
        print(f"started a local Prefect server for the schedule: UI at {url[:-4]}", flush=True)
        child = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *argv],
                                 env={**os.environ, "PREFECT_API_URL": url})
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)  # lets Prefect's runner stop its flow runs cleanly
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
            return 130
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except Exception:
                server.kill()
    import flows

    from .batch import Settings

    flows.serve(_inputs(args), args.out, args.interval, Settings().__dict__)
    return 0


def _start_prefect_server(timeout: float = 120.0):
    import socket
    import subprocess
    import urllib.request

    import flows  # noqa: F401  (sets PREFECT_HOME and quiet defaults for the server too)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ReportpipeError("the local Prefect server stopped at once; run `prefect server start` "
                                  "yourself and set PREFECT_API_URL.")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise ReportpipeError(f"the local Prefect server did not answer within {timeout:.0f} s.")


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
    from .diff import COLUMNS, diff_extractions, to_markdown, write_csv

    rows = diff_extractions(args.old, args.new)
    if args.out:
        write_csv(rows, args.out)
    if args.html:
        from .review import build_diff_page

        build_diff_page(rows, args.old, args.new, args.html)
    if args.format == "md":
        print(to_markdown(rows))
    elif args.format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([getattr(r, c) for c in COLUMNS])
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{args.old} → {args.new}: {len(rows)} change(s)")
        for col in ("status", "kind", "section", "subject", "field", "old", "new", "change"):
            table.add_column(col)
        for r in rows:
            table.add_row(r.status, r.kind, r.where, r.subject, r.field, r.old, r.new, r.percent)
        Console(width=200 if not sys.stdout.isatty() else None).print(table)
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
    if args.format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(names)
        w.writerows(rows)
    elif args.format == "json":
        print(json.dumps([dict(zip(names, r)) for r in rows], ensure_ascii=False, default=str, indent=1))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for n in names:
            table.add_column(n)
        for r in rows:
            table.add_row(*["" if v is None else str(v) for v in r])
        Console(width=200 if not sys.stdout.isatty() else None).print(table)
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate

    s, text = evaluate(args.gold, args.extraction, limit=args.limit)
    print(json.dumps(s.as_dict(), ensure_ascii=False, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
