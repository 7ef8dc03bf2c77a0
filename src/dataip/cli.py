"""The ``dataip`` command: run, fill and look after a registry.

Start here: ``dataip migrate``, ``dataip demo``, ``dataip serve``. Every command reads the same
``DATAIP_*`` environment variables as the web server (see the README).
"""

from __future__ import annotations

import os
import threading
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dataip.evidence.cli import register as register_deposit_commands

if TYPE_CHECKING:
    from dataip.evidence import Cosigner
    from dataip.evidence.trust_list import TrustList
    from dataip.evidence.witness_policy import WitnessPolicy

app = typer.Typer(
    help="dataip — an open registry for data intellectual property (数据知识产权登记平台).\n\n"
    "Typical first run: `dataip migrate`, `dataip demo`, `dataip serve`.",
    no_args_is_help=True,
    add_completion=False,
)


def _setup() -> None:
    """Start Django once per process. A second ``django.setup()`` would configure logging
    again, onto whatever ``sys.stderr`` is at that moment (in tests, a runner's stream that is
    closed right after the command)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.config.settings")
    from django.apps import apps

    if apps.ready:
        return
    import django

    django.setup()


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables (safe to run any time)."""
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    from dataip.registry.rollup import rebuild_if_empty

    if (cells := rebuild_if_empty()) is not None:
        typer.echo(f"统计汇总表已建立：{cells} 个单元。\nStatistics cells built: {cells} cells.")


@app.command("rebuild-statistics")
def rebuild_statistics() -> None:
    """Recompute the statistics bulletin's cells and the search's facet cells from the
    registry, in one transaction (after an upgrade or a restore; `dataip audit` says when they
    differ) / 重建统计汇总表与检索分面计数."""
    _setup()
    from django.db import transaction

    from dataip.registry.rollup import rebuild
    from dataip.registry.search_index import rebuild_cells

    with transaction.atomic():
        cells = rebuild()
        facets = rebuild_cells()
    typer.echo(f"统计汇总表已重建：{cells} 个单元。\nStatistics cells rebuilt: {cells} cells.")
    typer.echo(
        f"检索分面计数已重建：{facets} 个单元。\nSearch facet cells rebuilt: {facets} cells."
    )


@app.command()
def demo(
    applications: Annotated[int, typer.Option(help="How many applications to create.")] = 1200,
    seed: Annotated[
        int, typer.Option(help="Random seed, for the same registry every time.")
    ] = 2026,
    force: Annotated[
        bool, typer.Option(help="Add demo data even if the registry has data.")
    ] = False,
) -> None:
    """Fill an empty registry with demo data, through the real workflow (runs once)."""
    _setup()
    from dataip.registry.demo import build_demo, registry_is_empty

    if not force and not registry_is_empty():
        typer.echo("The registry already has data; demo data is loaded only once (use --force).")
        return
    summary = build_demo(applications=applications, seed=seed, progress=typer.echo)
    typer.echo(summary)


def _refuse_without_keys() -> None:
    """Stop (exit code 2) if a key is missing while data signed by it exists (both languages)."""
    from dataip.upkeep.backup import missing_keys

    missing = missing_keys()
    for refusal in missing:
        typer.echo(refusal.explain(), err=True)
    if missing:
        raise typer.Exit(2)


@app.command()
def tick() -> None:
    """Apply time-driven transitions now: deadlines, announcement ends, expiry. Idempotent.

    Runs at once, without the lease through which `serve` and `worker` run it once a minute."""
    _setup()
    from dataip.upkeep.tick import tick as run_tick

    _refuse_without_keys()
    done = run_tick()
    if not done:
        typer.echo("Nothing was due.")
    for action, count in sorted(done.items()):
        typer.echo(f"{action}: {count}")
    if done["checkpoint_refused"]:
        _say_why_signing_stopped()


def _say_why_signing_stopped() -> None:
    """A witness refused the log: say why, in Chinese and English."""
    from django.utils import translation

    from dataip.ledger.witnessing import LogRefusedByWitness, refusal
    from dataip.registry.i18n import describe

    found = refusal()
    if found is None:
        return
    for language in ("zh-hans", "en"):
        with translation.override(language):
            typer.echo(describe(LogRefusedByWitness(found)), err=False)


class StaffRole(StrEnum):
    """A staff role of ``create-staff``."""

    examiner = "examiner"
    expert = "expert"
    registrar = "registrar"


def _create_staff(
    username: str, email: str, roles: list[str], name: str, language: str, admin: bool
) -> None:
    _setup()
    from django.db import transaction
    from django.utils import translation

    from dataip.accounts import people
    from dataip.errors import DomainError, ValidationFailed
    from dataip.registry.i18n import describe, field_errors

    try:
        with transaction.atomic():
            user, link = people.create_staff(
                username=username, display_name=name, email=email, roles=roles, language=language
            )
            if admin:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
    except DomainError as error:
        with translation.override("en"):
            if isinstance(error, ValidationFailed):
                for field, reasons in field_errors(error).items():
                    typer.echo(f"{field}: {'; '.join(reasons)}", err=True)
            else:
                typer.echo(describe(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Staff account {username!r} created; its enrolment link (also mailed to {email}):")
    typer.echo(link)


@app.command("create-staff")
def create_staff(
    username: Annotated[str, typer.Argument(help="Login name.")],
    email: Annotated[str, typer.Option(help="Where the enrolment link is mailed.")],
    role: Annotated[
        list[StaffRole], typer.Option(help="A staff role (repeat the option for several).")
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    language: Annotated[str, typer.Option(help="Language of e-mails: zh-hans or en.")] = "zh-hans",
    admin: Annotated[bool, typer.Option(help="Also let the account use /admin/.")] = False,
) -> None:
    """Create a staff account without a password and print its single-use enrolment link,
    where the person sets the password and the authenticator app (TOTP)."""
    _create_staff(username, email, [str(r.value) for r in role], name, language, admin)


@app.command()
def createadmin(
    username: Annotated[str, typer.Option(prompt=True, help="Login name.")],
    email: Annotated[str, typer.Option(prompt=True, help="Where the enrolment link is mailed.")],
) -> None:
    """Create the first registrar (also examiner, and admin of /admin/) and print its
    enrolment link: no password is set here; the person sets it with the authenticator."""
    _create_staff(username, email, ["registrar", "examiner"], "", "zh-hans", True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 8,
) -> None:
    """Serve the registry over HTTP, and run `tick` on a schedule in the background.

    Refuses to start while a key is missing but data signed by it exists (a restore without
    the key folders): restore them, or replace the key with `dataip rotate-key --after-loss`."""
    _setup()
    _refuse_without_keys()
    from django.conf import settings
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    call_command("collectstatic", interactive=False, verbosity=0)
    from dataip.config.wsgi import application  # after collectstatic: WhiteNoise scans at start
    from dataip.upkeep.schedule import schedule_forever

    # tick through the deployment-wide lease: with several servers and workers, once a minute.
    threading.Thread(target=schedule_forever, daemon=True, name="ticker").start()
    if settings.DATAIP_SERVE_WORKER:
        from dataip.jobs import run_worker_forever

        threading.Thread(
            target=run_worker_forever, args=("serve",), daemon=True, name="worker"
        ).start()
    typer.echo(f"dataip serving on http://{host}:{port}/ (Ctrl-C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads)


@app.command()
def appserver(
    bind: Annotated[
        list[str] | None,
        typer.Option(
            help="HOST:PORT or unix:PATH to listen on (repeatable; default DATAIP_APPSERVER_BIND)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default DATAIP_APPSERVER_WORKERS: 2 per CPU + 1)."),
    ] = None,
    threads: Annotated[
        int | None, typer.Option(help="Threads per worker (default DATAIP_APPSERVER_THREADS).")
    ] = None,
) -> None:
    """Serve the registry in production with gunicorn (several worker processes); run as many
    app servers as needed against one PostgreSQL, behind a load balancer (docs/deployment.md).

    Runs no `tick` and no task worker: run `dataip worker` beside it. Logs are JSON unless
    DATAIP_LOG_FORMAT says otherwise; /healthz, /readyz and /metrics answer probes."""
    os.environ.setdefault("DATAIP_LOG_FORMAT", "json")
    os.environ.setdefault("DATAIP_ACCESS_LOG", "1")
    os.environ.setdefault("DATAIP_DB_CONN_MAX_AGE", "60")  # a connection kept per worker
    _setup()
    _refuse_without_keys()
    from django.core.management import call_command
    from django.db import connections

    from dataip.config import gunicorn

    call_command("collectstatic", interactive=False, verbosity=0)  # once, before the fork
    connections.close_all()  # no connection of the master's may be shared by the workers
    overrides: dict[str, object] = {}
    if bind:
        overrides["bind"] = bind
    if workers is not None:
        overrides["workers"] = workers
    if threads is not None:
        overrides["threads"] = threads
    gunicorn.run(overrides)


@app.command()
def worker(
    batch: Annotated[
        bool, typer.Option(help="Stop once no task waits (instead of running forever).")
    ] = False,
    schedule: Annotated[
        bool, typer.Option(help="Also run `tick` when its minute's lease is won.")
    ] = True,
) -> None:
    """Run the background job worker (certificates, checkpoints, the notices' mail, webhook
    deliveries): one or more per deployment, e.g. one per machine on PostgreSQL, with
    DATAIP_SERVE_WORKER=0 and DATAIP_JOBS_AFTER_COMMIT=0 on the app servers. Unless it stops
    in batch mode, it also competes for `tick`'s lease, which one process wins each minute."""
    _setup()
    from django.core.management import call_command

    if schedule and not batch:
        from dataip.upkeep.schedule import schedule_forever

        threading.Thread(target=schedule_forever, daemon=True, name="ticker").start()
    from dataip.jobs import connection_kept

    with connection_kept():  # one connection for many jobs, not one each
        call_command("db_worker", batch=batch, queue_name="*", startup_delay=not batch)


class Lang(StrEnum):
    """Language of the verification report."""

    ZH = "zh"
    EN = "en"
    BOTH = "both"


def _languages(lang: Lang) -> list[str]:
    return ["zh", "en"] if lang == Lang.BOTH else [lang.value]


def _read_keys(values: list[str]) -> list[str]:
    """Each --key is a vkey, or a file with one vkey per line ('#' starts a comment)."""
    found: list[str] = []
    for value in values:
        path = Path(value)
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            found.extend(line.strip() for line in lines if line.strip() and line[0] != "#")
        else:
            found.append(value.strip())
    return found


def _read_input(path: Path, what_zh: str, what_en: str) -> bytes:
    """Read an input file, or stop with a bilingual message (exit code 2)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        typer.echo(f"无法读取{what_zh}：{path}\nCannot read the {what_en}: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="Evidence bundle file / 证据包文件.")],
    key: Annotated[
        list[str] | None,
        typer.Option(help="Registry public key (vkey) or a file with it; repeatable / 公钥。"),
    ] = None,
    tsa_ca: Annotated[
        Path | None, typer.Option(help="PEM CA certificate(s) of the TSA / 时间戳机构根证书.")
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Report language / 报告语言.")] = Lang.BOTH,
    ca: Annotated[
        Path | None,
        typer.Option(
            help="For a certificate PDF: the registry's CA (/verify/ca.pem) / 登记机构根证书."
        ),
    ] = None,
    witness_policy: Annotated[
        Path | None,
        typer.Option(help="Witness policy file: which cosignatures are required / 见证策略."),
    ] = None,
    trust_list: Annotated[
        Path | None,
        typer.Option(help="Trust list of peer registries (log keys, witnesses) / 互认名单."),
    ] = None,
) -> None:
    """Check an evidence bundle or a certificate PDF offline and say what it proves
    (离线验证证据包或证书). No database, no network: only the registry's public key (and, for a
    PDF, its CA certificate; for time-stamps, the TSA's CA certificate) are needed."""
    from dataip.evidence import VerificationError
    from dataip.evidence._summary import failure_text
    from dataip.evidence.bundle import verify_bundle

    data = _read_input(bundle, "证据包", "bundle")
    tsa = None if tsa_ca is None else _read_input(tsa_ca, "时间戳机构根证书", "TSA CA file")
    witnesses = _Witnesses.read(witness_policy, trust_list)
    keys = [*_read_keys(key or []), *witnesses.log_vkeys()]
    if not keys:
        typer.echo(
            "需要登记机构公钥：--key、--witness-policy 中的 log 行或 --trust-list\n"
            "A registry key is needed: --key, a 'log' line of --witness-policy, or --trust-list",
            err=True,
        )
        raise typer.Exit(2)
    if data.startswith(b"%PDF-"):
        _verify_certificate(data, keys, ca, tsa, lang, witnesses)
        return
    try:
        verified = verify_bundle(data, keys, tsa_ca_pem=tsa)
    except VerificationError as exc:
        step = exc.step or "bundle"
        for language in _languages(lang):
            typer.echo(failure_text(step, exc.code, exc.message, language), err=True, nl=False)
        raise typer.Exit(1) from None
    report = witnesses.check(verified.checkpoint_note, verified.origin, lang)
    typer.echo("\n".join(verified.summary(language) for language in _languages(lang)), nl=False)
    for line in report:
        typer.echo(line)


class _Witnesses:
    """The witness policy and trust list given to ``dataip verify`` (either may be absent)."""

    def __init__(self, policy: WitnessPolicy | None, trusted: TrustList | None) -> None:
        self.policy, self.trusted = policy, trusted

    @classmethod
    def read(cls, policy_file: Path | None, trust_file: Path | None) -> _Witnesses:
        from dataip.evidence import VerificationError
        from dataip.evidence.trust_list import TrustList
        from dataip.evidence.witness_policy import WitnessPolicy

        try:
            policy = None
            if policy_file is not None:
                text = _read_input(policy_file, "见证策略", "witness policy").decode("utf-8")
                policy = WitnessPolicy.parse(text)
            trusted = None
            if trust_file is not None:
                _read_input(trust_file, "互认名单", "trust list")  # exits if unreadable
                trusted = TrustList.load(trust_file)
        except (VerificationError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "message", str(exc))
            typer.echo(
                f"见证策略或互认名单有误：{reason}\n"
                f"The witness policy or trust list is wrong: {reason}",
                err=True,
            )
            raise typer.Exit(2) from None
        return cls(policy, trusted)

    def log_vkeys(self) -> list[str]:
        keys = [] if self.policy is None else [v.vkey for v in self.policy.logs]
        return keys + ([] if self.trusted is None else self.trusted.log_vkeys())

    def check(self, note: str, origin: str, lang: Lang) -> list[str]:
        """Check the cosignatures; the report lines, or exit 1 with the reason."""
        from dataip.evidence import VerificationError
        from dataip.evidence.witness_policy import check_policy

        policies = [] if self.policy is None else [self.policy]
        try:
            if self.trusted is not None:
                policies.append(self.trusted.policy_for(origin))
            names = sorted({name for policy in policies for name in check_policy(note, policy)})
        except VerificationError as exc:
            for language in _languages(lang):
                typer.echo(exc.explain(language), err=True)
            raise typer.Exit(1) from None
        if not policies:
            return []
        cosigners = ", ".join(names) or "—"
        lines = {
            "zh": f"见证：满足见证策略（联署方：{cosigners}）。",
            "en": f"Witnesses: the witness policy is met (cosigned by: {cosigners}).",
        }
        return [lines[language] for language in _languages(lang)]


def _verify_certificate(
    data: bytes,
    keys: list[str],
    ca: Path | None,
    tsa: bytes | None,
    lang: Lang,
    witnesses: _Witnesses,
) -> None:
    """The PDF branch of ``dataip verify``: signature, embedded bundle, inclusion proof."""
    from dataip.certificates.records import VerifiedRecord, is_record_pdf, verify_record_pdf
    from dataip.certificates.verify import VerifiedCertificate, verify_certificate_pdf
    from dataip.evidence import VerificationError

    listed = b"" if witnesses.trusted is None else witnesses.trusted.ca_pem()
    if ca is None and not listed:
        typer.echo(
            "证书 PDF 需要 --ca（登记机构根证书，/verify/ca.pem）\n"
            "A certificate PDF needs --ca (the registry's CA certificate, /verify/ca.pem)",
            err=True,
        )
        raise typer.Exit(2)
    ca_pem = (b"" if ca is None else _read_input(ca, "登记机构根证书", "CA file")) + listed
    try:
        if is_record_pdf(data):  # an encumbrance statement or a pledge registration certificate
            verified: VerifiedCertificate | VerifiedRecord = verify_record_pdf(
                data, keys, ca_pem, tsa_ca_pem=tsa
            )
        else:
            verified = verify_certificate_pdf(data, keys, ca_pem, tsa_ca_pem=tsa)
    except VerificationError as exc:
        for language in _languages(lang):
            typer.echo(exc.explain(language), err=True)
        raise typer.Exit(1) from None
    report = witnesses.check(verified.bundle.checkpoint_note, verified.bundle.origin, lang)
    typer.echo("\n".join(verified.summary(language) for language in _languages(lang)))
    for line in report:
        typer.echo(line)


@app.command()
def audit(
    lang: Annotated[Lang, typer.Option(help="Report language / 报告语言.")] = Lang.BOTH,
) -> None:
    """Recompute the whole evidence ledger and check every node, checkpoint and event, then
    replay the events against every derived row (账本审计). Exits with 1 if anything was found
    wrong."""
    _setup()
    if not _run_audit(lang):
        raise typer.Exit(1)


def _run_audit(lang: Lang) -> bool:
    """Run the audit, print its findings and counts; True if nothing was found wrong."""
    from dataip.keystore import KeyMissing
    from dataip.ledger.audit import AuditReport
    from dataip.upkeep.audit import run_audit

    report = AuditReport()
    try:
        for item in run_audit():
            if isinstance(item, AuditReport):
                report = item
                continue
            for language in _languages(lang):
                typer.echo(item.message(language))
    except KeyMissing as exc:
        typer.echo(exc.explain(lang.value), err=True)
        return False
    rows = int(getattr(report, "rows", 0))
    counts = (
        f"{report.entries} entries, {report.nodes} nodes, {report.checkpoints} checkpoints, "
        f"{report.timestamps} timestamps, {report.records} events, {rows} derived rows"
    )
    counts_zh = (
        f"{report.entries} 个条目、{report.nodes} 个节点、{report.checkpoints} 个检查点、"
        f"{report.timestamps} 个时间戳、{report.records} 个事件、{rows} 个派生记录"
    )
    done = {
        "zh": f"审计完成：已检查 {counts_zh}；发现 {report.findings} 个问题。",
        "en": f"Audit done: checked {counts}; {report.findings} finding(s).",
    }
    for language in _languages(lang):
        typer.echo(done[language])
    return report.ok


class Store(StrEnum):
    """A key store that can be replaced after its loss."""

    LEDGER = "ledger"
    CERTIFICATES = "certificates"
    TSA = "tsa"


@app.command("rotate-key")
def rotate_key(
    after_loss: Annotated[
        bool,
        typer.Option(
            "--after-loss",
            help="The key is lost: make a new one, logged as `ledger_key_replaced` and signed "
            "by the new key / 密钥遗失后更换.",
        ),
    ] = False,
    old_key: Annotated[
        str | None,
        typer.Option(
            help="With --after-loss: the lost key's public key (vkey, or a file with it), from "
            "/.well-known/dataip-log-key or a backup / 遗失密钥的公钥.",
        ),
    ] = None,
    store: Annotated[
        Store, typer.Option(help="With --after-loss: which key store to replace / 密钥库.")
    ] = Store.LEDGER,
) -> None:
    """Replace the ledger's signing key (更换日志签名密钥). The rotation is logged as an event
    and signed by the old key first; old checkpoints stay verifiable with the old key.

    After a loss (--after-loss) there is no old key to sign with: the replacement is logged as
    its own event, signed by the new key, naming the lost key; evidence signed before still
    verifies with the lost key's public key, which stays published."""
    _setup()
    if not after_loss:
        if store != Store.LEDGER or old_key is not None:
            typer.echo(
                "--store 与 --old-key 只用于 --after-loss。\n"
                "--store and --old-key are only for --after-loss.",
                err=True,
            )
            raise typer.Exit(2)
        from dataip.upkeep.rotation import rotate_key as rotate

        rotation = rotate()
        typer.echo(
            f"日志签名密钥已更换（第 {rotation.leaf_index} 号条目）。\n"
            f"The log signing key was rotated (entry {rotation.leaf_index}).\n"
            f"old / 旧公钥: {rotation.old_vkey}\nnew / 新公钥: {rotation.new_vkey}"
        )
        return
    if store == Store.LEDGER:
        _replace_lost_log_key(old_key)
    else:
        _replace_lost_store(store)


def _replace_lost_log_key(old_key: str | None) -> None:
    """``dataip rotate-key --after-loss`` for the ledger."""
    from dataip.upkeep.rotation import ReplacementRefused, replace_lost_key

    given = _read_keys([old_key])[0] if old_key else None
    try:
        replaced = replace_lost_key(given)
    except ReplacementRefused as exc:
        typer.echo(f"{exc.text['zh']}\n{exc.text['en']}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"遗失的日志签名密钥已由新密钥替换（第 {replaced.leaf_index} 号条目，由新密钥签名）。"
        "旧密钥签署的证据仍可用旧公钥验证：请继续公布它。\n"
        f"The lost log signing key was replaced (entry {replaced.leaf_index}, signed by the "
        "new key). Evidence signed before still verifies with the old public key: keep "
        "publishing it.\n"
        f"lost / 遗失的公钥: {replaced.old_vkey}\nnew / 新公钥: {replaced.new_vkey}"
    )


def _replace_lost_store(store: Store) -> None:
    """``dataip rotate-key --after-loss --store certificates|tsa``: a new own CA."""
    from dataip.certificates import pki
    from dataip.deposits import tsa

    missing = pki.missing_own_pki if store == Store.CERTIFICATES else tsa.missing_own_tsa
    if missing() is None:
        typer.echo(
            "该密钥库并未丢失（或尚无依赖它的数据）：无需更换。\n"
            "That key store is not lost (or nothing depends on it yet): nothing to replace.",
            err=True,
        )
        raise typer.Exit(2)
    if store == Store.CERTIFICATES:
        folder = pki.ensure_own_pki(replace_lost=True)
        published = "/verify/ca.pem"
    else:
        folder = tsa.ensure_own_tsa(replace_lost=True)
        published = "/deposits/tsa-ca.pem"
    typer.echo(
        f"已在 {folder} 生成新的 CA；{published} 从此公布新 CA。此前签发的文件只能用旧 CA 证书"
        "验证：请从备份或验证方处取回并继续公布旧 CA。\n"
        f"A new CA was made in {folder}; {published} now publishes it. Files signed before "
        "verify only with the old CA certificate: recover it from a backup or a verifier and "
        "keep publishing it."
    )


@app.command("export")
def export_command() -> None:
    """Write today's snapshot of the bulk export (导出快照): every public registration as
    gzip JSON Lines and CSV, named by the day and the cursor, into DATAIP_EXPORT_DIR (default
    DATAIP_DATA_DIR/exports; with object storage, exports/ in the bucket). Idempotent: files
    that exist are not written again; snapshots past DATAIP_EXPORT_KEEP are deleted."""
    _setup()
    from dataip.registry.queries.exports import snapshot_storage
    from dataip.registry.storage import where
    from dataip.upkeep.exports import write_snapshots

    written = write_snapshots()
    for name in written:
        typer.echo(f"已写入 / written: {where(snapshot_storage(), name)}")
    if not written:
        typer.echo(f"快照已存在 / The snapshot exists already: {where(snapshot_storage())}")


@app.command("backup")
def backup_command(
    dest: Annotated[
        Path, typer.Argument(help="Archive file, or a folder for a dated one / 备份文件或文件夹.")
    ],
    keys: Annotated[
        bool,
        typer.Option(help="Include the key folders (log key, CA, TSA) / 包含密钥文件夹."),
    ] = True,
) -> None:
    """Back up the registry into one .tar.gz (备份): the database (SQLite online backup, or
    pg_dump), the key folders, the uploaded files and a manifest with the SHA-256 of each.
    Safe while the server runs. The archive holds private keys: keep it safe."""
    _setup()
    from dataip.upkeep.backup import BackupError, backup

    try:
        made = backup(dest, with_keys=keys)
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"备份完成：{made.archive}（{made.vendor} 数据库，{made.members} 个文件，"
        f"日志至少 {made.log_size} 个条目）。\n"
        f"Backup written: {made.archive} ({made.vendor} database, {made.members} files, "
        f"log of at least {made.log_size} entries)."
    )
    if made.media_elsewhere:
        typer.echo(
            f"注意：上传和签发的文件在对象存储 {made.media_elsewhere} 中，不在本备份内；"
            "请用对象存储自己的工具备份该存储桶（版本控制、复制或 mc mirror / rclone sync）。\n"
            f"Note: the uploaded and issued files are in the object store {made.media_elsewhere}, "
            "not in this backup: back up the bucket with the object store's own tools "
            "(versioning, replication, or mc mirror / rclone sync)."
        )
    if not keys:
        typer.echo(
            "注意：备份中没有密钥文件夹，请另行保管。\n"
            "Note: the key folders are not in this backup; keep them safe elsewhere."
        )


@app.command("restore")
def restore_command(
    archive: Annotated[Path, typer.Argument(help="Backup archive (.tar.gz) / 备份文件.")],
    force: Annotated[
        bool, typer.Option(help="Overwrite a registry that has data / 覆盖已有数据.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for confirmation (scripts) / 不再确认.")
    ] = False,
    lang: Annotated[Lang, typer.Option(help="Report language / 报告语言.")] = Lang.BOTH,
) -> None:
    """Restore a backup made by `dataip backup` (恢复), then run the audit. Checks every file
    against the manifest first and changes nothing if one differs. Exits with 1 if the audit
    finds anything, 2 if the restore is refused."""
    import sys

    _setup()
    from dataip.upkeep.backup import BackupError, registry_has_data, restore

    if force and registry_has_data() and not yes:
        question = (
            "本登记系统已有数据，恢复将覆盖数据库、密钥和文件。继续吗？\n"
            "This registry has data; the restore overwrites its database, keys and files. "
            "Go on?"
        )
        if not sys.stdin.isatty():
            typer.echo(
                "非交互运行时请加 --yes 确认覆盖。\nNot on a terminal: add --yes to confirm.",
                err=True,
            )
            raise typer.Exit(2)
        if not typer.confirm(question):
            raise typer.Exit(2)
    try:
        report = restore(archive, force=force)
    except BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"已恢复 {report.vendor} 数据库和 {report.files} 个文件；现在运行审计。\n"
        f"Restored the {report.vendor} database and {report.files} files; running the audit."
    )
    for kept in report.kept:
        typer.echo(f"原有密钥文件夹已移至 / The replaced key folder was kept as: {kept}")
    if report.media_elsewhere:
        typer.echo(
            f"注意：备份不含上传的文件，它们在对象存储 {report.media_elsewhere} 中；"
            "如需恢复，请用对象存储的工具恢复该存储桶。\n"
            "Note: the backup holds no uploaded files; they are in the object store "
            f"{report.media_elsewhere}: restore the bucket with the object store's tools if needed."
        )
    if report.uploaded:
        typer.echo(
            f"已将备份中的 {report.uploaded} 个文件上传到对象存储。\n"
            f"Uploaded the backup's {report.uploaded} files to the object store."
        )
    if not report.keys:
        typer.echo(
            "备份中没有密钥文件夹：请把它们放回原处。\n"
            "The backup holds no key folders: put them back in place."
        )
    if not _run_audit(lang):
        raise typer.Exit(1)


@app.command("verify-deposit")
def verify_deposit(
    receipt: Annotated[Path, typer.Argument(help="Deposit receipt (JSON) / 存证回执.")],
    manifest: Annotated[
        Path | None, typer.Option(help="The manifest deposited / 存证清单 (manifest.json).")
    ] = None,
    tsa_ca: Annotated[
        list[Path] | None,
        typer.Option(help="PEM CA certificate(s) of the TSA; repeatable / 时间戳机构根证书."),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(help="Registry public key (vkey) or a file with it; repeatable / 公钥。"),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Report language / 报告语言.")] = Lang.BOTH,
) -> None:
    """Check a deposit receipt offline (离线验证存证回执): the statement against the manifest,
    the RFC 3161 token against the statement, and the ledger entry with the registry's key.
    No database, no network."""
    from dataip.evidence import VerificationError
    from dataip.evidence.deposit_receipt import failure_text as deposit_failure
    from dataip.evidence.deposit_receipt import verify_receipt

    data = _read_input(receipt, "存证回执", "receipt")
    listed = None if manifest is None else _read_input(manifest, "清单", "manifest")
    ca = b"".join(_read_input(p, "时间戳机构根证书", "TSA CA file") for p in tsa_ca or []) or None
    try:
        verified = verify_receipt(
            data, manifest=listed, tsa_ca_pem=ca, trusted_vkeys=_read_keys(key or [])
        )
    except VerificationError as exc:
        step = exc.step or "receipt"
        for language in _languages(lang):
            typer.echo(deposit_failure(step, exc.message, language), err=True, nl=False)
        raise typer.Exit(1) from None
    typer.echo("\n".join(verified.summary(language) for language in _languages(lang)), nl=False)


witness_app = typer.Typer(
    help="An independent witness (独立见证方, C2SP tlog-witness): cosigns a registry's "
    "checkpoints after checking they are consistent with what it cosigned before.",
    no_args_is_help=True,
)
app.add_typer(witness_app, name="witness")
WitnessDir = Annotated[
    Path, typer.Option("--dir", help="The witness's folder: its key and store / 见证方目录.")
]


@witness_app.command("init")
def witness_init(
    name: Annotated[str, typer.Option(help="The witness's key name, e.g. witness.example.cn/w1.")],
    folder: WitnessDir = Path("var/witness"),
) -> None:
    """Make the witness's cosigning key (once) and print its public key (vkey) to publish."""
    from dataip.evidence import MalformedInput
    from dataip.witness.config import create_key

    try:
        cosigner = create_key(folder, name)
    except FileExistsError:
        typer.echo(
            f"见证方密钥已存在，不会替换：{folder}\nThe witness key already exists and is "
            f"never replaced: {folder}",
            err=True,
        )
        raise typer.Exit(1) from None
    except MalformedInput as exc:
        typer.echo(f"见证方名称无效：{exc.message}\nInvalid witness name: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(cosigner.vkey)


@witness_app.command("vkey")
def witness_vkey(folder: WitnessDir = Path("var/witness")) -> None:
    """Print the witness's public key (vkey): registries list it in DATAIP_WITNESSES."""
    typer.echo(_witness_key(folder).vkey)


def _witness_key(folder: Path) -> Cosigner:
    from dataip.evidence import VerificationError
    from dataip.witness.config import load_key

    try:
        return load_key(folder)
    except OSError as exc:
        typer.echo(
            f"无法读取见证方密钥（先运行 dataip witness init）：{exc}\n"
            f"Cannot read the witness key (run dataip witness init first): {exc}",
            err=True,
        )
        raise typer.Exit(2) from None
    except VerificationError as exc:
        typer.echo(
            f"见证方密钥无效：{exc.message}\nThe witness key is invalid: {exc.message}", err=True
        )
        raise typer.Exit(2) from None


@witness_app.command("serve")
def witness_serve(
    logs: Annotated[
        Path, typer.Option(help="The logs it witnesses: lines 'log <vkey>' / 所见证的账本.")
    ],
    folder: WitnessDir = Path("var/witness"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8480,
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 4,
) -> None:
    """Serve POST /add-checkpoint (C2SP tlog-witness) with the witness's own key and store.
    Needs no registry database: only the logs' public keys."""
    import logging

    from dataip.evidence import VerificationError
    from dataip.witness.config import STORE_FILE, read_logs
    from dataip.witness.core import Witness
    from dataip.witness.server import serve as serve_witness
    from dataip.witness.store import Store

    cosigner = _witness_key(folder)
    try:
        known = read_logs(logs)
    except OSError as exc:
        typer.echo(f"无法读取账本清单：{exc}\nCannot read the logs file: {exc}", err=True)
        raise typer.Exit(2) from None
    except VerificationError as exc:
        typer.echo(f"账本清单有误：{exc.message}\nThe logs file is wrong: {exc.message}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(level=logging.INFO)
    witness = Witness(cosigner, known, Store(folder / STORE_FILE))
    typer.echo(
        f"witness {cosigner.vkey}\nwitnessing {', '.join(sorted(known)) or 'no log'} on "
        f"http://{host}:{port}/add-checkpoint (Ctrl-C to stop)"
    )
    serve_witness(witness, host, port, threads=threads)


tiles_app = typer.Typer(
    help="The log as C2SP tlog-tiles (日志瓦片): static files a CDN or a mirror can serve.",
    no_args_is_help=True,
)
app.add_typer(tiles_app, name="tiles")


@tiles_app.command("write")
def tiles_write() -> None:
    """Write the log's tiles up to the newest published checkpoint into the tiles storage,
    checkpoint last (idempotent; `dataip tick` does it too) / 写出日志瓦片."""
    _setup()
    from dataip.ledger.tiles import TilesDisagree, write_tiles

    try:
        written = write_tiles()
    except TilesDisagree as exc:
        typer.echo(
            f"存储中的日志瓦片与本账本不一致，未写入任何文件：{exc}\n"
            f"The stored tiles disagree with this log; nothing was written: {exc}",
            err=True,
        )
        raise typer.Exit(1) from None
    if not written.size:
        typer.echo("尚无已发布的检查点。\nNo published checkpoint yet.")
        return
    typer.echo(
        f"日志瓦片已写至 {written.size} 条记录：新写入 {written.files} 个文件，"
        f"删除 {written.pruned} 个被取代的部分瓦片。\n"
        f"Tiles written up to {written.size} entries: {written.files} new files, "
        f"{written.pruned} superseded partial tiles deleted."
    )


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. `dataip manage check`)."""
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dataip manage", *ctx.args])


# The holder's side of a deposit runs on the holder's machine and needs no registry.
register_deposit_commands(app)


def main() -> None:
    """Entry point of the ``dataip`` console script."""
    app()


if __name__ == "__main__":
    main()
