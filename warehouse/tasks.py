"""The beat job that sends every destination its new rows (warehouse.export)."""

from celery import shared_task

from warehouse import export


@shared_task(name="warehouse.tasks.export_to_warehouses", expires=290)
def export_to_warehouses() -> dict:
    """Each enabled destination's new rows, a load job or two per table (every 5 minutes: BigQuery allows 1,500
    load jobs per table a day): the rows sent, per destination."""
    return export.export_due()
