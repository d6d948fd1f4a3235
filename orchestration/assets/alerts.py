"""Delivery of the alerts after publication (insights.md): the run's alerts are recorded
(audit.alerts_raised, what the next run's is_new compares with), the new ones and those a
failed delivery left behind are POSTed to FLEXWH_ALERT_WEBHOOK_URL, and a WARN check says
whether the receiver took them: a failed delivery makes the run exit 3, never 1."""

# No `from __future__ import annotations`: Dagster reads the parameter annotations.
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    asset,
)

from core.alert_history import DDL as ALERTS_DDL
from core.alert_history import KEY, record_run_alerts, undelivered_keys
from exports.alerts_file import COLUMNS
from orchestration.assets.exports import EXPORTS
from orchestration.expectations import WARN
from orchestration.progress import PROGRESS
from orchestration.resources import RunLockResource, WarehouseResource

ALERT_DELIVERY = "alert_delivery"


@asset(
    name=ALERT_DELIVERY,
    group_name="publish",
    deps=[EXPORTS.key],
    kinds={"python"},
    description="The run's alerts recorded for the next run's is_new, and the new ones "
                "POSTed to FLEXWH_ALERT_WEBHOOK_URL when it is set.",
    check_specs=[AssetCheckSpec("alerts_delivered", asset=ALERT_DELIVERY, blocking=False,
                                description="The webhook took the alerts to deliver "
                                            "(those it did not are sent again next run).",
                                metadata={"severity": WARN})],
)
def alert_delivery(context: AssetExecutionContext, warehouse: WarehouseResource,
                   run_lock: RunLockResource) -> MaterializeResult:
    from exports.webhook import post_alerts

    settings = warehouse.settings()
    with warehouse.connect() as con:
        con.execute(ALERTS_DDL)  # a warehouse of an earlier release has no history yet
        rows = con.execute(f"select {', '.join(COLUMNS)} from marts.fct_alerts "
                           "order by team, alert_type, subject").fetchall()
        left_over = undelivered_keys(con)
    alerts = [{**dict(zip(COLUMNS, row, strict=True)), "as_of_date": row[1].isoformat()}
              for row in rows]  # as alerts.json has them
    def key(alert: dict) -> tuple[str, str, str]:
        return tuple(alert[column] for column in KEY)

    to_send = [a for a in alerts if a["is_new"] or key(a) in left_over]
    problem, delivered = None, None
    if settings.alert_webhook_url:
        if to_send:
            problem = post_alerts(settings.alert_webhook_url, to_send,
                                  settings.as_of.isoformat(), settings.alert_webhook_backoff)
        failed = {key(a) for a in to_send} if problem else set()
        delivered = {key(a) for a in alerts} - failed
    with warehouse.connect() as con:
        record_run_alerts(con, context.run.run_id, "marts.fct_alerts", delivered)
    if not settings.alert_webhook_url:
        summary = f"{len(alerts)} alerts, {len(to_send)} new; no webhook configured"
    elif problem:
        summary = f"{len(to_send)} alerts not delivered ({problem}): sent again next run"
    else:
        summary = f"{len(alerts)} alerts, {len(to_send)} delivered to the webhook"
    context.log.info(PROGRESS + summary)
    check = AssetCheckResult(
        check_name="alerts_delivered", passed=problem is None,
        severity=AssetCheckSeverity.WARN,
        description=f"webhook: {problem}; {len(to_send)} alerts to send again" if problem
        else None,
        metadata={"to_send": len(to_send)})
    return MaterializeResult(metadata={"summary": summary, "alerts": len(alerts),
                                       "new": sum(1 for a in alerts if a["is_new"])},
                             check_results=[check])
