"""The beat job that sends every destination its new rows (warehouse.export)."""

from celery import shared_task

from warehouse import export


@shared_task(name="warehouse.tasks.export_to_warehouses", expires=110)
def export_to_warehouses() -> dict:
    """Each enabled destination's new rows, a few batches per table: the rows sent, per destination."""
    return export.export_due()
